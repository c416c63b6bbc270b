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
    from rapidocr.cal_rec_boxes import CalRecBoxes
    from rapidocr.ch_ppocr_rec.typings import TextRecInput

    from ocr.engines.rapidocr_engine import ConcurrentRecognizer
    from ocr.gutters import cut_lines, raw_line

    recognizer = ConcurrentRecognizer(ocr_rapid_engine._ocr.text_rec.model_path, workers=1, squeeze=squeeze)
    for left, right, gutter_end, box, crop in _gutter_crops():
        out = recognizer(TextRecInput(img=[crop], return_word_box=True))
        out = CalRecBoxes()([crop], box[np.newaxis], out)
        pieces = cut_lines([raw_line(out.txts[0], box, out.scores[0], out.word_results[0])])
        assert [text for text, _, _ in pieces] == [left, right], squeeze
        # The right-hand piece starts at its column, not in the gutter before it.
        assert abs(pieces[1][1][0][0] - gutter_end) < 6
