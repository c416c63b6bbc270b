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
        result = self._ocr(as_bgr(image))
        boxes = getattr(result, "boxes", None)
        if boxes is None:
            return []
        texts = result.txts or ()
        scores = result.scores or ()
        lines: list[Line] = []
        for quad, text, score in zip(boxes, texts, scores):
            if not str(text).strip():
                continue
            lines.append(make_line(len(lines), str(text), np.asarray(quad).tolist(), score))
        return lines

    def info(self) -> dict[str, Any]:
        return {
            "model": "+".join(Path(f).stem for f in _MODEL_FILES.values()),
            "version": f"rapidocr {self._version}",
            "parameters": dict(self._options),
        }
