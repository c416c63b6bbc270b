"""Pure geometry on boxes ``(x0, y0, x1, y1)`` (the convention of layout.model).

Every helper takes and returns plain tuples; nothing here mutates its input.
"""

from __future__ import annotations

import math
from statistics import median
from typing import Iterable, Sequence

from layout.model import Box, Line, Point


def width(b: Box) -> float:
    return b[2] - b[0]


def height(b: Box) -> float:
    return b[3] - b[1]


def center(b: Box) -> Point:
    return ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0)


def union(boxes: Iterable[Box]) -> Box:
    it = iter(boxes)
    try:
        x0, y0, x1, y1 = next(it)
    except StopIteration:
        raise ValueError("union of no boxes") from None
    # One pass with plain comparisons: this runs for every block of every page.
    for b in it:
        if b[0] < x0:
            x0 = b[0]
        if b[1] < y0:
            y0 = b[1]
        if b[2] > x1:
            x1 = b[2]
        if b[3] > y1:
            y1 = b[3]
    return (x0, y0, x1, y1)


def overlap_1d(a0: float, a1: float, b0: float, b1: float) -> float:
    """Length of the overlap of two intervals (0 when they are apart)."""
    return max(0.0, min(a1, b1) - max(a0, b0))


def x_overlap(a: Box, b: Box) -> float:
    return overlap_1d(a[0], a[2], b[0], b[2])


def y_overlap(a: Box, b: Box) -> float:
    return overlap_1d(a[1], a[3], b[1], b[3])


def x_overlap_ratio(a: Box, b: Box) -> float:
    """Horizontal overlap relative to the narrower box (1 = one spans the other)."""
    narrow = min(width(a), width(b))
    return x_overlap(a, b) / narrow if narrow > 0 else 0.0


def y_overlap_ratio(a: Box, b: Box) -> float:
    short = min(a[3] - a[1], b[3] - b[1])
    if short <= 0:
        return 0.0
    return max(0.0, min(a[3], b[3]) - max(a[1], b[1])) / short


def area(b: Box) -> float:
    return max(0.0, width(b)) * max(0.0, height(b))


def iou(a: Box, b: Box) -> float:
    inter = x_overlap(a, b) * y_overlap(a, b)
    total = area(a) + area(b) - inter
    return inter / total if total > 0 else 0.0


def scale_box(b: Box, s: float) -> Box:
    return (b[0] * s, b[1] * s, b[2] * s, b[3] * s)


def rotate_point(p: Point, origin: Point, degrees: float) -> Point:
    """Rotate ``p`` about ``origin``; positive degrees turn clockwise on screen (y down)."""
    r = math.radians(degrees)
    dx, dy = p[0] - origin[0], p[1] - origin[1]
    return (origin[0] + dx * math.cos(r) - dy * math.sin(r), origin[1] + dx * math.sin(r) + dy * math.cos(r))


def polygon_box(points: Sequence[Point]) -> Box:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return (min(xs), min(ys), max(xs), max(ys))


def box_polygon(b: Box) -> tuple[Point, ...]:
    return ((b[0], b[1]), (b[2], b[1]), (b[2], b[3]), (b[0], b[3]))


def line_angle(line: Line) -> float | None:
    """Angle in degrees of a horizontal line's top edge, from its polygon (None without one)."""
    poly = line.polygon
    if not poly or len(poly) < 4 or line.vertical:
        return None
    (x0, y0), (x1, y1) = poly[0], poly[1]
    if x1 - x0 <= 2 * line.size:  # short lines give noisy angles
        return None
    return math.degrees(math.atan2(y1 - y0, x1 - x0))


def column_angle(line: Line) -> float | None:
    """Skew in degrees of a vertical line, from its polygon's long sides: how far the
    column leans off the vertical, signed as line_angle (positive: turned clockwise on
    screen, the column's foot to the left of its head). None without a polygon, for
    a horizontal line, or for a column under two of its widths long (noisy angles).

          h        a column turned clockwise by a: its foot (f) stands left of its
         /         head (h), the side from head to foot running (-sin a, cos a)
        f
    """
    poly = line.polygon
    if not poly or len(poly) != 4 or not line.vertical:
        return None
    # The long sides whichever way the detector ordered the corners: 0-1 / 3-2 or 0-3 / 1-2.
    pairs = [((poly[0], poly[1]), (poly[3], poly[2])), ((poly[0], poly[3]), (poly[1], poly[2]))]
    sides = max(pairs, key=lambda pr: math.dist(*pr[0]) + math.dist(*pr[1]))
    dx = sum(b[0] - a[0] for a, b in sides) / 2.0
    dy = sum(b[1] - a[1] for a, b in sides) / 2.0
    if dy < 0:  # read every side head to foot
        dx, dy = -dx, -dy
    if math.hypot(dx, dy) <= 2 * line.size:
        return None
    return math.degrees(math.atan2(-dx, dy))


def page_skew(lines: Sequence[Line], vertical: bool = False) -> float:
    """Median angle of the long lines that run the page's way (their top edges on a
    horizontal page, their sides on a vertical one): the skew left in the coordinates."""
    angle = column_angle if vertical else line_angle
    angles = [a for a in (angle(line) for line in lines) if a is not None and abs(a) < 10]
    return median(angles) if len(angles) >= 3 else 0.0


def upright_box(line: Line, origin: Point, skew: float) -> Box:
    """The line's box in a frame rotated by ``-skew`` (so skewed text becomes level)."""
    if abs(skew) < 1e-3:
        return line.bbox
    pts = line.polygon or box_polygon(line.bbox)
    return polygon_box([rotate_point(p, origin, -skew) for p in pts])


def to_reading_frame(b: Box, page_width: float, vertical: bool) -> Box:
    """Map a box into the frame where the page reads like a horizontal page.

    Vertical pages (text top to bottom, columns right to left) are turned a quarter turn:
    the page's y becomes x and its right edge becomes the top, so a vertical line turns
    into a horizontal line and the rightmost column into the topmost line.
    """
    if not vertical:
        return b
    x0, y0, x1, y1 = b
    return (y0, page_width - x1, y1, page_width - x0)


def median_or(values: Iterable[float], default: float) -> float:
    vs = [v for v in values if v > 0]
    return median(vs) if vs else default


def solid_above(b: Box, boxes: Iterable[Box], size: float, reach: float = 0.0) -> list[Box]:
    """The boxes set right over b in its column: less than ``size`` of white between
    them (or b reaching at most ``reach`` up into them), overlapping at least half the
    narrower's width; b itself left out."""
    return [o for o in boxes if -reach <= b[1] - o[3] < size and x_overlap_ratio(o, b) >= 0.5 and o != b]
