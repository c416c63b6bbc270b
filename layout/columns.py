"""Columns: body blocks whose x ranges line up, clustered (no page fractions).

Blocks of one column overlap each other horizontally almost fully and are about as
wide; a spanning headline overlaps several columns and joins none.
"""

from __future__ import annotations

from typing import Sequence

from layout import geometry as g
from layout.model import Box

ALIGN = 0.7  # overlap, relative to the narrower block, for two blocks to share a column
WIDTH_RATIO = 1.6


def cluster_columns(boxes: Sequence[Box], roles: Sequence[str]) -> list[list[int]]:
    """Groups of block indices, one group per column, left to right (reading frame)."""
    body = [i for i, r in enumerate(roles) if r in ("body", "caption", "byline", "dateline", "jump")]
    parent = {i: i for i in body}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    ordered = sorted(body, key=lambda i: boxes[i][0])
    for k, i in enumerate(ordered):
        for j in ordered[k + 1 :]:
            if boxes[j][0] >= boxes[i][2]:
                break  # sorted by left edge: nothing further can overlap i
            if _same_column(boxes[i], boxes[j]):
                parent[find(j)] = find(i)
    groups: dict[int, list[int]] = {}
    for i in body:
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values(), key=lambda grp: min(boxes[i][0] for i in grp))


def _same_column(a: Box, b: Box) -> bool:
    wa, wb = g.width(a), g.width(b)
    if min(wa, wb) <= 0 or max(wa, wb) / min(wa, wb) > WIDTH_RATIO:
        return False
    return g.x_overlap(a, b) / min(wa, wb) >= ALIGN
