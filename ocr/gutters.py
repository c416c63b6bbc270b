"""Cut OCR lines that a text detector ran across a column gutter.

Detectors join text on one baseline however wide the gap: two columns set close
together come back as one line ("world's longest running and rest that surrounded
the"), and on vertical pages one column of characters runs through several tiers.
Engines that give word or character boxes let pagestitch cut those lines again, by
two kinds of evidence, both relative to the line's own text size:

- a gap wider than any justification stretches (per line, along the line's own
  direction: x for horizontal lines, y for vertical ones);
- a word that starts where the words of many lines around it start, after a gap,
  with few lines running across that x: the left edge of a column.

Input and output are plain ``(text, quad, score)`` items, so any engine can use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from layout.continuity import is_cjk

Quad = list[list[float]]

# Between two CJK characters (set solid) a gap this wide, in character heights, is a
# gutter; between Latin words, a gap wider than a justified line ever stretches.
CJK_GUTTER = 0.45
LATIN_GUTTER = 1.2
# Display type (headlines) sets its words an em apart ("随感录六十四　有无相通") and
# spans columns on purpose: it is cut only at much wider gaps.
DISPLAY_SIZE = 1.25
DISPLAY_GUTTER = 1.6
# Column starts: a word after a gap of at least START_GAP line heights that starts
# within START_TOL of where COLUMN_STARTS other lines (within COLUMN_REACH line
# heights above or below) start a word after such a gap, or start outright, while at
# most half as many lines run across that x, begins a column.
START_GAP = 0.35
START_TOL = 0.2
COLUMN_STARTS = 3
COLUMN_REACH = 15.0
# A justified line stretches its word spaces alike: a gap this many times the widest of
# the UNEVEN_WORDS spaces on each side of it, and more than UNEVEN_MIN line heights, is
# no word space but a gutter (a paragraph indented just after the gutter hides the
# column's edge from the alignment test). The PDF reader uses the same test.
UNEVEN_RATIO = 1.8
UNEVEN_WORDS = 3
UNEVEN_MIN = 0.6


@dataclass(frozen=True)
class Word:
    text: str
    lo: float  # start along the line (x, or y for a vertical line)
    hi: float


@dataclass(frozen=True)
class RawLine:
    """One detected line: its text, 4-point box, score and word boxes along it."""

    text: str
    quad: Quad
    score: float
    words: tuple[Word, ...]
    vertical: bool

    @property
    def size(self) -> float:
        xs, ys = [p[0] for p in self.quad], [p[1] for p in self.quad]
        return max(1.0, (max(xs) - min(xs)) if self.vertical else (max(ys) - min(ys)))

    @property
    def across(self) -> float:
        """Middle of the line across its direction (y, or x for a vertical line)."""
        vals = [p[0] if self.vertical else p[1] for p in self.quad]
        return (min(vals) + max(vals)) / 2.0


def raw_line(text: str, quad: Any, score: float, words: Any) -> RawLine:
    """A RawLine from an engine's ``(text, score, box)`` words (characters for CJK)."""
    q = [[float(v) for v in p] for p in np.asarray(quad, dtype=float).reshape(-1, 2)]
    xs, ys = [p[0] for p in q], [p[1] for p in q]
    n = len(str(text).replace(" ", ""))
    vertical = n >= 2 and (max(ys) - min(ys)) > 1.5 * (max(xs) - min(xs))
    parsed: list[Word] = []
    for w in words or ():
        try:
            t = str(w[0]).strip()
            pts = np.asarray(w[2], dtype=float).reshape(-1, 2)
        except (IndexError, TypeError, ValueError):
            return RawLine(str(text), q, float(score), (), vertical)
        if t:
            axis = pts[:, 1] if vertical else pts[:, 0]
            parsed.append(Word(t, float(axis.min()), float(axis.max())))
    return RawLine(str(text), q, float(score), tuple(parsed), vertical)


def cut_lines(lines: Sequence[RawLine]) -> list[tuple[str, Quad, float]]:
    """Every line cut at its gutters: ``(text, quad, score)`` pieces in input order."""
    sizes = [ln.size for ln in lines if not ln.vertical] or [ln.size for ln in lines]
    body = float(np.median(sizes)) if sizes else 0.0
    starts = _column_starts([ln for ln in lines if not ln.vertical])
    out: list[tuple[str, Quad, float]] = []
    for ln in lines:
        # Display type spans columns on purpose: it is cut only at much wider gaps, and
        # its words may start over a column edge.
        display = not ln.vertical and body > 0 and ln.size > DISPLAY_SIZE * body
        cuts = _gap_cuts(ln, display)
        if not ln.vertical and not display:
            cuts |= _start_cuts(ln, starts)
        out.extend(_pieces(ln, sorted(cuts)))
    return out


def _gap_cuts(ln: RawLine, display: bool) -> set[int]:
    """Indices k where a gutter lies between words k-1 and k (a too-wide gap)."""
    gaps = [(cur.lo - prev.hi) / ln.size for prev, cur in zip(ln.words, ln.words[1:])]
    cuts: set[int] = set()
    for k in range(1, len(ln.words)):
        prev, cur = ln.words[k - 1], ln.words[k]
        cjk = is_cjk(prev.text[-1:]) and is_cjk(cur.text[:1])
        limit = DISPLAY_GUTTER if display else CJK_GUTTER if cjk else LATIN_GUTTER
        if gaps[k - 1] > limit or (not display and uneven_gap(gaps, k - 1, UNEVEN_MIN)):
            cuts.add(k)
    return cuts


def uneven_gap(spaces: Sequence[float], k: int, floor: float) -> bool:
    """Is word space k, wider than ``floor``, much wider than those on both sides of it?

    ``spaces`` are one line's word spaces in order, in text sizes.
    """
    if spaces[k] <= floor:
        return False
    left, right = spaces[max(0, k - UNEVEN_WORDS):k], spaces[k + 1:k + 1 + UNEVEN_WORDS]
    if len(left) + len(right) < 2:
        return False
    return spaces[k] > UNEVEN_RATIO * max([*left, *right])


@dataclass(frozen=True)
class _Starts:
    x: np.ndarray  # where a word starts a line or follows a gap
    y: np.ndarray  # that line's middle
    line: np.ndarray  # which line
    spans: list[tuple[float, float, float, int]]  # (x0, x1, y, line) of every word


def _column_starts(lines: Sequence[RawLine]) -> _Starts:
    xs: list[float] = []
    ys: list[float] = []
    ids: list[int] = []
    spans: list[tuple[float, float, float, int]] = []
    for ln in lines:
        for k, w in enumerate(ln.words):
            spans.append((w.lo, w.hi, ln.across, id(ln)))
            if k == 0 or w.lo - ln.words[k - 1].hi >= START_GAP * ln.size:
                xs.append(w.lo)
                ys.append(ln.across)
                ids.append(id(ln))
    return _Starts(np.asarray(xs, float), np.asarray(ys, float), np.asarray(ids, dtype=np.int64), spans)


def _start_cuts(ln: RawLine, starts: _Starts) -> set[int]:
    cuts: set[int] = set()
    for k in range(1, len(ln.words)):
        if ln.words[k].lo - ln.words[k - 1].hi >= START_GAP * ln.size and _starts_column(ln, ln.words[k].lo, starts):
            cuts.add(k)
    return cuts


def _starts_column(ln: RawLine, x: float, starts: _Starts) -> bool:
    size, y = ln.size, ln.across
    near = (np.abs(starts.x - x) < START_TOL * size) & (np.abs(starts.y - y) < COLUMN_REACH * size)
    others = set(starts.line[near].tolist()) - {id(ln)}
    if len(others) < COLUMN_STARTS:
        return False
    # Lines running on across x (a word straddling it) say this is no column edge.
    crossing = {
        line for x0, x1, wy, line in starts.spans
        if line != id(ln) and line not in others and abs(wy - y) < COLUMN_REACH * size
        and x0 < x - START_TOL * size and x1 > x + START_TOL * size
    }
    return 2 * len(crossing) <= len(others)


def _pieces(ln: RawLine, cuts: list[int]) -> list[tuple[str, Quad, float]]:
    if not cuts:
        return [(ln.text, ln.quad, ln.score)]
    bounds = [0, *cuts, len(ln.words)]
    out = []
    for a, b in zip(bounds, bounds[1:]):
        words = ln.words[a:b]
        text = _join([w.text for w in words])
        out.append((text, _sub_quad(ln, words[0].lo, words[-1].hi), ln.score))
    return out


def _sub_quad(ln: RawLine, lo: float, hi: float) -> Quad:
    """The part of a (nearly level or plumb) line box between lo and hi along it."""
    xs, ys = [p[0] for p in ln.quad], [p[1] for p in ln.quad]
    if ln.vertical:
        return [[min(xs), lo], [max(xs), lo], [max(xs), hi], [min(xs), hi]]
    return [[lo, min(ys)], [hi, min(ys)], [hi, max(ys)], [lo, max(ys)]]


def _join(words: list[str]) -> str:
    out = ""
    for w in words:
        out += w if not out or is_cjk(out[-1]) or is_cjk(w[:1]) else " " + w
    return out
