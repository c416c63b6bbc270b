"""Layout stages on canonical ASCII layouts, plus invariants that must hold for any page."""

import random
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layout.model import Line, Page, Provenance, Separator
from layout.pipeline import reconstruct
from tests.layouts import CANONICAL, CELL_H, CELL_W, letters_in_order, page_from_ascii


@pytest.mark.parametrize("name", [n for n in CANONICAL if CANONICAL[n][0].strip()])
def test_canonical_layout_order(name):
    picture, expected = CANONICAL[name]
    assert letters_in_order(reconstruct(page_from_ascii(picture))) == expected


def test_empty_page_gives_empty_result():
    page = reconstruct(Page(width=100, height=100, lines=()))
    assert page.blocks == () and page.articles == () and page.reading_order == ()


def test_headline_opens_articles():
    picture, _ = CANONICAL["two stories stacked"]
    page = reconstruct(page_from_ascii(picture))
    assert [a.title for a in page.articles] == ["H0", "K4"]
    roles = {b.id: b.role for b in page.blocks}
    assert [roles[b] for b in page.articles[0].block_ids] == ["headline", "body", "body", "body"]


def test_column_break_mid_sentence_is_joined():
    """
    HHHHHHHHHHHHHHHH
    aaaaaaa  bbbbbbb      the paragraph of column a runs on in column b
    aaaaaaa  bbbbbbb
    """
    picture = "HHHHHHHHHHHHHHHH\naaaaaaa  bbbbbbb\naaaaaaa  bbbbbbb\n"
    texts = {"H": ["标题"], "a": ["今天上午，市政", "府召开新闻发布"], "b": ["会，介绍了情况。", "第二段开始了。"]}
    page = reconstruct(page_from_ascii(picture, texts))
    (article,) = page.articles
    assert article.title == "标题"
    assert article.text == "标题\n今天上午，市政府召开新闻发布会，介绍了情况。第二段开始了。"
    joins = [k for k in page.links if k.kind == "join"]
    assert len(joins) == 1 and "a ends mid-sentence" in joins[0].reasons


def test_latin_hyphen_across_columns():
    picture = "HHHHHHHHHHHHHHHH\naaaaaaa  bbbbbbb\naaaaaaa  bbbbbbb\naaaaaaa  bbbbbbb\n"
    texts = {
        "H": ["Title"],
        "a": ["The council met", "on Monday to dis-", "cuss the bud-"],
        "b": ["get for next year,", "which was late.", "It passed at last."],
    }
    page = reconstruct(page_from_ascii(picture, texts))
    assert page.articles[0].text == "Title\nThe council met on Monday to discuss the budget for next year, which was late. It passed at last."


def test_vertical_page_reads_columns_right_to_left():
    # Three vertical lines; the rightmost is read first.
    lines = tuple(
        Line(f"l{k}", text, (x, 10, x + 20, 10 + 20 * len(text)), height=20, vertical=True)
        for k, (x, text) in enumerate([(10, "第三列文字内容"), (50, "第二列文字内容"), (90, "第一列文字内容")])
    )
    page = reconstruct(Page(width=120, height=200, lines=lines))
    texts = {l.id: l.text for l in page.lines}
    assert page.direction == "vertical"
    assert [texts[i] for i in page.ordered_line_ids()] == ["第一列文字内容", "第二列文字内容", "第三列文字内容"]



def _turned(quad, degrees, origin=(200.0, 300.0)):
    from layout import geometry as g

    return tuple(g.rotate_point(p, origin, degrees) for p in quad)


def test_skewed_vertical_page_is_deskewed_from_its_columns():
    """
    4 3 2 1      four columns of 14 characters, the scan turned 1.5 degrees
    4 3 2 1      clockwise: each column's foot stands left of its head, a column's
    4 3 2 1      width (the text size) off over its length. In the frame, the
    . . . .      page's x turned to rows, every column starts on one level again.
    """
    from layout import geometry as g
    from layout.frame import build_frame

    lines = []
    for k, x in enumerate((300, 260, 220, 180)):
        quad = _turned(((x, 20), (x + 20, 20), (x + 20, 300), (x, 300)), 1.5)
        lines.append(Line(f"l{k}", "这是一列竖排的文字共十四个字", g.polygon_box(quad), polygon=quad, height=20,
                          vertical=True))
    frame = build_frame(Page(width=400, height=600, lines=tuple(lines)))
    assert frame.vertical and frame.skew == pytest.approx(1.5, abs=0.01)
    starts = [b[0] for b in frame.boxes]
    assert max(starts) - min(starts) < 0.5  # level, where undeskewed they spread by 4 px
    assert [round(b[1]) for b in frame.boxes] == sorted(round(b[1]) for b in frame.boxes)  # right to left

def test_direction_can_be_forced():
    picture, _ = CANONICAL["two columns"]
    page = reconstruct(page_from_ascii(picture), direction="vertical")
    assert page.direction == "vertical"


def test_provenance_records_stage_timings():
    page = reconstruct(page_from_ascii(CANONICAL["spanning headline"][0]))
    assert {"layout", "stitch", "separators"} <= set(page.provenance.timings)
    assert page.provenance.parameters["layout"]["order"] == "modules"


def test_unknown_strategy_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown order strategy"):
        reconstruct(page_from_ascii(CANONICAL["two columns"][0]), order="magic")


# ---------------------------------------------------------------- invariants

def _shuffled(page: Page, seed: int) -> Page:
    lines = list(page.lines)
    random.Random(seed).shuffle(lines)
    return replace(page, lines=tuple(lines))


def _ordered_texts(page: Page) -> list[str]:
    by_id = page.line_by_id()
    return [by_id[i].text for i in page.ordered_line_ids()]


layouts = st.sampled_from([n for n in CANONICAL if CANONICAL[n][0].strip()])


@given(layouts, st.integers(0, 10_000))
@settings(max_examples=40, deadline=None)
def test_every_line_appears_exactly_once(name, seed):
    page = _shuffled(page_from_ascii(CANONICAL[name][0]), seed)
    out = reconstruct(page)
    ids = out.ordered_line_ids()
    assert sorted(ids) == sorted(l.id for l in page.lines)
    in_articles = [lid for a in out.articles for b in a.block_ids for lid in out.block_by_id()[b].line_ids]
    assert len(in_articles) == len(set(in_articles))


@given(layouts, st.integers(0, 10_000))
@settings(max_examples=40, deadline=None)
def test_order_does_not_depend_on_input_order(name, seed):
    page = page_from_ascii(CANONICAL[name][0])
    assert _ordered_texts(reconstruct(_shuffled(page, seed))) == _ordered_texts(reconstruct(page))


@given(layouts, st.floats(0.25, 8.0), st.floats(-500, 500), st.floats(-500, 500))
@settings(max_examples=40, deadline=None)
def test_scaling_or_shifting_leaves_the_order(name, s, dx, dy):
    page = page_from_ascii(CANONICAL[name][0])

    def move(b):
        return (b[0] * s + dx + 500, b[1] * s + dy + 500, b[2] * s + dx + 500, b[3] * s + dy + 500)

    moved = replace(
        page,
        width=page.width * s + 1000, height=page.height * s + 1000,
        lines=tuple(replace(l, bbox=move(l.bbox), height=l.height * s) for l in page.lines),
        separators=tuple(replace(sep, bbox=move(sep.bbox)) for sep in page.separators),
    )
    assert _ordered_texts(reconstruct(moved)) == _ordered_texts(reconstruct(page))


def test_deterministic():
    page = page_from_ascii(CANONICAL["side column beside two stories"][0])
    assert reconstruct(page).articles == reconstruct(page).articles


def test_a_wide_white_strip_splits_the_page_into_sides_read_one_after_the_other():
    #  aaaa bbbb         cccc dddd      a two-page spread: each page's columns are
    #  aaaa bbbb         cccc dddd      read before the other page's
    from layout.order import split_wide_gaps

    boxes = [(0, 0, 40, 100), (50, 0, 90, 100), (300, 0, 340, 100), (350, 0, 390, 60)]
    assert split_wide_gaps(boxes, 4 * 14.0) == [[0, 1], [2, 3]]
    assert split_wide_gaps(boxes, 300.0) == [[0, 1, 2, 3]]


def test_a_line_measured_tall_inside_running_text_opens_no_article():
    # The OCR box of the fourth line came out tall (upper case = headline size here), but
    # it runs the full column width with text set solid above and below: still text.
    page = page_from_ascii("""
aaaaaaaaaaaa
aaaaaaaaaaaa
aaaaaaaaaaaa
AAAAAAAAAAAA
aaaaaaaaaaaa
aaaaaaaaaaaa
aaaaaaaaaaaa
""")
    result = reconstruct(page)
    assert len(result.articles) == 1
    assert [b.role for b in result.blocks if b.role in ("headline", "subheadline")] == []


def test_numbered_items_across_the_top_are_the_page_header_even_boxed_tall():
    # Issue number, volume and date across the top of a historic front page; OCR boxed
    # them 1.7 text sizes tall, which alone would make them headlines.
    top = [Line("h0", "Nr. 308 Zweites Abendblatt", (0, 0, 300, 24), height=24.0),
           Line("h1", "129. Jahrgang", (400, 0, 600, 24), height=24.0),
           Line("h2", "5. November 1908", (700, 0, 1000, 24), height=24.0)]
    body = [Line(f"b{c}{r}", f"text {c} {r}", (c * 340, 60 + r * 20, c * 340 + 320, 74 + r * 20), height=14.0)
            for c in range(3) for r in range(10)]
    result = reconstruct(Page(width=1000, height=300, lines=tuple(top + body)))
    roles = {b.line_ids[0]: b.role for b in result.blocks}
    assert [roles[k] for k in ("h0", "h1", "h2")] == ["header"] * 3
    assert result.ordered_line_ids()[:3] == ["h0", "h1", "h2"]


def test_one_cjk_test_covers_every_script_the_readers_meet():
    from layout.continuity import is_cjk

    for ch in ("字", "か", "한", "，", "Ａ", "⺀", "\U00020000"):  # ext. B ideographs too
        assert is_cjk(ch), ch
    assert not any(is_cjk(ch) for ch in ("a", "1", "é", ""))


def test_the_masthead_is_read_before_the_ears_beside_it():
    #   ear a                 OVERLINE              ear b      the paper's name (type 4+
    #   ear a     STAATS-            ANZEIGER.      ear b      text sizes high) with an
    #   No. 244                                                overline, ears either side:
    #   ccccccc  ddddddd  eeeeeee  fffffff  ggggggg            name, ears, then the rest
    ear_a = [Line(f"a{r}", f"Abonnement {r}", (0, r * 20, 180, 14 + r * 20), height=14.0) for r in range(3)]
    ear_b = [Line(f"b{r}", f"Post-Anstalten {r}", (820, r * 20, 1000, 14 + r * 20), height=14.0) for r in range(3)]
    mast = [Line("m0", "Königlich Preußischer", (420, 0, 700, 30), height=30.0),
            Line("m1", "Staats-", (200, 50, 480, 120), height=70.0),
            Line("m2", "Anzeiger.", (560, 40, 800, 120), height=80.0)]
    number = [Line("n", "No. 244.", (0, 140, 90, 154), height=14.0)]
    body = [Line(f"c{c}{r}", f"running text {c} {r} of the column", (c * 200, 180 + r * 20, c * 200 + 180, 194 + r * 20),
                 height=14.0) for c in range(5) for r in range(10)]
    result = reconstruct(Page(width=1000, height=400, lines=tuple(ear_a + ear_b + mast + number + body)))
    roles = {lid: b.role for b in result.blocks for lid in b.line_ids}
    assert [roles[k] for k in ("m0", "m1", "m2")] == ["masthead"] * 3
    order = result.ordered_line_ids()
    assert order[:3] == ["m0", "m1", "m2"]
    assert order.index("a2") < order.index("b0") < order.index("n") < order.index("c00")
    assert not any(set(a.block_ids) & {b.id for b in result.blocks if b.role == "masthead"} for a in result.articles)


def test_a_large_lead_headline_is_no_masthead():
    # Article headlines, even a lead in 3x type over its columns, stay headlines.
    head = [Line("h", "Lead story in large type", (0, 0, 600, 42), height=42.0)]
    body = [Line(f"c{c}{r}", f"text {c} {r}", (c * 200, 60 + r * 20, c * 200 + 180, 74 + r * 20), height=14.0)
            for c in range(3) for r in range(10)]
    result = reconstruct(Page(width=600, height=300, lines=tuple(head + body)))
    assert [b.role for b in result.blocks if "h" in b.line_ids] == ["headline"]


def test_a_line_measured_a_hair_larger_does_not_make_blocks_interleave():
    # OCR boxed the second line of a paragraph 16 % taller than the others (boxes
    # overlapping, as OCR boxes do): it may stand in a block of its own, but the third
    # line must not join the first line's block over it, or the column would read
    # 1, 3, 4, ..., 2.
    heights = [19, 22, 19, 19, 19, 19]
    lines, y = [], 0
    for k, h in enumerate(heights):
        lines.append(Line(f"l{k}", f"words of line {k} running on", (0, y, 300, y + h), height=float(h)))
        y += 17
    result = reconstruct(Page(width=300, height=200, lines=tuple(lines)))
    assert result.ordered_line_ids() == [f"l{k}" for k in range(6)]
    tops = {lid: k for k, lid in enumerate(f"l{k}" for k in range(6))}
    for block in result.blocks:
        rows = sorted(tops[lid] for lid in block.line_ids)
        assert rows == list(range(rows[0], rows[0] + len(rows))), block


def test_a_line_run_across_the_gutter_does_not_pull_the_next_column_into_its_block():
    #  aaaaaaaaa bbbbbbb      the detector ran one row across the narrow gutter (XXXX);
    #  aaaaaaaaa bbbbbbb      the pieces of later rows that start at b's left edge are
    #  XXXXXXXXXXXXXXXXX      b's, not pieces of a's rows
    #  aaaaaaaaa bbbbbbb
    #  aaaaaaaaa bbbbbbb
    lines = []
    for r in range(8):
        y = r * 20
        if r == 3:
            lines.append(Line(f"x{r}", "a merged row of both columns here", (0, y, 430, y + 16), height=16.0))
            continue
        lines.append(Line(f"a{r}", f"left column words {r}", (0, y, 200, y + 16), height=16.0))
        lines.append(Line(f"b{r}", f"right column words {r}", (212, y, 430, y + 16), height=16.0))
    result = reconstruct(Page(width=430, height=200, lines=tuple(lines)))
    for block in result.blocks:
        ids = set(block.line_ids)
        assert not (any(i.startswith("a") for i in ids) and any(i.startswith("b") for i in ids)), block


def test_a_head_whose_boxes_measure_barely_taller_is_known_by_its_wider_characters():
    # OCR boxes: the head's lines 10 % taller than the text's (detector padding hides
    # the type's size), but its characters are 1.5 times as wide: a headline.
    head = [Line(f"h{r}", f"Head line {r} words", (0, r * 24, 290, 22 + r * 24), height=22.0) for r in range(2)]
    body = [Line(f"b{r}", f"body text of the column, line {r} and on", (0, 60 + r * 22, 300, 80 + r * 22), height=20.0)
            for r in range(8)]
    page = Page(width=300, height=300, lines=tuple(head + body))
    roles = {lid: b.role for b in reconstruct(page).blocks for lid in b.line_ids}
    assert roles["h0"] == roles["h1"] == "headline" and roles["b0"] == "body"


def test_character_advance_counts_cjk_cells_and_half_width_signs():
    from layout.frame import _advance_chars

    from pytest import approx

    assert _advance_chars("中华民国的官都是") == 8
    assert _advance_chars("牌” “吊膀” “拆白”") == approx(5 + 0.35 * 5)  # OCR spaces between CJK signs: none
    assert _advance_chars("body text") == approx(8 * 0.5 + 0.3)  # Latin letters about half an em
    assert _advance_chars("SPECTACLES") == approx(10 * 0.68)  # capitals wider
    assert _advance_chars("“……”。") == 0.0  # too short to measure
    assert _advance_chars("一二三“四”五", vertical=True) == 7


def test_a_paragraphs_last_line_boxed_tall_is_no_headline():
    # 'you."' measured 1.25 text sizes (quotes and a descender) right under its
    # paragraph: it starts in lower case, so it runs on; it opens no article.
    body = [Line(f"b{r}", f"words of the running text on line {r} go", (0, r * 22, 300, 20 + r * 22), height=20.0)
            for r in range(6)]
    last = [Line("l", 'you."', (0, 132, 40, 157), height=25.0)]
    after = [Line(f"c{r}", f"Another paragraph starts here, line {r} on", (0, 170 + r * 22, 300, 190 + r * 22),
                  height=20.0) for r in range(4)]
    result = reconstruct(Page(width=300, height=300, lines=tuple(body + last + after)))
    assert len(result.articles) == 1
    assert [b.role for b in result.blocks if "l" in b.line_ids] == ["body"]


def test_a_long_head_a_step_larger_in_a_narrow_column_is_a_headline():
    # Seven lines of a head 1.25 times the text (shrunk to fit its narrow column), as OCR
    # measures it, over ten lines of text.
    head = [Line(f"h{r}", f"Head word {r} here", (0, r * 30, 200, 25 + r * 30), height=25.0) for r in range(7)]
    body = [Line(f"b{r}", f"text of the story on {r} goes on", (0, 220 + r * 22, 200, 240 + r * 22), height=20.0)
            for r in range(10)]
    result = reconstruct(Page(width=200, height=500, lines=tuple(head + body)))
    assert [b.role for b in result.blocks if "h0" in b.line_ids] == ["headline"]


def _pdf_story(head: list[Line], top: float, lines: int = 24) -> list[Line]:
    """A head (exact font sizes, as a PDF gives them) over regular text 20 pt high."""
    return head + [Line(f"b{r}", f"text of the story on {r} goes on", (0, top + r * 22, 200, top + 20 + r * 22),
                        height=20.0, bold=False) for r in range(lines)]


@pytest.mark.parametrize("size", [15.0, 21.0])
def test_a_long_bold_head_in_a_size_of_its_own_is_a_headline_in_a_pdf(size):
    # A title whose longest word is wider than a narrow column is set smaller to fit,
    # even smaller than the text: eleven bold lines in a size of their own are a head,
    # whichever side of the text's size (PDF sizes are the fonts' own).
    head = [Line(f"h{r}", f"Head word {r} here", (0, r * size * 1.2, 200, size + r * size * 1.2), height=size,
                 bold=True) for r in range(11)]
    story = _pdf_story(head, 11 * size * 1.2 + 8)
    result = reconstruct(Page(width=200, height=900, lines=tuple(story), provenance=Provenance(engine="pdf")))
    assert [b.role for b in result.blocks if "h0" in b.line_ids] == ["headline"]
    # Bold in the text's own size, that long, is a bold paragraph of the text.
    same = [replace(ln, height=20.0) for ln in head]
    result = reconstruct(Page(width=200, height=900, lines=tuple(_pdf_story(same, 11 * 24 + 8)),
                              provenance=Provenance(engine="pdf")))
    assert [b.role for b in result.blocks if "h0" in b.line_ids] == ["body"]


@pytest.mark.parametrize("white, role", [(0.0, "body"), (10.0, "byline")])
def test_a_line_under_a_head_set_at_the_texts_pitch_opens_the_text(white, role):
    # "Vorbemerkungen." under its head: a one-line paragraph set solid on the text at the
    # text's pitch is its first line, however short; a line set a little apart from the
    # text (in its own smaller type: a block of its own) is a byline, however wide.
    head = [Line("H", "A headline", (0, 0, 200, 30), height=30.0, bold=True)]
    lead = Line("s", "Short line." if white == 0.0 else "Agency report of Tuesday, March 4", (0, 40, 200 if white
                else 80, 60), height=20.0 if white == 0.0 else 19.5, bold=False)
    story = _pdf_story(head + [lead], 62 + white)
    result = reconstruct(Page(width=200, height=700, lines=tuple(story), provenance=Provenance(engine="pdf")))
    assert [b.role for b in result.blocks if "s" in b.line_ids] == [role]


@pytest.mark.parametrize("headed", [False, True])
def test_a_long_run_of_heavy_lines_over_text_on_a_scan_is_its_head(headed):
    # Six lines measured heavy (the ink of a bold face) and barely larger than the text,
    # over regular text: a long title a narrow column wrapped. Under a headline the same
    # run is a heavy lead paragraph, and stays text.
    from layout.frame import build_frame
    from layout.roles import assign_roles

    top = [Line("H", "Headline", (0, 0, 200, 40), height=40.0)] if headed else []
    head = [Line(f"h{r}", f"Head words of title {r}", (0, 50 + r * 24, 150, 72 + r * 24), height=21.0)
            for r in range(6)]
    body = [Line(f"b{r}", f"text of the story on {r} goes on", (0, 204 + r * 22, 200, 224 + r * 22), height=20.0)
            for r in range(20)]
    page = Page(width=200, height=700, lines=tuple(top + head + body), provenance=Provenance(engine="rapidocr"))
    frame = replace(build_frame(page), bold=tuple([True] * (len(top) + 6) + [False] * 20))
    groups = [[0]] * headed + [list(range(len(top), len(top) + 6)), list(range(len(top) + 6, len(page.lines)))]
    roles = assign_roles(page, frame, groups)
    assert roles[-2] == ("body" if headed else "headline"), roles


def test_a_long_heavy_head_over_ragged_lines_a_little_narrower_is_still_their_head():
    # The wrapped title fills its narrow column; the author's lines under it are ragged
    # and end half a text size short of its right edge: they are still under it.
    from layout.frame import build_frame
    from layout.roles import assign_roles

    head = [Line(f"h{r}", f"Head words of the title {r}", (0, r * 24, 200, 22 + r * 24), height=21.0)
            for r in range(6)]
    body = [Line(f"b{r}", f"text of the story on {r} goes on", (0, 154 + r * 22, 190, 174 + r * 22), height=20.0)
            for r in range(20)]
    page = Page(width=200, height=700, lines=tuple(head + body), provenance=Provenance(engine="rapidocr"))
    frame = replace(build_frame(page), bold=tuple([True] * 6 + [False] * 20))
    assert assign_roles(page, frame, [list(range(6)), list(range(6, 26))])[0] == "headline"


@pytest.mark.parametrize("heavy, role", [(True, "subheadline"), (False, "body")])
@pytest.mark.parametrize("under", [4, 2])
def test_a_full_width_line_set_solid_in_a_column_is_a_head_only_when_heavy(heavy, role, under):
    #  aaaaaaaaaaaaaaaaaaaa   a column of news: a line measured a little tall, full
    #  Verkehrs-Anstalten..   width and set solid between text, is text boxed tall,
    #  cccccccccccccccccccc   unless the ink shows it bold: a head set tight (the
    #                         paragraph under it may be two lines: a list of items)
    from layout.frame import build_frame
    from layout.roles import assign_roles

    above = [Line(f"a{r}", f"text of the story on {r} goes on", (0, r * 22, 200, 20 + r * 22), height=20.0)
             for r in range(4)]
    head = [Line("h", "Verkehrs-Anstalten und Post", (0, 87, 190, 119), height=32.0)]
    below = [Line(f"c{r}", f"text of the next one {r} goes on", (0, 122 + r * 22, 200, 142 + r * 22), height=20.0)
             for r in range(under)]
    page = Page(width=200, height=300, lines=tuple(above + head + below), provenance=Provenance(engine="rapidocr"))
    frame = replace(build_frame(page), bold=tuple([False] * 4 + [heavy] + [False] * under))
    roles = assign_roles(page, frame, [list(range(4)), [4], list(range(5, 5 + under))])
    assert roles[1] == role, roles


@pytest.mark.parametrize("issue_line, role", [(True, "masthead"), (False, "headline")])
def test_a_paper_name_over_the_issue_line_is_the_masthead(issue_line, role):
    #        Pagestitch-Anzeiger          the name, set 2.5 times the text, first on the
    #  Freitag, 17. Mai 1933    Seite 1   page, over the issue's date and folio: the
    #  aaaaaaaaaaaa  bbbbbbbbbbbb         masthead (a lead headline has no issue line);
    #                                     date and folio are the page's header
    from layout.frame import build_frame
    from layout.roles import assign_roles

    name = [Line("n", "Pagestitch-Anzeiger", (75, 0, 525, 50), height=50.0)]
    issue = [Line("d", "Freitag, 17. Mai 1933", (0, 60, 150, 80), height=20.0),
             Line("f", "Seite 1", (530, 60, 600, 80), height=20.0)] if issue_line else []
    cols = [Line(f"{c}{r}", f"text of the story on {r} goes on", (c * 310, 100 + r * 22, c * 310 + 290, 120 + r * 22),
                 height=20.0) for c in range(2) for r in range(12)]
    page = Page(width=600, height=400, lines=tuple(name + issue + cols), provenance=Provenance(engine="rapidocr"))
    groups = [[k] for k in range(len(name + issue))] + [list(range(len(name + issue) + 12 * c,
                                                                   len(name + issue) + 12 * (c + 1))) for c in range(2)]
    roles = assign_roles(page, build_frame(page), groups)
    assert roles[0] == role, roles
    # The issue's line under the name is the page's header, no article's head.
    assert roles[1:3] == (["header", "header"] if issue_line else ["body", "body"]), roles


def test_prices_set_in_a_block_beside_the_folio_under_the_name_stay_text():
    #        Neue Pagestitch-Zeitung      a block of two lines under the name (the
    #  Abonnement jährlich 12 Fr.  Nr. 308   paper's prices) on the folio's row: no
    #  halbjährlich 6.50 Fr.                 issue's line, whose items are single lines
    from layout.frame import build_frame
    from layout.roles import assign_roles

    name = [Line("n", "Neue Pagestitch-Zeitung", (75, 0, 525, 50), height=50.0)]
    prices = [Line("p0", "Abonnement jährlich 12 Fr.", (0, 60, 170, 80), height=20.0),
              Line("p1", "halbjährlich 6.50 Fr.", (0, 82, 140, 102), height=20.0)]
    folio = [Line("f", "Nr. 308", (530, 60, 600, 80), height=20.0)]
    cols = [Line(f"{c}{r}", f"text of the story on {r} goes on", (c * 310, 112 + r * 22, c * 310 + 290, 132 + r * 22),
                 height=20.0) for c in range(2) for r in range(12)]
    page = Page(width=600, height=420, lines=tuple(name + prices + folio + cols), provenance=Provenance(engine="rapidocr"))
    groups = [[0], [1, 2], [3], list(range(4, 16)), list(range(16, 28))]
    roles = assign_roles(page, build_frame(page), groups)
    assert roles[0] == "masthead" and roles[1] != "header", roles


def test_a_cjk_paragraphs_last_line_with_its_stop_is_no_headline():
    body = [Line(f"b{r}", "即如这一回女子师范大学的风潮" + str(r), (0, r * 22, 300, 20 + r * 22), height=20.0)
            for r in range(6)]
    last = [Line("l", "觉。", (0, 132, 44, 158), height=26.0)]
    after = [Line(f"c{r}", "另一段文字从这里开始说起了" + str(r), (0, 170 + r * 22, 300, 190 + r * 22), height=20.0)
             for r in range(4)]
    result = reconstruct(Page(width=300, height=300, lines=tuple(body + last + after)))
    assert [b.role for b in result.blocks if "l" in b.line_ids] == ["body"]


@pytest.mark.parametrize("text, gap, role", [("是", 0, "body"), ("是受", 0, "body"), ("头", 30, "headline")])
def test_a_one_or_two_sign_cjk_line_set_solid_under_text_ends_its_paragraph(text, gap, role):
    #  xxxxxxxxxxxxxxx   "是" alone ends a paragraph, its box padded tall around one sign:
    #  是                set solid under the text, it is no head; the title "头", as
    #    zzzzzzzzzzzzz   short, stands apart from the text above it
    body = [Line(f"b{r}", "即如这一回女子师范大学的风潮" + str(r), (0, r * 22, 300, 20 + r * 22), height=20.0)
            for r in range(6)]
    last = [Line("l", text, (0, 132 + gap, 22 * len(text), 158 + gap), height=26.0)]
    after = [Line(f"c{r}", "另一段文字从这里开始说起了" + str(r), (0, 170 + gap + r * 22, 300, 190 + gap + r * 22),
                  height=20.0) for r in range(4)]
    result = reconstruct(Page(width=300, height=400, lines=tuple(body + last + after)))
    assert [b.role for b in result.blocks if "l" in b.line_ids] == [role]


def test_a_cjk_last_line_left_of_an_indented_first_line_is_no_headline():
    #  xxxxxxxxxxxxxxx   a two-line paragraph: its first line indented two characters,
    #    yyyyyyyyyyyyy   its last line ("觉。", boxed tall) shorter than the indent, so
    #  觉。              it stands under no part of the line above
    #  zzzzzzzzzzzzzzz
    body = [Line(f"b{r}", "即如这一回女子师范大学的风潮" + str(r), (0, r * 22, 300, 20 + r * 22), height=20.0)
            for r in range(5)]
    first = [Line("i", "约翰穆勒说专制使人们变成冷", (50, 110, 300, 130), height=20.0)]
    last = [Line("l", "觉。", (0, 132, 44, 158), height=26.0)]
    after = [Line(f"c{r}", "另一段文字从这里开始说起了" + str(r), (0, 170 + r * 22, 300, 190 + r * 22), height=20.0)
             for r in range(4)]
    result = reconstruct(Page(width=300, height=300, lines=tuple(body + first + last + after)))
    assert [b.role for b in result.blocks if "l" in b.line_ids] == ["body"]


def test_a_cjk_last_line_carried_to_the_next_columns_top_is_no_headline():
    #  aaaaaaaaaaaaaaa   义”?          the paragraph at column 1's foot ends at the
    #  aaaaaaaaaaaaaaa   bbbbbbbbbbbb  top of column 2 ("义”?", boxed tall, a
    #  aaaaaaaaaaaaaaa   bbbbbbbbbbbb  half-width stop from the OCR), over the
    #  aaaaaaaaaaaaaaa   bbbbbbbbbbbb  next paragraph; nothing above it in its column
    left = [Line(f"a{r}", "即如这一回女子师范大学的风潮" + str(r), (0, r * 22, 300, 20 + r * 22), height=20.0)
            for r in range(10)]
    last = [Line("l", "义”?", (320, 0, 364, 26), height=26.0)]
    right = [Line(f"b{r}", "另一段文字从这里开始说起了" + str(r), (320, 30 + r * 22, 620, 50 + r * 22), height=20.0)
             for r in range(8)]
    result = reconstruct(Page(width=620, height=300, lines=tuple(left + last + right)))
    assert [b.role for b in result.blocks if "l" in b.line_ids] == ["body"]
    order = [i for bid in result.reading_order for b in result.blocks if b.id == bid for i in b.line_ids]
    assert order.index("a9") < order.index("l") < order.index("b0")


def _roles_by_letter(page: Page) -> dict[str, set[str]]:
    lines = page.line_by_id()
    out: dict[str, set[str]] = {}
    for b in page.blocks:
        for lid in b.line_ids:
            out.setdefault(lines[lid].text[0], set()).add(b.role)
    return out


def test_a_short_block_under_a_picture_from_its_edge_is_its_caption():
    picture = """
HHHHHHHHHHHHHHHHHHHH
####################
####################
cccccc     bbbbbbbbb
           bbbbbbbbb
aaaaaaaaa
aaaaaaaaa  ddddddddd
aaaaaaaaa  ddddddddd
"""
    # c starts at the picture's left edge: its caption. b, a column further on under the
    # same wide picture, is the text running on there, though it is as short.
    page = reconstruct(page_from_ascii(picture))
    roles = _roles_by_letter(page)
    assert roles["c"] == {"caption"} and roles["b"] == {"body"}
    assert "c3" not in page.articles[0].text and "b3" in page.articles[0].text


def _shifted(page: Page, from_y: float, dy: float) -> Page:
    """Lines starting at or below from_y moved down by dy (a little more white above them)."""
    def move(ln: Line) -> Line:
        x0, y0, x1, y1 = ln.bbox
        return replace(ln, bbox=(x0, y0 + dy, x1, y1 + dy)) if y0 >= from_y else ln
    return replace(page, lines=tuple(move(ln) for ln in page.lines))


BYLINE_OVER_TEXT = """
HHHHHHHHHHHH
bbbbbb
aaaaaaaaaaaa
aaaaaaaaaaaa
aaaaaaaaaaaa
aaaaaaaaaaaa
"""


def test_a_byline_set_close_over_the_text_is_cut_off_under_a_head():
    # The byline b is close enough to the text to join its block, but the text lines
    # stand closer to each other than to it: under a head, it is a byline of its own.
    page = reconstruct(_shifted(page_from_ascii(BYLINE_OVER_TEXT), 2 * CELL_H, 6))
    roles = _roles_by_letter(page)
    assert roles["b"] == {"byline"} and roles["a"] == {"body"}
    assert "b1" not in page.articles[0].text


def test_even_spacing_or_no_head_keeps_the_first_line_in_its_block():
    even = reconstruct(page_from_ascii(BYLINE_OVER_TEXT))
    assert _roles_by_letter(even)["b"] == {"body"}
    headless = BYLINE_OVER_TEXT.replace("HHHHHHHHHHHH", "")
    apart = reconstruct(_shifted(page_from_ascii(headless), 2 * CELL_H, 6))
    assert len(apart.blocks) == 1


def test_a_byline_and_dateline_set_tight_over_the_text_go_together():
    picture = """
HHHHHHHHHHHH
bbbbbb
dddddddddd
aaaaaaaaaaaa
aaaaaaaaaaaa
aaaaaaaaaaaa
aaaaaaaaaaaa
"""
    # b and d stand close to each other and a little apart from the text under them.
    page = reconstruct(_shifted(page_from_ascii(picture), 3 * CELL_H, 6))
    roles = _roles_by_letter(page)
    assert roles["b"] == roles["d"] == {"byline"} and roles["a"] == {"body"}
    assert "d2" not in page.articles[0].text and "a3" in page.articles[0].text


@pytest.mark.parametrize("lead, role", [("To the People of the State of New York:", "body"),
                                        ("有恒先生：", "body"),
                                        ("By Hamilton", "byline")])
def test_a_short_line_under_a_head_ending_in_a_colon_opens_the_text(lead, role):
    picture = """
HHHHHHHHHHHH
ssssss

aaaaaaaaaaaa
aaaaaaaaaaaa
"""
    page = reconstruct(page_from_ascii(picture, {"s": [lead]}))
    assert _roles_by_letter(page)[lead[0]] == {role}

def test_a_line_whose_box_reaches_into_the_line_above_keeps_the_texts_size():
    # A hand-drawn (or padded) box: the paragraph's last line, B, boxed 1.6 times as tall
    # as the text, reaching 12 px into the line above, but set at the text's pitch (its
    # bottom 22 px under the last one's, as every line's): running text, no headline.
    #     aaaaaaaaaaaaaa
    #     BBBBBBBB          <- box from y 98, the line above ends at 110
    #        bbbbbbbbbbb    the next paragraph, indented
    lines = [Line(f"a{r}", f"Words of the running text on line {r} go", (0, r * 22, 300, 20 + r * 22), height=20.0)
             for r in range(6)]
    lines.append(Line("B", "Ends the paragraph.", (0, 98, 160, 130), height=32.0))
    lines += [Line(f"c{r}", f"Another paragraph starts here, line {r} on", (20 if r == 0 else 0, 132 + r * 22, 300,
                                                                           152 + r * 22), height=20.0) for r in range(6)]
    result = reconstruct(Page(width=300, height=300, lines=tuple(lines)))
    assert [b.role for b in result.blocks if "B" in b.line_ids] == ["body"]
    assert len(result.articles) == 1
    # A detector boxes a page's lines alike: an OCR engine's taller box is a taller line.
    detected = reconstruct(Page(width=300, height=300, lines=tuple(lines), provenance=Provenance(engine="tesseract")))
    assert [b.role for b in detected.blocks if "B" in b.line_ids] != ["body"]


def test_a_band_of_white_across_all_columns_splits_the_page_into_tiers():
    # The feuilleton "under the line" where no rule was recorded: white across the page,
    # every column pausing at it, text (no head) under it. The upper tier is read before
    # the lower, and the text under the band is another article, headline or not.
    page = page_from_ascii("""
aaaaaaa  bbbbbbb  ccccccc
aaaaaaa  bbbbbbb  ccccccc
aaaaaaa  bbbbbbb  ccccccc


ddddddd  eeeeeee  fffffff
ddddddd  eeeeeee  fffffff
""")
    result = reconstruct(page)
    assert letters_in_order(result) == "abcdef"
    by_id = result.line_by_id()
    letters = [{by_id[lid].text[0] for b in a.block_ids for lid in result.block_by_id()[b].line_ids}
               for a in result.articles]
    assert letters == [{"a", "b", "c"}, {"d", "e", "f"}]


def test_white_under_a_head_is_its_spacing_not_a_tier_band():
    #  aaaaaaa  bbbbbbb  |  ccccc     white runs across the page under H, but H heads
    #  aaaaaaa  bbbbbbb  |  ccccc     the text under it: the page does not split there
    #  HHHHHH            |  ccccc     (H would be read alone, its text in another tier).
    #                                 A line of text in its place, or a head under
    #                                 H's words, leaves the band a cut.
    #  ddddddd  eeeeeee  |  KKKKK
    #  ddddddd  eeeeeee  |  kkkkk
    from layout.order import tier_cuts

    boxes = [(0, 0, 70, 100), (90, 0, 160, 100), (200, 0, 270, 125), (0, 110, 60, 130),
             (0, 160, 70, 260), (90, 160, 160, 260), (200, 160, 260, 180), (200, 185, 270, 260)]
    roles = ["body", "body", "body", "headline", "body", "body", "headline", "body"]
    assert tier_cuts(boxes, roles, (), 14.0) == []
    roles[3] = "body"
    assert len(tier_cuts(boxes, roles, (), 14.0)) == 1
    # A small head under H's words starts something else (H is a line of a masthead,
    # say): the band stays a cut.
    boxes[4] = (0, 160, 30, 175)
    roles[3], roles[4], roles[6] = "headline", "headline", "body"
    assert len(tier_cuts(boxes, roles, (), 14.0)) == 1


def test_a_short_line_on_a_heads_row_stops_the_head_where_its_column_starts():
    #  aaaaaaa  bbbbbbb      H is level with s, a signature set flush right at the end
    #  aaaaaaa  bbbbbbb      of column b: b's column runs on past H's row, so H heads
    #  HHH          sss      column a only, not the left half of b (which would claim
    #  ccccccc  ddddddd      d, the next article in b, for H)
    from layout.order import _free_row

    boxes = [(0, 0, 70, 37), (90, 0, 160, 37), (0, 40, 30, 60), (130, 43, 160, 57), (0, 63, 70, 117),
             (90, 63, 160, 117)]
    lo, hi = _free_row(2, boxes, (), 14.0)
    assert lo == 0 and hi <= 90


def test_a_signature_closes_its_article():
    #  aaaaaaaaaaaaaaaaaaaa      the article ends with its author's name set short to
    #  aaaaaaaaaaaaaaaaaaaa      the right, solid under its text, white under it: the
    #             SSSSSSS        text after the white is the next article, though no
    #                            headline opens it
    #  bbbbbbbbbbbbbbbbbbbb
    lines = [Line(f"a{r}", f"Words of the first article on line {r}", (0, r * 22, 300, 20 + r * 22), height=20.0)
             for r in range(5)]
    lines.append(Line("s", "Jean Frollo.", (190, 110, 290, 130), height=20.0))
    lines += [Line(f"b{r}", f"Words of the next article on its line {r}", (0, 180 + r * 22, 300, 200 + r * 22),
                   height=20.0) for r in range(5)]
    result = reconstruct(Page(width=300, height=300, lines=tuple(lines)))
    firsts = [result.block_by_id()[a.block_ids[0]].line_ids[0] for a in result.articles]
    assert firsts == ["a0", "b0"]


def test_a_centred_head_inside_a_signed_article_is_its_intertitle():
    #  aaaaaaaaaaaaaaaaaaaa
    #        IIIIIIII            a centred head in the text's size, then more text, then
    #  cccccccccccccccccccc      the author's signature: the head divides the signed
    #             SSSSSSS        article, it does not open another; the text after the
    #                            signature does
    #  bbbbbbbbbbbbbbbbbbbb
    def rows(name: str, top: float, n: int) -> list[Line]:
        return [Line(f"{name}{r}", f"Words of the running text {name} on line {r}", (0, top + r * 22, 300, top + 20 + r * 22),
                     height=20.0) for r in range(n)]

    lines = rows("a", 0, 5) + [Line("i", "Intertitle", (100, 140, 200, 160), height=20.0)] + rows("c", 190, 5)
    lines.append(Line("s", "Jean Frollo.", (190, 300, 290, 320), height=20.0))
    lines += rows("b", 370, 5)
    result = reconstruct(Page(width=300, height=500, lines=tuple(lines)))
    firsts = [result.block_by_id()[a.block_ids[0]].line_ids[0] for a in result.articles]
    assert firsts == ["a0", "b0"]
    assert [b.role for b in result.blocks if "i" in b.line_ids] == ["subheadline"]


def test_a_jump_line_set_like_a_signature_makes_no_intertitles():
    #  aaaaaaaaaaaaaaaaaaaa
    #  HHHHHHH                   a bold head in the text's size opens the next item of
    #  cccccccccccccccccccc      news down the column; the article ends in a jump line
    #  cccccccccccccccccccc      set flush right, white under it, as a signature is:
    #       Continued on Page 2  no author signs there, so H is no intertitle of one
    #                            signed article, it opens its own
    def rows(name: str, top: float, n: int) -> list[Line]:
        return [Line(f"{name}{r}", f"Words of the running text {name} on line {r}", (0, top + r * 22, 300, top + 20 + r * 22),
                     height=20.0, bold=False) for r in range(n)]

    lines = rows("a", 0, 5) + [Line("h", "ROME, Sept. 5.", (0, 124, 120, 144), height=20.0, bold=True)]
    lines += rows("c", 160, 5) + [Line("j", "Continued on Page 2", (150, 270, 300, 290), height=20.0, bold=False)]
    result = reconstruct(Page(width=300, height=400, lines=tuple(lines)))
    firsts = [result.block_by_id()[a.block_ids[0]].line_ids[0] for a in result.articles]
    assert firsts == ["a0", "h"]


def _running_rows(name: str, top: float, n: int, x0: float = 0.0) -> list[Line]:
    return [Line(f"{name}{r}", f"Words of the running text {name} on line {r}",
                 (x0 if r == 0 else 0.0, top + r * 22, 300, top + 20 + r * 22), height=20.0) for r in range(n)]


@pytest.mark.parametrize("x0, articles", [(24, 1), (0, 2), (120, 2)])
def test_a_line_at_the_paragraph_indent_is_no_headline_though_boxed_tall(x0, articles):
    #  aaaaaaaaaaaaaaaaaaaa
    #  aaaaaaa                   a one-line "head" boxed 1.6 times the text's height
    #                            (a box drawn by hand), set solid over the next
    #    HHHHHHHH                paragraph: starting at the paragraph indent it is a
    #    bbbbbbbbbbbbbbbbbb      line of the text; flush left or centred it stays a
    #  bbbbbbbbbbbbbbbbbbbb      headline and opens the next article
    lines = _running_rows("a", 0, 5) + [Line("h", "Bern.", (x0, 128, x0 + 60, 160), height=32.0)]
    lines += _running_rows("b", 166, 6, x0=24)
    result = reconstruct(Page(width=300, height=400, lines=tuple(lines)))
    assert len(result.articles) == articles
    role = [b.role for b in result.blocks if "h" in b.line_ids]
    assert role == (["body"] if articles == 1 else ["headline"])


def test_a_signature_boxed_tall_into_its_text_is_no_head():
    #  aaaaaaaaaaaaaaaaaaaa      the author's name, its box drawn tall up into the last
    #  aaaaaaaaaaaaa SSSSSSS     line of the text it signs (its middle under it): a
    #                            signature, not a head; it closes its article, and the
    #  bbbbbbbbbbbbbbbbbbbb      text after the white opens the next
    lines = _running_rows("a", 0, 5)
    lines[-1] = replace(lines[-1], bbox=(0, 88, 180, 108))
    lines.append(Line("s", "Jean Frollo.", (190, 98, 290, 130), height=32.0))
    lines += _running_rows("b", 180, 5)
    result = reconstruct(Page(width=300, height=300, lines=tuple(lines)))
    blocks = result.block_by_id()
    assert [[lid for b in a.block_ids for lid in blocks[b].line_ids] for a in result.articles] == [
        ["a0", "a1", "a2", "a3", "a4", "s"], ["b0", "b1", "b2", "b3", "b4"]]
    assert [b.role for b in result.blocks if "s" in b.line_ids] == ["body"]


def _article_letters(page: Page) -> list[set[str]]:
    by_id, blocks = page.line_by_id(), page.block_by_id()
    return [{by_id[lid].text[0] for b in a.block_ids for lid in blocks[b].line_ids} for a in page.articles]


def test_a_picture_between_two_heads_and_their_text_is_no_band_of_white():
    # Two articles side by side, each a head over a picture over its text: the rows the
    # pictures fill are no white band across the page, so the page does not split into
    # tiers there and each head keeps the text under its picture.
    page = page_from_ascii("""
HHHHHHHHHHHHHHHHHH   KKKKKKKKKKKKKKKKKK
##################   ##################
##################   ##################
##################   ##################
aaaaaaaa  bbbbbbbb   cccccccc  dddddddd
aaaaaaaa  bbbbbbbb   cccccccc  dddddddd
aaaaaaaa  bbbbbbbb   cccccccc  dddddddd
aaaaaaaa  bbbbbbbb   cccccccc  dddddddd
aaaaaaaa  bbbbbbbb   cccccccc  dddddddd
aaaaaaaa  bbbbbbbb   cccccccc  dddddddd
""", {"H": ["Hessen"], "K": ["Kassel"]})  # heads with digits in them would be a page header
    assert _article_letters(reconstruct(page)) == [{"H", "a", "b"}, {"K", "c", "d"}]


def test_a_head_flush_with_the_picture_under_it_heads_the_columns_to_its_right():
    #           HHHHHHH              H is set mid-row, but flush with the picture
    #  aaaaaaa  ##############  b    under it: it is a left-aligned head, not a
    #  aaaaaaa  ##############  b    centred one, and heads the columns to its right
    #                                (b too), not column a left of it.
    from layout.order import widen_headlines

    boxes = [(100, 0, 170, 20), (260, 25, 300, 75), (0, 25, 80, 75)]
    pictures = (((100, 25, 240, 75), "picture"),)
    wide = widen_headlines(boxes, ["headline", "body", "body"], pictures, 14.0)
    assert wide[0][0] == 100 and wide[0][2] >= 300


def test_a_head_flush_with_one_column_but_centred_over_three_heads_all_three():
    #         HHHHHHH               H's left edge meets b's by chance, but H stands in
    #  aaaaa  bbbbbbb  ccccc        the very middle of a, b and c: the story starts at
    #  aaaaa  bbbbbbb  ccccc        the top of a, left of the head.
    from layout.order import widen_headlines

    boxes = [(100, 0, 170, 20), (0, 30, 90, 90), (100, 30, 170, 90), (180, 30, 270, 90)]
    wide = widen_headlines(boxes, ["headline", "body", "body", "body"], (), 14.0)
    assert wide[0][0] <= 0 and wide[0][2] >= 270


def test_a_head_flush_with_its_picture_beside_a_flush_head_is_not_centred_over_its_column():
    #  HHHHHH        JJJJJJJJ         J is flush with the picture under it; measured
    #  aaaaaa  bbbb  pppppppppppp     from H's end, its free row makes it look centred
    #  aaaaaa  bbbb  pppppppppppp     over b and the picture, but H, flush with a,
    #  aaaaaa  bbbb  cccccccccccc     heads the row up to J: b is H's second column.
    from layout.order import modules, widen_headlines

    boxes = [(0, 0, 60, 20), (140, 0, 230, 20), (0, 30, 60, 90), (80, 30, 130, 90), (140, 65, 300, 90)]
    roles = ["headline", "headline", "body", "body", "body"]
    pictures = (((140, 30, 300, 60), "picture"),)
    wide = widen_headlines(boxes, roles, pictures, 14.0)
    assert wide[1][0] >= 140 and wide[0][2] >= 130
    assert sorted(map(sorted, modules(boxes, roles, pictures, 14.0))) == [[0, 2, 3], [1, 4]]
    # With no flush head beside it, the same head is centred over b and the picture.
    alone = widen_headlines(boxes[1:2] + boxes[3:], roles[1:2] + roles[3:], pictures, 14.0)
    assert alone[0][0] <= 80


def test_a_head_flush_with_one_of_the_columns_starting_under_it_is_left_aligned():
    #  HHHHHHHHHHHHHHH       kkkk     a and b start on one line under H: H is flush
    #  aaaaaa  bbbbbb        kkkk     with a, a left-aligned head that heads the row up
    #  aaaaaa  bbbbbb        kkkk     to k, whichever of a and b is looked at first.
    from layout.order import widen_headlines

    boxes = [(0, 0, 150, 20), (70, 30, 130, 100), (0, 30, 60, 100), (200, 0, 260, 100)]
    wide = widen_headlines(boxes, ["headline", "body", "body", "body"], (), 14.0)
    assert wide[0][0] == 0 and wide[0][2] >= 190


def test_a_chinese_sentence_centred_by_chance_is_no_head():
    #      我也不曾爱过他。        a one-line paragraph, indented two characters, ends
    #  aaaaaaaaaaaaaaaaaaaaaa      as far short of the column's edge: centred by chance,
    #  aaaaaaaaaaaaaaaaaaaaaa      but a Chinese head ends without a full stop.
    from layout.roles import _centred_heads

    boxes = [(44, 0, 144, 17), (0, 24, 188, 200)]
    text = ["我也不曾“爱”过他。", "正文" * 40]
    assert _centred_heads(["body", "body"], boxes, [1, 8], 17.0, text)[0] == "body"
    assert _centred_heads(["body", "body"], boxes, [1, 8], 17.0, ["随感录四十", text[1]])[0] == "subheadline"


def test_a_paragraphs_short_last_line_stands_under_its_indented_first_line():
    #    LLLLLLLLLLLL      the two lines of one paragraph: the short last line starts an
    #  bbb                 indent left of the first and reaches in under it, so the
    #                      first line is measured at the text's pitch, not as a byline.
    from layout.roles import _under_line

    line = (34.0, 0.0, 200.0, 17.0)
    assert _under_line((0.0, 24.0, 51.0, 41.0), line, 17.0)
    assert not _under_line((0.0, 24.0, 30.0, 41.0), line, 17.0)  # ends before it starts
    assert not _under_line((-200.0, 24.0, 20.0, 41.0), line, 17.0)  # the column to the left


def test_a_short_last_line_is_not_left_of_the_centred_line_above_its_paragraph():
    #  aaaaaaaaaa   cccccccc      t, the short last line of b, stands left of s (a line
    #     ssss      cccccccc      centred over b) but under it: b lies between them and
    #  bbbbbbbbbb   cccccccc      spans both, so "left of" does not put t before s, and
    #  tt           cccccccc      no cycle sends the reader over to c in mid-column.
    from layout.order import partial_order

    boxes = [(0, 0, 100, 30), (30, 35, 70, 45), (0, 50, 100, 80), (0, 82, 20, 92), (120, 0, 220, 92)]
    assert partial_order(boxes, ["body"] * 5, (), 10.0) == [0, 1, 2, 3, 4]


def test_a_column_under_the_picture_beside_is_not_under_the_head():
    #  KKKK      HHHHHHHHHH           H stands flush with its picture and in the middle
    #  ########  ###############      of the row beside K's picture; column b starts
    #  ########  ###############      within reach under H's row, but under K's
    #  aaaa bbbb ccccccc ddddddd      picture: it is K's second column, so H is not
    #                                 centred over b, c and d and heads its own side.
    from layout.order import widen_headlines

    boxes = [(0, 0, 40, 18), (100, 4, 154, 22), (0, 60, 40, 120), (50, 60, 90, 120),
             (100, 60, 150, 120), (160, 60, 210, 120)]
    pictures = (((0, 24, 90, 55), "picture"), ((100, 25, 210, 55), "picture"))
    wide = widen_headlines(boxes, ["headline", "headline", "body", "body", "body", "body"], pictures, 14.0)
    assert wide[1][0] >= 100 and wide[1][2] >= 210


def test_a_head_centred_over_a_picture_wider_than_its_module_keeps_its_first_column():
    #          HHHHHHH        |  J        H is centred in its row, over a picture that
    #  yyyy                   |  jjjj     runs past its three columns; y (its byline) and
    #  ################       |  jjjj     a stand left of H's words. Ordered inside H's
    #  aaaa  bbbb  cccc  KKKK |  jjjj     module alone, H would look off-centre and y
    #  aaaa  bbbb  cccc  kkkk |           would be read before it.
    from layout.order import module_order

    boxes = [(100, 0, 180, 20), (0, 24, 60, 34), (0, 80, 60, 200), (70, 80, 130, 200),
             (140, 80, 200, 200), (210, 80, 270, 100), (210, 102, 270, 200), (290, 0, 340, 20),
             (290, 24, 340, 200)]
    roles = ["headline", "byline", "body", "body", "body", "headline", "body", "headline", "body"]
    seps = (((0, 38, 270, 76), "picture"), ((280, 0, 282, 200), "vertical"))
    order = module_order(boxes, roles, seps, 10.0)
    assert order[:5] == [0, 1, 2, 3, 4]


def test_a_sub_head_reaching_up_into_a_large_heads_box_does_not_end_its_row():
    #          HHHHHHHH           s (a sub-head set close under the large head H, its
    #  sssss   HHHHHHHH           box reaching a little into H's) stands under H's row,
    #  sssss                      not on it: the row H heads runs on to the page's edge.
    #  tttttttttttttttttttttt
    from layout.order import _free_row

    boxes = [(110, 0, 190, 60), (0, 52, 80, 82), (0, 100, 300, 200)]
    lo, _ = _free_row(0, boxes, (), 14.0, ["headline", "subheadline", "body"])
    assert lo == 0
    # Text starting there is another article's column beside H: it ends H's row.
    lo, _ = _free_row(0, boxes, (), 14.0, ["headline", "body", "body"])
    assert lo > 80
    # ... and H claims s and the text under both: one module, H first.
    from layout.order import module_order, modules

    roles = ["headline", "subheadline", "body"]
    assert modules(boxes, roles, (), 14.0) == [[0, 1, 2]]
    assert module_order(boxes, roles, (), 14.0) == [0, 1, 2]


def test_a_picture_on_a_heads_row_bounds_the_head():
    #  HHHHH  ######  bbbbb     H stands beside a picture: it heads its own side
    #  aaaaa  ######  bbbbb     only, not column b past the picture
    from layout.order import _free_row

    boxes = [(0, 0, 50, 20), (0, 25, 50, 60), (150, 25, 200, 60)]
    lo, hi = _free_row(0, boxes, (((70, 0, 130, 60), "picture"),), 14.0)
    assert hi <= 70


def test_a_headline_after_a_byline_opens_the_next_article():
    # An article that printed nothing but its head and byline (its text did not fit)
    # is still an article: the next headline does not join it.
    from layout.articles import by_headlines

    roles = ["headline", "byline", "headline", "byline", "body"]
    assert by_headlines(roles) == [[0, 1], [2, 3, 4]]
    assert by_headlines(["headline", "subheadline", "byline", "body"]) == [[0, 1, 2, 3]]


def test_a_sub_head_after_a_byline_heads_the_next_article():
    # Headline, byline, then a head a step smaller: the byline closed the first
    # article's heads (its text did not fit), so the head opens the next article.
    from layout.roles import refine_in_order

    boxes = [(0, 0, 200, 30), (0, 40, 120, 60), (0, 80, 200, 104), (0, 110, 200, 200)]
    texts = ["Title", "By A. Writer", "Another title", "Running text of the story, " * 8]
    roles = refine_in_order([0, 1, 2, 3], ["headline", "byline", "subheadline", "body"], boxes, [1, 1, 1, 4],
                            [30.0, 20.0, 24.0, 20.0], texts)
    assert roles[2] == "headline"
    kept = refine_in_order([0, 2, 1, 3], ["headline", "byline", "subheadline", "body"], boxes, [1, 1, 1, 4],
                           [30.0, 20.0, 24.0, 20.0], texts)
    assert kept[2] == "subheadline"
    # A "sub-head" in the text's own size (a centred word of a row cut into pieces) is
    # no head of a next article.
    small = refine_in_order([0, 1, 2, 3], ["headline", "byline", "subheadline", "body"], boxes, [1, 1, 1, 4],
                            [30.0, 20.0, 20.0, 20.0], texts)
    assert small[2] == "subheadline"


def test_a_smaller_head_beside_a_large_one_is_a_headline_and_one_close_under_it_a_sub_head():
    #  HHHHHHHHHHHHHHHH   KKKKKKKK     K (smaller, beside H, read right after it) heads the
    #  ssssss             kkkkkkkk     next article; s, set close under H's words and
    #  aaaaaaa  bbbbbbb   kkkkkkkk     clearly smaller, is H's sub-head, though K comes
    #                                  between them in the reading order.
    from layout.roles import refine_in_order

    boxes = [(0, 0, 400, 48), (420, 0, 600, 30), (0, 60, 200, 84), (0, 100, 190, 300), (210, 100, 400, 300),
             (420, 40, 600, 300)]
    roles = refine_in_order([0, 1, 2, 3, 4, 5], ["headline", "headline", "headline", "body", "body", "body"], boxes,
                            [1, 1, 1, 9, 9, 12], [48.0, 30.0, 24.0, 20.0, 20.0, 20.0])
    assert roles[:3] == ["headline", "headline", "subheadline"]


def test_a_rule_in_the_padding_of_a_line_box_still_parts_the_lines():
    # The page header's rule runs close under the header line, inside its padded box:
    # the header and the headline under the rule are two blocks.
    from layout.blocks import BlockParams, group_lines
    from layout.frame import build_frame

    lines = (Line("l0", "Anzeiger", (0, 0, 200, 40), height=36.0),
             Line("l1", "Bayern", (0, 46, 150, 86), height=38.0))
    page = Page(width=300, height=100, lines=lines,
                separators=(Separator((0, 36, 300, 38), "horizontal"),))
    assert sorted(group_lines(page, build_frame(page, None), BlockParams())) == [[0], [1]]
    framed = replace(page, separators=(Separator((0, -100, 300, 168), "frame"),))
    assert group_lines(framed, build_frame(framed, None), BlockParams()) == [[0, 1]]


def test_text_run_on_after_a_pdf_run_in_head_wraps_to_the_heads_left_edge():
    #  aaaaaaaaaaaaaaaaaaaa
    #  PPPPPPPPP tttttttttt     a PDF's reader cut the bold dateline off its line; the
    #  ttttt                    text after it wraps back to the column's edge: the short
    #    uuuuuuuuuuuuuuuuuu     line under the head is the text's, and the item (head,
    #  uuuuuuuuuuuuuuuuuuuu     text) is an article of its own
    def rows(name: str, top: float, n: int) -> list[Line]:
        return [Line(f"{name}{r}", f"Words of the running text {name} on line {r}", (0, top + r * 22, 300, top + 20 + r * 22),
                     height=20.0, bold=False) for r in range(n)]

    lines = rows("a", 0, 5)
    lines += [Line("p", "PARIS, Sept. 17.", (0, 124, 130, 144), height=20.0, bold=True),
              Line("t0", "To the People of the State of New", (136, 124, 300, 144), height=20.0, bold=False),
              Line("t1", "York:", (0, 146, 40, 166), height=20.0, bold=False)]
    lines += [replace(ln, bbox=(24 if k == 0 else 0, *ln.bbox[1:])) for k, ln in enumerate(rows("u", 168, 4))]
    result = reconstruct(Page(width=300, height=400, lines=tuple(lines), provenance=Provenance(engine="pdf")))
    blocks = result.block_by_id()
    assert [[lid for b in a.block_ids for lid in blocks[b].line_ids] for a in result.articles] == [
        ["a0", "a1", "a2", "a3", "a4"], ["p", "t0", "t1", "u0", "u1", "u2", "u3"]]
    assert [b.line_ids for b in result.blocks if "t0" in b.line_ids] == [("t0", "t1")]


def test_weight_measured_on_the_image_finds_a_heavy_head_over_grey_text():
    # A scan: a head printed full black over text whose thin strokes came out grey.
    # Its ink tells it is heavy, and it becomes a block (a head) of its own.
    import numpy as np

    from layout.frame import measured_weights

    image = np.full((200, 300), 255, dtype=np.uint8)
    rows = [(10, 0), (40, 110), (60, 110), (80, 110), (100, 110)]  # (top, ink grey level)
    for top, ink in rows:
        for x in range(10, 290, 6):
            image[top + 4:top + 14, x:x + 2] = ink
    lines = tuple(Line(f"l{k}", f"w{k}", (5, top, 295, top + 18)) for k, (top, _) in enumerate(rows))
    page = Page(width=300, height=200, lines=lines)
    weights = measured_weights(page, image)
    assert weights[0] is True and not any(weights[1:])
    result = reconstruct(page, image)
    assert [len(b.line_ids) for b in result.blocks] == [1, 4]


def test_a_two_line_paragraph_whose_last_line_is_shorter_than_the_indent_stays_in_order():
    #  xxxxxxxxxxxxxxx    a CJK column: the second paragraph's first line is indented
    #  xxxxx。            by two characters, its last line is a single character and
    #    yyyyyyyyyyyyy    its stop, so it overlaps the line above not at all; it is
    #  y。                still that paragraph's end, read after it, not a column of
    #    zzzzzzzzzzzzz    its own read before it (exact boxes, from a PDF's text layer)
    #  zzzzzzzzzzzzzzz
    s = 20.0
    rows = [(0, 15, "一二三四五六七八九十一二三四五"), (0, 6, "六七八九十。"), (2, 15, "甲乙丙丁戊己庚辛壬癸甲乙丙"),
            (0, 2, "子。"), (2, 15, "天地玄黄宇宙洪荒日月盈昃辰宿"), (0, 15, "列张寒来暑往秋收冬藏闰余成岁律")]
    lines = tuple(Line(f"l{k}", text, (a * s, k * 1.5 * s, b * s, k * 1.5 * s + s), height=s)
                  for k, (a, b, text) in enumerate(rows))
    result = reconstruct(Page(width=15 * s, height=10 * s, lines=lines, provenance=Provenance(engine="pdf")))
    assert result.ordered_line_ids() == [f"l{k}" for k in range(6)]
    [article] = result.articles
    assert "甲乙丙丁戊己庚辛壬癸甲乙丙子。" in article.text


def _pdf_column(rows: list[tuple[str, float, float, bool]]) -> Page:
    """A column 300 wide of 10 pt text from a PDF (exact sizes, bold known); a row is
    (text, x0, x1, bold), rows 12 apart; pieces sharing a row are given with x0 > 0."""
    lines, y = [], 0.0
    for k, (text, x0, x1, bold) in enumerate(rows):
        if k and x0 == 0.0:
            y += 12.0
        lines.append(Line(f"l{k}", text, (x0, y, x1, y + 10.0), height=10.0, bold=bold))
    return Page(width=300, height=200, lines=tuple(lines), provenance=Provenance(engine="pdf"))


def test_a_bold_run_in_head_opens_an_article_with_the_text_on_its_line():
    """
       Amtliches.                  centred head
    aaaaaaaaaaaaaaaaaaaaaaaaa
    aaaaaaaaaaaaaaaaaaaaaaaaa
    aaaaaaaaaa.                    the item ends
    PPPPPPPPPPP bbbbbbbbbbbbb      "Paris, 8. Februar." in bold, run in before b's text
    bbbbbbbbbbbbbbbbbbbbbbbbb
    """
    page = _pdf_column([
        ("Amtliches.", 110, 190, True),
        ("The council met today and took", 0, 300, False),
        ("its decisions on the new roads", 0, 300, False),
        ("of the canton.", 0, 120, False),
        ("Paris, 8. Februar.", 0, 130, True),
        ("The minister spoke", 136, 300, False),
        ("to the chamber about the treaty", 0, 300, False),
        ("and the chamber agreed to it.", 0, 280, False),
    ])
    result = reconstruct(page)
    assert [a.title for a in result.articles] == ["Amtliches.", "Paris, 8. Februar."]
    assert result.articles[1].text.startswith("Paris, 8. Februar.\nThe minister spoke to the chamber")


def test_run_in_prefix_is_a_capitalised_lead_to_the_full_stop_ending_the_date():
    from layout.runin import run_in_prefix

    assert run_in_prefix("Paris, 8. Februar. Der Kaiser hat") == "Paris, 8. Februar."
    assert run_in_prefix("Köln, 5. Nov. -b- Zum Zwischenfall") == "Köln, 5. Nov."  # the date is whole
    assert run_in_prefix("LONDON, Feb. 3. The Cabinet met") == "LONDON, Feb. 3."
    # A place opening the item's text ends in a point too; it is not part of the date.
    assert run_in_prefix("Bern, 14. Juni. Berlin. Handelsregister") == "Bern, 14. Juni."
    assert run_in_prefix("September d. J. will Ich hierdurch") is None  # abbreviations, no head
    assert run_in_prefix("ruch vom 7. Mai 1920, gültig") is None  # runs on from above
    assert run_in_prefix("1. Untersuchungs-Sachen. 2.") is None  # a number, no head
    assert run_in_prefix("Paris, 8. Mai.") is None  # no text after it on the line


def test_run_in_prefix_is_a_dateline_in_brackets():
    from layout.runin import run_in_prefix

    assert run_in_prefix("（南京五日电）所谓“大内档案”这东西，在清朝") == "（南京五日电）"
    assert run_in_prefix("(Von unserem Korrespondenten.) Der Kaiser hat") == "(Von unserem Korrespondenten.)"
    assert run_in_prefix("（？）麻袋，塞在孔庙中的敬一亭里") is None  # no letter: no head
    assert run_in_prefix("（南京五日电）所谓") is None  # no text after it on the line
    assert run_in_prefix("（上海二日电）自从去年春") == "（上海二日电）"  # five full-width signs are text enough


def _inked_line(lead_thickness: int) -> tuple:
    """One line drawn on a white image: "Paris, 8." with strokes lead_thickness px
    wide, then the rest of the line in 1 px strokes; the line's box and the image."""
    import cv2
    import numpy as np

    img = np.full((60, 700), 255, np.uint8)
    cv2.putText(img, "Paris, 8.", (10, 40), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 0, lead_thickness)
    cv2.putText(img, "Der Kaiser hat heute die", (160, 40), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 0, 1)
    return (10, 15, 560, 48), img


@pytest.mark.parametrize("thickness, opens", [(3, True), (1, False)])
def test_a_scan_line_whose_leading_words_are_heavier_opens_with_a_run_in_head(thickness, opens):
    from layout.frame import build_frame
    from layout.runin import run_in_lines

    box, img = _inked_line(thickness)
    page = Page(width=700, height=60, lines=(Line("l0", "Paris, 8. Der Kaiser hat heute die", box, height=33.0),))
    assert run_in_lines(page, img, build_frame(page)) == ({0} if opens else set())


@pytest.mark.parametrize("rest_grey, opens", [(110, True), (20, False)])
def test_a_scan_line_whose_leading_words_are_darker_opens_with_a_run_in_head(rest_grey, opens):
    # Worn type: the regular face's thin strokes print grey, the bold head's black,
    # at the same measured stroke width.
    import cv2
    import numpy as np
    from layout.frame import build_frame
    from layout.runin import run_in_lines

    img = np.full((60, 700), 255, np.uint8)
    cv2.putText(img, "Paris, 8.", (10, 40), cv2.FONT_HERSHEY_SIMPLEX, 1.0, 0, 2)
    cv2.putText(img, "Der Kaiser hat heute die", (160, 40), cv2.FONT_HERSHEY_SIMPLEX, 1.0, rest_grey, 2)
    page = Page(width=700, height=60, lines=(Line("l0", "Paris, 8. Der Kaiser hat heute die", (10, 15, 560, 48),
                                                  height=33.0),))
    assert run_in_lines(page, img, build_frame(page)) == ({0} if opens else set())


def test_a_run_in_head_opens_a_block_only_where_a_paragraph_may_start():
    from layout.runin import open_at

    lines = tuple(Line(f"l{k}", t, (0, 12 * k, 300, 12 * k + 10)) for k, t in enumerate(
        ["the end of an item.", "Paris, 8. Der Kaiser", "hat heute die", "Rom, 4. Juli ohne"]))
    page = Page(width=300, height=60, lines=lines)
    assert open_at([[0, 1, 2, 3]], {1, 3}, page) == ([[0], [1, 2, 3]], {1})


def test_a_run_in_head_opens_a_block_after_a_short_line_closing_a_citation():
    # "(《现代》六三)" cites the source after a quoted paragraph: the sentence ended on
    # the line above, so a dateline on the next line opens an item; the same bracket
    # ending a full line may run on, and a run-in after it stays in its block.
    from layout.runin import open_at

    def page(last_x1: float) -> Page:
        texts = ["已经有一种风格。”(《现代》", "六三)", "（上海十九日电）还记得去年", "夏天住在北京的时候"]
        return Page(width=300, height=60, lines=tuple(
            Line(f"l{k}", t, (0, 12 * k, last_x1 if k == 1 else 300, 12 * k + 10)) for k, t in enumerate(texts)))

    assert open_at([[0, 1, 2, 3]], {2}, page(60)) == ([[0, 1], [2, 3]], {2})
    assert open_at([[0, 1, 2, 3]], {2}, page(295)) == ([[0, 1, 2, 3]], set())


def test_a_run_in_head_that_opens_an_item_is_cut_off_its_line():
    # "Paris, 8." heads its item: a line of its own (heavy), the text after it a line
    # in the block its whole line opened; a run-in that opens nothing stays whole.
    from layout.runin import split_heads

    lines = tuple(Line(f"l{k}", t, (0, 12 * k, 300, 12 * k + 10)) for k, t in enumerate(
        ["the end of an item.", "Paris, 8. Der Kaiser", "hat heute die", "Rom, 4. Juli ohne"]))
    page, groups, heads, origin = split_heads(Page(width=300, height=60, lines=lines), [[0], [1, 2, 3]], {1}, set())
    assert [ln.text for ln in page.lines] == ["the end of an item.", "Paris, 8.", "Der Kaiser", "hat heute die",
                                             "Rom, 4. Juli ohne"]
    assert groups == [[0], [1, 2, 3, 4]] and heads == {1} and origin == [0, 1, 1, 2, 3]
    head, rest = page.lines[1], page.lines[2]
    assert head.bold and head.bbox[0] == 0 and head.bbox[2] == rest.bbox[0] < 150 and rest.bbox[2] == 300
    assert len({ln.id for ln in page.lines}) == 5
    # A line asked to stay whole (the pipeline asks so for the issue's date line) does.
    page, groups, heads, _ = split_heads(Page(width=300, height=60, lines=lines), [[0], [1, 2, 3]], {1}, {1})
    assert page.lines == lines and groups == [[0], [1, 2, 3]] and heads == {1}


def test_a_run_in_line_measured_heavy_as_a_whole_is_still_cut():
    # "ROME, Dec. 7." fills half of its narrow column's line: the line's ink as a whole
    # measures heavy, but its lead measured heavier than its rest (that is how it was
    # found), so the head is cut off and the text runs on in the block.
    from dataclasses import replace as _replace

    from layout.frame import build_frame
    from layout.pipeline import _split_heads

    lines = tuple(Line(f"l{k}", t, (0, 12 * k, 150, 12 * k + 10)) for k, t in enumerate(
        ["the end of an item.", "ROME, Dec. 7. A day that", "began with a fresh round"]))
    page = Page(width=150, height=40, lines=lines)
    frame = build_frame(page, "horizontal")
    frame = _replace(frame, bold=(False, True, False))
    page, groups, heads, _ = _split_heads(page, [[0], [1, 2]], {1}, frame)
    assert [ln.text for ln in page.lines] == ["the end of an item.", "ROME, Dec. 7.", "A day that",
                                             "began with a fresh round"]
    assert groups == [[0], [1, 2, 3]] and heads == {1}


ISSUE_TEXTS = {"N": ["Pagestitch-Anzeiger"], "d": ["Freitag. 23 Juni 1933"], "f": ["Seite 1"],
               "p": ["Paris, 8. Der Kaiser"], "s": ["Seite 1 der Zeitung"], "c": ["goes on in its column"] * 2}


@pytest.mark.parametrize("picture, issue", [
    # The date under the paper's name shares its row only with the folio far across
    # the page: the issue's line ("Freitag. 23 Juni 1933" reads as a run-in dateline).
    ("""
         NNNNNNNNNNNNNNNN
dddddddddd                    ff
aaaaaaaaaa  bbbbbbbbbb  cccccccccc
""", ["Seite 1"]),
    # The name on the row too (a module page's header): still the issue's line.
    ("""
NNNNNNNNNN         dddddddddd         ff
aaaaaaaaaa  bbbbbbbbbb  cccccccccc
""", ["Pagestitch-Anzeiger", "Seite 1"]),
    # A dateline in a column: the next column's line stands a gutter away.
    ("""
pppppppppp  ssssssssss  cccccccccc
aaaaaaaaaa  bbbbbbbbbb  cccccccccc
""", []),
    # Far apart but no folio among them: a short line, not the issue's line.
    ("""
dddddddddd              cccccccccc
aaaaaaaaaa  bbbbbbbbbb  cccccccccc
""", []),
])
def test_the_issues_line_is_a_row_of_items_far_apart_with_a_folio(picture, issue):
    from layout.frame import build_frame
    from layout.issue import issue_row

    page = page_from_ascii(picture, ISSUE_TEXTS)
    frame = build_frame(page)
    texts = [line.text for line in page.lines]
    first = next(i for i, t in enumerate(texts) if t.startswith(("Freitag", "Paris")))  # date or dateline
    assert [texts[j] for j in issue_row(first, frame.boxes, texts, frame.size)] == issue


def test_the_issues_line_follows_a_drifting_row():
    # A vertical page is not deskewed: along its first column (the frame's top row)
    # each item stands a little lower than the one before; the row is followed as a
    # chain from item to item.
    from layout.issue import row_of

    boxes = [(0, 0, 100, 20), (200, 6, 300, 26), (400, 12, 450, 32), (500, 60, 600, 80)]
    assert row_of(0, boxes, 1) == [1, 2] and row_of(2, boxes, -1) == [1, 0] and row_of(3, boxes, 1) == []


def test_the_folio_alone_far_from_a_date_cut_from_its_weekday_finds_the_issues_line():
    # OCR cut the weekday off the date: only the folio stands far from its neighbours.
    from layout.issue import issue_row

    boxes = [(0, 0, 150, 20), (165, 0, 215, 20), (600, 0, 650, 20)]
    texts = ["1 9 2 3年8月3 1日", "星期五", "第1版"]
    assert issue_row(2, boxes, texts, 20.0) == [0, 1] and issue_row(0, boxes, texts, 20.0) == []


@pytest.mark.parametrize("weights, measured", [((False, False), True), ((None, None), True), ((True, False), False)])
def test_run_ins_are_measured_by_ink_where_no_font_names_a_heavy_weight(monkeypatch, weights, measured):
    # A PDF whose bold is a regular face stroked thicker names no heavy font: its
    # run-in datelines are found in the ink, as on a scan.
    import layout.pipeline as pipeline

    calls = []
    monkeypatch.setattr(pipeline, "run_in_lines", lambda page, image, frame: calls.append(page) or set())
    lines = tuple(Line(f"l{k}", t, (0, 14 * k, 300, 14 * k + 10), height=10.0, bold=b)
                  for k, (t, b) in enumerate(zip(["（天津五日电）所谓大内档案", "这东西在清朝"], weights)))
    reconstruct(Page(width=300, height=40, lines=lines))
    assert bool(calls) == measured


def test_a_block_a_short_rule_cuts_off_inside_a_heads_column_is_read_where_it_stands():
    #  HHHHHHHHHH
    #  aaaaaaaaaa
    #     ---         a dash rule over x (short, centred), not over most of b
    #    xxxx         x is no head's, but H's column runs on under it: read a, x, b
    #  bbbbbbbbbb
    from layout.order import module_order, modules

    boxes = [(0, 0, 100, 10), (0, 20, 100, 50), (20, 60, 50, 70), (0, 80, 100, 120)]
    roles = ["headline", "body", "body", "body"]
    rule = [((25, 55, 55, 56), "horizontal")]
    assert sorted(map(sorted, modules(boxes, roles, rule, 10.0))) == [[0, 1, 2, 3]]
    assert module_order(boxes, roles, rule, 10.0) == [0, 1, 2, 3]


def test_a_head_over_two_columns_set_tight_under_text_stays_a_head():
    # The head runs past the first column's edge over the gutter: a line of running
    # text never does, so it opens the article under it though no white space or rule
    # parts it from the text above.
    page = page_from_ascii("""
aaaaaaaaaa  bbbbbbbbbb
aaaaaaaaaa  bbbbbbbbbb
aaaaaaaaaa  bbbbbbbbbb
CCCCCCCCCCCCCCCC
cccccccccc  dddddddddd
cccccccccc  dddddddddd
cccccccccc  dddddddddd
""")
    result = reconstruct(page)
    assert [b.role for b in result.blocks if b.role == "headline"] == ["headline"]


def test_paper_name_heading_a_vertical_pages_first_column_is_its_header():
    # Right-most column: the paper's name at its head, the date and folio far down it,
    # the column drifting a little to the left over the page (the scan is skewed, and a
    # vertical page is not deskewed). The articles' columns follow, one size apart.
    head = [("拼版日报", 360, 390, 10), ("1934年4月9日", 356, 371, 500), ("第1版", 350, 365, 940)]
    lines = [Line(f"m{k}", t, (x0, y, x1, y + (x1 - x0) * len(t)), height=x1 - x0, vertical=True)
             for k, (t, x0, x1, y) in enumerate(head)]
    lines += [Line(f"t{k}", "这是正文的一行文字共有二十个字符号了吗", (320 - 20 * k, 10, 335 - 20 * k, 295),
                   height=15, vertical=True) for k in range(12)]
    page = reconstruct(Page(width=400, height=1000, lines=tuple(lines)))
    roles = {lid: b.role for b in page.blocks for lid in b.line_ids}
    assert [roles[k] for k in ("m0", "m1", "m2")] == ["header"] * 3
    assert not any(a.title == "拼版日报" for a in page.articles)


def test_the_date_on_a_skewed_issues_line_shares_the_folios_row_upright():
    # Turned a degree and a half, the date and the folio 600 px away stand more than
    # half a line apart on the scan; in the reading frame (set upright, layout.frame,
    # whose boxes the pipeline gives layout.issue) they share the row again.
    from layout.issue import issue_row

    texts = ("Freitag. 23 Juni 1933", "Seite 1")
    on_scan = ((0, 0, 150, 10), (600, -16, 650, -6))
    upright = ((0, 0, 150, 10), (600, 0, 650, 10))
    assert issue_row(0, on_scan, texts, 10.0) == [] and issue_row(0, upright, texts, 10.0) == [1]


def test_a_rule_on_a_skewed_scan_is_thin_in_the_reading_frame():
    # A rule 700 px long at 1.3 degrees is boxed 16 px tall on the scan; upright it is
    # as thin as drawn, level, at the height of its middle, and as long as it is.
    import math

    from layout import geometry as g
    from layout.frame import _upright_rule

    origin, skew = (500.0, 500.0), -1.3
    drawn = ((150.0, 600.0), (850.0, 600.0))
    pts = [g.rotate_point(p, origin, skew) for p in drawn]
    box = (pts[0][0], min(p[1] for p in pts) - 1.5, pts[1][0], max(p[1] for p in pts) + 1.5)
    assert g.height(box) > 15
    x0, y0, x1, y1 = _upright_rule(box, True, origin, skew)
    assert y1 - y0 <= 4 and abs((y0 + y1) / 2 - 600) < 1 and abs((x1 - x0) - 700) < 2
    # An upright rule (a column rule) the same.
    pts = [g.rotate_point(p, origin, skew) for p in ((300.0, 150.0), (300.0, 850.0))]
    box = (min(p[0] for p in pts) - 1.5, pts[0][1], max(p[0] for p in pts) + 1.5, pts[1][1])
    x0, y0, x1, y1 = _upright_rule(box, False, origin, skew)
    assert x1 - x0 <= 4 and abs((x0 + x1) / 2 - 300) < 1 and abs((y1 - y0) - 700) < 2 * math.cos(0)


def test_a_head_in_the_texts_size_heads_its_own_column_only():
    #  aaaaaaaaa   HHHHHHHHH      H: a larger head in the next column, a line higher
    #  DDDD dddd   bbbbbbbbb      D: a dateline run in at the start of its item (text
    #  ddddddddd   bbbbbbbbb         size): its row is free to the right, yet it heads d
    from layout.order import modules, widen_headlines

    boxes = [(0, 0, 100, 90), (0, 100, 40, 110), (0, 100, 100, 200), (120, 85, 220, 100), (120, 108, 220, 200)]
    roles = ["body", "headline", "body", "headline", "body"]
    assert widen_headlines(boxes, roles, [], 10.0)[1] == (0, 100, 100, 110)
    assert sorted(sorted(m) for m in modules(boxes, roles, [], 10.0)) == [[0], [1, 2], [3, 4]]


def test_a_folio_under_the_rule_that_ends_the_columns_is_the_footer_however_close():
    #  aaaaaaaaa  bbbbbbbbb
    #  aaaaaaaaa  bbbbbbbbb
    #  --------------------     a scan's padded OCR boxes leave almost no white between
    #       Seite 1             the folio and the columns; the rule sets it apart.
    from layout.roles import _page_furniture

    boxes = [(0, 0, 100, 200), (110, 0, 210, 200), (90, 203, 130, 215)]
    args = (["body", "body", "body"], boxes, ["a", "b", "Seite 1"], 20.0, [9, 9, 1])
    assert _page_furniture(*args)[2] == "body"
    assert _page_furniture(*args, rules=[(0, 200, 210, 202)])[2] == "footer"
    assert _page_furniture(*args, rules=[(0, 100, 210, 102)])[2] == "body"  # a rule elsewhere


def test_a_notice_of_one_short_line_under_its_head_keeps_that_line_as_its_text():
    # "Edikt." over "Das Kaiserl. Königl.": the short line is typed a byline, but it is
    # all the article says; where a body block exists, the byline stays out of the text.
    from layout.model import Block
    from layout.stitch import stitch_article

    lines = {"h": Line("h", "Edikt.", (0, 0, 50, 20)), "y": Line("y", "Das Kaiserl. Königl.", (0, 22, 90, 34)),
             "t": Line("t", "Der Text.", (0, 36, 90, 48))}
    head, line, text = Block("b0", ("h",), (0, 0, 50, 20), "headline"), Block("b1", ("y",), (0, 22, 90, 34), "byline"), \
        Block("b2", ("t",), (0, 36, 90, 48))
    assert stitch_article("a0", [head, line], lines)[0].text == "Edikt.\nDas Kaiserl. Königl."
    assert stitch_article("a0", [head, line, text], lines)[0].text == "Edikt.\nDer Text."


def test_a_cycle_of_noisy_boxes_is_broken_before_the_blocks_that_wait_for_it():
    #   aaaaaaa    xxxxxxx     c ends left of where the indented a starts (c before a),
    # bbbbbbbbb    xxxxxxx     a before b before c: a cycle; x, a pixel higher than a,
    # cc                       must follow all three, so the cycle is read first
    from layout.order import partial_order

    boxes = [(20, 0, 90, 10), (0, 12, 90, 22), (0, 24, 15, 34), (110, -1, 210, 22)]
    assert partial_order(boxes, ["body"] * 4, [], 10.0) == [0, 1, 2, 3]


def _cut_row_page(rule: bool = False) -> Page:
    # A vertical page drawn in its reading frame (columns turned into rows, the right-
    # most on top): a block's first column cut by the engine in two pieces, the lower
    # reaching past the upper; the columns beside it run across the white between
    # them: it is no gutter.
    width = 300.0

    def turned(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        return (width - y1, x0, width - y0, x1)

    rows = [("p0", "引擎把这一列切成了两段", (0, 0, 150, 16)), ("p1", "两段", (162, 0, 210, 16))]
    rows += [(f"r{r}", "正文在这一列里接着往下排", (0, 20 * r, 210, 20 * r + 16)) for r in range(1, 5)]
    lines = tuple(Line(lid, text, turned(*box), height=16.0, vertical=True) for lid, text, box in rows)
    seps = (Separator(turned(155, -5, 157, 120), "horizontal"),) if rule else ()
    return Page(width=width, height=300, lines=lines, separators=seps)


def test_the_pieces_of_a_vertical_blocks_first_column_join_its_block():
    from layout.blocks import BlockParams, group_lines
    from layout.frame import build_frame

    page = _cut_row_page()
    assert group_lines(page, build_frame(page, "vertical"), BlockParams(split_paragraphs=False)) == [[0, 1, 2, 3, 4, 5]]


def test_a_rule_between_the_pieces_of_a_vertical_column_parts_them():
    from layout.blocks import BlockParams, group_lines
    from layout.frame import build_frame

    page = _cut_row_page(rule=True)
    groups = group_lines(page, build_frame(page, "vertical"), BlockParams(split_paragraphs=False))
    assert not any(0 in grp and 1 in grp for grp in groups)


@pytest.mark.parametrize("last, split", [("(Schwäb.", False), ("Zürich.", True)])
def test_a_short_line_ending_inside_a_parenthesis_ends_no_paragraph(last, split):
    #  tttttttttttttttttttttttt
    #  tttttttttt (Schwäb.          the point ends an abbreviation inside brackets
    #  Merk.) tttttttttttttttttt    the next line closes: the paragraph runs on
    #  tttttttttttttttttttttttt
    from layout.blocks import BlockParams, group_lines
    from layout.frame import build_frame

    texts = ["Der Bericht der Zeitung aus dem Kanton", f"Aargau meldet heute {last}",
             "Merk.) die neuen Beschlüsse des Rates", "der Tagsatzung über die Klöster dort."]
    lines = tuple(Line(f"l{k}", t, (0, 14 * k, 150 if k == 1 else 300, 14 * k + 10), height=10.0)
                  for k, t in enumerate(texts))
    page = Page(width=300, height=60, lines=lines, provenance=Provenance(engine="pdf"))
    groups = group_lines(page, build_frame(page, "horizontal"), BlockParams())
    assert groups == ([[0, 1], [2, 3]] if split else [[0, 1, 2, 3]])


def _touching_row_page(gutter: bool = False) -> Page:
    #  aaaaaaaaaaaaa|bbbbb     a paragraph's first row cut by the engine at "|", the
    #  rrrrrrrrrrrrrrrrrrr     right piece's box a pixel higher than the left one's;
    #  rrrrrrrrrrrrrrrrrrr     with gutter=True the right pieces are a second column's
    #                          lines, set close beside the first column's
    rows = [Line("a", "(Nanking, 15th) The first row of the", (0, 100, 210, 116), height=16.0),
            Line("b", "item runs", (212, 99, 300, 115), height=16.0)]
    for r in range(1, 6):
        y = 100 + 20 * r
        if gutter:
            rows.append(Line(f"r{r}", f"left column words {r}", (0, y, 210, y + 16), height=16.0))
            rows.append(Line(f"c{r}", f"right {r}", (212, y, 300, y + 16), height=16.0))
        else:
            rows.append(Line(f"r{r}", f"the item's text running on in row {r} here", (0, y, 300, y + 16), height=16.0))
    return Page(width=300, height=300, lines=tuple(rows), provenance=Provenance(engine="rapidocr"))


def test_the_touching_pieces_of_a_horizontal_row_stay_in_one_block():
    from layout.blocks import BlockParams, group_lines
    from layout.frame import build_frame

    page = _touching_row_page()
    groups = group_lines(page, build_frame(page, "horizontal"), BlockParams(split_paragraphs=False))
    assert groups == [[0, 1, 2, 3, 4, 5, 6]]


def test_touching_lines_of_two_columns_are_not_joined_as_pieces_of_a_row():
    from layout.blocks import _LeftEdges, touching_pieces
    from layout.frame import build_frame

    page = _touching_row_page(gutter=True)
    frame = build_frame(page, "horizontal")
    assert touching_pieces(frame, _LeftEdges(frame), [ln.text for ln in page.lines]) == {}


def test_a_title_whose_first_row_the_engine_cut_stays_one_headline():
    #  Federalist No. 24: |The Powers      the title's first row cut in two, the right
    #  Necessary to the Common             piece's box a pixel higher: the whole title is
    #  Defense Further Considered          one headline, read from its first piece
    #  tttttttttttttttttttttttttt
    lines = [Line("h0", "Federalist No. 24:", (0, 101, 190, 129), height=28.0),
             Line("h1", "The Powers", (200, 100, 310, 128), height=28.0),
             Line("h2", "Necessary to the Common", (0, 134, 300, 162), height=28.0),
             Line("h3", "Defense Further Considered", (0, 168, 310, 196), height=28.0)]
    lines += [Line(f"b{r}", f"the text of the paper runs on in row {r} of it", (0, 210 + 20 * r, 310, 226 + 20 * r),
                   height=16.0) for r in range(8)]
    page = reconstruct(Page(width=320, height=400, lines=tuple(lines), provenance=Provenance(engine="rapidocr")))
    heads = [b for b in page.blocks if b.role == "headline"]
    assert [b.line_ids for b in heads] == [("h0", "h1", "h2", "h3")]
    assert page.articles[0].title == "Federalist No. 24: The Powers Necessary to the Common Defense Further Considered"


def test_a_paragraphs_short_last_line_ending_in_the_white_of_a_cut_row_is_no_gutter():
    #    aaaaaaaaaaa|bbb|cc     a paragraph's first row (indented) cut twice; the
    #  aaaaaaaaaaaaaaa          short line under it ends in the white before "cc",
    #  dddddddddddddddddddd     the lines below run across it: one row, no gutter
    #  dddddddddddddddddddd
    from layout.blocks import _LeftEdges, touching_pieces
    from layout.frame import build_frame

    rows = [Line("a", "the first row of it", (32, 100, 200, 116), height=16.0),
            Line("b", "here", (208, 100, 258, 116), height=16.0),
            Line("c", "and", (266, 100, 300, 116), height=16.0),
            Line("s", "ends the paragraph.", (0, 120, 262, 136), height=16.0)]
    rows += [Line(f"d{r}", f"the next paragraph's row {r} here", (0, 120 + 20 * r, 300, 136 + 20 * r), height=16.0)
             for r in range(1, 5)]
    frame = build_frame(Page(width=300, height=300, lines=tuple(rows), provenance=Provenance(engine="rapidocr")),
                        "horizontal")
    assert touching_pieces(frame, _LeftEdges(frame), [ln.text for ln in rows]) == {0: 1, 1: 2}


def test_the_date_and_weekday_of_the_issues_line_are_not_joined_as_pieces_of_a_row():
    #  1930年10月15日|星期三                      第1版    the issue's line: its items
    #  tttttttttttttttttttttttttttttttttttttttttttttt     stay apart (layout.issue),
    #  tttttttttttttttttttttttttttttttttttttttttttttt     though text runs under them
    from layout.blocks import _LeftEdges, touching_pieces
    from layout.frame import build_frame

    rows = [Line("d", "1930年10月15日", (0, 0, 150, 16), height=16.0), Line("w", "星期三", (158, 0, 206, 16), height=16.0),
            Line("f", "第1版", (560, 0, 600, 16), height=16.0)]
    rows += [Line(f"t{r}", "正文在这一行里从左边一直排到右边为止" * 2, (0, 20 * r + 10, 600, 20 * r + 26), height=16.0)
             for r in range(1, 5)]
    page = Page(width=600, height=200, lines=tuple(rows), provenance=Provenance(engine="rapidocr"))
    frame = build_frame(page, "horizontal")
    assert touching_pieces(frame, _LeftEdges(frame), [ln.text for ln in rows]) == {}


def test_a_heads_row_cut_at_its_wide_space_is_read_from_its_first_piece():
    #  随感录六十四|有无       a title's first row cut at the wide space in it, the
    #  相通                   row under it too short to run across the white: in
    #  tttttttttttttttt       display type, a row with no line of its size around
    lines = [Line("h0", "随感录六十四", (0, 0, 158, 37), height=37.0), Line("h1", "有无", (167, 2, 229, 35), height=33.0),
             Line("h2", "相通", (0, 32, 58, 66), height=34.0)]
    lines += [Line(f"t{r}", "南北的官僚虽然打仗，南北的人民却很要好", (0, 60 + 22 * r, 250, 78 + 22 * r), height=18.0)
              for r in range(1, 8)]
    page = reconstruct(Page(width=260, height=300, lines=tuple(lines), provenance=Provenance(engine="rapidocr")))
    assert page.articles[0].title == "随感录六十四有无相通"


def _pieces_under_indent_page() -> Page:
    # A vertical page in its reading frame (columns turned into rows): the row under an
    # indented paragraph start cut by the engine into three pieces at a formula, the
    # right-most a hair higher, so it is taken first and joins the paragraph; the left
    # piece hardly overlaps the indented line above and has no line across the white
    # after it (the lines round it start indented too).
    #   aaaaaaaaaaaaaaaaaaaa
    #   bbbbbbbbbbbb
    #      cccccccccccccccc
    #   dd  eeeeeeeee  ffff
    #   gggggggggggggggggggg
    width = 300.0

    def turned(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        return (width - y1, x0, width - y0, x1)

    rows = [("a", "正文在这一列里接着往下排", (0, 0, 210, 16)), ("b", "这段到此为止。", (0, 20, 120, 36)),
            ("c", "新的一段缩进两格开始", (30, 40, 210, 56)), ("d", "圆的", (0, 61, 30, 77)),
            ("e", "元质有七十多种", (42, 60, 150, 76)), ("f", "闻所未", (160, 59, 210, 75)),
            ("g", "闻，虽然难，却也以为是人所应", (0, 80, 210, 96))]
    lines = tuple(Line(lid, text, turned(*box), height=16.0, vertical=True) for lid, text, box in rows)
    return Page(width=width, height=300, lines=lines)


def test_the_first_piece_of_a_vertical_column_under_an_indent_joins_its_paragraph():
    from layout.blocks import BlockParams, group_lines
    from layout.frame import build_frame

    page = _pieces_under_indent_page()
    groups = group_lines(page, build_frame(page, "vertical"), BlockParams(split_paragraphs=False))
    assert groups == [[0, 1, 2, 3, 4, 5, 6]]


def _two_tiers_page() -> Page:
    # A vertical page in its reading frame: two tiers of one article parted by white a
    # character deep and no rule; the engine read one column (r1) on across the white
    # into the next tier's, so the rows under it, each in two pieces, lie inside its
    # block's span. The columns beside end in the white: the pieces are two tiers'.
    width = 300.0

    def turned(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        return (width - y1, x0, width - y0, x1)

    rows = [("r1", "上一段的这一列读过了空白", (0, 18, 210, 34))]
    for r in (0, 2, 3, 4):
        rows += [(f"a{r}", "上一段的一列", (0, 18 * r, 100, 18 * r + 16)),
                 (f"b{r}", "下一段的一列", (112, 18 * r, 210, 18 * r + 16))]
    lines = tuple(Line(lid, text, turned(*box), height=16.0, vertical=True) for lid, text, box in rows)
    return Page(width=width, height=300, lines=lines)


def test_pieces_of_a_vertical_row_across_a_tiers_foot_stay_apart():
    # r1 ran across the white, so its block's span covers both tiers; b2, a piece of
    # the lower tier on a2's row, stands inside it, but the columns beside end there.
    from layout.blocks import join_row_pieces
    from layout.frame import build_frame

    page = _two_tiers_page()
    at = {line.id: k for k, line in enumerate(page.lines)}
    groups = [[at[x] for x in ("a0", "r1", "a2", "a3", "a4")]] + [[at[x]] for x in ("b0", "b2", "b3", "b4")]
    joined = join_row_pieces(groups, build_frame(page, "vertical"))
    # (b0, on the first row, has only one row beside it to show the tier's foot)
    assert [[page.lines[i].id] for i in (at["b2"], at["b3"], at["b4"])] == [
        [page.lines[i].id for i in grp] for grp in joined if len(grp) == 1 and grp[0] != at["b0"]]
