"""Squeezed recognition (issue 7): word boxes must still show column gutters."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

SAMPLES = Path(__file__).resolve().parent.parent / "samples"

# Lines of samples/zh-4col.png side by side in two columns 24 px apart (text ~24 px).
GUTTER_PAIRS = [
    ("点小工作，突然得到一位好意的老", "这几年的经验看来，却委"),
    ("同事的警报，说，部里今天发给薪", "实不很特别，一切脾气，"),
    ("威风的，要不然，他们也许要觉到", "了一篇《端午节》。"),
    ("抵押，当铺却用这样的势利脸和高", "旋，却究竟并非印板，所"),
]


def _probs(columns: int, spikes: dict[int, int], classes: int = 8) -> np.ndarray:
    """CTC output: blank everywhere except class spikes[c] at column c."""
    probs = np.full((columns, classes), 0.01, np.float32)
    probs[:, 0] = 0.93
    for col, cls in spikes.items():
        probs[col] = 0.01
        probs[col, cls] = 0.93
    return probs


def test_squeezed_gap_is_grouped_in_unsqueezed_columns():
    from rapidocr.ch_ppocr_rec.typings import WordInfo

    from ocr.engines.rapidocr_engine import unsqueezed_word_info

    # Four characters; the gap between the 2nd and 3rd is 5 squeezed columns, which
    # rapidocr reads as one word (gaps up to 5), but is 6.7 columns unsqueezed.
    probs = _probs(20, {1: 1, 3: 2, 8: 3, 10: 4})
    info = unsqueezed_word_info("abcd", probs, 0.75, WordInfo(confs=[0.9] * 4))
    assert info.words == [["a", "b"], ["c", "d"]]
    assert info.line_txt_len == pytest.approx(20 / 0.75)
    assert info.confs == [0.9] * 4
    # Positions are column centres mapped back: (c + 0.5) / squeeze - 0.5.
    assert info.word_cols[1][0] == pytest.approx(8.5 / 0.75 - 0.5, abs=0.05)
    # Unsqueezed (squeeze 1) the same gap of 5 columns stays inside one word.
    same = unsqueezed_word_info("abcd", _probs(20, {1: 1, 3: 2, 8: 3, 9: 4}), 1.0, WordInfo())
    assert same.words == [["a", "b", "c", "d"]]
    # Spaces still end words, and text that does not match the columns is left alone.
    spaced = unsqueezed_word_info("a b", _probs(10, {1: 1, 2: 7, 3: 2}), 0.75, WordInfo())
    assert spaced.words == [["a"], ["b"]]
    kept = WordInfo(words=[["x"]])
    assert unsqueezed_word_info("abc", probs, 0.75, kept) is kept


def test_words_snap_to_their_ink():
    from rapidocr.ch_ppocr_rec.typings import WordInfo, WordType

    from ocr.engines.rapidocr_engine import snap_words_to_ink

    crop = np.full((48, 400, 3), 255, np.uint8)
    crop[12:36, 40:120] = 0  # word 1 ink: x 40..120
    crop[12:36, 200:300] = 0  # word 2 ink: x 200..300
    # 50 columns of 8 px; characters 16 px apart (2 columns), so 16 px wide boxes.
    # The columns put both words 4 px right of their ink.
    info = WordInfo(words=[list("abcdef"), list("ghijkl")],
                    word_cols=[[6.0, 8.0, 10.0, 12.0, 14.0, 16.0], [26.0, 28.0, 30.0, 32.0, 34.0, 36.0]],
                    word_types=[WordType.EN_NUM] * 2, line_txt_len=50.0)
    snap_words_to_ink(crop, info, 0.75)
    starts = [(cols[0] + 0.5) * 8 - 8 for cols in info.word_cols]
    assert starts == pytest.approx([40.0, 200.0])
    assert info.word_cols[0][1] - info.word_cols[0][0] == pytest.approx(2.0)  # spacing kept
    # CJK lines are left alone: their gutters are gaps between characters.
    cjk = WordInfo(words=[["字"]], word_cols=[[6.0]], word_types=[WordType.CN], line_txt_len=50.0)
    snap_words_to_ink(crop, cjk, 0.75)
    assert cjk.word_cols == [[6.0]]


def _gutter_crops():
    import cv2

    page = cv2.imread(str(SAMPLES / "zh-4col.png"))
    lines = {ln["text"]: ln["bbox"] for ln in json.loads((SAMPLES / "zh-4col.lines.json").read_text("utf-8"))["lines"]}
    for left, right in GUTTER_PAIRS:
        x0, y0 = lines[left][:2]
        x1, y1 = lines[right][2:]
        pad = 0.3 * (y1 - y0)
        box = np.array([[x0 - pad, y0 - pad], [x1 + pad, y0 - pad], [x1 + pad, y1 + pad], [x0 - pad, y1 + pad]], np.float32)
        crop = page[int(box[0, 1]):int(box[2, 1]), int(box[0, 0]):int(box[2, 0])]
        yield left, right, lines[right][0], box, crop


@pytest.mark.parametrize("squeeze", [1.0, 0.75])
def test_squeezed_read_still_cuts_a_line_run_across_a_gutter(ocr_rapid_engine, squeeze):
    from rapidocr.ch_ppocr_rec.typings import TextRecInput

    from ocr.engines.rapidocr_engine import ConcurrentRecognizer, InkRecBoxes
    from ocr.gutters import cut_lines, raw_line

    recognizer = ConcurrentRecognizer(ocr_rapid_engine._ocr.text_rec.model_path, workers=1, squeeze=squeeze)
    for left, right, gutter_end, box, crop in _gutter_crops():
        out = recognizer(TextRecInput(img=[crop], return_word_box=True))
        out = InkRecBoxes()([crop], box[np.newaxis], out)  # as the engine boxes words
        pieces = cut_lines([raw_line(out.txts[0], box, out.scores[0], out.word_results[0])])
        assert [text for text, _, _ in pieces] == [left, right], squeeze
        # The right-hand piece starts at its column, not in the gutter before it.
        assert abs(pieces[1][1][0][0] - gutter_end) < 6


def test_shrink_quads_moves_every_side_in():
    from ocr.engines.rapidocr_engine import shrink_quads

    box = np.array([[[10, 20], [110, 20], [110, 50], [10, 50]]], np.int32)
    out = shrink_quads(box, 2.0)
    assert out.dtype == np.float32
    assert out[0].tolist() == [[12, 22], [108, 22], [108, 48], [12, 48]]
    # A box too thin to shrink keeps at least 2 px across, around its middle.
    thin = shrink_quads(np.array([[[0, 0], [100, 0], [100, 3], [0, 3]]]), 5.0)[0]
    assert thin[2][1] - thin[0][1] == pytest.approx(2.0)
    assert shrink_quads(box, 0.0)[0].tolist() == box[0].tolist()


def test_shrinking_detector_takes_back_growth_of_a_reduced_input():
    from types import SimpleNamespace

    from ocr.engines.rapidocr_engine import DET_GROWTH, ShrinkingDetector

    box = np.array([[[100, 100], [300, 100], [300, 140], [100, 140]]], np.int32)

    class Inner:
        limit_type, limit_side_len = "max", 1000

        def __call__(self, img):
            return SimpleNamespace(boxes=box.copy())

    det = ShrinkingDetector(Inner())
    out = det(np.zeros((2000, 1500, 3), np.uint8)).boxes  # input halved: 1/s - 1 = 1
    assert out[0][0].tolist() == pytest.approx([100 + DET_GROWTH, 100 + DET_GROWTH])
    assert det.limit_side_len == 1000  # attributes pass through
    # Full resolution: boxes untouched.
    assert det(np.zeros((900, 700, 3), np.uint8)).boxes.tolist() == box.tolist()


def _info(words, cols, kind):
    from rapidocr.ch_ppocr_rec.typings import WordInfo

    return WordInfo(words=[list(w) for w in words], word_cols=cols, word_types=[kind] * len(words),
                    line_txt_len=50.0, confs=[0.9] * sum(len(w) for w in words))


def test_ink_char_edges_give_exact_gaps_and_keep_punctuation_cells():
    from rapidocr.ch_ppocr_rec.typings import WordType

    from ocr.engines.rapidocr_engine import ink_char_edges

    crop = np.full((48, 400, 3), 255, np.uint8)
    crop[8:40, 40:70] = 0
    crop[8:40, 72:100] = 0  # two characters set solid
    crop[30:38, 104:110] = 0  # a comma, inked at the bottom left of its cell
    crop[8:40, 200:230] = 0  # a character after a gutter
    # Columns (8 px each) off by up to a column, as squeezed reads place them.
    info = _info(["字字，字"], [[6.6, 10.5, 13.0, 26.8]], WordType.CN)
    ink_char_edges(crop, info)
    px = [[round(a * 400), round(b * 400)] for a, b in info.char_edges]
    assert info.edge_texts == list("字字，字")
    assert px[0][0] == 40 and px[3] == [200, 230]  # segment edges are the ink's
    assert px[0][1] == px[1][0] and px[1][1] == px[2][0]  # no gaps inside a segment
    assert px[2][1] >= 120  # the comma keeps its cell (column 13 of 8 px, pitch 31 px)
    # Latin lines are boxed per word, each word from its ink.
    latin = _info(["ab", "cd"], [[5.0, 8.0], [25.0, 28.0]], WordType.EN_NUM)
    ink_char_edges(crop, latin)
    assert latin.edge_texts == ["ab", "cd"]
    assert [[round(a * 400), round(b * 400)] for a, b in latin.char_edges] == [[40, 110], [200, 230]]
    # A blank crop is left to rapidocr.
    blank = _info(["ab"], [[5.0, 8.0]], WordType.EN_NUM)
    ink_char_edges(np.full((48, 400, 3), 255, np.uint8), blank)
    assert blank.char_edges is None


def test_ink_between_two_words_goes_to_one_of_them():
    from rapidocr.ch_ppocr_rec.typings import WordType

    from ocr.engines.rapidocr_engine import ink_char_edges

    # "12, 1788." in italics: the "1" of 1788 is a narrow stroke with blank on both
    # sides, and the squeezed columns put the word's first character on "788". The "1"
    # must not be left between the boxes, where its ink would widen the word space
    # into a gutter; the word space is the widest blank run (100..118).
    crop = np.full((48, 400, 3), 255, np.uint8)
    crop[8:40, 40:100] = 0  # "12,"
    crop[8:40, 118:124] = 0  # "1"
    crop[8:40, 132:180] = 0  # "788."
    info = _info(["12,", "1788."], [[5.0, 7.5, 10.0], [17.0, 18.5, 20.0, 21.0, 22.0]], WordType.EN_NUM)
    ink_char_edges(crop, info)
    assert [[round(a * 400), round(b * 400)] for a, b in info.char_edges] == [[40, 100], [118, 180]]


def test_ink_rec_boxes_box_by_edges_and_fall_back_to_rapidocr():
    from rapidocr.ch_ppocr_rec.typings import TextRecOutput, WordType

    from ocr.engines.rapidocr_engine import InkRecBoxes

    crop = np.full((40, 200, 3), 255, np.uint8)
    box = np.array([[[10, 10], [210, 10], [210, 50], [10, 50]]], np.float32)
    info = _info(["字字"], [[10.0, 20.0]], WordType.CN)
    info.char_edges, info.edge_texts = [[0.1, 0.3], [0.5, 0.7]], ["字", "字"]
    out = InkRecBoxes()([crop], box, TextRecOutput(txts=("字字",), word_results=(info,)))
    (first, _, quad), (second, _, quad2) = out.word_results[0]
    assert first == second == "字"
    assert [quad[0][0], quad[1][0]] == pytest.approx([30, 70], abs=1)
    assert [quad2[0][0], quad2[1][0]] == pytest.approx([110, 150], abs=1)
    plain = _info(["字字"], [[10.0, 20.0]], WordType.CN)
    out = InkRecBoxes()([crop], box, TextRecOutput(txts=("字字",), word_results=(plain,)))
    assert [w[0] for w in out.word_results[0]] == ["字", "字"]


def test_det_input_matches_rapidocr_normalisation():
    from rapidocr.ch_ppocr_det.utils import DetPreProcess

    from ocr.engines.rapidocr_engine import det_input

    img = np.random.default_rng(0).integers(0, 256, (64, 96, 3), dtype=np.uint8)
    op = DetPreProcess(736, "min", [0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
    ours = det_input(img, op.mean, op.std, op.scale)
    assert ours.dtype == np.float32
    assert np.allclose(ours, op.normalize(img), atol=1e-5)


def test_short_lines_are_read_unsqueezed(ocr_rapid_engine, monkeypatch):
    import ocr.engines.rapidocr_engine as E

    seen = []
    real = E.rec_input
    monkeypatch.setattr(E, "rec_input", lambda crop, squeeze=1.0: seen.append(squeeze) or real(crop, squeeze))
    monkeypatch.setattr(E, "SQUEEZE_RETRY", 0.0)  # blank crops read doubtfully: no second reading here
    recognizer = E.ConcurrentRecognizer(ocr_rapid_engine._ocr.text_rec.model_path, workers=1, squeeze=0.75)
    recognizer.read(np.full((40, 100, 3), 255, np.uint8), True)  # 2.5 heights long
    recognizer.read(np.full((40, 400, 3), 255, np.uint8), True)  # 10 heights long
    assert seen == [1.0, 0.75]


@pytest.mark.parametrize("vertical", [False, True])
def test_word_boxes_map_back_to_the_page_as_rapidocr_maps_them(vertical):
    import copy

    from rapidocr.cal_rec_boxes import CalRecBoxes
    from rapidocr.cal_rec_boxes.main import Direction

    from ocr.engines.rapidocr_engine import back_to_page

    # A slightly rotated line box and word boxes in its crop (turned for a vertical line).
    w, h = (30.0, 400.0) if vertical else (400.0, 30.0)
    a = 0.03
    turn = np.array([[np.cos(a), np.sin(a)], [-np.sin(a), np.cos(a)]])
    box = (np.array([[0, 0], [w, 0], [w, h], [0, h]]) @ turn + [300.5, 120.25]).astype(np.float32)
    length, across = max(w, h), min(w, h)
    words = [[[x0, 0.0], [x1, 0.0], [x1, across], [x0, across]] for x0, x1 in [(3.5, 80.2), (95.0, 201.7), (230.1, 390.0)]]
    ref = CalRecBoxes()
    ref.order_points = lambda pts: [list(p) for p in pts]  # rapidocr's corner order aside
    expected = ref.reverse_rotate_crop_image(copy.deepcopy(box), copy.deepcopy(words),
                                             Direction.VERTICAL if vertical else Direction.HORIZONTAL)
    assert back_to_page(box, words, vertical) == [[[int(v) for v in p] for p in q] for q in expected]
    assert back_to_page(box, [], vertical) == []


def test_a_doubtful_squeezed_reading_is_read_again_at_full_width(monkeypatch):
    import numpy as np
    from ocr.engines.rapidocr_engine import SQUEEZE_RETRY, ConcurrentRecognizer

    rec = ConcurrentRecognizer.__new__(ConcurrentRecognizer)  # no model: readings are faked
    rec.squeeze, rec.ink_chars = 0.75, True
    seen = []

    def fake(crop, squeeze, word_box):
        seen.append(squeeze)
        score = SQUEEZE_RETRY - 0.2 if squeeze < 1.0 else 0.95
        return f"read at {squeeze}", score, np.zeros((1, 10, 5)), [None]

    monkeypatch.setattr(rec, "_decode", fake)
    crop = np.zeros((20, 400, 3), np.uint8)
    assert rec.read(crop, word_box=False)[:2] == ("read at 1.0", 0.95) and seen == [0.75, 1.0]
    seen.clear()
    monkeypatch.setattr(rec, "_decode", lambda c, s, w: (seen.append(s), ("sure", 0.99, None, [None]))[1])
    assert rec.read(crop, word_box=False)[0] == "sure" and seen == [0.75]
