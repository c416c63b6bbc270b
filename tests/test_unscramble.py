"""unscramble: text pasted out of a multi-column page back into whole articles."""

import json

from layout.cli import main
from layout.unscramble import split_pieces, unscramble

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
