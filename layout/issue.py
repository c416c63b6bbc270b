"""The issue's line: the row that a front page sets under (or beside) the paper's name,
the date at one side, the folio or number at the other, the weekday or price between::

                 Pagestitch-Anzeiger
    Freitag, 17. Mai 1933                    Seite 1     <- the issue's line

    Pagestitch-Anzeiger     Freitag, 17. Mai 1933     Seite 1   <- name on the row too

A vertical page sets the same items down its first column; in the reading frame that
column is the top row, so one test serves both. The items stand far apart, where the
lines of neighbouring columns are a gutter (one or two text sizes) apart: that gap and a
folio among them tell the row from a row of running text. Items are indices into boxes
in the reading frame (lines or blocks alike).
"""

from __future__ import annotations

from collections.abc import Sequence

from layout import geometry as g
from layout.model import Box

# The issue's items stand this many text sizes apart at least; a gutter between columns
# is one or two.
ISSUE_GAP = 4.0
FOLIO_SIGNS = 12  # a folio ("Seite 1", "第1版", "Page 3") is a few signs with a number


def is_folio(text: str) -> bool:
    return len(text) <= FOLIO_SIGNS and any(ch.isdigit() for ch in text)


def issue_row(k: int, boxes: Sequence[Box], texts: Sequence[str], size: float) -> list[int]:
    """The issue's line through item k: the other items on its row (see row_of), when
    k stands ISSUE_GAP text sizes or more from its neighbours on the row and a folio is
    among the row's items, k's own included (OCR may cut the date from its weekday, so
    the folio is the one item far from all others); [] when k's row is no issue's line.
    The row may hold the paper's name, and k's own text may be anything (a date reads
    like a dateline or a headline)."""
    before, after = row_of(k, boxes, -1), row_of(k, boxes, 1)
    x0, x1 = boxes[k][0], boxes[k][2]
    near = [j for j in before[:1] + after[:1] if max(boxes[j][0] - x1, x0 - boxes[j][2]) < ISSUE_GAP * size]
    row = before[::-1] + after
    return row if row and not near and any(is_folio(texts[j]) for j in [k, *row]) else []


def row_of(k: int, boxes: Sequence[Box], step: int) -> list[int]:
    """The items after k along its row (step 1; before it, step -1, nearest first),
    each the nearest one sharing the row of the one before it: a chain, because a
    page given as boxes alone (no polygons to measure its skew from) is not deskewed,
    and a skewed row drifts across rows over the page's width."""
    chain = [k]
    while True:
        last = boxes[chain[-1]]
        slack = 0.5 * g.height(last)
        nxt = [j for j, b in enumerate(boxes) if j not in chain and g.y_overlap_ratio(b, last) > 0.5
               and (b[0] >= last[2] - slack if step > 0 else b[2] <= last[0] + slack)]
        if not nxt:
            return chain[1:]
        chain.append(min(nxt, key=lambda j: boxes[j][0] if step > 0 else -boxes[j][2]))
