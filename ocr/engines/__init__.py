"""OCR engines behind one protocol; each backend is imported only when asked for."""

from __future__ import annotations

import importlib
from typing import Any

from ocr.engines.base import Engine, EngineUnavailable

DEFAULT_ENGINE = "rapidocr"

# name -> (module, factory). Modules import their backend lazily so that a missing
# optional package only matters when that engine is chosen.
_REGISTRY: dict[str, tuple[str, str]] = {
    "rapidocr": ("ocr.engines.rapidocr_engine", "RapidOCREngine"),
    "tesseract": ("ocr.engines.tesseract_engine", "TesseractEngine"),
    "paddleocr": ("ocr.engines.paddleocr_engine", "PaddleOCREngine"),
}


def engine_names() -> list[str]:
    return sorted(_REGISTRY)


def get_engine(name: str = DEFAULT_ENGINE, **options: Any) -> Engine:
    """Build the engine called ``name``; raises EngineUnavailable if not installed."""
    key = name.strip().lower()
    if key not in _REGISTRY:
        raise ValueError(f"unknown OCR engine {name!r}; choose one of {engine_names()}")
    module_name, factory = _REGISTRY[key]
    module = importlib.import_module(module_name)
    engine: Engine = getattr(module, factory)(**options)
    return engine


__all__ = ["Engine", "EngineUnavailable", "get_engine", "engine_names", "DEFAULT_ENGINE"]
