"""Separators: column rules and horizontal rules found in the page image.

A rule is a long, thin run of ink. Morphological opening with a long, one-pixel-wide
kernel keeps only such runs; the kernel's length is a multiple of the text size, so
the same setting works at 150 and at 600 dpi. Text strokes are far shorter than
several characters, so they vanish in the opening.
"""

from __future__ import annotations

from typing import Any

from layout import geometry as g
from layout.model import Page, Separator

MIN_LENGTH = 4.0  # a rule is at least this many text sizes long
MAX_THICKNESS = 0.35  # and at most this thick, in text sizes


def find_separators(page: Page, image: Any, size: float, skew: float = 0.0) -> tuple[Separator, ...]:
    """Rules in the image, in page coordinates. No image: no rules found."""
    if image is None:
        return ()
    import cv2
    import numpy as np

    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    scale = gray.shape[1] / page.width if page.width else 1.0
    if abs(skew) > 0.2:
        center = (gray.shape[1] / 2.0, gray.shape[0] / 2.0)
        m = cv2.getRotationMatrix2D(center, skew, 1.0)  # undo the skew so rules are level
        gray = cv2.warpAffine(gray, m, (gray.shape[1], gray.shape[0]), borderValue=255)
    ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)[1]
    s = max(2.0, size * scale)
    found: list[Separator] = []
    for kind, kernel in (("vertical", (1, int(MIN_LENGTH * s))), ("horizontal", (int(MIN_LENGTH * s), 1))):
        opened = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, kernel))
        n, _, stats, _ = cv2.connectedComponentsWithStats(opened, connectivity=8)
        for x, y, w, h, area in stats[1:n]:
            # Mean thickness: a long rule a fraction of a degree off level has a tall
            # bounding box, though it is thin all along.
            thick = area / max(h if kind == "vertical" else w, 1)
            if thick <= MAX_THICKNESS * s + 2:
                box = _back_to_page((x, y, x + w, y + h), gray.shape, skew, scale)
                found.append(Separator(box, kind))
    return tuple(_not_in_clusters(found, size))


CLUSTER_GAP = 1.5  # candidates this many text sizes apart, side by side, ...
CLUSTER_COUNT = 3  # ... this many or more, are strokes of display type, not rules,
CLUSTER_LENGTH = 12.0  # ... when shorter than this many text sizes (stems of large type)


def _not_in_clusters(found: list[Separator], size: float) -> list[Separator]:
    """Drop short candidates that stand in bunches: the stems of large (blackletter)
    type pass the opening like rules do, but come several to a letter and letter after
    letter, where a rule stands alone or doubled (or broken into pieces beside its
    whole length). A bunch is a chain of side-by-side candidates, each less than
    CLUSTER_GAP sizes from the next."""
    parent = list(range(len(found)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for a, s in enumerate(found):
        across = 0 if s.kind == "vertical" else 1  # the axis on which rules stand side by side
        along = 1 - across
        for b, t in enumerate(found[:a]):
            if t.kind == s.kind and abs(t.bbox[across] - s.bbox[across]) < CLUSTER_GAP * size \
                    and _overlap(s.bbox, t.bbox, along) > 0.5 * min(_span(s.bbox, along), _span(t.bbox, along)):
                parent[root(a)] = root(b)
    count: dict[int, int] = {}
    for k in range(len(found)):
        count[root(k)] = count.get(root(k), 0) + 1
    return [s for k, s in enumerate(found)
            if count[root(k)] < CLUSTER_COUNT or _span(s.bbox, 1 if s.kind == "vertical" else 0) >= CLUSTER_LENGTH * size]


def _span(box: tuple[float, float, float, float], axis: int) -> float:
    return box[axis + 2] - box[axis]


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float], axis: int) -> float:
    return min(a[axis + 2], b[axis + 2]) - max(a[axis], b[axis])


def _back_to_page(box: tuple[float, float, float, float], shape: tuple[int, ...], skew: float, scale: float) -> tuple[float, float, float, float]:
    if abs(skew) > 0.2:
        origin = (shape[1] / 2.0, shape[0] / 2.0)
        box = g.polygon_box([g.rotate_point(p, origin, skew) for p in g.box_polygon(box)])
    return g.scale_box(box, 1.0 / scale)


def merge_separators(a: tuple[Separator, ...], b: tuple[Separator, ...], size: float) -> tuple[Separator, ...]:
    """Union of two sets of rules, dropping near-duplicates of what ``a`` holds."""
    out = list(a)
    for s in b:
        if not any(t.kind == s.kind and g.iou(t.bbox, s.bbox) > 0.3 for t in out):
            out.append(s)
    return tuple(out)
