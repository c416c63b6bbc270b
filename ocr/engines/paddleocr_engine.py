"""PaddleOCR engine: registered by name, implemented with a later issue."""

from __future__ import annotations

from typing import Any

import numpy as np

from layout.model import Line
from ocr.engines.base import EngineUnavailable


class PaddleOCREngine:
    name = "paddleocr"

    def __init__(self, **options: Any) -> None:
        raise EngineUnavailable(
            "paddleocr engine arrives with issue 7; use engine 'rapidocr' (same PP-OCR "
            "models, ONNX) or 'tesseract' for now. It will need: pip install 'pagestitch[paddle]'"
        )

    def recognize(self, image: np.ndarray) -> list[Line]:  # pragma: no cover
        raise EngineUnavailable("paddleocr engine arrives with issue 7")

    def info(self) -> dict[str, Any]:  # pragma: no cover
        return {"model": "", "version": "", "parameters": {}}
