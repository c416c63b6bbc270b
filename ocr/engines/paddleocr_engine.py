"""PaddleOCR 3.x as a pagestitch engine, run offline on ONNX Runtime.

PaddleOCR downloads its models on first use; pagestitch never downloads. So the
engine builds local model folders from the PP-OCR ONNX files shipped in the
rapidocr wheel, each with the ``inference.yml`` PaddleX expects (the recogniser's
character list comes from the ONNX file's own metadata), and runs PaddleOCR with
``engine="onnxruntime"`` on them.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from layout.model import Line
from ocr.engines.base import package_version, EngineUnavailable, as_bgr, make_line
from ocr.gutters import cut_lines, raw_line

INSTALL_HINT = "pip install 'pagestitch[paddle]'"
# PaddleX model names whose pre/post-processing matches the ONNX files below.
DET_NAME = "PP-OCRv6_small_det"
REC_NAME = "PP-OCRv6_small_rec"
_DET_FILE = "PP-OCRv6_det_small.onnx"
_REC_FILE = "PP-OCRv6_rec_small.onnx"


def _import_paddleocr() -> Any:
    # PaddleX checks for model hosts at import; these keep it quiet and offline.
    os.environ.setdefault("PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK", "True")
    os.environ.setdefault("DISABLE_MODEL_SOURCE_CHECK", "True")
    try:
        import paddleocr
    except ImportError as exc:
        raise EngineUnavailable(f"paddleocr engine needs PaddleOCR 3.x: {INSTALL_HINT}") from exc
    return paddleocr


def _rapidocr_models() -> Path:
    try:
        import rapidocr
    except ImportError as exc:  # pragma: no cover - rapidocr is a core dependency
        raise EngineUnavailable("paddleocr engine reuses rapidocr's ONNX models; pip install rapidocr") from exc
    return Path(rapidocr.__file__).resolve().parent / "models"


def _characters(onnx_path: Path) -> list[str]:
    import onnxruntime as ort

    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    chars = session.get_modelmeta().custom_metadata_map.get("character", "")
    if not chars:
        raise EngineUnavailable(f"{onnx_path} carries no character list in its metadata")
    return chars.split("\n")


def _det_yaml() -> dict[str, Any]:
    return {
        "Global": {"model_name": DET_NAME},
        "PreProcess": {"transform_ops": [
            {"DecodeImage": {"channel_first": False, "img_mode": "BGR"}},
            {"DetResizeForTest": {"resize_long": 960}},
            {"NormalizeImage": {"mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225],
                                "scale": "1./255.", "order": "hwc"}},
            {"ToCHWImage": None},
            {"KeepKeys": {"keep_keys": ["image", "shape", "polys", "ignore_tags"]}},
        ]},
        "PostProcess": {"name": "DBPostProcess", "thresh": 0.3, "box_thresh": 0.6,
                        "max_candidates": 1000, "unclip_ratio": 1.5},
    }


def _rec_yaml(characters: list[str]) -> dict[str, Any]:
    return {
        "Global": {"model_name": REC_NAME},
        "PreProcess": {"transform_ops": [
            {"DecodeImage": {"channel_first": False, "img_mode": "BGR"}},
            {"RecResizeImg": {"image_shape": [3, 48, 320]}},
            {"KeepKeys": {"keep_keys": ["image", "length"]}},
        ]},
        "PostProcess": {"name": "CTCLabelDecode", "character_dict": characters},
    }


def _write_model_dir(folder: Path, onnx: Path, config: dict[str, Any]) -> None:
    import yaml

    if (folder / "inference.yml").is_file() and (folder / "inference.onnx").is_file():
        return
    tmp = folder.with_name(folder.name + f".tmp{os.getpid()}")
    tmp.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(onnx, tmp / "inference.onnx")
    (tmp / "inference.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    try:
        tmp.replace(folder)  # atomic: another process may be building the same folder
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)


def model_dirs(root: Path | None = None) -> tuple[Path, Path]:
    """(detection, recognition) model folders, built once from rapidocr's ONNX files."""
    models = _rapidocr_models()
    det, rec = models / _DET_FILE, models / _REC_FILE
    for path in (det, rec):
        if not path.is_file():
            raise EngineUnavailable(f"model {path} is missing; reinstall rapidocr")
    tag = hashlib.sha256(f"{det.stat().st_size}-{rec.stat().st_size}".encode()).hexdigest()[:10]
    base = root or Path(os.environ.get("PAGESTITCH_MODELS", "~/.cache/pagestitch/models")).expanduser() / "paddle"
    det_dir, rec_dir = base / f"det-{tag}", base / f"rec-{tag}"
    _write_model_dir(det_dir, det, _det_yaml())
    _write_model_dir(rec_dir, rec, _rec_yaml(_characters(rec)))
    return det_dir, rec_dir


class PaddleOCREngine:
    """PaddleOCR's text pipeline (detection + recognition, no document models)."""

    name = "paddleocr"

    def __init__(self, model_root: str | Path | None = None, **options: Any) -> None:
        paddleocr = _import_paddleocr()
        det_dir, rec_dir = model_dirs(Path(model_root) if model_root else None)
        self._options = dict(options)
        self._version = _version("paddleocr")
        try:
            self._ocr = paddleocr.PaddleOCR(
                engine="onnxruntime",
                text_detection_model_name=DET_NAME,
                text_detection_model_dir=str(det_dir),
                text_recognition_model_name=REC_NAME,
                text_recognition_model_dir=str(rec_dir),
                # The document-level models would be downloaded; pages here are upright.
                use_doc_orientation_classify=False,
                use_doc_unwarping=False,
                use_textline_orientation=False,
                **options,
            )
        except EngineUnavailable:
            raise
        except Exception as exc:  # PaddleX raises many kinds; all mean "cannot run here"
            raise EngineUnavailable(_start_failure(exc)) from exc

    def recognize(self, image: np.ndarray) -> list[Line]:
        lines: list[Line] = []
        # Word boxes let a line run across a narrow gutter be cut back into its columns,
        # as for rapidocr (same detector, same habit).
        for result in self._ocr.predict(as_bgr(image), return_word_box=True):
            texts = list(result.get("rec_texts") or [])
            scores = list(result.get("rec_scores") or [])
            polys = list(result.get("rec_polys") if result.get("rec_polys") is not None else [])
            words = _word_lists(result, len(texts))
            raw = [raw_line(str(t), np.asarray(q, dtype=float).reshape(-1, 2)[:4], float(s), w)
                   for t, s, q, w in zip(texts, scores, polys, words) if str(t).strip()]
            for text, quad, score in cut_lines(raw):
                lines.append(make_line(len(lines), text, quad, score))
        return lines

    def info(self) -> dict[str, Any]:
        return {
            "model": f"{DET_NAME}+{REC_NAME} (onnx)",
            "version": f"paddleocr {self._version}",
            "parameters": dict(self._options),
        }


def _word_lists(result: Any, count: int) -> list[Any]:
    """Per line, ``(word, score, box)`` triples as ocr.gutters wants; None if absent."""
    words, regions = result.get("text_word"), result.get("text_word_region")
    if not words or not regions or len(words) != count or len(regions) != count:
        return [None] * count
    return [[(w, 1.0, r) for w, r in zip(ws, rs)] for ws, rs in zip(words, regions)]


def _start_failure(exc: Exception) -> str:
    message = f"PaddleOCR could not start offline: {exc}"
    if "dependency" in str(exc).lower():
        # PaddleX checks for the opencv-contrib-python distribution by name, and that
        # package replaces the opencv-python-headless that pagestitch itself uses.
        message += (" PaddleX's OCR extra wants opencv-contrib-python (which conflicts with"
                    " opencv-python-headless) and numpy<2.4; install 'pagestitch[paddle]'"
                    " in a separate virtual environment.")
    return message


def _version(dist: str) -> str:
    return package_version(dist)
