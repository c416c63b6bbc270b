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
    import numpy as np
    from scipy.sparse.csgraph import connected_components

    if not found:
        return found
    b = np.asarray([s.bbox for s in found], dtype=float)
    vertical = np.array([s.kind == "vertical" for s in found])
    # Per candidate: where it stands across (x of a vertical rule, y of a horizontal one)
    # and its extent along.
    across = np.where(vertical, b[:, 0], b[:, 1])
    lo, hi = np.where(vertical, b[:, 1], b[:, 0]), np.where(vertical, b[:, 3], b[:, 2])
    length = hi - lo
    overlap = np.minimum.outer(hi, hi) - np.maximum.outer(lo, lo)
    chained = ((vertical[:, None] == vertical[None, :])
               & (np.abs(np.subtract.outer(across, across)) < CLUSTER_GAP * size)
               & (overlap > 0.5 * np.minimum.outer(length, length)))
    _, label = connected_components(chained, directed=False)
    count = np.bincount(label)
    return [s for k, s in enumerate(found) if count[label[k]] < CLUSTER_COUNT or length[k] >= CLUSTER_LENGTH * size]


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
