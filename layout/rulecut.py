"""Lines cut at the rules they run across.

A line of text never runs through a rule set across it: on a page of vertical text
the tiers are parted by horizontal rules, and every column of a tier ends above its
rule. An OCR engine sometimes reads a column straight on over the rule into the
column under it in the next tier, so one line holds the end of one article and the
start of another. Such a line is cut where the rule crosses it, and each piece goes
to its own tier::

      a  a  a        the engine read the middle column of the upper tier (a) on
      a [a] a        over the tier's rule into the column under it (b): one box
    ----[-]----      [ ] holding "aabb". It is cut where the rule crosses it: "aa"
      b [b] b        ends at the rule, "bb" starts under it, and each piece joins
      b [b] b        its own tier

On a horizontal page the same holds for a line read across a column rule into the
next column.

The cut point in the text follows from the characters' even pitch along the line:
where the image is known, the ink from the line's start to the rule's white is counted
in the page's advance per character; else the share of the line's box before the rule
is the share of its characters. Rules are found in the image (layout.separators); the
OCR is not run again. Where the tiers of one article are parted by white only, the
columns beside the line ending together mark the place of the rule (_tier_feet).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from layout import geometry as g
from layout.blocks import SIZE_RATIO
from layout.frame import Frame, gray_page
from layout.model import Box, Line, Page

# A rule cuts a line only where it crosses it this many text sizes inside both ends: a
# rule at a line's end touches it (the detector padded the box), it does not part it.
CUT_MARGIN = 1.0
# The line's middle (across it) lies between the rule's ends, with this many text sizes
# of slack: a rule stops at the column it closes.
RULE_REACH = 0.2
# A rule's ink blurs this many text sizes either side of its box (a rule on a skewed
# scan runs a little aslant across a column); the white round it is wider.
RULE_EDGE = 0.15
# Grey levels darker than this are ink (scans: dark print on light paper).
INK_LEVEL = 128
# The white after a character's ink to the next one's, in pitches.
GLYPH_WHITE = 0.1


def cut_at_rules(page: Page, frame: Frame, image: Any = None) -> Page:
    """The page with every line of the page's direction cut where a rule set across it
    (in the reading frame: a vertical rule) crosses it well inside its ends."""
    rules = [box for box, kind in frame.separators if kind == "vertical"]
    feet = _tier_feet(frame) if frame.vertical else {}
    if not rules and not feet:
        return page
    ink = _Ink(*_gray(page, image), frame.char_width)
    lines: list[Line] = []
    for k, (line, box) in enumerate(zip(page.lines, frame.boxes)):
        spans = _crossing(box, frame.size, rules) if g.width(box) > g.height(box) else []
        spans = sorted(spans + feet.get(k, []))
        lines.extend(_cut_line(line, spans, frame.vertical, ink))
    if len(lines) == len(page.lines):
        return page
    return replace(page, lines=tuple(lines))


# A tier's foot without a rule: at least FOOT_LINES lines of the columns within
# FOOT_REACH text sizes beside a line end within FOOT_TOL sizes of one another, inside
# the line, and a column of the next tier starts within FOOT_WHITE sizes after them,
# past a white at least FOOT_MIN_WHITE deep. Two would do for a foot, but two short
# last columns of paragraphs, or two pieces of columns cut at a run of Latin, end side
# by side often enough (three dev pages of eleven); a foot has the five or so columns
# within reach ending there.
FOOT_LINES = 3
FOOT_REACH = 3.0
FOOT_TOL = 0.3
FOOT_WHITE = 1.5
FOOT_MIN_WHITE = 0.3
FOOT_INDENT = 2.5  # a paragraph's first column starts at most this much later


def _tier_feet(frame: Frame) -> dict[int, list[tuple[float, float]]]:
    """Per line (in the frame: a column turned into a row), the white bands where the
    columns beside it end and the next tier's columns start, as shares of its length.
    The tiers of one article on a vertical page are parted by white a character deep,
    often with no rule; an engine may read a column on across it into the next tier's,
    as it does across a rule::

        aaaaaaaa   bbbbbbbb      the rows beside x end at one place and the next
        xxxxxxxxxxxxxxxxxxx      tier's start a little after it: x is cut in that
        aaaaaaaa   bbbbbbbb      white (a row cut at a formula has rows beside it
                                 running on past the cut)
    """
    b = np.asarray(frame.boxes, dtype=float).reshape(-1, 4)
    mid = (b[:, 1] + b[:, 3]) / 2.0
    sizes = np.asarray(frame.sizes, dtype=float)
    out: dict[int, list[tuple[float, float]]] = {}
    for k, (x0, _, x1, _) in enumerate(b):
        s = frame.sizes[k]
        # Columns of the line's own type: a head in large type stands beside the
        # columns it heads, whose ends and starts are no foot of its.
        alike = np.maximum(sizes, s) < SIZE_RATIO * np.minimum(sizes, s)
        near = (np.abs(mid - mid[k]) <= FOOT_REACH * s) & (np.arange(len(b)) != k) & alike
        # Columns of the line's own tier end at its foot: they start with the line, at
        # most a paragraph's indent after it (a byline or a short head beside a column
        # ends anywhere).
        beside = near & (b[:, 0] <= x0 + FOOT_INDENT * s)
        ends = np.sort(b[beside & (b[:, 2] > x0 + CUT_MARGIN * s) & (b[:, 2] < x1 - CUT_MARGIN * s), 2])
        starts = b[near, 0]
        spans = []
        for e in ends:
            together = ends[(ends >= e) & (ends <= e + FOOT_TOL * s)]
            foot = float(together[-1])
            after = starts[(starts >= foot + FOOT_MIN_WHITE * s) & (starts <= foot + FOOT_WHITE * s)]
            if len(together) >= FOOT_LINES and len(after) and not any(f0 <= foot <= f1 for f0, f1 in spans):
                spans.append((foot, float(after.min())))
        if spans:
            out[k] = [((f0 - x0) / (x1 - x0), (f1 - x0) / (x1 - x0)) for f0, f1 in spans]
    return out


def _crossing(box: Box, size: float, rules: list[Box]) -> list[tuple[float, float]]:
    """Where the rules that cross the line (in the frame) lie along it, as shares of its
    length, in reading order: a rule crosses it when it stands well inside its ends
    and reaches across its middle."""
    x0, y0, x1, y1 = box
    middle = (y0 + y1) / 2.0
    out = []
    for r in rules:
        at = (r[0] + r[2]) / 2.0
        if (x0 + CUT_MARGIN * size <= at <= x1 - CUT_MARGIN * size
                and r[1] - RULE_REACH * size <= middle <= r[3] + RULE_REACH * size):
            out.append(((r[0] - x0) / (x1 - x0), (r[2] - x0) / (x1 - x0)))
    return sorted(out)


def _cut_line(line: Line, spans: list[tuple[float, float]], vertical: bool, ink: _Ink) -> list[Line]:
    """The line cut at each rule (shares of its frame box's length, in reading order),
    each piece's box in the page ending at the rule."""
    a0, a1 = _along(line.bbox, vertical)
    cuts = [(a0 + f0 * (a1 - a0), a0 + f1 * (a1 - a0)) for f0, f1 in spans]
    pieces: list[Line] = []
    rest = line
    for r0, r1 in cuts:
        k = _cut_index(rest, r0, r1, vertical, ink)
        if k <= 0 or k >= len(rest.text):
            continue
        head_box, tail_box = _split_box(rest.bbox, r0, r1, vertical)
        pieces.append(replace(rest, id=f"{line.id}.{len(pieces)}", text=rest.text[:k].rstrip(),
                              bbox=head_box, polygon=None))
        rest = replace(rest, text=rest.text[k:].lstrip(), bbox=tail_box, polygon=None)
    if not pieces:
        return [line]
    return pieces + [replace(rest, id=f"{line.id}.{len(pieces)}")]


def _along(box: Box, vertical: bool) -> tuple[float, float]:
    """The page box's extent along the reading direction (down on a vertical page)."""
    return (box[1], box[3]) if vertical else (box[0], box[2])


def _split_box(box: Box, r0: float, r1: float, vertical: bool) -> tuple[Box, Box]:
    x0, y0, x1, y1 = box
    if vertical:
        return (x0, y0, x1, min(y1, r0)), (x0, max(y0, r1), x1, y1)
    return (x0, y0, min(x1, r0), y1), (max(x0, r1), y0, x1, y1)


def _cut_index(line: Line, r0: float, r1: float, vertical: bool, ink: _Ink) -> int:
    """How many of the line's characters stand before the rule (at r0..r1 along it).
    Characters follow at an even pitch along a line. Where the image shows the ink,
    they are counted from the line's start to the last ink before the rule, in
    pitches (the page's advance per character): the white round the rule holds none,
    and the far end may be a stop, whose ink fills a corner of its cell only. Else the
    share of the line's box before the rule is the share of its characters."""
    spans = _ink_spans(line, r0, r1, vertical, ink) if ink.gray is not None else None
    if spans is not None and ink.pitch > 0:
        # From the first ink to the last before the rule: k pitches less the white
        # after the last character, about a tenth of a pitch.
        return round(spans[0] / ink.pitch + GLYPH_WHITE)
    a0, a1 = _along(line.bbox, vertical)
    before, after = r0 - a0, a1 - r1
    if before + after <= 0:
        return 0
    return round(len(line.text) * before / (before + after))


def _ink_spans(line: Line, r0: float, r1: float, vertical: bool, ink: _Ink) -> tuple[float, float] | None:
    """Lengths of the ink along the line before and after the rule (the rule's own ink
    and the white round it left out), or None where either side shows no ink."""
    import numpy as np

    gray, scale = ink.gray, ink.scale
    x0, y0, x1, y1 = (max(0, int(round(v * scale))) for v in line.bbox)
    strip = gray[y0:y1, x0:x1] if vertical else gray[y0:y1, x0:x1].T
    a0, r0, r1 = (y0, r0 * scale, r1 * scale) if vertical else (x0, r0 * scale, r1 * scale)
    if strip.size == 0:
        return None
    inked = np.flatnonzero((strip < INK_LEVEL).any(axis=1))
    # The rule's rows, and its blurred edges either side, are no text.
    edge = RULE_EDGE * line.size * scale
    pre = inked[inked < r0 - a0 - edge]
    post = inked[inked > r1 - a0 + edge]
    if not len(pre) or not len(post):
        return None
    return float(pre[-1] - pre[0] + 1) / scale, float(post[-1] - post[0] + 1) / scale


@dataclass(frozen=True)
class _Ink:
    """The page image in grey (None: no image), its pixels per page unit, and the
    page's advance per character (page units)."""

    gray: Any
    scale: float
    pitch: float


def _gray(page: Page, image: Any) -> tuple[Any, float]:
    if image is None or not page.width:
        return None, 1.0
    return gray_page(page, image)
