"""Draw any stage's result on the page image: separators, columns, blocks with roles,
articles in colour and the reading order as numbered arrows."""

from __future__ import annotations

from typing import Any

from layout.model import Box, Page

_PALETTE = [
    (31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
    (140, 86, 75), (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207),
]


def _canvas(page: Page, image: Any) -> tuple[Any, float]:
    import cv2
    import numpy as np

    if image is None:
        scale = 1.0 if max(page.width, page.height) >= 800 else 800 / max(1.0, max(page.width, page.height))
        canvas = np.full((int(page.height * scale) + 1, int(page.width * scale) + 1, 3), 255, np.uint8)
        return canvas, scale
    canvas = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR) if image.ndim == 2 else image.copy()
    return canvas, canvas.shape[1] / page.width if page.width else 1.0


def _pt(x: float, y: float, s: float) -> tuple[int, int]:
    return (int(round(x * s)), int(round(y * s)))


def _rect(img: Any, b: Box, s: float, color: tuple[int, int, int], thick: int) -> None:
    import cv2

    cv2.rectangle(img, _pt(b[0], b[1], s), _pt(b[2], b[3], s), color, thick)


def draw_overlay(page: Page, image: Any = None) -> Any:
    """A BGR image with the page's layout drawn on it."""
    import cv2

    img, s = _canvas(page, image)
    unit = max(1, int(round(img.shape[1] / 1000)))
    for col in page.columns:
        _rect(img, col.bbox, s, (230, 200, 160), unit)
    for sep in page.separators:
        _rect(img, sep.bbox, s, (200, 0, 200) if sep.kind == "picture" else (0, 0, 255), 2 * unit)
    article_of = {bid: k for k, a in enumerate(page.articles) for bid in a.block_ids}
    blocks = page.block_by_id()
    for b in page.blocks:
        color = _PALETTE[article_of[b.id] % len(_PALETTE)] if b.id in article_of else (160, 160, 160)
        _rect(img, b.bbox, s, color, 2 * unit)
        cv2.putText(img, b.role[:4], _pt(b.bbox[0], b.bbox[3], s), cv2.FONT_HERSHEY_SIMPLEX, 0.4 * unit, color, unit)
    centers = [_center(blocks[bid].bbox, s) for bid in page.reading_order]
    for k, (p, q) in enumerate(zip(centers, centers[1:])):
        cv2.arrowedLine(img, p, q, (0, 0, 200), unit, tipLength=0.02)
    for k, p in enumerate(centers):
        cv2.putText(img, str(k + 1), p, cv2.FONT_HERSHEY_SIMPLEX, 0.6 * unit, (0, 0, 160), 2 * unit)
    return img


def _center(b: Box, s: float) -> tuple[int, int]:
    return _pt((b[0] + b[2]) / 2, (b[1] + b[3]) / 2, s)


def write_overlay(page: Page, image: Any, path: str) -> None:
    import cv2

    if not cv2.imwrite(path, draw_overlay(page, image)):
        raise OSError(f"{path}: could not write the overlay image")
