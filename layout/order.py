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
broken at its top-most block, taking first a cycle that nothing else must precede.
Everything runs on numpy matrices: n blocks cost n² comparisons, times the few wide
blocks that can block a relation.
"""

from __future__ import annotations

import heapq
from typing import Callable, Sequence

import numpy as np

from layout import geometry as g
from layout.model import Box

# (block boxes in the reading frame, block roles, separators in the frame, text size)
Ordering = Callable[[Sequence[Box], Sequence[str], Sequence[tuple[Box, str]], float], list[int]]

TOL = 0.3  # overlap tolerance, in text sizes: touching boxes are not overlapping
OVERLAP_SLACK = 0.15  # ... nor boxes overlapping by less than this share of the narrower


def before_matrix(boxes: Sequence[Box], separators: Sequence[tuple[Box, str]], size: float) -> np.ndarray:
    """``m[a, b]`` is True when block a must be read before block b."""
    n = len(boxes)
    b = np.asarray(boxes, dtype=float).reshape(n, 4)
    x0, y0, x1, y1 = (b[:, k] for k in range(4))
    tol = TOL * size
    # OCR boxes are padded: neighbouring columns' boxes may overlap by a few percent.
    w = x1 - x0
    slack = np.maximum(tol, OVERLAP_SLACK * np.minimum.outer(w, w))
    x_ov = (np.minimum.outer(x1, x1) - np.maximum.outer(x0, x0)) > slack
    cy = (y0 + y1) / 2.0
    rule1 = x_ov & (cy[:, None] < cy[None, :])
    left = (x1[:, None] <= x0[None, :] + slack) & (x0[:, None] < x0[None, :])
    rule2 = left & ~x_ov & ~_blocked(b, separators, tol)
    m = rule1 | rule2
    np.fill_diagonal(m, False)
    return m


def _blocked(b: np.ndarray, separators: Sequence[tuple[Box, str]], tol: float) -> np.ndarray:
    """``blk[a, k]``: some element lies vertically between a and k and spans both."""
    n = len(b)
    blockers = [tuple(row) for row in b] + [s for s, kind in separators if kind != "vertical"]
    widths = b[:, 2] - b[:, 0]
    typical = float(np.median(widths)) if n else 0.0
    out = np.zeros((n, n), dtype=bool)
    x0, y0, x1, y1 = (b[:, k] for k in range(4))
    for cx0, cy0, cx1, cy1 in blockers:
        overlap = np.minimum(x1, cx1) - np.maximum(x0, cx0)
        if cx1 - cx0 > typical * 1.2:
            spans = overlap > tol  # an element wider than a column spans two columns
        else:
            # One column's width spans what stands inside that column: a short last
            # line under its paragraph is not "left of" a centred sub-head above that
            # paragraph. Overlaps are counted as in before_matrix (padded OCR boxes
            # of neighbouring columns overlap a little).
            spans = overlap > np.maximum(tol, OVERLAP_SLACK * np.minimum(widths, cx1 - cx0))
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
            # A cycle: release the top-most block of one that nothing else must precede.
            heap = [min(key[i] for i in _first_cycle(m, placed))]
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


def _first_cycle(m: np.ndarray, placed: np.ndarray) -> list[int]:
    """The unplaced blocks of the cycles that no other unplaced block must precede.

    Noisy boxes make cycles: a short line under an indented one in its column ends
    left of where that one starts, so reads "left of" it (rule 2) as well as under it.
    Breaking the cycle at the top-most of all remaining blocks would jump to a block the
    cycle must precede that merely stands a pixel higher (the next column's top)::

          aaaaaaa    xxxxxxx     c ends left of a's start: c before a (rule 2),
        bbbbbbbbb    xxxxxxx     a before b before c (rule 1): a cycle, and x (a
        cc                       pixel higher than a) waits for a: break it at a
    """
    from scipy.sparse.csgraph import connected_components

    rest = np.nonzero(~placed)[0]
    sub = m[np.ix_(rest, rest)]
    _, label = connected_components(sub, directed=True, connection="strong")
    # A component is a source when no edge enters it from another unplaced component.
    entered = {int(label[j]) for i, j in zip(*np.nonzero(sub)) if label[i] != label[j]}
    return [int(rest[k]) for k in range(len(rest)) if int(label[k]) not in entered]


def partial_order(boxes: Sequence[Box], roles: Sequence[str], separators: Sequence[tuple[Box, str]], size: float) -> list[int]:
    """Permutation of block indices in reading order, block by block."""
    if not boxes:
        return []
    wide = widen_headlines(boxes, roles, separators, size)
    return topological_order(before_matrix(wide, separators, size), wide)


def top_down(boxes: Sequence[Box], roles: Sequence[str], separators: Sequence[tuple[Box, str]], size: float) -> list[int]:
    """Rows top to bottom, left to right: what a paste gives (a strategy for comparison)."""
    return sorted(range(len(boxes)), key=lambda i: (boxes[i][1], boxes[i][0]))


def modules(boxes: Sequence[Box], roles: Sequence[str], separators: Sequence[tuple[Box, str]], size: float) -> list[list[int]]:
    """Blocks grouped into modules: a headline and the blocks under it in its columns.

    Each block belongs to the nearest headline above it whose (widened) box covers most
    of the block's width::

        HHHHHHHHHHHHH  JJJJJ       H claims a, b and K's module does not reach up:
        aaaaa  bbbbbb  ccccc       K claims d (it is nearer above d than H);
        KKKKK  bbbbbb  ccccc       J claims c.
        ddddd  bbbbbb  ccccc

    Blocks no headline claims (text above the first headline, a column running on from
    elsewhere) form one module per such block. A horizontal rule between a headline and
    a block ends the headline's claim there: rules close articles.
    """
    wide = widen_headlines(boxes, roles, separators, size)
    heads = [i for i, r in enumerate(roles) if r == "headline"]
    tol = TOL * size
    rules = [s for s, kind in separators if kind == "horizontal"]
    owner: dict[int, int] = {h: h for h in heads}
    for i, b in enumerate(boxes):
        if i in owner:
            continue
        best = None
        for h in heads:
            w = wide[h]
            covered = min(w[2], b[2]) - max(w[0], b[0])
            # A block reaching up into the head's box from below (a sub-head set close
            # under a large head, padded boxes on a skewed scan) is under it too.
            under = w[3] <= b[1] + tol or _set_under(boxes[h], b, tol) or runs_in(boxes[h], b, tol)
            if under and covered >= 0.5 * (b[2] - b[0]) and (best is None or w[3] > wide[best][3]) \
                    and not _ruled_off(w, b, rules, tol):
                best = h
        if best is not None:
            owner[i] = best
    owner.update(_sandwiched(boxes, owner, tol))
    groups: dict[int, list[int]] = {}
    for i in range(len(boxes)):
        groups.setdefault(owner.get(i, -1 - i), []).append(i)
    return list(groups.values())


def _sandwiched(boxes: Sequence[Box], owner: dict[int, int], tol: float) -> dict[int, int]:
    """Owners for the blocks no head claimed that lie inside a head's module, with
    blocks of it above and below them in their column (an item cut off by a short dash
    rule, a narrow line a rule covers): they are read in the column's flow, where they
    stand, not before the module as a module of their own::

        HHHHHHHH
        aaaaaaaaaa
          ----
        xxxxx          <- x: no head's, inside H's module: read after a, before b
        bbbbbbbbbb
    """
    members: dict[int, list[Box]] = {}
    for i, h in owner.items():
        members.setdefault(h, []).append(boxes[i])
    out: dict[int, int] = {}
    for i, b in enumerate(boxes):
        if i in owner:
            continue
        for h, mine in members.items():
            column = [m for m in mine if g.x_overlap(m, b) > 0.5 * g.width(b)]
            if any(m[3] <= b[1] + tol for m in column) and any(m[1] >= b[3] - tol for m in column):
                out[i] = h
                break
    return out


def runs_in(head: Box, b: Box, tol: float) -> bool:
    """The head is run in at the start of block b's first line (a dateline set in bold
    before the text on its line): it fills the top left corner of b's box, so b starts
    on the head's row, not under it, and is still the head's text::

        HHHHHHHH aaaaaaaaaa      H: "Paris, 8. Februar." run in before a's first words
        aaaaaaaaaaaaaaaaaaa
    """
    return (abs(head[0] - b[0]) <= tol and abs(head[1] - b[1]) <= tol
            and head[2] < b[2] - tol and head[3] < b[3] - tol)


def _ruled_off(head: Box, b: Box, rules: Sequence[Box], tol: float) -> bool:
    """A horizontal rule lies between the head and block b, under most of b's width."""
    for r in rules:
        y = (r[1] + r[3]) / 2.0
        under = min(r[2], b[2]) - max(r[0], b[0])
        if head[3] - tol <= y <= b[1] + tol and under >= 0.5 * (b[2] - b[0]):
            return True
    return False


# A vertical strip of white this many text sizes wide that nothing crosses from top to
# bottom (the fold of a two-page spread, a page's margin beside an insert) splits the
# page: each side is read whole, left side first. Column gutters are far narrower.
SPLIT_GAP = 4.0


def module_order(boxes: Sequence[Box], roles: Sequence[str], separators: Sequence[tuple[Box, str]], size: float) -> list[int]:
    """Modules in reading order (the block rules applied to module boxes), then the blocks
    of each module in reading order. A headline's article is read whole before the
    article set under it in the same columns. A page split by a wide white strip (a
    spread) is read one side after the other."""
    if not boxes:
        return []
    # Raw boxes: widening a headline over empty space must not bridge the strip.
    parts = split_wide_gaps(boxes, SPLIT_GAP * size)
    if len(parts) == 1:
        parts = split_tiers(boxes, roles, separators, size)
    if len(parts) > 1:
        out: list[int] = []
        for part in parts:
            sub = module_order([boxes[i] for i in part], [roles[i] for i in part], separators, size)
            out.extend(part[j] for j in sub)
        return out
    return _module_order(boxes, roles, separators, size)


# A band of white at least this many text sizes tall that runs across the whole page,
# with columns side by side ending above it and text (no head) starting under it, splits
# the page into tiers read one after the other (the feuilleton "under the line", a
# section set apart by space where a rule would do). White over heads that head most
# of the page's width is the heads' own spacing: their articles are found from them.
# The columns are looked for within TIER_NEAR sizes of the band, heads within one size
# under it.
TIER_GAP = 1.25
TIER_NEAR = 3.0


def tier_cuts(boxes: Sequence[Box], roles: Sequence[str], separators: Sequence[tuple[Box, str]], size: float) -> list[float]:
    """The heights (middles of the bands) where the page splits into tiers, top down::

        aaaa  bbbb  cccc
        aaaa        cccc
                                 <- a band nothing crosses, columns above and under it,
        dddd  eeee  ffff            text under it, not a head
    """
    order = sorted(range(len(boxes)), key=lambda i: boxes[i][1])
    wide = widen_headlines(boxes, roles, separators, size)  # the columns each head heads
    # A picture is no white: set between a head and its caption, it fills the space
    # that the text around it leaves, and the page does not split across it.
    pictures = [s for s, kind in separators if kind == "picture"]
    cuts: list[float] = []
    reach = -float("inf")
    for k, i in enumerate(order):
        top = boxes[i][1]
        reach = max([reach] + [p[3] for p in pictures if p[1] < top and p[3] > reach])
        if k and top - reach >= TIER_GAP * size:
            above = [b for b in [boxes[j] for j in order[:k]] + [p for p in pictures if p[1] < top]
                     if b[3] >= reach - TIER_NEAR * size]
            under = [j for j in order[k:] if boxes[j][1] <= top + TIER_NEAR * size]
            # A head right over the band, with text right under its words, heads that
            # text: the band is its spacing.
            head_over = any(roles[j] == "headline" and boxes[j][3] >= reach - size and _text_under(j, under, boxes, roles)
                            for j in order[:k])
            if not head_over and not _headed(under, boxes, wide, roles, top + size) and _side_by_side(above) \
                    and _side_by_side([boxes[j] for j in under]):
                cuts.append((reach + top) / 2.0)
        reach = max(reach, boxes[i][3])
    return cuts


def _text_under(head: int, under: Sequence[int], boxes: Sequence[Box], roles: Sequence[str]) -> bool:
    """The first of the blocks ``under`` that stands under the head's words is text
    (another head there starts something else: a masthead's lines, the next section)."""
    below = [j for j in under if g.x_overlap_ratio(boxes[j], boxes[head]) >= 0.5]
    first = min(below, key=lambda j: boxes[j][1], default=None)
    return first is not None and roles[first] == "body"


def _headed(under: Sequence[int], boxes: Sequence[Box], wide: Sequence[Box], roles: Sequence[str], by: float) -> bool:
    """Heads starting above ``by`` head at least half the width of all that starts under
    (``wide``: the heads widened over their columns)."""
    heads = [wide[j] for j in under if roles[j] in ("headline", "subheadline") and boxes[j][1] <= by]
    if not heads:
        return False
    span = max(boxes[j][2] for j in under) - min(boxes[j][0] for j in under)
    return sum(g.width(b) for b in heads) >= 0.5 * span


def _side_by_side(boxes: Sequence[Box]) -> bool:
    """Two of the boxes stand side by side (one starts right of where another ends)."""
    return bool(boxes) and max(b[0] for b in boxes) >= min(b[2] for b in boxes)


def split_tiers(boxes: Sequence[Box], roles: Sequence[str], separators: Sequence[tuple[Box, str]],
                size: float) -> list[list[int]]:
    """Block indices grouped by tier (see tier_cuts), top tier first."""
    cuts = tier_cuts(boxes, roles, separators, size)
    parts: list[list[int]] = [[] for _ in range(len(cuts) + 1)]
    for i, b in enumerate(boxes):
        parts[sum(1 for y in cuts if (b[1] + b[3]) / 2.0 > y)].append(i)
    return [p for p in parts if p]


def split_wide_gaps(boxes: Sequence[Box], gap: float) -> list[list[int]]:
    """Block indices grouped left to right between vertical white strips wider than gap."""
    order = sorted(range(len(boxes)), key=lambda i: boxes[i][0])
    parts: list[list[int]] = []
    reach = -float("inf")
    for i in order:
        if not parts or boxes[i][0] - reach > gap:
            parts.append([])
        parts[-1].append(i)
        reach = max(reach, boxes[i][2])
    return parts


def _module_order(boxes: Sequence[Box], roles: Sequence[str], separators: Sequence[tuple[Box, str]], size: float) -> list[int]:
    """Page header first and footer last (each left to right), the modules between."""
    head = sorted((i for i, r in enumerate(roles) if r == "header"), key=lambda i: boxes[i][0])
    foot = sorted((i for i, r in enumerate(roles) if r == "footer"), key=lambda i: boxes[i][0])
    # The masthead is placed by masthead_first, not by the block rules: pieces of a
    # name in display type make cycles with the ears under them.
    mast = [i for i, r in enumerate(roles) if r == "masthead"]
    rest = [i for i, r in enumerate(roles) if r not in ("header", "footer", "masthead")]
    inner = _modules_in_order([boxes[i] for i in rest], [roles[i] for i in rest], separators, size)
    mast = [mast[j] for j in partial_order([boxes[i] for i in mast], [roles[i] for i in mast], separators, size)]
    return head + masthead_first([rest[j] for j in inner], mast, boxes, roles, size) + foot


def masthead_first(order: list[int], mast: list[int], boxes: Sequence[Box], roles: Sequence[str], size: float) -> list[int]:
    """The masthead (``mast``, in its own order) is read before the ears beside it, and
    its band before what lies under.

    Among the blocks over the columns the masthead heads (half of each block at least), the
    places they hold in ``order`` are dealt out again: blocks above the masthead first,
    then the masthead, the blocks beside it (ears, date lines), and the rest below,
    each group in its own order. Blocks elsewhere (the other page of a spread) keep
    their places::

        Abonnement   Königlich Preußischer   Alle Post-     ->  the title, then the
        1 Thlr.      STAATS-   ANZEIGER.     Anstalten          ears, then No 244.
        No 244.
    """
    if not mast:
        return order
    band = _masthead_band(g.union([boxes[i] for i in mast]), [boxes[i] for i in order], size)

    def group(i: int) -> int | None:
        b = boxes[i]
        if roles[i] == "masthead":
            return 1
        if min(b[2], band[2]) - max(b[0], band[0]) < 0.5 * (b[2] - b[0]):
            return None
        middle = (b[1] + b[3]) / 2.0
        return 0 if middle < band[1] else 2 if middle <= band[3] else 3

    groups = {i: group(i) for i in order + mast}
    # The masthead takes the place of the first block it goes before.
    first = next((p for p, i in enumerate(order) if groups[i] is not None), len(order))
    order = order[:first] + mast + order[first:]
    slots = [p for p, i in enumerate(order) if groups[i] is not None]
    dealt = sorted((i for i in order if groups[i] is not None), key=lambda i: groups[i])  # stable
    out = list(order)
    for p, i in zip(slots, dealt):
        out[p] = i
    return out


def _modules_in_order(boxes: Sequence[Box], roles: Sequence[str], separators: Sequence[tuple[Box, str]], size: float) -> list[int]:
    if not boxes:
        return []
    groups = modules(boxes, roles, separators, size)
    mod_boxes = [g.union([boxes[i] for i in grp]) for grp in groups]
    # A head heads what its row on the page lets it head: widened inside its module
    # alone, a head centred over a picture that runs past the module's columns would
    # look off-centre and lose the module's first column (its byline, its first lines).
    wide = widen_headlines(boxes, roles, separators, size)
    out: list[int] = []
    for k in topological_order(before_matrix(mod_boxes, separators, size), mod_boxes):
        members = groups[k]
        inner = topological_order(before_matrix([wide[i] for i in members], separators, size),
                                  [boxes[i] for i in members])
        out.extend(members[j] for j in inner)
    return out


EAR_GAP = 4.0  # ears stand at most this many text sizes beside the name (or each other)


def _masthead_band(band: Box, boxes: Sequence[Box], size: float) -> Box:
    """The masthead's row widened over the ears beside it and the columns under it.

    An ear is a stack of blocks that stays within the masthead's height, near it; a
    column that runs on above or below (the other page of a spread) is none.
    """
    x0, y0, x1, y1 = band
    ears = [b for stack in _stacks(boxes, size) if all(b[1] >= y0 - size and b[3] <= y1 + size for b in stack)
            for b in stack]
    grown = True
    while grown:
        grown = False
        for b in ears:
            near = b[0] <= x1 + EAR_GAP * size and b[2] >= x0 - EAR_GAP * size
            if near and (b[0] < x0 or b[2] > x1):
                x0, x1, grown = min(x0, b[0]), max(x1, b[2]), True
    under = [b for b in boxes if b[1] >= y1 and min(b[2], x1) > max(b[0], x0)]
    wide = g.union([(x0, y0, x1, y1)] + under)
    return (wide[0], y0, wide[2], y1)


def _stacks(boxes: Sequence[Box], size: float) -> list[list[Box]]:
    """Blocks joined into stacks: one above the other, overlapping, less than a size apart."""
    from scipy.sparse.csgraph import connected_components

    b = np.asarray(boxes, dtype=float).reshape(-1, 4)
    x0, y0, x1, y1 = (b[:, k] for k in range(4))
    overlap = np.minimum.outer(x1, x1) - np.maximum.outer(x0, x0)
    gap = np.maximum.outer(y0, y0) - np.minimum.outer(y1, y1)
    joined = (overlap > 0.5 * np.minimum.outer(x1 - x0, x1 - x0)) & (gap < size)
    _, label = connected_components(joined, directed=False)
    out: dict[int, list[Box]] = {}
    for k, box in enumerate(boxes):
        out.setdefault(int(label[k]), []).append(box)
    return list(out.values())


ORDERINGS: dict[str, Ordering] = {"modules": module_order, "partial": partial_order, "top-down": top_down}


def widen_headlines(boxes: Sequence[Box], roles: Sequence[str], separators: Sequence[tuple[Box, str]], size: float) -> list[Box]:
    """Headline boxes stretched sideways over the columns they head.

    A headline's box is only as wide as its words, but it heads every column up to the
    next thing on its row (another headline, a column that runs past it, a column
    rule). A headline set flush with a column below it heads the columns to its right;
    one centred in the free space of its row (no column starts under its first word)
    heads the columns on both sides, as far as its centre is from the nearer end::

        HHHHH             JJJJ          H heads the two columns under it: its box is
        aaaaaa  bbbbbb    cccc          widened up to J, so it spans a and b.
           CCCCC
        dddd  eeee  ffff                C is centred over d, e and f.
    """
    out = list(boxes)
    heads = [i for i, r in enumerate(roles) if r in ("headline", "subheadline")]
    if not heads:
        return out
    pictures = [s for s, kind in separators if kind == "picture"]
    for i in heads:
        x0, y0, x1, y1 = boxes[i]
        lo, hi = _free_row(i, boxes, separators, size, roles)
        centre = (x0 + x1) / 2.0
        column = _own_column(i, boxes, size) if y1 - y0 <= TEXT_HEAD * size else None
        if column is not None:
            out[i] = (x0, y0, max(x1, min(hi, column)), y1)
        elif _centred(i, boxes, roles, pictures, lo, hi, size):
            reach = min(centre - lo, hi - centre)
            out[i] = (min(x0, centre - reach), y0, max(x1, centre + reach), y1)
        else:
            out[i] = (x0, y0, max(x1, hi), y1)
    return out


# A head no taller than this many text sizes, set flush left in its column, is set in
# the text's own size: a dateline or side head in the flow of its column (a head over
# more than one column is set larger than the text under it), so it heads its own
# column only, however free its row is to the right (the next column's head may stand
# a line higher).
TEXT_HEAD = 1.2


def _own_column(i: int, boxes: Sequence[Box], size: float) -> float | None:
    """The right edge of the column head i is set flush in: of the nearest block starting
    on its row or under it (within FLUSH_REACH sizes) whose left edge is flush with the
    head's; None if there is none (a head centred in its column is widened as others)."""
    x0, y0, x1, y1 = boxes[i]
    tol = TOL * size
    below = [b for j, b in enumerate(boxes) if j != i and abs(b[0] - x0) <= FLUSH_TOL * size
             and y0 - tol <= b[1] <= y1 + FLUSH_REACH * size]
    return min(below, key=lambda b: b[1])[2] if below else None


# A headline counts as centred when its middle is within this share of the free
# row's width from the row's middle, and flush when a block starting within
# FLUSH_REACH text sizes below it, the nearest under its words, starts within FLUSH_TOL
# sizes of its left edge.
CENTRE_SHARE = 0.15
FLUSH_REACH = 10.0
FLUSH_TOL = 0.5


def _free_row(i: int, boxes: Sequence[Box], separators: Sequence[tuple[Box, str]], size: float,
              roles: Sequence[str] = ()) -> tuple[float, float]:
    """How far the row of block i is free of other blocks and column rules, left and right."""
    tol = TOL * size
    x0, y0, x1, y1 = boxes[i]
    lo, hi = min(b[0] for b in boxes), max(b[2] for b in boxes)
    # Things that only graze the row (a rule ending a hair below the headline's top,
    # padded OCR boxes) do not stop it.
    for j, b in enumerate(boxes):
        if j == i or not (b[1] < y1 - tol and b[3] > y0 + tol):
            continue
        if j < len(roles) and roles[j] in ("headline", "subheadline") and _set_under(boxes[i], b, tol):
            continue
        # A short line on the row (a signature set flush right) stops the row where its
        # column starts: the column runs on past the row, above the line.
        col = _with_text_above(b, boxes, size)
        if b[0] >= x1 - tol:
            hi = min(hi, max(col[0], x1) - tol)
        elif b[2] <= x0 + tol:
            lo = max(lo, min(col[2], x0) + tol)
    for s, kind in separators:
        # A picture on the row stands in another column's space, as a column rule
        # bounds it: a head beside a picture heads only its own side.
        if kind in ("vertical", "picture") and s[1] < y1 - tol and s[3] > y0 + tol:
            if s[0] >= x1 - tol:
                hi = min(hi, s[0])
            elif s[2] <= x0 + tol:
                lo = max(lo, s[2])
    return lo, hi


def _set_under(head: Box, b: Box, tol: float) -> bool:
    """Head b (a sub-head, an author line in head type) starts in the lower half of the
    head's row and ends below it: set close under a large head, its box reaching up
    into the head's (padded boxes, a skewed scan), it is the head's own sub-head, under
    it, not a head beside it that ends the row the head heads. (Text beside a head
    that starts a little lower is another article's column: it still ends the row.)"""
    return b[1] > (head[1] + head[3]) / 2.0 and b[3] > head[3] + tol


def _with_text_above(b: Box, boxes: Sequence[Box], size: float) -> Box:
    """Box b widened to the block set right above it in its column (less than a text
    size of white between them), if any."""
    return g.union([b] + g.solid_above(b, boxes, size))


def _centred(i: int, boxes: Sequence[Box], roles: Sequence[str], pictures: Sequence[Box], lo: float, hi: float,
             size: float) -> bool:
    x0, _, x1, y1 = boxes[i]
    if hi - lo <= x1 - x0 or abs((x0 + x1) / 2.0 - (lo + hi) / 2.0) > CENTRE_SHARE * (hi - lo):
        return False
    # Flush with the first thing under it, it is a left-aligned head that happens to sit
    # mid-row; not centred. A picture under a head is set in its columns as text is:
    # its edge shows where they start.
    others = [b for j, b in enumerate(boxes) if j != i] + list(pictures)
    if not _flush(boxes[i], others, size):
        return True
    # The columns left of it are headed by the flush head that ends its row there.
    return not _row_ends_at_flush_head(i, boxes, roles, pictures, lo, size) and \
        _centred_over_columns(boxes[i], others, lo, hi, size)


def _flush(head: Box, others: Sequence[Box], size: float) -> bool:
    """The first thing under the head's words (within FLUSH_REACH sizes) starts where
    the head starts. Columns under a head start on one line: any of those that start
    first (within TOL sizes) may be the one it is flush with."""
    x0, _, x1, y1 = head
    under = [b for b in others if y1 - TOL * size <= b[1] <= y1 + FLUSH_REACH * size
             and min(b[2], x1) - max(b[0], x0) > 0]
    if not under:
        return False
    top = min(b[1] for b in under)
    return any(abs(b[0] - x0) < FLUSH_TOL * size for b in under if b[1] <= top + TOL * size)


def _row_ends_at_flush_head(i: int, boxes: Sequence[Box], roles: Sequence[str], pictures: Sequence[Box],
                            lo: float, size: float) -> bool:
    """Head i's free row ends on the left at another headline on its row that is set
    flush with the column under it. That head heads the columns rightwards up to head
    i, so head i, itself flush with what is under it, is not centred over them::

        HHHHHH        JJJJJJJJ         J is flush with the picture under it; the free
        aaaaaa  bbbb  pppppppppppp     row from H's end makes it look centred over b
        aaaaaa  bbbb  pppppppppppp     and the picture, but b is H's second column.
    """
    x0, y0, _, y1 = boxes[i]
    tol = TOL * size
    for j, b in enumerate(boxes):
        if j == i or j >= len(roles) or roles[j] != "headline":
            continue
        on_row = b[1] < y1 - tol and b[3] > y0 + tol
        if on_row and b[2] <= x0 + tol and lo <= b[2] + 2 * tol:
            others = [o for k, o in enumerate(boxes) if k != j] + list(pictures)
            if _flush(b, others, size):
                return True
    return False


def _centred_over_columns(head: Box, others: Sequence[Box], lo: float, hi: float, size: float) -> bool:
    """A head flush with the column under its first word is still centred when it
    stands in the very middle of the columns that start under its free row, some of
    them left of it: the story starts in the left-most of them (its byline, its first
    lines), and the head's edge only happens to meet a column's::

              HHHHHH                 H is flush with b but centred over a, b and c:
        aaaaa  bbbbb  ccccc          the story starts at the top of a.
    """
    x0, _, x1, y1 = head
    tol = FLUSH_TOL * size
    near = [b for b in others if y1 - TOL * size <= b[1] <= y1 + FLUSH_REACH * size
            and b[0] >= lo - tol and b[2] <= hi + tol]
    # Only what starts right under the row: a column that runs on under the picture of
    # the article beside starts lower, but it is that article's column, not this head's.
    under = [b for b in near if not _covered_from(y1, b, others, TOL * size)]
    if not under:
        return False
    left, right = min(b[0] for b in under), max(b[2] for b in under)
    return left < x0 - tol and right > x1 + tol and abs((left + right) / 2.0 - (x0 + x1) / 2.0) <= tol


def _covered_from(top: float, b: Box, others: Sequence[Box], tol: float) -> bool:
    """Something else stands between height ``top`` and block b, over part of b."""
    return any(o is not b and o[1] >= top - tol and o[3] <= b[1] + tol and min(o[2], b[2]) - max(o[0], b[0]) > tol
               for o in others)
