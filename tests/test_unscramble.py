"""unscramble: text pasted out of a multi-column page back into whole articles."""

import json

from layout.cli import main
from layout.unscramble import Piece, split_pieces, unscramble


def _raw_kinds(paste: str) -> tuple[list[Piece], list[str]]:
    """The paste's pieces and each one's kind from its own text (``piece_kind``, no
    position on the page, no settling against the other pieces)."""
    from layout.unscramble import piece_kind

    pieces = split_pieces(paste)
    return pieces, [piece_kind(p, False, False) for p in pieces]

# Two articles set side by side; the paste gives their pieces row by row, and the first
# article's paragraph is cut in mid-word at its column break.
PASTE = """拼版日报
1925年3月2日 星期一
第1版

市政府召开新闻发布会

图书馆延长开放时间

本报记者

今天上午，市政府召开新闻发布会，介绍了今年城市交通建设的主要计划。发言人表示，全市将新增公交线路十二条，并在主要路口增设信

市图书馆宣布，从下月起每天开放到晚上十点。馆长说，许多读者白天工作，只能在晚上来借书，延长开放时间是读者的共同心愿。

号灯，方便市民出行。他说，交通建设的资金已经落实，工程将在年底前完成。
"""


def test_pieces_are_split_at_blank_lines():
    assert len(split_pieces(PASTE)) == 7


def test_interleaved_articles_come_back_whole():
    result = unscramble(PASTE)
    by_title = {a.title: a for a in result.articles}
    assert set(by_title) == {"市政府召开新闻发布会", "图书馆延长开放时间"}
    city = by_title["市政府召开新闻发布会"].text
    assert "增设信号灯，方便市民出行" in city  # the mid-word cut is joined without a break
    assert city.endswith("工程将在年底前完成。")
    assert "图书馆" not in city.split("\n", 1)[1]
    assert result.furniture == (0,)


def test_every_piece_is_used_once():
    result = unscramble(PASTE)
    used = [p for a in result.articles for p in a.pieces] + list(result.furniture)
    assert sorted(used) == list(range(len(split_pieces(PASTE))))


def test_join_link_carries_its_reasons(tmp_path, capsys):
    src = tmp_path / "paste.txt"
    src.write_text(PASTE, encoding="utf-8")
    assert main(["unscramble", str(src), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    joins = [k for k in out["links"] if k["kind"] == "join"]
    assert joins and "a ends mid-sentence" in joins[0]["reasons"]


def test_empty_text():
    assert unscramble("\n\n").articles == ()


# Two English articles side by side: the first one's column ends in "preli-", which
# the third piece finishes ("minary"), not the neighbour's column that is pasted between.
EN_PASTE = """Federal Budget Passes

Harbour News

Markets opened calmly as the senate began its vote on the budget and all the preli-

Ships unloaded grain in the harbour all day, and business went on as usual.

minary steps were taken without any dispute among the members.
"""


def test_hyphen_split_is_finished_by_the_word_it_makes():
    result = unscramble(EN_PASTE)
    links = {(k.source, k.target): k for k in result.links}
    assert (1, 3) in links and (2, 4) in links and "the split word is a known word" in links[(2, 4)].reasons


def test_credit_lines_are_typed():
    from layout.unscramble import Piece, piece_kind

    assert piece_kind(Piece(0, ("Reichsanzeiger, 1878",)), False, False) == "byline"
    assert piece_kind(Piece(0, ("From the New York Packet.", "Friday, March 14, 1788.")), False, False) == "dateline"
    assert piece_kind(Piece(0, ("Amtliches.",)), False, False) == "headline"


def test_excerpt_source_is_a_subhead_between_title_and_credit():
    from layout.unscramble import Piece, piece_kind

    assert piece_kind(Piece(0, ("选自《坟》",)), False, False) == "subheadline"
    paste = "寡妇主义\n\n选自《坟》\n\n鲁迅\n\n范源廉先生是现在许多人都知道的，他主张的教育，则那时候最时行。\n"
    links = {(k.source, k.target) for k in unscramble(paste).links}
    assert links == {(0, 1), (1, 2), (2, 3)}


def test_a_bare_name_is_a_credit_line():
    from layout.unscramble import Piece, piece_kind

    assert piece_kind(Piece(0, ("鲁迅",)), False, False) == "byline"
    assert piece_kind(Piece(0, ("题记",)), False, False) == "headline"


def test_a_bare_source_name_is_a_credit_line():
    from layout.unscramble import Piece, piece_kind

    # an agency, a paper: the source of the text, set where the author's name would be
    assert piece_kind(Piece(0, ("新华社",)), False, False) == "byline"
    assert piece_kind(Piece(0, ("人民日报",)), False, False) == "byline"
    assert piece_kind(Piece(0, ("音乐",)), False, False) == "headline"  # a common noun is a title


def test_the_lead_headline_is_taller_so_its_neighbour_credit_comes_first():
    from layout.unscramble import follower_slots, piece_kind

    paste = "Harbour Strike Ends\n\nLibrary Opens Late\n\nBy Ann Lee\n\nBy Tom Fox\n"
    pieces, kinds = _raw_kinds(paste)
    # the first headline of the page is the lead, set larger: its credit stands lower
    assert follower_slots(pieces, kinds) == {0: 3, 1: 2}
    two_line = split_pieces("Harbour Strike\n\nLibrary Opens Late\nIn Winter\n\nBy Ann Lee\n\nBy Tom Fox\n")
    kinds = [piece_kind(p, False, False) for p in two_line]
    assert follower_slots(two_line, kinds) == {0: 2, 1: 3}  # a two-line neighbour is taller still


# Two side-by-side articles with identical credits: only the text under each credit
# tells which headline it belongs to, here against the order of the paste.
SAME_CREDITS = """Harbour Strike Ends

Library Opens Late

By Staff

By Staff

The harbour strike ended on Monday when dockers accepted the offer of the harbour board.

The library will stay open until ten each evening, the librarian said on Monday.
"""


def test_a_headline_is_judged_by_the_text_under_its_credit_line():
    result = unscramble(SAME_CREDITS)
    by_title = {a.title: a for a in result.articles}
    assert "dockers" in by_title["Harbour Strike Ends"].text
    assert "librarian" in by_title["Library Opens Late"].text
    assert by_title["Harbour Strike Ends"].pieces[1] in (2, 3)  # the credit stays in the chain


def test_continued_headline_takes_the_continued_from_line():
    paste = (
        "拼版日报\n1925年3月2日\n第2版\n\n寡妇主义（续）\n\n并非闲话\n\n上接第1版\n\n鲁迅\n\n"
        "连常识也没有的新闻访员，这才是爱情。\n\n凡事无论大小，只要和自己没有关系，便不必说。\n"
    )
    links = {(k.source, k.target): k for k in unscramble(paste).links}
    assert (1, 3) in links and "continued headline over its continued-from line" in links[(1, 3)].reasons
    assert (2, 4) in links


def test_a_credit_line_link_is_scored_by_the_headline_above_it():
    from layout.unscramble import Vocabulary, headline_above, pair_score, piece_kind, texts_reached

    pieces = split_pieces(SAME_CREDITS)
    kinds = [piece_kind(p, False, False, p.text == "By Staff") for p in pieces]
    vocab = Vocabulary(pieces)
    succ = {0: 3, 1: 2, 2: 4, 3: 5}  # the paste-order guess: harbour title over library text
    above = headline_above(succ, kinds)
    assert above[3] == 0 and texts_reached(succ, kinds)[3] == (5,)
    to_harbour = pair_score(3, 4, pieces, kinds, vocab, None, texts_reached(succ, kinds), above)
    to_library = pair_score(3, 5, pieces, kinds, vocab, None, texts_reached(succ, kinds), above)
    assert to_harbour[0] > to_library[0] + 2.0
    assert "title words in text 0.67" in to_harbour[1] and "title words in text 0.00" in to_library[1]


# A German heading ends in a full stop and wraps over several lines: typed body at
# first, it is read as a headline because a credit line stands under it.
FULL_STOP_HEAD = """Ministerium der geistlichen,
Unterrichts- und Medizinal-
Angelegenheiten.

Amtsblatt, 1878

Dem Musikdirigenten August Grüters zu Crefeld ist der Titel Königlicher Musikdirektor verliehen worden.
"""


def test_a_full_stopped_heading_over_a_credit_line_is_a_headline():
    from layout.unscramble import Vocabulary, settle_titles, title_candidate

    pieces, kinds = _raw_kinds(FULL_STOP_HEAD)
    assert kinds == ["body", "byline", "body"] and title_candidate(pieces[0])
    assert settle_titles(pieces, kinds, Vocabulary(pieces))[0] == "headline"
    result = unscramble(FULL_STOP_HEAD)
    assert {(k.source, k.target) for k in result.links} == {(0, 1), (1, 2)}
    assert any("a short piece taken for a headline" in k.reasons for k in result.links)
    assert result.articles[0].title.startswith("Ministerium")


# A long title wrapped in large type over one column, with no credit line under it: its
# lines hold about half the characters of the text lines under it.
LARGE_TYPE_HEAD = """Federalist No. 20:
The Same Subject
Continued (The
Insufficiency of the
Present Union)

To the People of the State of New York: THE
United Netherlands are a confederacy of re-
publics, or rather of aristocracies of a very
remarkable texture, yet confirming all the
lessons derived from those which we have
already reviewed.
"""


def test_a_title_in_large_type_over_its_text_is_a_headline():
    from layout.unscramble import Vocabulary, large_type_over, settle_titles

    pieces, kinds = _raw_kinds(LARGE_TYPE_HEAD)
    assert kinds == ["body", "body"] and large_type_over(pieces[0], pieces[1])
    assert not large_type_over(pieces[1], pieces[0])
    assert settle_titles(pieces, kinds, Vocabulary(pieces))[0] == "headline"
    assert unscramble(LARGE_TYPE_HEAD).articles[0].title.startswith("Federalist No. 20")


def test_text_in_the_same_type_is_no_heading():
    from layout.unscramble import Piece, large_type_over

    column = Piece(0, ("The board met on Monday and", "the strike was called off."))
    beside = Piece(1, ("The union said it would meet", "again on Friday."))
    assert not large_type_over(column, beside)
    one_line = Piece(2, ("The Same Subject",))  # one line says only that it fitted
    assert not large_type_over(one_line, beside)


def test_running_text_is_no_title_candidate():
    from layout.unscramble import Piece, title_candidate

    assert not title_candidate(Piece(0, ("and the harbour board agreed,",)))  # lower-case start
    assert not title_candidate(Piece(0, ("The board met on Monday and the strike", "was called off, the union said,")))


# Identical credits under side-by-side headlines: the credit whose text is pasted
# first stands higher, so it is the first credit in the paste.
CROSSED = """Harbour Strike Ends

Library Opens Late

By Staff

By Staff

The library will stay open until ten each evening, the librarian said on Monday.

The harbour strike ended on Monday when dockers accepted the offer of the harbour board.
"""


def test_identical_credits_go_in_the_order_of_their_texts():
    from layout.unscramble import order_identical_credits, piece_kind

    pieces = split_pieces(CROSSED)
    kinds = [piece_kind(p, False, False, p.text == "By Staff") for p in pieces]
    crossed = {0: 2, 2: 5, 1: 3, 3: 4}  # the first credit over the later text: chains cross
    fixed, moved = order_identical_credits(crossed, pieces, kinds)
    assert fixed == {0: 3, 3: 5, 1: 2, 2: 4} and moved == {2, 3}
    links = {(k.source, k.target): k for k in unscramble(CROSSED).links}
    assert (1, 2) in links and (2, 4) in links and (0, 3) in links and (3, 5) in links


def test_a_shorter_headline_pasted_first_has_the_higher_credit():
    from layout.unscramble import Piece, _first_credit

    pieces = [Piece(0, ("Strike",)), Piece(1, ("Library Opens", "Late Each Evening"))]
    assert _first_credit((0, 9), (1, 8), pieces)  # fewer lines: ends higher, whatever the text order
    same = [Piece(0, ("Strike",)), Piece(1, ("Library",))]
    assert not _first_credit((0, 9), (1, 8), same)  # same height: the text pasted first decides


def test_chain_search_gives_each_title_its_own_text():
    from layout.unscramble import ChainSearch, Vocabulary, piece_kind

    pieces = split_pieces(SAME_CREDITS)
    kinds = [piece_kind(p, False, False, p.text == "By Staff") for p in pieces]
    wrong = {0: 3, 3: 5, 1: 2, 2: 4}  # harbour title over library text and back
    better = ChainSearch(pieces, kinds, Vocabulary(pieces)).improve(wrong)
    chain_of = {}
    for start in (0, 1):
        cur = start
        while cur in better:
            cur = better[cur]
            chain_of[cur] = start
    assert chain_of[4] == 0 and chain_of[5] == 1  # dockers under the harbour, librarian under the library


def test_a_credit_pasted_above_a_headline_is_not_under_it():
    # the paste runs top to bottom, so a byline that comes first stands above the
    # headline (another article's, or the page's): the headline heads the text directly
    paste = "By Ann Lee\n\nHarbour Strike Ends\n\nThe harbour strike ended on Monday when dockers accepted the offer.\n"
    links = {(k.source, k.target) for k in unscramble(paste).links}
    assert (1, 0) not in links and (1, 2) in links


# Two side-by-side headlines, the lead (first, set larger) ends lower, so the second
# one's credit is pasted first. Each credit is already over its own text in the
# starting solution but under the wrong headline.
TWO_CREDITS = """Harbour Strike Ends

Library Opens Late

By Ann Lee

By Tom Fox

The harbour strike ended on Monday when dockers accepted the offer of the harbour board.

The library will stay open until ten each evening, the librarian said on Monday.
"""


def test_chain_search_exchanges_two_credit_lines():
    from layout.unscramble import ChainSearch, Vocabulary

    pieces, kinds = _raw_kinds(TWO_CREDITS)
    assert kinds[2:4] == ["byline", "byline"]
    # moving whole tails would take the texts along, away from their headlines
    crossed = {0: 2, 2: 4, 1: 3, 3: 5}
    better = ChainSearch(pieces, kinds, Vocabulary(pieces)).improve(crossed)
    assert better == {0: 3, 3: 4, 1: 2, 2: 5}


def test_a_column_pasted_earlier_follows_only_under_a_picture():
    from layout.unscramble import (BACK_WITHOUT_PICTURE, ChainSearch, Vocabulary, _back_steps_without_picture,
                                   end_score, start_score)

    kinds = ["headline", "caption", "body", "body", "body"]
    texts = split_pieces("Harbour\n\nPicture: Harbour\n\nThe strike ended.\n\nThe dockers\n\nwent home.\n")
    assert _back_steps_without_picture([0, 3, 2], kinds, texts) == 1  # columns start at one height
    assert _back_steps_without_picture([0, 1, 4, 2], kinds, texts) == 0  # the column under the picture starts lower
    pieces = split_pieces("Harbour\n\nPicture: Harbour\n\nThe strike ended\n\nand the dockers\n\nwent home.\n")
    kinds = ["headline", "body", "body", "body", "body"]
    search = ChainSearch(pieces, kinds, Vocabulary(pieces))
    ends = start_score(pieces[3], "body") + end_score(pieces[2], "body")
    assert search.value([3, 2]) == ends + search.link(3, 2) - BACK_WITHOUT_PICTURE


# A page set in continuous flow: the bridge story begins low in column 1 and goes on at
# the top of column 2, which the paste gives before the bridge's headline.
FLOW = """The Daily Paste
Monday, May 4, 1925

Harbour Strike Ends

The dockers voted on Monday to end the strike that had closed the harbour for three
weeks. Work starts again tomorrow.

and the council will vote on the money for it at its next meeting.

New Bridge

The city engineer showed the council a plan for a new bridge over the river
at the harbour, which the mayor supports,
"""


def test_a_column_top_pasted_early_ends_the_story_that_begins_lower():
    from layout.unscramble import _column_top

    pieces = split_pieces(FLOW)
    kinds = ["furniture", "headline", "body", "body", "headline", "body"]
    assert _column_top(3, pieces, kinds)  # opens mid-sentence beside a finished text
    assert not _column_top(2, pieces, kinds)
    by_title = {a.title: a.pieces for a in unscramble(FLOW).articles}
    assert by_title == {"Harbour Strike Ends": (1, 2), "New Bridge": (4, 5, 3)}


def test_a_column_top_goes_on_from_the_text_pasted_just_before_it_if_that_is_open():
    from layout.unscramble import _column_top

    pieces = split_pieces("Harbour\n\nThe dockers voted on Monday to\n\nend the strike.\n")
    assert not _column_top(2, pieces, ["headline", "body", "body"])  # the next column of one story


def test_a_head_stands_over_text_that_starts_a_sentence():
    from layout.unscramble import Vocabulary, pair_score

    pieces = split_pieces("PARIS, May 3.\n\nand went home at noon.\n\nThe ministers met today.\n\n"
                          "Continued from Page 1\n\nand the dockers went home.\n")
    kinds = ["headline", "body", "body", "jump-from", "body"]
    vocab = Vocabulary(pieces)
    beside, under = pair_score(0, 1, pieces, kinds, vocab), pair_score(0, 2, pieces, kinds, vocab)
    assert "text opens mid-sentence" in beside[1] and beside[0] < under[0]
    # a story carried over from another page goes on mid-sentence under its jump line
    assert "text opens mid-sentence" not in pair_score(3, 4, pieces, kinds, vocab)[1]


def test_hyphenated_running_text_is_no_title_candidate():
    from layout.unscramble import Piece, splits_a_word, title_candidate

    # the last lines of a column: full stops, no open clause, but a word split over two lines
    tail = Piece(0, ("Gastspiel des Herrn Bai-", "son. — Bolingbroke.", "Herr Baison gab uns am",
                     "29. Juli den Bolingbroke."))
    assert splits_a_word(tail) and not title_candidate(tail)
    title = Piece(0, ("Verfügung,", "betreffend die", "Ausübung", "konsularischer", "Befugnisse."))
    assert not splits_a_word(title) and title_candidate(title)
    assert not splits_a_word(Piece(0, ("Oesterreich-", "Ungarn.")))  # a compound's own hyphen


# The same heading over two reports: typed a credit line for standing twice, as an
# agency's name does, it is a headline because nothing stands over it.
TWICE = """Bayern

Reichsanzeiger, 1918

Bayern. In der Nacht vom 10. zum 11. November sandte die Regierung des Volksstaats eine Note.

Bayern

Reichsanzeiger, 1881

Bayern. München, 17. Mai. Die Abgeordnetenkammer stimmte heute den letzten Beschlüssen zu.
"""


def test_a_title_that_stands_twice_is_a_headline():
    from layout.unscramble import Vocabulary, type_pieces

    pieces = split_pieces(TWICE)
    typed, kinds = type_pieces(pieces, Vocabulary(pieces))
    assert typed[0] == typed[3] == "byline" and kinds[0] == kinds[3] == "headline"
    result = unscramble(TWICE)
    assert [a.pieces for a in result.articles] == [(0, 1, 2), (3, 4, 5)]
    assert any("a title that stands twice on the page taken for a headline" in k.reasons for k in result.links)


def test_credit_lines_go_in_the_order_of_the_texts_right_under_them():
    from layout.unscramble import order_credits_by_text

    pieces, kinds = _raw_kinds(TWO_CREDITS)
    crossed = {0: 2, 2: 5, 1: 3, 3: 4}  # the credit pasted first over the text pasted last
    fixed, moved = order_credits_by_text(crossed, pieces, kinds)
    assert fixed == {0: 3, 3: 5, 1: 2, 2: 4} and moved == {2, 3}
    assert order_credits_by_text(fixed, pieces, kinds) == (fixed, set())


def test_a_headline_fits_its_text_once_per_article():
    from layout.unscramble import ChainSearch, Vocabulary, end_score, start_score

    pieces, kinds = _raw_kinds(TWO_CREDITS)
    search = ChainSearch(pieces, kinds, Vocabulary(pieces))
    ends = start_score(pieces[0], "headline") + end_score(pieces[4], "body")
    fit = search.fit(0, (4,))
    assert fit > 0  # "harbour", "strike" in the text
    # a credit line between the headline and its text adds its links, not the fit again
    assert search.value([0, 2, 4]) == ends + search.link(0, 2) + search.link(2, 4) + fit
    assert search.value([0, 4]) == ends + search.link(0, 4) + fit


# One credit line under two side-by-side headlines: the lead ends lower, so the credit
# pasted right after them is the other headline's, and the lead heads its text directly.
ONE_CREDIT = TWO_CREDITS.replace("By Tom Fox\n\n", "")


def test_chain_search_moves_a_credit_line_to_another_group():
    from layout.unscramble import ChainSearch, Vocabulary

    pieces, kinds = _raw_kinds(ONE_CREDIT)
    # no exchange of tails can take the credit out of the middle of the first chain
    better = ChainSearch(pieces, kinds, Vocabulary(pieces)).improve({0: 2, 2: 3, 1: 4})
    assert better == {0: 3, 1: 2, 2: 4}


def test_headlines_of_one_height_share_their_slots():
    from layout.unscramble import follower_slots

    paste = "Harbour Strike Ends\n\nLibrary\n\nMuseum\n\nBy Ann Lee\n\nBy Tom Fox\n\nBy Joe Bloggs\n"
    pieces, kinds = _raw_kinds(paste)
    slots = follower_slots(pieces, kinds)
    assert slots[1] == slots[2] == 3.5 and slots[0] == 5  # which of the two ends higher is not known
    # a story set over more columns has a larger headline, which ends lower
    assert follower_slots(pieces, kinds, {1: 3}) == {0: 5, 1: 4, 2: 3}


def test_a_follower_later_than_expected_costs_less_than_an_earlier_one():
    from layout.unscramble import _proximity

    assert _proximity(0, 2, 2.0) == 2.5  # where expected
    assert _proximity(0, 4, 2.0) > _proximity(0, 1, 2.0)  # two late beats one early
    assert _proximity(3, 2) == -4.0  # never before the head


def test_side_by_side_headlines_pay_for_an_unlikely_order_of_their_followers():
    from layout.unscramble import ChainSearch, Vocabulary, head_order_pairs

    paste = "Strike\n\nLibrary Opens Late\nIn Winter\n\nBy Ann Lee\n\nBy Tom Fox\n"
    pieces, kinds = _raw_kinds(paste)
    # a lead of one line against a neighbour of two: the lead ends higher, its follower first
    assert head_order_pairs(pieces, kinds, None) == {(0, 1): (True, 3.0)}
    search = ChainSearch(pieces, kinds, Vocabulary(pieces))
    assert search.disorder({0: 3, 1: 2}, {0: 3, 1: 2}) == 3.0
    assert search.disorder({0: 2, 1: 3}, {0: 2, 1: 3}) == 0.0


def test_side_by_side_heads_of_one_height_keep_their_followers_in_paste_order():
    from layout.unscramble import ChainSearch, Vocabulary, head_order_pairs

    # not the lead (a continued story opens the page), two one-line heads side by side:
    # no height tells which ends higher, but the one pasted first mostly does (3 to 1)
    paste = "Strike (continued)\n\nFloods\n\nHarbour\n\nBy Ann Lee\n\nBy Tom Fox\n"
    pieces, kinds = _raw_kinds(paste)
    pairs = head_order_pairs(pieces, kinds, None)
    assert pairs[(1, 2)] == (True, 1.0)
    search = ChainSearch(pieces, kinds, Vocabulary(pieces))
    assert search.disorder({1: 4, 2: 3}, {1: 4, 2: 3}) == 1.0


def test_a_headline_with_nothing_under_it_is_text():
    from layout.unscramble import Vocabulary, type_pieces

    paste = ("Harbour Strike Ends\n\nBy Ann Lee\n\nThe harbour strike ended on Monday.\n\n"
             "To the People of the State\n\nPage 1\n")
    pieces = split_pieces(paste)
    typed, kinds = type_pieces(pieces, Vocabulary(pieces))
    assert typed == ["headline", "byline", "body", "body", "furniture"]  # the column's last words


def test_a_shorter_credit_pasted_first_stands_over_the_first_text():
    from layout.unscramble import order_credits_by_text, piece_kind

    paste = TWO_CREDITS.replace("By Tom Fox", "By Tom Fox and\nJoe Bloggs")
    pieces, kinds = _raw_kinds(paste)
    fixed, _ = order_credits_by_text({0: 2, 2: 5, 1: 3, 3: 4}, pieces, kinds)
    assert fixed == {0: 3, 3: 5, 1: 2, 2: 4}  # the taller credit pasted second ends lower still
    tall_first = split_pieces(TWO_CREDITS.replace("By Ann Lee", "By Ann Lee and\nJoe Bloggs"))
    kinds = [piece_kind(p, False, False) for p in tall_first]
    crossed = {0: 2, 2: 5, 1: 3, 3: 4}
    assert order_credits_by_text(crossed, tall_first, kinds)[0] == crossed  # may end lower: left alone


def test_a_solutions_value_is_the_weighed_sum_of_its_cues():
    """``ChainSearch.total`` is ``WEIGHTS`` applied to ``ChainSearch.features``, so the
    weights can be fitted on the cues (benchmarks/fit_unscramble.py)."""
    from layout.unscramble import ChainSearch, Vocabulary, choose_links, weigh

    paste = ("Harbour Strike Ends\n\nLibrary Opens Late\n\nBy Ann Lee\n\nBy Tom Fox\n\n"
             "The harbour strike ended on Monday.\nThe dockers met at noon and\nvoted, the union said, to go\n\n"
             "The library opens late in winter.\nIts keeper said so on Friday\nand asked the council for\n\n"
             "back to work on the morning tide.\n\nmore oil for its lamps this year.\n")
    pieces, kinds = _raw_kinds(paste)
    vocab = Vocabulary(pieces)
    succ, _ = choose_links(pieces, kinds, vocab)
    search = ChainSearch(pieces, kinds, vocab)
    for solution in (succ, {0: 2, 2: 4, 4: 6, 1: 3, 3: 5, 5: 7}, {}):
        features = search.features(solution)
        assert abs(search.total(solution) - weigh(features)) < 1e-9
    assert search.features({0: 2})["head_step"] == 1.0  # a headline, then the next part of its group


def test_fit_unscramble_maps_true_links_to_paste_pieces():
    """A segment pasted in two parts links part to part, then on to the next segment."""
    from benchmarks.fit_unscramble import true_successors

    seg_of = ["h", "b1", "x", "b1", "b2", None]
    assert true_successors(frozenset({("h", "b1"), ("b1", "b2")}), seg_of) == {0: 1, 1: 3, 3: 4}


def test_a_column_is_no_longer_than_the_one_before_it():
    """An article's columns start at one height and are filled to one depth, so the next
    column pasted after one is not clearly longer than it, except under a picture:

        Harbour strike ends              <- headline over both columns
        The dockers voted    | closed the harbour
        on Monday to end     | for three weeks.
        the strike that had  |
    """
    from layout.unscramble import COLUMN_SLACK, ChainSearch, Vocabulary, _longer_columns

    short = "The dockers voted\non Monday to end\nthe strike that had"
    tall = "\n".join(["closed the harbour"] + ["for three weeks and more"] * (3 + COLUMN_SLACK + 1))
    pieces = split_pieces(f"Harbour strike ends\n\nPicture: Harbour\n\n{short}\n\n{tall}\n")
    kinds = ["headline", "caption", "body", "body"]
    assert _longer_columns([0, 2, 3], kinds, pieces) == 1  # the second column runs deeper
    assert _longer_columns([0, 1, 2, 3], kinds, pieces) == 0  # the first stands under the picture
    assert _longer_columns([0, 3, 2], kinds, pieces) == 0  # a shorter last column is the rule
    search = ChainSearch(pieces, kinds, Vocabulary(pieces))
    assert search.features({0: 2, 2: 3})["longer_column"] == 1.0


def test_side_by_side_texts_start_by_the_depth_of_their_heads():
    from layout.unscramble import ChainSearch, Vocabulary, stack_depth, text_order_pairs

    # two one-line heads side by side, a credit line under the second only: its text
    # starts a line lower, so the text pasted first is the first head's
    paste = ("Strike (continued)\n\nFloods\n\nHarbour\n\nBy Tom Fox\n\n"
             "Rivers rose in the night.\nFarms were flooded.\n\nDockers met at noon.\nThey voted to go back.\n")
    pieces, kinds = _raw_kinds(paste)
    assert (1, 2) in text_order_pairs(pieces, kinds)
    assert stack_depth([2, 3, 5], kinds, pieces, 2.0) == (5, 2.0 + 1.2 + 0.25)
    assert stack_depth([1, 4], kinds, pieces, 2.0) == (4, 2.0)
    search = ChainSearch(pieces, kinds, Vocabulary(pieces))
    right, crossed = {1: 4, 2: 3, 3: 5}, {1: 5, 2: 3, 3: 4}
    assert search.features(crossed)["order_text"] == 1.0
    assert search.features(right)["order_text"] == 0.0
    assert search.total(right) - search.total(crossed) > 0


def test_title_wrapped_to_many_short_lines_is_a_headline():
    """A long title in a narrow column runs to five or more lines of few words; the
    page's text lines hold twice as many (``tall_title``)."""
    from layout.unscramble import Piece, tall_title, text_words_per_line

    title = Piece(0, ("Federalist No.", "30: Concerning", "the General", "Power of", "Taxation"))
    text = Piece(1, ("the people of the State of New", "York have long been told that", "the power of taxing is one of", "the means by which the union", "may provide for its defence."))
    words = text_words_per_line([title, text], ["body", "body"])
    assert words is not None and tall_title(title, words)
    assert not tall_title(text, words)
    # the same short lines with a word split across two of them are running text
    assert not tall_title(Piece(2, ("Federalist No.", "30: Concern-", "ing the", "General Power", "of Taxation")), words)


def test_a_sentence_inside_a_short_piece_is_text():
    """A headline is one phrase: a full sentence that ends inside the piece, a word
    hyphenated across lines, a Chinese full stop or semicolon mark running text."""
    from layout.unscramble import Piece, piece_kind, title_candidate

    story = Piece(0, ("Angela Erdmann never knew", "her grandfather. He died in", "1946, six years before she was", "born."))
    assert not title_candidate(story)
    assert piece_kind(Piece(0, ("Wortlaut der Friedenspräli-", "minarien.")), False, False) == "body"
    assert piece_kind(Piece(0, ("这“顺”的翻译出现", "的时候，是很久远了；", "而且是大文学家")), False, False) == "body"
    assert piece_kind(Piece(0, ("Fonds- und", "Staats-Papiere.")), False, False) == "headline"
    assert title_candidate(Piece(0, ("Automobilwerke H. Büssing", "Aktiengesellschaft,", "Braunschweig. Bilanz am", "31. Dezember 1935.")))
