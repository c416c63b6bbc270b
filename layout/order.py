"""Reading order of blocks: a partial order between blocks, then a topological sort.

Block ``a`` comes before block ``b`` when (boxes in the reading frame)::

    1. a is above b and they overlap horizontally        +---a---+
                                                           +--b--+

    2. a is entirely left of b, and nothing lies between   +-a-+    +-----c-----+
       them vertically that spans both of them (a          +-a-+    +-b-+
       spanning headline or a horizontal rule c starts     (c blocks "a before b"
       a new section, so it blocks the relation)            when it sits between)

(the rules of Breuel's 2003 reading-order paper, with rules as blockers too).
The sort takes, among the blocks whose predecessors are all placed, the top-most one,
which keeps independent regions in page order; a cycle, which noisy boxes can make, is
broken at its top-most block. Everything runs on numpy matrices: n blocks cost n²
comparisons, times the few wide blocks that can block a relation.
"""

from __future__ import annotations

import heapq
from typing import Callable, Sequence

import numpy as np

from layout.model import Box

Ordering = Callable[[Sequence[Box], Sequence[tuple[Box, str]], float], list[int]]

TOL = 0.3  # overlap tolerance, in text sizes: touching boxes are not overlapping


def before_matrix(boxes: Sequence[Box], separators: Sequence[tuple[Box, str]], size: float) -> np.ndarray:
    """``m[a, b]`` is True when block a must be read before block b."""
    n = len(boxes)
    b = np.asarray(boxes, dtype=float).reshape(n, 4)
    x0, y0, x1, y1 = (b[:, k] for k in range(4))
    tol = TOL * size
    x_ov = (np.minimum.outer(x1, x1) - np.maximum.outer(x0, x0)) > tol
    cy = (y0 + y1) / 2.0
    rule1 = x_ov & (cy[:, None] < cy[None, :])
    left = x1[:, None] <= x0[None, :] + tol
    rule2 = left & ~x_ov & ~_blocked(b, separators, tol)
    m = rule1 | rule2
    np.fill_diagonal(m, False)
    return m


def _blocked(b: np.ndarray, separators: Sequence[tuple[Box, str]], tol: float) -> np.ndarray:
    """``blk[a, k]``: some wide element lies vertically between a and k and spans both."""
    n = len(b)
    blockers = [tuple(row) for row in b] + [s for s, kind in separators if kind != "vertical"]
    widths = b[:, 2] - b[:, 0]
    typical = float(np.median(widths)) if n else 0.0
    out = np.zeros((n, n), dtype=bool)
    x0, y0, x1, y1 = (b[:, k] for k in range(4))
    for cx0, cy0, cx1, cy1 in blockers:
        if cx1 - cx0 <= typical * 1.2:
            continue  # only an element wider than a column can span two columns
        spans = (x0 < cx1 - tol) & (x1 > cx0 + tol)  # c overlaps this block horizontally
        above_c = y1 <= cy0 + tol  # block ends above c
        below_c = y0 >= cy1 - tol  # block starts below c
        pair_spans = spans[:, None] & spans[None, :]
        between = (above_c[:, None] & below_c[None, :]) | (below_c[:, None] & above_c[None, :])
        out |= pair_spans & between
    return out


def topological_order(m: np.ndarray, boxes: Sequence[Box]) -> list[int]:
    """Kahn's sort; ties and cycles resolved by position (top first, then left)."""
    n = m.shape[0]
    indeg = m.sum(axis=0).astype(int)
    key = [(boxes[i][1], boxes[i][0], i) for i in range(n)]
    heap = [key[i] for i in range(n) if indeg[i] == 0]
    heapq.heapify(heap)
    placed = np.zeros(n, dtype=bool)
    out: list[int] = []
    while len(out) < n:
        if not heap:
            # A cycle: release its top-most remaining block.
            rest = [key[i] for i in range(n) if not placed[i]]
            heap = [min(rest)]
        _, _, i = heapq.heappop(heap)
        if placed[i]:
            continue
        placed[i] = True
        out.append(i)
        for j in np.nonzero(m[i] & ~placed)[0]:
            indeg[j] -= 1
            if indeg[j] == 0:
                heapq.heappush(heap, key[j])
    return out


def partial_order(boxes: Sequence[Box], separators: Sequence[tuple[Box, str]], size: float) -> list[int]:
    """Permutation of block indices in reading order."""
    if not boxes:
        return []
    return topological_order(before_matrix(boxes, separators, size), boxes)


def top_down(boxes: Sequence[Box], separators: Sequence[tuple[Box, str]], size: float) -> list[int]:
    """Rows top to bottom, left to right: what a paste gives (a strategy for comparison)."""
    return sorted(range(len(boxes)), key=lambda i: (boxes[i][1], boxes[i][0]))


ORDERINGS: dict[str, Ordering] = {"partial": partial_order, "top-down": top_down}
