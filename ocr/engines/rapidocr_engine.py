"""RapidOCR (PP-OCR ONNX models) as a pagestitch engine, strictly offline."""

from __future__ import annotations

import importlib.metadata
import time
from pathlib import Path
from typing import Any

import numpy as np

from layout.model import Line
from ocr.engines.base import EngineUnavailable, as_bgr, make_line

INSTALL_HINT = "pip install 'rapidocr>=3.10,<4' onnxruntime"

# Model files shipped inside the rapidocr wheel. Naming them explicitly makes rapidocr
# skip its download branch entirely (it only downloads when model_path is unset).
_MODEL_FILES = {
    "Det": "PP-OCRv6_det_small.onnx",
    "Cls": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
    "Rec": "PP-OCRv6_rec_small.onnx",
}

# Short option names accepted by get_engine("rapidocr", ...) -> rapidocr config keys.
_SHORT_OPTIONS = {
    "use_cls": "Global.use_cls",
    "text_score": "Global.text_score",
    "max_side_len": "Global.max_side_len",
    "min_side_len": "Global.min_side_len",
    "limit_side_len": "Det.limit_side_len",
    "box_thresh": "Det.box_thresh",
    "unclip_ratio": "Det.unclip_ratio",
    "rec_batch_num": "Rec.rec_batch_num",
}


# Between two CJK characters (set solid) a gap this wide, in character heights, is a
# gutter; between Latin words, a gap wider than a justified line ever stretches.
CJK_GUTTER = 0.45
LATIN_GUTTER = 1.2
# Display type (headlines) sets its words an em apart ("随感录六十四　有无相通") and
# spans columns on purpose: it is cut only at much wider gaps.
DISPLAY_SIZE = 1.25
DISPLAY_GUTTER = 1.6


def split_at_gutters(text: str, quad: list[list[float]], words: Any, body: float = 0.0) -> list[tuple[str, list[list[float]]]]:
    """Cut one detected line where its words lie a gutter apart.

    ``words`` is the engine's ``(text, score, box)`` per word or character, and
    ``body`` the page's typical line height; without words the line stays whole.
    """
    if not words or len(words) < 2:
        return [(text, quad)]
    try:
        items = [(str(w[0]).strip(), [float(v) for v in np.asarray(w[2]).reshape(-1, 2)[:, 0]]) for w in words if str(w[0]).strip()]
    except (IndexError, TypeError, ValueError):
        return [(text, quad)]
    ys = [p[1] for p in quad]
    size = max(1.0, max(ys) - min(ys))
    display = body > 0 and size > DISPLAY_SIZE * body
    pieces: list[list[tuple[str, float, float]]] = [[]]
    prev_x1: float | None = None
    prev_t = ""
    for t, xs in items:
        x0, x1 = min(xs), max(xs)
        if prev_x1 is not None:
            cjk = _is_cjk(prev_t[-1:]) and _is_cjk(t[:1])
            limit = DISPLAY_GUTTER if display else CJK_GUTTER if cjk else LATIN_GUTTER
            if x0 - prev_x1 > limit * size:
                pieces.append([])
        pieces[-1].append((t, x0, x1))
        prev_x1, prev_t = x1, t
    if len(pieces) == 1:
        return [(text, quad)]
    return [(_join_words([w[0] for w in p]), _sub_quad(quad, p[0][1], p[-1][2])) for p in pieces]


def _is_cjk(ch: str) -> bool:
    return bool(ch) and (0x2E80 <= ord(ch) <= 0x9FFF or 0xF900 <= ord(ch) <= 0xFAFF or 0xFF00 <= ord(ch) <= 0xFFEF)


def _join_words(words: list[str]) -> str:
    out = ""
    for w in words:
        out += w if not out or _is_cjk(out[-1]) or _is_cjk(w[:1]) else " " + w
    return out


def _sub_quad(quad: list[list[float]], x0: float, x1: float) -> list[list[float]]:
    """The part of a (nearly level) line box between x0 and x1."""
    ys = [p[1] for p in quad]
    return [[x0, min(ys)], [x1, min(ys)], [x1, max(ys)], [x0, max(ys)]]


def _import_rapidocr() -> Any:
    try:
        import rapidocr
    except ImportError as exc:  # pragma: no cover - rapidocr is a core dependency
        raise EngineUnavailable(f"rapidocr is not installed: {INSTALL_HINT}") from exc
    return rapidocr


def _package_version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return ""


def _model_dir(rapidocr: Any) -> Path:
    return Path(rapidocr.__file__).resolve().parent / "models"


def _local_model_params(model_dir: Path) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for section, filename in _MODEL_FILES.items():
        path = model_dir / filename
        if not path.is_file():
            raise EngineUnavailable(
                f"rapidocr model {path} is missing (pagestitch never downloads models); "
                f"reinstall the wheel: pip install --force-reinstall 'rapidocr>=3.10,<4'"
            )
        params[f"{section}.model_path"] = str(path)
    return params


def _user_params(options: dict[str, Any]) -> dict[str, Any]:
    """Map friendly option names to rapidocr keys; dotted keys pass through as given."""
    params: dict[str, Any] = {}
    for key, value in options.items():
        if value is None:
            continue
        if key == "threads":
            params["EngineConfig.onnxruntime.intra_op_num_threads"] = int(value)
        elif key in _SHORT_OPTIONS:
            params[_SHORT_OPTIONS[key]] = value
        elif "." in key:
            params[key] = value
        else:
            raise ValueError(
                f"unknown rapidocr option {key!r}; use one of {sorted(_SHORT_OPTIONS)}, "
                "'threads', or a dotted rapidocr config key such as 'Det.thresh'"
            )
    return params


class RapidOCREngine:
    """PP-OCR detection + recognition via rapidocr; defaults are rapidocr's own."""

    name = "rapidocr"

    def __init__(self, **options: Any) -> None:
        rapidocr = _import_rapidocr()
        self._version = _package_version("rapidocr")
        self._options = {k: v for k, v in options.items() if v is not None}
        params = _local_model_params(_model_dir(rapidocr))
        params["Global.log_level"] = "warning"  # rapidocr logs every model path at info
        params.update(_user_params(self._options))
        started = time.perf_counter()
        self._ocr = rapidocr.RapidOCR(params=params)
        self._load_seconds = time.perf_counter() - started

    def recognize(self, image: np.ndarray) -> list[Line]:
        # Word boxes (characters, for CJK) let a line that the detector ran across a
        # narrow gutter be cut back into its columns.
        result = self._ocr(as_bgr(image), return_word_box=True)
        boxes = getattr(result, "boxes", None)
        if boxes is None:
            return []
        texts = result.txts or ()
        scores = result.scores or ()
        words = getattr(result, "word_results", None) or [None] * len(texts)
        heights = [float(np.ptp(np.asarray(q)[:, 1])) for q in boxes]
        body = float(np.median(heights)) if heights else 1.0
        lines: list[Line] = []
        for quad, text, score, word in zip(boxes, texts, scores, words):
            if not str(text).strip():
                continue
            quad_list = np.asarray(quad).tolist()
            for piece_text, piece_quad in split_at_gutters(str(text), quad_list, word, body):
                lines.append(make_line(len(lines), piece_text, piece_quad, score))
        return lines

    def info(self) -> dict[str, Any]:
        return {
            "model": "+".join(Path(f).stem for f in _MODEL_FILES.values()),
            "version": f"rapidocr {self._version}",
            "parameters": dict(self._options),
        }
