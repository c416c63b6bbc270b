"""The OCR engine protocol shared by every backend, and the helpers they all use."""

from __future__ import annotations

import math
from typing import Any, Protocol, Sequence, runtime_checkable

import numpy as np

from layout.continuity import is_cjk
from layout.model import Box, Line, Point


class EngineUnavailable(RuntimeError):
    """The backend (Python package, binary or model) is not installed."""


@runtime_checkable
class Engine(Protocol):
    """Turns one page image into lines. Implementations keep no per-call state."""

    name: str

    def recognize(self, image: np.ndarray) -> list[Line]:
        """Lines ``l0, l1, …`` in pixel coordinates of ``image`` (gray or BGR uint8)."""
        ...

    def info(self) -> dict[str, Any]:
        """``{"model": ..., "version": ..., "parameters": {...}}`` for provenance."""
        ...


def bbox_of(points: Sequence[Point]) -> Box:
    xs = [float(p[0]) for p in points]
    ys = [float(p[1]) for p in points]
    return (min(xs), min(ys), max(xs), max(ys))


def _dist(a: Point, b: Point) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


def quad_extent(quad: Sequence[Point]) -> tuple[float, float]:
    """(length along the text, thickness across it) of a 4-point box.

    Points come clockwise from top-left as detectors give them; averaging opposite
    edges makes the measure robust to slightly non-rectangular quads.
    """
    p0, p1, p2, p3 = quad[:4]
    along = (_dist(p0, p1) + _dist(p3, p2)) / 2.0
    across = (_dist(p0, p3) + _dist(p1, p2)) / 2.0
    return along, across


def is_vertical_box(width: float, height: float, text: str) -> bool:
    """A column of stacked characters: much taller than wide, several characters.

    A single character or a short word can be taller than wide by accident (e.g. "1"),
    so both the aspect and the number of characters must agree. CJK characters in a
    vertical line are set solid but the detector's box is padded sideways, so a column
    of n characters is often only ~0.7 n box widths long.
    """
    chars = len(text.replace(" ", ""))
    per_char = 0.5 if any(is_cjk(ch) for ch in text) else 0.8
    return chars >= 2 and height > 1.5 * width and height > per_char * chars * width


def make_line(index: int, text: str, quad: Sequence[Point], confidence: float | None) -> Line:
    """A Line from a 4-point box: polygon, bbox, measured height and orientation."""
    poly = tuple((float(x), float(y)) for x, y in quad)
    box = bbox_of(poly)
    along, across = quad_extent(poly)
    vertical = is_vertical_box(box[2] - box[0], box[3] - box[1], text)
    # Horizontal: distance between the top and bottom edges. Vertical: the column's
    # width, i.e. the short side whichever way the detector ordered the corners.
    height = min(along, across) if vertical else across
    return Line(
        id=f"l{index}",
        text=text,
        bbox=box,
        polygon=poly,
        confidence=None if confidence is None else float(confidence),
        height=max(1.0, height),
        vertical=vertical,
    )


def as_bgr(image: np.ndarray) -> np.ndarray:
    """Engines want 3-channel uint8; gray pages are expanded, not converted twice."""
    if image.ndim == 2:
        return np.ascontiguousarray(np.repeat(image[:, :, None], 3, axis=2))
    return np.ascontiguousarray(image[:, :, :3])


def package_version(dist: str) -> str:
    """Installed version of a distribution, or "" when it is not installed."""
    import importlib.metadata

    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return ""
