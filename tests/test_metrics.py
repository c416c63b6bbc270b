"""Benchmark metrics on tiny hand-made cases with known answers."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from benchmarks.baselines import map_text_lines, sort_tblr, xy_cut, xy_cut_lines
from benchmarks.metrics import (
    Aggregate,
    PageTruth,
    Prediction,
    adjusted_rand,
    ard,
    article_cer,
    bleu,
    kendall,
    links_from_sequences,
    map_boxes,
    match_texts,
    normalise,
    pair_counts,
    score_prediction,
)
from benchmarks.truth import load_truth, paste_pieces, piece_segments, scan_box_map
from layout.model import Line

DATA = Path(__file__).parent / "data" / "bench"
REF = [str(i) for i in range(1, 11)]


# ----------------------------------------------------------------- order


def test_perfect_order() -> None:
    assert bleu(REF, REF) == pytest.approx(1.0)
    assert ard(REF, REF) == 0.0
    assert kendall(REF, REF) == pytest.approx(1.0)


def test_reversed_order() -> None:
    ref = list("abcd")
    hyp = ref[::-1]
    assert kendall(hyp, ref) == pytest.approx(-1.0)
    assert ard(hyp, ref) == pytest.approx((3 + 1 + 1 + 3) / 4)
    assert bleu(hyp, ref) == 0.0  # no bigram survives


def test_one_swapped_pair() -> None:
    hyp = ["1", "2", "3", "4", "6", "5", "7", "8", "9", "10"]
    # n-gram precisions 10/10, 6/9, 4/8, 2/7; same length, so no brevity penalty.
    assert bleu(hyp, REF) == pytest.approx((1 * 6 / 9 * 4 / 8 * 2 / 7) ** 0.25)
    assert ard(hyp, REF) == pytest.approx(2 / 10)
    assert kendall(hyp, REF) == pytest.approx((44 - 1) / 45)


def test_missing_elements_penalised() -> None:
    ref = list("abc")
    assert ard(list("ab"), ref) == pytest.approx(3 / 3)  # c missing costs len(ref)
    short = bleu(REF[:8], REF)
    assert short is not None and short < 1.0  # brevity penalty
    assert short == pytest.approx(math.exp(1 - 10 / 8))


def test_short_sequences_and_empty() -> None:
    assert bleu(["a", "b"], ["a", "b"]) == pytest.approx(1.0)
    assert bleu([], ["a"]) == 0.0
    assert bleu([], []) is None
    assert kendall(["a"], ["a", "b"]) is None


# ------------------------------------------------------------------ text


def test_normalise_cjk_and_latin() -> None:
    assert normalise("中 文\n字", cjk=True) == "中文字"
    assert normalise("  a \n b\t c ", cjk=False) == "a b c"


def test_hungarian_picks_right_pairs() -> None:
    true = ["the cat sat on the mat", "dogs bark loudly at night"]
    pred = ["dogs bark loud at night", "the cat sat on a mat", "zzz"]
    assert sorted(match_texts(true, pred, cjk=False)) == [(0, 1), (1, 0)]


def test_unmatched_article_counted_fully() -> None:
    cer = article_cer(["abcdef", "uvwxyz"], ["abcdef"], cjk=False)
    assert (cer.edits, cer.chars, cer.unmatched) == (6, 12, 1)
    assert cer.value == pytest.approx(0.5)
    assert article_cer(["中文字"], ["中 文\n字"], cjk=True).value == 0.0


# ------------------------------------------------------------- grouping


def test_pairwise_known_values() -> None:
    true = {"1": "A", "2": "A", "3": "B", "4": "B"}
    pred = {"1": "x", "2": "x", "3": "x", "4": "y"}
    pc = pair_counts(true, pred)
    assert (pc.tp, pc.predicted, pc.actual) == (1, 3, 2)
    assert pc.f1 == pytest.approx(2 * (1 / 3) * (1 / 2) / (1 / 3 + 1 / 2))


def test_adjusted_rand_known_values() -> None:
    true = {str(i): lab for i, lab in enumerate("000111")}
    pred = {str(i): lab for i, lab in enumerate("001122")}
    assert adjusted_rand(true, pred) == pytest.approx(0.8 / 3.3)
    assert adjusted_rand(true, {k: "Q" + v for k, v in true.items()}) == pytest.approx(1.0)


def test_unassigned_lines_are_singletons() -> None:
    true = {"1": "A", "2": "A"}
    assert pair_counts(true, {}).tp == 0
    assert pair_counts(true, {}).actual == 1


# ----------------------------------------------------------------- links


def test_links_collapse_repeats() -> None:
    seg = {"a": "s1", "b": "s1", "c": "s2", "d": "s3"}
    assert links_from_sequences([["a", "b", None, "c", "c", "d"]], seg) == {("s1", "s2"), ("s2", "s3")}
    assert links_from_sequences([["a", "c"], ["d"]], seg) == {("s1", "s2")}


def test_map_boxes_centre_then_iou() -> None:
    true = [(0, 0, 10, 10), (20, 0, 30, 10)]
    assert map_boxes([(1, 1, 9, 9), (18, 0, 28, 10), (8, 0, 25, 10), (50, 50, 60, 60)], true) == [0, 1, 1, None]


# ---------------------------------------------------------------- XY-cut

LAYOUT = """
HHHHHHHHHHHHH

aaaaa   ddddd
bbbbb   eeeee
ccccc   fffff

ggggggggggggg
"""


def ascii_lines(drawing: str) -> list[Line]:
    """Each run of one letter on a row is a line box of that name (one cell = 1x1)."""
    lines = []
    for y, row in enumerate(drawing.strip("\n").splitlines()):
        x = 0
        while x < len(row):
            if row[x] == " ":
                x += 1
                continue
            end = x
            while end < len(row) and row[end] == row[x]:
                end += 1
            lines.append(Line(row[x], row[x], (x, y, end, y + 1)))
            x = end
    return lines


def test_xy_cut_two_columns() -> None:
    lines = ascii_lines(LAYOUT)
    assert "".join(ln.id for ln in xy_cut_lines(lines)) == "Habcdefg"
    # A plain row sort reads across the gutter.
    assert "".join(ln.id for ln in sort_tblr(lines)) == "Hadbecfg"


def test_xy_cut_vertical_reads_right_to_left() -> None:
    boxes = [(0, 0, 1, 5), (2, 0, 3, 5), (4, 0, 5, 5)]
    assert xy_cut(boxes, "vertical") == [2, 1, 0]
    assert xy_cut(boxes) == [0, 1, 2]


def test_map_text_lines_splits_merged_columns() -> None:
    truth = ["The rain came back", "the valley, said", "on Monday after a"]
    out = ["The rain came back the valley, said", "on Monday after a"]
    assert map_text_lines(out, truth, cjk=False) == [0, 1, 2]


# ----------------------------------------------------------- truth, paste


def test_paste_mapping() -> None:
    truth = load_truth(DATA / "en-t-001.truth.json")
    pieces = paste_pieces((DATA / "en-t-001.paste.txt").read_text(encoding="utf-8"))
    assert len(pieces) == 6
    assert piece_segments(truth, pieces) == ["s0", "s1", "s2", "s3", "s4", "s5"]
    # Order of pieces does not matter: they are matched by text.
    assert piece_segments(truth, pieces[::-1]) == ["s5", "s4", "s3", "s2", "s1", "s0"]


def test_scan_box_map_inverts_affine() -> None:
    truth = load_truth(DATA / "en-t-001.truth.json")
    assert truth.scan is not None
    box = scan_box_map(truth.scan.width, truth.scan.height, truth.scan)((100 / 72 * 20, 0, 100 / 72 * 40, 10))
    assert box[0] == pytest.approx(20, abs=1e-3) and box[2] == pytest.approx(40, abs=1e-3)


def test_score_prediction_perfect_and_aggregate() -> None:
    truth = load_truth(DATA / "en-t-001.truth.json")
    pt = PageTruth(truth.line_order(), truth.line_segment(), truth.line_article(), truth.links,
                   [a.text for a in truth.articles])
    arts = [["t1", "t2", "t3", "t4", "t5", "t6"], ["t7", "t8", "t9"]]
    perfect = Prediction(order=truth.line_order(), texts=[a.text for a in truth.articles],
                         link_sequences=arts, articles=arts, timings={"total": 0.5})
    s = score_prediction(pt, perfect)
    assert s["link_f1"] == 1.0 and s["cer"] == 0.0 and s["pair_f1"] == 1.0 and s["ari"] == 1.0
    assert s["bleu4"] == pytest.approx(1.0) and s["line_recall"] == 1.0
    agg = Aggregate()
    agg.update(s)
    half = Prediction(order=truth.line_order()[:5], texts=[], link_sequences=[truth.line_order()[:5]])
    agg.update(score_prediction(pt, half))
    summary = agg.summary()
    assert summary["pages"] == 2
    assert summary["line_recall"] == pytest.approx(15 / 20)
    assert summary["cer"] == pytest.approx(0.5)  # second page: everything unmatched
    assert summary["tau_worst"] == pytest.approx(1.0)
    assert summary["time_total"] == pytest.approx(0.5)


# ------------------------------------------------------------ properties

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(st.permutations(REF), st.integers(min_value=0, max_value=10))
def test_order_scores_stay_in_range(perm: list[str], keep: int) -> None:
    hyp = perm[:keep]
    b, a, t = bleu(hyp, REF), ard(hyp, REF), kendall(hyp, REF)
    assert b is not None and 0.0 <= b <= 1.0 + 1e-9
    assert a is not None and 0.0 <= a <= len(REF)
    assert t is None or -1.0 - 1e-9 <= t <= 1.0 + 1e-9
    assert (a == 0.0) == (hyp == REF)


def test_page_cer_ignores_article_split() -> None:
    from benchmarks.metrics import page_cer

    assert page_cer(["abc", "def"], ["abc def"], cjk=False).value == 0.0
    assert page_cer(["abc", "def"], ["def abc"], cjk=False).value == pytest.approx(6 / 7)
