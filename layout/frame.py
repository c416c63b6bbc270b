"""The reading frame: every line's box turned so that the page reads like a level,
horizontal page, plus the measured text size that all thresholds are relative to.

Stages work in this frame and never look at raw coordinates, so one algorithm serves
skewed scans and vertical CJK pages alike. The frame is derived, never stored.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import median
from typing import Any

import numpy as np

from layout import geometry as g
from layout.continuity import is_cjk_text, strip_cjk
from layout.model import Box, Line, Page, Separator


@dataclass(frozen=True)
class Frame:
    boxes: tuple[Box, ...]  # one per page line, same index as page.lines
    sizes: tuple[float, ...]  # text size of each line
    size: float  # median text size of the page (the unit of every threshold)
    char_width: float  # median advance of one character
    vertical: bool
    skew: float
    separators: tuple[tuple[Box, str], ...]  # (box in frame, kind)
    # True when sizes are exact font sizes (a PDF's text layer): then a small size step
    # means another style (a byline, a caption), not measuring noise.
    precise: bool = False
    # Per line: set heavier than the running text (None: not known). Where most of the
    # page's text is heavy, weight tells nothing and every entry is None.
    bold: tuple[bool | None, ...] = ()

    def is_bold(self, i: int) -> bool | None:
        return self.bold[i] if self.bold else None


def detect_vertical(lines: tuple[Line, ...]) -> bool:
    """A page is vertical when most of its text runs in vertical lines."""
    if not lines:
        return False
    chars_v = sum(len(line.text) for line in lines if _looks_vertical(line))
    chars_all = sum(len(line.text) for line in lines)
    return chars_all > 0 and chars_v / chars_all > 0.5


def _looks_vertical(line: Line) -> bool:
    if line.vertical:
        return True
    w, h = g.width(line.bbox), g.height(line.bbox)
    return len(line.text.strip()) >= 3 and h > 2.5 * w


def _char_width(lines: tuple[Line, ...], boxes: tuple[Box, ...]) -> float:
    advances = [g.width(b) / len(line.text) for line, b in zip(lines, boxes) if len(line.text.strip()) >= 4]
    return median(advances) if advances else 1.0


def _separator_kind(kind: str, vertical: bool) -> str:
    # A quarter turn swaps vertical and horizontal rules.
    if not vertical or kind not in ("vertical", "horizontal"):
        return kind
    return "horizontal" if kind == "vertical" else "vertical"


def build_frame(page: Page, direction: str | None = None) -> Frame:
    """Measure the page and map its boxes into the reading frame.

    ``direction`` forces "horizontal" or "vertical"; None detects it.
    """
    vertical = detect_vertical(page.lines) if direction is None else direction == "vertical"
    skew = g.page_skew(page.lines, vertical)
    origin = (page.width / 2.0, page.height / 2.0)
    upright = tuple(g.upright_box(line, origin, skew) for line in page.lines)
    boxes = tuple(g.to_reading_frame(b, page.width, vertical) for b in upright)
    sizes = tuple(_line_size(line, b, vertical) for line, b in zip(page.lines, boxes))
    precise = page.provenance.engine in PRECISE_SOURCES
    if not precise:
        sizes = _with_advances(page.lines, boxes, sizes, vertical)
        if page.provenance.engine not in DETECTED_SOURCES:
            boxes, sizes = cap_intruders(boxes, sizes)
    size = g.median_or(sizes, 10.0)
    seps = tuple(_frame_separator(s, page, origin, skew, vertical) for s in page.separators)
    return Frame(boxes, sizes, size, _char_width(page.lines, boxes), vertical, skew, seps, precise, _weights(page.lines))


ADVANCE_MIN_CHARS = 6  # lines this long have an advance worth measuring,
ADVANCE_FULL_CHARS = 10.0  # ... counting fully from this many ems (shorter: partly)


def _with_advances(lines: tuple[Line, ...], boxes: tuple[Box, ...], sizes: tuple[float, ...],
                   vertical: bool) -> tuple[float, ...]:
    """Measured sizes steadied by the character advance (box width per character).

    An OCR box's height is the type's size plus the detector's padding, so a head set
    1.2 times larger than the text measures barely taller; its characters are as much
    wider, and over a line of characters the width is measured well. Each line's size
    is the geometric mean of its height and its advance scaled to heights.
    """
    cjk = is_cjk_text("".join(ln.text for ln in lines))
    counts = [_advance_chars(ln.text, vertical, cjk) for ln in lines]
    adv = [g.width(b) / n if n else None for n, b in zip(counts, boxes)]
    known = [(a, s) for a, s in zip(adv, sizes) if a]
    if len(known) < 5:
        return sizes
    scale = median(s for _, s in known) / median(a for a, _ in known)
    weight = [min(1.0, n / ADVANCE_FULL_CHARS) for n in counts]
    return tuple(s ** (1 - w / 2) * (a * scale) ** (w / 2) if a else s for a, s, w in zip(adv, sizes, weight))


# Average widths in ems of the signs of Latin type (roman faces): capitals are about a
# third wider than lower case, a word space about a third of an em. Without this an
# all-capitals line ("SPECTACLES", a cast list) reads as type set larger.
LATIN_EMS = {"lower": 0.5, "upper": 0.68, "digit": 0.55, "space": 0.3, "other": 0.35}
# CJK fonts set ellipses and dashes a full cell wide ("……", "——").
CJK_WIDE_SIGNS = "…—"


def _advance_chars(text: str, vertical: bool = False, cjk: bool | None = None) -> float:
    """How many ems of width the line's characters take: a CJK character (or full-width
    sign) one, Latin signs their average width (LATIN_EMS); set vertically, every sign
    takes a full cell. On a CJK page (``cjk``; by default: this line's script) spaces
    are the OCR's, not the type's, and count nothing. Lines of fewer than
    ADVANCE_MIN_CHARS characters count 0 (not measured)."""
    text = text.strip()
    cjk_page = is_cjk_text(text) if cjk is None else cjk
    counted = text.replace(" ", "") if cjk_page else text
    if len(counted) < ADVANCE_MIN_CHARS:
        return 0.0
    if vertical:
        return float(len(counted))
    # Counted with str methods and one regex: this runs over every character of a page.
    rest = strip_cjk(counted)
    if not rest:
        return float(len(counted))  # CJK set solid: a cell each
    if cjk_page:
        for sign in CJK_WIDE_SIGNS:
            rest = rest.replace(sign, "")
    return len(counted) - len(rest) + latin_ems(rest)


def latin_ems(text: str) -> float:
    """Width of the text in ems, every sign at its kind's average width (LATIN_EMS:
    upper and lower case, digit, space, any other sign)."""
    upper = sum(map(str.isupper, text))
    lower = sum(map(str.islower, text))
    digit = sum(map(str.isdigit, text))
    space = text.count(" ")
    other = len(text) - upper - lower - digit - space
    return (LATIN_EMS["upper"] * upper + LATIN_EMS["lower"] * lower + LATIN_EMS["digit"] * digit
            + LATIN_EMS["space"] * space + LATIN_EMS["other"] * other)


def _weights(lines: tuple[Line, ...]) -> tuple[bool | None, ...]:
    known = [(line.bold, len(line.text)) for line in lines if line.bold is not None]
    heavy = sum(n for b, n in known if b)
    if not known or 2 * heavy > sum(n for _, n in known):
        return ()
    return tuple(line.bold for line in lines)


# A line box reaching this share of its height into the box of the line above, beyond
# what the page's boxes usually overlap, was drawn too tall (a hand-drawn line, a box
# padded over the neighbour's descenders).
INTRUSION = 0.15
PITCH_REACH = 2.5  # a line within this many of its heights under another is set under it
RUNNING_PITCH = 1.3  # a pitch up to this many times the page's typical one is the text's


def cap_intruders(boxes: tuple[Box, ...], sizes: tuple[float, ...]) -> tuple[tuple[Box, ...], tuple[float, ...]]:
    """Sizes and boxes of lines whose box reaches into a neighbour's, from their pitch.

    Text is set at a pitch a little larger than its size; the page's typical pitch
    (baseline to baseline, read as bottom to bottom) and its ratio of size to pitch are
    measured on its lines. A box that reaches well into the line above in its column
    (or a line whose box the line below reaches into) while the line keeps the running
    text's pitch was drawn too tall: the line is running text, its size that ratio
    times its pitch, its box cut back by the excess::

        aaaaaaaaaaaaaaaaaaa          B's box reaches a third of its height into line
        BBBBBBBBBBBBBBBBBBB          a, but its bottom is one pitch under a's: B is
        bbbbbbbbbbbbbbbbbbb          running text, not a headline

    A headline has white space around it and its own larger pitch: it keeps its size.
    """
    n = len(boxes)
    if n < 3:
        return boxes, sizes
    b = np.asarray(boxes, dtype=float).reshape(n, 4)
    y0, y1 = b[:, 1], b[:, 3]
    h = np.maximum(y1 - y0, 1e-6)
    up, down = column_neighbours(b)
    has_up, has_down = up >= 0, down >= 0
    # Pitches bottom to bottom (about baseline to baseline): a box drawn too tall is too
    # tall at the top, where the ascenders and accents are, and keeps its bottom.
    pitch_up = np.where(has_up, y1 - y1[up], 0.0)
    pitch_down = np.where(has_down, y1[down] - y1, 0.0)
    # How far boxes reach into the line above is the page's own habit (a detector that
    # pads its boxes makes every line overlap its neighbours): only the excess counts.
    into = np.where(has_up, y1[up] - y0, 0.0)
    near = has_up & (pitch_up > 0) & (pitch_up < PITCH_REACH * h)
    if near.sum() < 5:
        return boxes, sizes
    excess = into - max(0.0, float(np.median(into[near])))
    top = has_up & (excess > INTRUSION * h)  # reaches into the line above
    bottom = has_down & top[np.maximum(down, 0)]  # the line below reaches into it
    plain = near & ~top
    if not top.any() or plain.sum() < 5:
        return boxes, sizes
    typical = float(np.median(pitch_up[plain]))
    leading = float(np.median(np.asarray(sizes)[plain] / pitch_up[plain]))  # size per pitch
    pitch = np.maximum(pitch_up, pitch_down)
    running = (top | bottom) & (pitch > 0) & (pitch <= RUNNING_PITCH * typical)
    out_boxes, out_sizes = list(boxes), list(sizes)
    for i in np.nonzero(running)[0]:
        out_sizes[i] = min(sizes[i], leading * float(pitch[i]))
        if top[i]:
            out_boxes[i] = (boxes[i][0], boxes[i][1] + float(excess[i]), boxes[i][2], boxes[i][3])
    return tuple(out_boxes), tuple(out_sizes)


NEIGHBOUR_REACH = 3.0  # neighbours are looked for this many of a line's heights away


def column_neighbours(b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each box (rows of b), the nearest box right above and right below it in its
    column (x ranges overlapping by half the narrower, middles half a height apart or
    more), -1 where none stands within NEIGHBOUR_REACH heights. Only the boxes in that
    band are compared, so a page costs lines x lines-in-a-band, not lines squared."""
    n = len(b)
    x0, y0, x1, y1 = (b[:, k] for k in range(4))
    h = np.maximum(y1 - y0, 1e-6)
    cy = (y0 + y1) / 2.0
    by_y = np.argsort(cy, kind="stable")
    lo = np.searchsorted(cy[by_y], cy - NEIGHBOUR_REACH * h, side="left")
    hi = np.searchsorted(cy[by_y], cy + NEIGHBOUR_REACH * h, side="right")
    width = int((hi - lo).max())
    slot = lo[:, None] + np.arange(width)[None, :]
    valid = slot < hi[:, None]
    j = by_y[np.minimum(slot, n - 1)]
    overlap = np.minimum(x1[:, None], x1[j]) - np.maximum(x0[:, None], x0[j])
    column = valid & (overlap >= 0.5 * np.minimum((x1 - x0)[:, None], (x1 - x0)[j]))
    apart = 0.5 * np.minimum(h[:, None], h[j])
    above = column & (cy[:, None] - cy[j] > apart)
    below = column & (cy[j] - cy[:, None] > apart)
    up = np.where(above, y1[j], -np.inf).argmax(axis=1)
    down = np.where(below, y0[j], np.inf).argmin(axis=1)
    rows = np.arange(n)
    return (np.where(above.any(axis=1), j[rows, up], -1), np.where(below.any(axis=1), j[rows, down], -1))


# Readers whose line heights are font sizes, not measurements.
PRECISE_SOURCES = ("pdf",)
# Lines an OCR engine boxed on this run: a detector boxes a page's lines alike, so a box
# taller than its neighbours is a taller line (a head), never one drawn too tall by hand
# as in an annotation file (see cap_intruders). On NZZ 1812 through Tesseract's lines,
# mending them anyway cost region tau 0.983 -> 0.950.
DETECTED_SOURCES = ("rapidocr", "tesseract", "paddleocr")


def _line_size(line: Line, frame_box: Box, vertical: bool) -> float:
    # On a vertical page a line the reader did not see as vertical (one or two
    # characters broken off a column) has a height measured along the column: its
    # size is its width, the frame box's height.
    if line.height is not None and line.height > 0 and (line.vertical or not vertical):
        return line.height
    return max(1.0, g.height(frame_box))


def _frame_separator(s: Separator, page: Page, origin: tuple[float, float], skew: float, vertical: bool) -> tuple[Box, str]:
    if not skew:
        box = s.bbox
    elif s.kind in ("horizontal", "vertical"):
        box = _upright_rule(s.bbox, s.kind == "horizontal", origin, skew)
    else:
        box = g.polygon_box([g.rotate_point(p, origin, -skew) for p in g.box_polygon(s.bbox)])
    return (g.to_reading_frame(box, page.width, vertical), _separator_kind(s.kind, vertical))


def _upright_rule(b: Box, level: bool, origin: tuple[float, float], skew: float) -> Box:
    """A rule's box set upright with the page's text: thin again.

    On a skewed scan a rule runs along the skew, from one corner of its box to the
    opposite one, so its box is as tall as its length times the slope (a 700 px rule
    at 1.3 degrees: 16 px). Turned upright as a box, that height counts twice and the
    rule reaches over the head set right under it; turned as the line it is, it lies
    level and keeps its own thickness (what of its box the slope does not explain)::

        box of a skewed rule        upright
        +-----------__--+
        |     __---     |    ->     ===============
        +-__---------- -+
    """
    x0, y0, x1, y1 = b
    slope = abs(math.tan(math.radians(skew)))
    if level:  # positive skew turns clockwise: a level rule's right end drops
        ends = ((x0, y0), (x1, y1)) if skew > 0 else ((x0, y1), (x1, y0))
        half = max(1.0, (y1 - y0) - (x1 - x0) * slope) / 2.0
    else:  # ... and an upright rule's top end moves right
        ends = ((x1, y0), (x0, y1)) if skew > 0 else ((x0, y0), (x1, y1))
        half = max(1.0, (x1 - x0) - (y1 - y0) * slope) / 2.0
    (ax, ay), (bx, by) = (g.rotate_point(p, origin, -skew) for p in ends)
    mx, my = (ax + bx) / 2.0, (ay + by) / 2.0
    if level:
        return (min(ax, bx), my - half, max(ax, bx), my + half)
    return (mx - half, min(ay, by), mx + half, max(ay, by))


# Weight measured on the page image, where the reader knows no fonts (a scan). Two
# marks of a heavy face, each compared with the page's median line:
# - ink darkness: a heavy face's strokes are wide enough to print full black, where the
#   thin strokes of running text, spread by the scan's optics over more pixels than
#   they fill, come out grey (how dark a line's darkest pixels get, a low percentile of
#   its grey levels in the rows its letters fill);
# - stroke width: on a sharp scan both print black, but a heavy face's strokes are
#   wider (the mean length of the horizontal runs of ink).
# Running text varies by under a sixth in darkness and a quarter in stroke width
# around the median: a line past HEAVY_INK or HEAVY_STROKE times it is heavy, one under
# both LIGHT limits regular; between, weight is not known.
HEAVY_INK = 1.2
LIGHT_INK = 1.1
HEAVY_STROKE = 1.45
LIGHT_STROKE = 1.2
DARKEST = 15  # percentile of the grey levels that stands for the line's darkest ink


def gray_page(page: Page, image: Any) -> tuple[Any, float]:
    """The page image in grey and its pixels per page unit (1.0 for a page of no width)."""
    import cv2

    gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    return gray, gray.shape[1] / page.width if page.width else 1.0


def measured_weights(page: Page, image: Any) -> tuple[bool | None, ...]:
    """Per line of the page: set heavy (True), regular (False) or not known (None), by
    its ink in the image (see HEAVY_INK). Empty when there is no image, or too few
    lines to know the text's ink."""
    if image is None or len(page.lines) < 3 or not page.width:
        return ()
    gray, scale = gray_page(page, image)
    inks = [box_ink(gray, line.bbox, scale) for line in page.lines]
    known = [m for m in inks if m is not None]
    if len(known) < 3:
        return ()
    dark, stroke = median(m[0] for m in known), median(m[1] for m in known)
    if dark <= 0 or stroke <= 0:
        return ()

    def weight(m: tuple[float, float] | None) -> bool | None:
        if m is None:
            return None
        if m[0] >= HEAVY_INK * dark or (m[1] >= HEAVY_STROKE * stroke and m[0] >= dark):
            return True
        return False if m[0] <= LIGHT_INK * dark and m[1] <= LIGHT_STROKE * stroke else None

    return tuple(weight(m) for m in inks)


def box_ink(gray: Any, box: Box, scale: float) -> tuple[float, float] | None:
    """(darkness, stroke width) of the ink in the box: 255 minus the DARKEST percentile
    of the grey levels in the rows that hold most ink (the letters' body, not ascenders,
    descenders or padding), and the mean length of the horizontal runs of ink (Otsu's
    threshold inside the box)."""
    import cv2

    x0, y0, x1, y1 = (int(round(v * scale)) for v in box)
    crop = gray[max(0, y0):max(0, y1), max(0, x0):max(0, x1)]
    if crop.shape[0] < 4 or crop.shape[1] < 4:
        return None
    ink = cv2.threshold(crop, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)[1].astype(np.int8)
    rows = ink.sum(axis=1)
    runs = int(np.count_nonzero(np.diff(ink, axis=1) == 1) + np.count_nonzero(ink[:, 0]))
    if rows.max() == 0 or runs == 0:
        return None
    darkness = 255.0 - float(np.percentile(crop[rows >= 0.5 * rows.max()], DARKEST))
    return darkness, float(rows.sum()) / runs
