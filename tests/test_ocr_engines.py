"""OCR engine protocol, registry, and the rapidocr / tesseract backends."""

from __future__ import annotations

import socket
import sys

import numpy as np
import pytest

from ocr.engines import Engine, EngineUnavailable, engine_names, get_engine
from ocr.engines.base import make_line


def _center_inside(box, outer, slack=0.0):
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return outer[0] - slack <= cx <= outer[2] + slack and outer[1] - slack <= cy <= outer[3] + slack


def test_registry_names_and_unknown_engine():
    assert {"rapidocr", "tesseract", "paddleocr"} <= set(engine_names())
    with pytest.raises(ValueError, match="unknown OCR engine"):
        get_engine("nonesuch")


def test_paddleocr_without_package_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "paddleocr", None)
    with pytest.raises(EngineUnavailable, match=r"pagestitch\[paddle\]"):
        get_engine("paddleocr")


def test_engine_unavailable_is_runtime_error():
    assert issubclass(EngineUnavailable, RuntimeError)


def test_rapidocr_reads_rendered_columns(ocr_rapid_engine, ocr_render_columns):
    image, truth = ocr_render_columns()
    engine = ocr_rapid_engine
    assert isinstance(engine, Engine)
    lines = engine.recognize(image)
    assert [line.id for line in lines] == [f"l{i}" for i in range(len(lines))]
    assert len(lines) == len(truth)
    for text, box in truth:
        match = [line for line in lines if _center_inside(line.bbox, box, slack=4)]
        assert len(match) == 1, text
        line = match[0]
        assert line.text == text
        assert line.polygon is not None and len(line.polygon) == 4
        assert 0.5 < (line.confidence or 0) <= 1.0
        # Measured height is the text size (the font is 24 px).
        assert 18 <= (line.height or 0) <= 34
        assert not line.vertical


def test_rapidocr_accepts_bgr_and_reports_info(ocr_rapid_engine, ocr_render_columns):
    image, _ = ocr_render_columns(columns=(("市政府宣布交通计划",),))
    bgr = np.repeat(image[:, :, None], 3, axis=2)
    lines = ocr_rapid_engine.recognize(bgr)
    assert [line.text for line in lines] == ["市政府宣布交通计划"]
    info = ocr_rapid_engine.info()
    assert "PP-OCRv6" in info["model"]
    assert info["version"].startswith("rapidocr 3.")
    assert isinstance(info["parameters"], dict)


def test_rapidocr_never_touches_the_network(monkeypatch, ocr_render_columns):
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    # A fresh engine (not the cached one) so that model loading happens under the patch.
    engine = get_engine("rapidocr", use_cls=False)
    image, _ = ocr_render_columns(columns=(("天气预报明天下雨",),))
    assert [line.text for line in engine.recognize(image)] == ["天气预报明天下雨"]
    assert engine.info()["parameters"] == {"preset": "fast", "use_cls": False, "rec_weights": engine.rec_weights}


def test_rapidocr_rejects_unknown_option():
    with pytest.raises(ValueError, match="unknown rapidocr option"):
        get_engine("rapidocr", bogus=1)


def test_blank_image_gives_no_lines(ocr_rapid_engine):
    assert ocr_rapid_engine.recognize(np.full((200, 300), 255, np.uint8)) == []


def test_make_line_horizontal_and_vertical():
    flat = make_line(0, "新闻报道", [(10, 10), (110, 12), (110, 37), (10, 35)], 0.9)
    assert not flat.vertical and flat.id == "l0"
    assert flat.bbox == (10.0, 10.0, 110.0, 37.0)
    assert flat.height == pytest.approx(25.0)
    tall = make_line(3, "新闻报道今天", [(50, 10), (74, 10), (74, 160), (50, 160)], 0.9)
    assert tall.vertical and tall.id == "l3"
    assert tall.height == pytest.approx(24.0)  # the width of the column of characters
    # A single tall glyph ("1") is not a vertical line.
    assert not make_line(1, "1", [(0, 0), (8, 0), (8, 30), (0, 30)], 0.9).vertical


# ------------------------------------------------------------------------- tesseract


def _tesseract_or_skip():
    try:
        return get_engine("tesseract", lang="eng", psm=3)
    except EngineUnavailable as exc:
        pytest.skip(f"tesseract engine unavailable: {exc}")


def test_tesseract_missing_package_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "pytesseract", None)
    with pytest.raises(EngineUnavailable, match=r"pip install 'pagestitch\[tesseract\]'"):
        get_engine("tesseract")


def test_tesseract_missing_language_says_what_to_apt_get():
    _tesseract_or_skip()
    with pytest.raises(EngineUnavailable, match="apt-get install tesseract-ocr-xxx"):
        get_engine("tesseract", lang="eng+xxx")


def test_tesseract_lines_in_engine_order():
    from PIL import Image, ImageDraw, ImageFont

    engine = _tesseract_or_skip()
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 28)
    img = Image.new("L", (900, 300), 255)
    draw = ImageDraw.Draw(img)
    texts = ["The council approved the budget", "after a long debate on Monday", "Residents welcomed the decision"]
    for i, text in enumerate(texts):
        draw.text((30, 30 + 60 * i), text, font=font, fill=0)
    lines = engine.recognize(np.array(img))
    assert [line.id for line in lines] == [f"l{i}" for i in range(len(lines))]
    assert [line.text for line in lines] == texts
    assert all(line.bbox[1] < nxt.bbox[1] for line, nxt in zip(lines, lines[1:]))
    assert all(15 <= (line.height or 0) <= 40 for line in lines)
    info = engine.info()
    assert info["parameters"]["lang"] == "eng" and info["version"].startswith("tesseract")


# ------------------------------------------------------------------ presets (issue 7)


def test_rapidocr_presets_and_info():
    from ocr.engines.rapidocr_engine import DEFAULT_PRESET, PRESETS

    assert DEFAULT_PRESET == "fast" and PRESETS["rapidocr-defaults"] == {}
    with pytest.raises(ValueError, match="unknown rapidocr preset"):
        get_engine("rapidocr", preset="turbo")


def test_rapidocr_defaults_preset_reads_and_reports_stages(ocr_render_columns):
    engine = get_engine("rapidocr", preset="rapidocr-defaults")
    image, _ = ocr_render_columns(columns=(("学校今年招收新生",),))
    assert [line.text for line in engine.recognize(image)] == ["学校今年招收新生"]
    assert engine.info()["parameters"] == {"preset": "rapidocr-defaults", "rec_weights": "fp32"}
    assert set(engine.last_timings) == {"det", "cls", "rec", "prep", "total"}
    assert engine.last_timings["cls"] > 0  # rapidocr's own default runs the classifier


def test_fast_preset_still_reads_an_upside_down_page(ocr_rapid_engine, ocr_render_columns):
    image, truth = ocr_render_columns(columns=(("市政府宣布交通计划", "居民表示欢迎支持", "专家认为措施有效"),))
    texts = sorted(line.text for line in ocr_rapid_engine.recognize(np.ascontiguousarray(image[::-1, ::-1])))
    assert texts == sorted(t for t, _ in truth)


def test_det_limit_follows_text_height():
    from ocr.engines.rapidocr_engine import DET_TEXT_PX, MIN_DET_SIDE, det_limit

    assert det_limit((2000, 1500), None) == 2000
    assert det_limit((2000, 1500), DET_TEXT_PX / 2) == 2000  # small text: never upscaled
    assert det_limit((4000, 3000), 2 * DET_TEXT_PX) == 2000  # big text: halved
    assert det_limit((4000, 3000), 20 * DET_TEXT_PX) == MIN_DET_SIDE


def test_text_height_of_rendered_page(ocr_render_columns):
    from ocr.engines.rapidocr_engine import text_height

    image, _ = ocr_render_columns(size=40, width=1200, height=900)
    assert 25 <= (text_height(image) or 0) <= 45
    assert text_height(np.full((100, 100), 255, np.uint8)) is None


# ------------------------------------------------------------------ paddleocr


def _paddle_or_skip():
    try:
        return get_engine("paddleocr")
    except EngineUnavailable as exc:
        pytest.skip(f"paddleocr engine unavailable: {exc}")


def test_paddleocr_reads_rendered_columns_offline(monkeypatch, ocr_render_columns):
    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    engine = _paddle_or_skip()
    image, truth = ocr_render_columns(columns=(("市政府宣布交通计划", "居民表示欢迎支持"),))
    lines = engine.recognize(image)
    assert sorted(line.text for line in lines) == sorted(t for t, _ in truth)
    assert all(line.polygon is not None and line.bbox[2] > line.bbox[0] for line in lines)
    assert engine.info()["version"].startswith("paddleocr")


# ------------------------------------------------------------------ benchmarks/engines.py


def test_engine_benchmark_scores_perfect_and_partial_reads():
    from benchmarks.engines import QUICK_DIR, quick_pages, score_page
    from layout.model import Line

    path, truth = quick_pages(QUICK_DIR, 1)[0]
    m = np.asarray(truth.scan.matrix, dtype=float)

    def to_pixels(box):
        corners = np.array([[box[0], box[1]], [box[2], box[1]], [box[2], box[3]], [box[0], box[3]]])
        xy = corners @ m[:, :2].T + m[:, 2]
        return (*xy.min(axis=0), *xy.max(axis=0))

    size = (truth.scan.width, truth.scan.height)
    perfect = [Line(id=f"l{i}", text=t.text, bbox=to_pixels(t.bbox)) for i, t in enumerate(truth.lines)]
    scores = score_page(perfect, truth, size)
    assert scores["edits"] == 0 and scores["missed"] == 0 and scores["matched"] == len(truth.lines)
    half = perfect[::2]
    scores = score_page(half, truth, size)
    assert scores["missed"] == len(truth.lines) - len(half)


# ------------------------------------------------------------------ concurrent recognition (issue 7)


def _sample_line_crops(count=40):
    """Line crops of samples/zh-4col.png cut around its known lines, as a detector would."""
    import json
    from pathlib import Path

    import cv2

    root = Path(__file__).resolve().parent.parent / "samples"
    page = cv2.imread(str(root / "zh-4col.png"))
    lines = json.loads((root / "zh-4col.lines.json").read_text(encoding="utf-8"))["lines"][:count]
    crops, texts = [], []
    for line in lines:
        x0, y0, x1, y1 = line["bbox"]
        pad = 0.3 * (y1 - y0)  # detector boxes reach a little beyond the glyphs
        crops.append(page[int(y0 - pad):int(y1 + pad) + 1, int(x0 - pad):int(x1 + pad) + 1])
        texts.append(line["text"])
    return crops, texts


def test_rec_input_scales_to_model_height_and_squeezes():
    from ocr.engines.rapidocr_engine import REC_HEIGHT, rec_input

    crop = np.full((20, 200, 3), 255, np.uint8)
    crop[:, 100:] = 0
    tensor = rec_input(crop, squeeze=0.75)
    assert tensor.shape == (1, 3, REC_HEIGHT, 360) and tensor.dtype == np.float32
    assert tensor.max() == pytest.approx(1.0) and tensor.min() == pytest.approx(-1.0)
    assert rec_input(crop).shape == (1, 3, REC_HEIGHT, 480)
    assert rec_input(np.zeros((30, 2, 3), np.uint8), squeeze=0.5).shape[3] >= 1


def test_concurrent_recognition_reads_like_sequential(ocr_rapid_engine):
    from rapidfuzz.distance import Levenshtein
    from rapidocr.ch_ppocr_rec.typings import TextRecInput

    from ocr.engines.rapidocr_engine import ConcurrentRecognizer

    recognizer = ocr_rapid_engine._ocr.text_rec
    assert isinstance(recognizer, ConcurrentRecognizer)  # the fast preset's recogniser
    crops, truth = _sample_line_crops()
    solo = ConcurrentRecognizer(recognizer.model_path, workers=1)
    many_workers = ConcurrentRecognizer(recognizer.model_path, workers=3)
    one = solo(TextRecInput(img=crops, return_word_box=True))
    many = many_workers(TextRecInput(img=crops, return_word_box=True))
    assert one.txts == many.txts and one.scores == many.scores
    assert [w.word_cols for w in one.word_results] == [w.word_cols for w in many.word_results]
    # In the crops' order, and read well despite the squeeze.
    edits = sum(Levenshtein.distance(a, b) for a, b in zip(many.txts, truth))
    assert edits <= 0.01 * sum(len(t) for t in truth)


def test_concurrent_recognizer_handles_no_and_empty_crops(ocr_rapid_engine):
    from rapidocr.ch_ppocr_rec.typings import TextRecInput

    recognizer = ocr_rapid_engine._ocr.text_rec
    assert len(recognizer(TextRecInput(img=[], return_word_box=True))) == 0
    out = recognizer(TextRecInput(img=[np.zeros((0, 5, 3), np.uint8)], return_word_box=False))
    assert out.txts == ("",)


def test_fast_preset_reads_lines_squeezed_unless_told_not_to():
    from ocr.engines import get_engine
    from ocr.engines.rapidocr_engine import REC_SQUEEZE, ConcurrentRecognizer

    assert REC_SQUEEZE == pytest.approx(0.75)
    recognizer = get_engine("rapidocr")._ocr.text_rec
    assert isinstance(recognizer, ConcurrentRecognizer) and recognizer.squeeze == pytest.approx(0.75)
    assert get_engine("rapidocr", rec_squeeze=1.0)._ocr.text_rec.squeeze == 1.0


def test_fast_preset_detector_keeps_the_memory_arena():
    from ocr.engines import get_engine

    def arena(engine):
        return engine._ocr._load_det_model().session.session.get_session_options().enable_cpu_mem_arena

    assert arena(get_engine("rapidocr")) is True
    assert arena(get_engine("rapidocr", preset="rapidocr-defaults")) is False  # rapidocr's own
