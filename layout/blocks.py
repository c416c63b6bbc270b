"""Blocks: lines grouped into paragraphs, or the piece of a paragraph in one column.

All thresholds are multiples of the text size ``s`` (the line's own or the page's)::

      +------------------+           a line joins the block above it when
      | line k           |           - their x ranges overlap (>= half the narrower),
      +------------------+           - the gap between them is small (< GAP_MAX * s),
           gap  <= 1.0 s             - their text sizes agree (ratio < SIZE_RATIO),
      +------------------+           - no rule runs between them,
      | line k+1         |           - and line k is not already followed in its block.
      +------------------+

A block is split where a paragraph ends: the next line is indented, or the line before
ends short of the right edge after a sentence-final mark.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from layout import continuity as c
from layout import geometry as g
from layout.frame import Frame
from layout.issue import is_folio, issue_row
from layout.model import Block, Box, Line, Page

GAP_MAX = 1.0  # largest gap between lines of one block, in text sizes
GAP_GROWTH = 2.0  # a gap this many times the block's first line gap ends the block
SIZE_RATIO = 1.15  # largest ratio of a line's text size to its block's
PRECISE_SIZE_RATIO = 1.03  # the same where sizes are exact font sizes
INDENT = 0.8  # first-line indent that starts a paragraph, in text sizes
SHORT_END = 2.0  # a line ending this far before the block's right edge ends short
# An engine cuts a line at a run of Latin or digits, or where it drops a punctuation
# mark (a full cell in CJK): the pieces of one row stand less than this many text
# sizes apart. The next piece joins the row's block even where it reaches past the
# block's lines so far (the row is the block's first or its longest).
PIECE_GAP = 1.5
# A row standing alone in type this much larger than the text's is a head, whose words
# may stand an em apart; one in the text's size (the issue's date line, "1 9 2 8年1 0月
# 6日  星期六") is a row of items the page header is known by (layout.issue).
DISPLAY_SIZE = 1.2


@dataclass(frozen=True)
class BlockParams:
    gap_max: float = GAP_MAX
    size_ratio: float = SIZE_RATIO
    indent: float = INDENT
    split_paragraphs: bool = True


def group_lines(page: Page, frame: Frame, params: BlockParams = BlockParams()) -> list[list[int]]:
    """Groups of line indices, each group in reading order inside its block."""
    order = sorted(range(len(page.lines)), key=lambda i: (frame.boxes[i][1], frame.boxes[i][0]))
    groups: list[_Group] = []
    open_groups: list[_Group] = []  # groups still accepting lines
    pruned_at = -float("inf")
    edges = _LeftEdges(frame)
    rests = run_in_rests(page, frame)
    after = {} if frame.vertical or frame.precise else touching_pieces(frame, edges, [ln.text for ln in page.lines])
    pieces = set(after.values())
    for i in order:
        if i in pieces:
            continue  # goes with the piece on its left (below)
        box = frame.boxes[i]
        # Groups whose last line ended far above this line can take no more lines (_fit
        # would refuse them anyway); dropping them once per text size down the page keeps
        # the list short without rebuilding it for every line.
        if box[1] - pruned_at > frame.size:
            open_groups = [grp for grp in open_groups if box[1] - grp.bottom <= 3 * frame.size]
            pruned_at = box[1]
        target = _find_group(i, open_groups, frame, params, edges)
        if target is None:
            # Text that runs on after a run-in head wraps to where the head starts.
            target = _Group([], (min(box[0], rests.get(i, box[0])), *box[1:]))
            groups.append(target)
            open_groups.append(target)
        target.add(i, box, frame)
        while i in after:
            # The rest of a printed row the engine cut: in the block of its first piece,
            # whichever piece's box starts higher by a pixel.
            i = after[i]
            target.add(i, frame.boxes[i], frame, piece=True)
    members = [grp.members for grp in groups]
    if frame.vertical:
        members = join_row_pieces(members, frame)
    out = [_row_order(grp, frame) for grp in members]
    if params.split_paragraphs:
        out = [part for grp in out for part in split_paragraphs(grp, page, frame, params)]
    return out


# Pieces of one printed row that the engine cut apart nearly touch: their boxes stand
# at most this many of their text sizes apart, or overlap. A word space with the boxes'
# padding measures about half a size, a CJK bracket's own white ("见了|《语丝》|（一四")
# as much. The narrowest gutters between two columns' OCR lines measure no more (0.2-0.6
# sizes on generated and real pages): the gap alone never tells, the column edges and
# the rows around do (_no_gutter).
TOUCH = 0.75
ROW_REACH = 5.0  # the rows this many text sizes above and below tell a gutter (_crossed)
ROW_OVERLAP = 0.75  # the pieces' boxes share this much of the shorter one's height
ROW_HEIGHT = 1.2  # and their heights differ less than this ratio (one type, one row)


def touching_pieces(frame: Frame, edges: "_LeftEdges", texts: Sequence[str]) -> dict[int, int]:
    """The pieces of a printed row the engine cut apart, on a horizontal page read by
    OCR: line index -> the piece right after it on its row. Only pieces that nearly
    touch, of one height on one baseline, with no gutter or rule between them: where
    OCR boxes nearly close a gutter, the lines around start (or end) where the pieces
    meet, and none runs across the white::

        aaaaaaaaaaaaa|bbbbb      a row cut at "|": the rest "bbbbb" is the row's,
        aaaaaaaaaaaaaaaaaaa      though its box may start a pixel higher and be read
                                 first (it then led the paragraph under it)

    (The vertical pages' looser join (PIECE_GAP, _bridged) cost the real Luxembourg
    pages when it was tried on horizontal ones.)"""
    boxes = frame.boxes
    # Lines by left edge: the lines starting near line i's right end are a slice.
    by_x0 = sorted(range(len(boxes)), key=lambda j: boxes[j][0])
    x0s = np.array([boxes[j][0] for j in by_x0], dtype=float)
    out: dict[int, int] = {}
    taken: set[int] = set()
    for i, a in enumerate(boxes):
        reach = TOUCH * frame.sizes[i]
        lo, hi = np.searchsorted(x0s, a[2] - reach, "left"), np.searchsorted(x0s, a[2] + reach, "right")
        near = [j for j in by_x0[lo:hi] if boxes[j][1] < a[3] and boxes[j][3] > a[1] and j != i
                and boxes[j][2] > a[2] and _one_row(a, boxes[j])]
        for j in sorted(near, key=lambda j: abs(boxes[j][0] - a[2])):
            if j not in taken and _no_gutter(i, j, frame, edges):
                # The nearest piece with no gutter between is the row's next, or none is.
                if not _on_issue_line(i, frame, texts):
                    out[i] = j
                    taken.add(j)
                break
    return out


def _one_row(a: Box, b: Box) -> bool:
    """Two boxes of one height on one baseline."""
    ha, hb = g.height(a), g.height(b)
    return max(ha, hb) < ROW_HEIGHT * min(ha, hb) and min(a[3], b[3]) - max(a[1], b[1]) >= ROW_OVERLAP * min(ha, hb)


def _no_gutter(left: int, right: int, frame: Frame, edges: "_LeftEdges") -> bool:
    """Nothing parts two touching pieces of a row: the right one starts no column, the
    left one ends none, no rule runs between them."""
    s = max(frame.sizes[left], frame.sizes[right])
    if edges.starts_column(right) or edges.ends_column(left):
        return False
    a, b = frame.boxes[left], frame.boxes[right]
    if frame.separators and _rule_beside(a, b, frame, s):
        return False
    return _crossed(a, b, frame, s)


def _on_issue_line(k: int, frame: Frame, texts: Sequence[str]) -> bool:
    """Line k stands on the issue's line (layout.issue): its date and weekday are two
    items of the page's header, however close the engine's pieces of them stand. The
    folio is the item that stands far from all others: only rows that hold one are
    asked (asking through every piece walked the page's rows over and over)."""
    b = frame.boxes[k]
    folios = [j for j, o in enumerate(frame.boxes) if o[1] < b[3] and o[3] > b[1] and is_folio(texts[j])]
    return any(issue_row(j, frame.boxes, texts, frame.size) for j in folios)


def _crossed(left: Box, right: Box, frame: Frame, size: float) -> bool:
    """The lines of the text's size within a few rows above and below run across the
    white between the pieces at least as often as they stop or start in it (the rows
    of a head are ragged): the white lies inside a column's measure. A gutter is white
    all the way down (the lines of both columns end or start at it); a paragraph's short
    last line may end in the white of a row cut mid-measure::

        HHHHHHHHHHHHHH            the head above is set larger and does not count;
          aaaaaaaaa|aaaa|aaa      the row's pieces "|", the short line under them
        aaaaaaaaaaaaa             ends in the white, the lines below run across it
        aaaaaaaaaaaaaaaaaaaa

    A row standing alone, with no line of its size around, is one where it is set in
    display type (DISPLAY_SIZE), a head's ("随感录六十四|有无" over "相通"; heads of two
    columns set side by side start and end at their columns' edges, see _no_gutter). In
    the text's size it is the issue's date line, a row of items ("1 9 2 8年1 0月6日 |
    星期六", layout.issue), kept apart."""
    x0, x1 = _white(left, right, size)
    cross = edge = 0
    for b in _text_lines_around(left, right, frame, size, ROW_REACH):
        if b[0] <= x0 and b[2] >= x1:
            cross += 1
        elif x0 < b[0] < x1 or x0 < b[2] < x1:
            edge += 1
    if cross + edge == 0:
        return size >= DISPLAY_SIZE * frame.size
    return cross >= max(1, edge)


def join_row_pieces(groups: list[list[int]], frame: Frame) -> list[list[int]]:
    """Groups that start with a piece of a row (on a vertical page: a column) that
    another group's line continues, joined to that group, where the engine cut the
    column at a formula, a run of turned Latin or a dropped stop. Lines are taken top to
    bottom, so a later piece of the row may have found its block first; an earlier piece
    beside it, under an indented paragraph start it hardly overlaps, opened a block of
    its own (taking the rows under it), which the order would read as another column::

        aaaaaaaaaaaaaaaaaa     "圆的" (d) continues the row of "元质..." (e), which
           cccccccccccccccc    joined c's paragraph: d, and the row g that d took
        dd  eeeeeeeeee ffff    under it, join that paragraph (a chain of pieces
        gggggggggggggggggg     joins piece by piece)
    """
    while True:
        owner = {i: k for k, grp in enumerate(groups) for i in grp}
        moves = {k: owner[j] for k, grp in enumerate(groups)
                 for j in [_next_piece(grp, groups, owner, frame)] if j is not None}
        if not moves:
            return groups
        # Pieces joined to a group that stays put; two pieces that only have each other
        # (the row's other pieces still in blocks of their own) join one way.
        now = {k: host for k, host in moves.items() if host not in moves} or dict([next(iter(moves.items()))])
        taken: dict[int, list[int]] = {}
        for k, host in now.items():
            taken.setdefault(host, []).extend(groups[k])
        groups = [grp + taken.get(m, []) for m, grp in enumerate(groups) if m not in now]


def _next_piece(group: list[int], groups: list[list[int]], owner: dict[int, int], frame: Frame) -> int | None:
    """The nearest line of another group that continues the first row of ``group``: a
    piece within PIECE_GAP text sizes, in the text's size, with no rule and no gutter
    between them (the lines above or below run across the white, or the piece stands
    inside the column of the other group's lines above or below it). Two blocks that
    both go on under the row are two blocks side by side, not pieces of one."""
    top = min(group, key=lambda i: frame.boxes[i][1])
    first = [i for i in group if g.y_overlap_ratio(frame.boxes[top], frame.boxes[i]) > 0.5]
    goes_on = len(first) < len(group)
    best, best_gap = None, float("inf")
    home = owner[top]
    for p in first:
        pb, ps = frame.boxes[p], frame.sizes[p]
        for j, jb in enumerate(frame.boxes):
            if owner.get(j, home) == home or g.y_overlap_ratio(pb, jb) <= 0.5:
                continue
            s = max(ps, frame.sizes[j])
            left, right = (pb, jb) if pb[0] < jb[0] else (jb, pb)
            gap = right[0] - left[2]
            if (s > SIZE_RATIO * min(ps, frame.sizes[j]) or not -0.5 * s <= gap <= min(best_gap, PIECE_GAP * s)
                    or (frame.separators and _rule_beside(left, right, frame, s)) or _tier_foot(left, right, frame, s)):
                continue
            host = groups[owner[j]]
            if goes_on and any(frame.boxes[i][1] > jb[3] - 0.5 * s for i in host):
                continue
            if _bridged(left, right, frame, s) or _in_column(pb, host, frame, s):
                best, best_gap = j, gap
    return best


def _in_column(box: Box, host: list[int], frame: Frame, s: float) -> bool:
    """``box`` stands within the width of the host block's lines in other rows: a piece
    of that block's column, however far in its neighbours start (indented paragraph
    starts on both sides of it leave no line across the white before it)."""
    others = [frame.boxes[i] for i in host if g.y_overlap_ratio(box, frame.boxes[i]) <= 0.5]
    if not others:
        return False
    span = g.union(others)
    return span[0] - 0.5 * s <= box[0] and box[2] <= span[2] + 0.5 * s


# The text after a run-in head starts within this many text sizes of it: a word space,
# however wide justification makes it (ocr.pdf.GUTTER_GAP_EM).
RUN_ON_GAP = 1.0


def run_in_rests(page: Page, frame: Frame) -> dict[int, float]:
    """Lines of text that run on after a run-in head on its row, as a PDF's reader cuts
    a bold dateline off its line (ocr.pdf.split_run_in): line index -> the head's left
    edge. The item's text wraps back there, to its column's left edge::

        HHHHHHHHH tttttttttt      "PARIS, Sept. 17." then "To the People of the
        ttttt                     State of New" / "York:": the short line under the
        ttttttttttttttttttttt     head is the text's, though it lies under the head

    Weights are the fonts' own (None on a scan, where the head is not cut off)."""
    out: dict[int, float] = {}
    heads = [h for h, line in enumerate(page.lines) if line.bold and c.closes_run_in(line.text)]
    for h in heads:
        hb = frame.boxes[h]
        for i, line in enumerate(page.lines):
            b = frame.boxes[i]
            if line.bold is False and 0 <= b[0] - hb[2] <= RUN_ON_GAP * frame.sizes[i] and g.y_overlap_ratio(b, hb) > 0.5:
                out[i] = hb[0]
    return out


class _Group:
    """A block being built: its lines, and the running union of their boxes."""

    __slots__ = ("members", "span", "first_gap", "size_sum", "last")

    def __init__(self, members: list[int], span: Box) -> None:
        self.members = members
        self.span = span
        # The box of the last row: its last line, or the union of the pieces of a row
        # the engine cut (touching_pieces), which the next row's lines lie under.
        self.last: Box = span
        self.first_gap: float | None = None  # the block's line spacing, once known
        self.size_sum = 0.0

    @property
    def size(self) -> float:
        return self.size_sum / len(self.members)

    @property
    def bottom(self) -> float:
        return self.span[3]

    def add(self, i: int, box: Box, frame: Frame, piece: bool = False) -> None:
        self.last = g.union((self.last, box)) if piece else box
        if self.members and self.first_gap is None:
            gap = box[1] - frame.boxes[self.members[-1]][3]
            if gap > -0.5 * frame.sizes[i]:  # not a piece of the same row
                self.first_gap = max(0.0, gap)
        self.members.append(i)
        self.size_sum += frame.sizes[i]
        s = self.span
        # Plain comparisons: this runs once per line of the page.
        self.span = (
            box[0] if box[0] < s[0] else s[0],
            box[1] if box[1] < s[1] else s[1],
            box[2] if box[2] > s[2] else s[2],
            box[3] if box[3] > s[3] else s[3],
        )


def _find_group(i: int, open_groups: list[_Group], frame: Frame, params: BlockParams,
                edges: "_LeftEdges | None" = None) -> _Group | None:
    best, best_gap = None, float("inf")
    box, size = frame.boxes[i], frame.sizes[i]
    reach = PIECE_GAP * size if frame.vertical else 0.0  # a column's next piece (see _fit)
    for grp in open_groups:
        span = grp.span
        if box[0] > span[2] + reach or box[2] < span[0]:
            continue  # another column: most groups end here, before any call
        last = grp.last
        gap = _fit(box, last, size, grp.size, grp, frame, params, frame.is_bold(i))
        if gap == 0.0 and edges is not None and g.y_overlap_ratio(box, last) > 0.5 and edges.starts_column(i):
            gap = None  # a piece of the row that starts where a column starts is that column's
        if gap is not None and gap < best_gap and not _skips_a_line(last, box, grp, open_groups, frame):
            best, best_gap = grp, gap
    return best


# A line starts at a column's left edge when at least EDGE_LINES other lines within
# EDGE_REACH text sizes above or below start within EDGE_TOL sizes of its left end.
EDGE_LINES = 3
EDGE_TOL = 0.3
EDGE_REACH = 15.0


class _LeftEdges:
    """Where lines start (and end), to tell a column's edges from the middle of a row.

    A line the engine cut in two within a column continues its row mid-column; a
    piece that starts where the lines of a column start is the next column's, beside
    a line the detector ran across the gutter.
    """

    def __init__(self, frame: Frame) -> None:
        b = np.asarray(frame.boxes, dtype=float).reshape(-1, 4)
        self.x0 = b[:, 0]
        self.x1 = b[:, 2]
        self.cy = (b[:, 1] + b[:, 3]) / 2.0
        self.sizes = frame.sizes

    def starts_column(self, i: int) -> bool:
        s = self.sizes[i]
        near = (abs(self.x0 - self.x0[i]) < EDGE_TOL * s) & (abs(self.cy - self.cy[i]) < EDGE_REACH * s)
        return int(np.count_nonzero(near)) - 1 >= EDGE_LINES

    def ends_column(self, i: int) -> bool:
        """The line ends where the lines of a column end (its right edge): justified
        lines fill the measure, a piece of a row cut mid-row ends elsewhere."""
        s = self.sizes[i]
        near = (abs(self.x1 - self.x1[i]) < EDGE_TOL * s) & (abs(self.cy - self.cy[i]) < EDGE_REACH * s)
        return int(np.count_nonzero(near)) - 1 >= EDGE_LINES


def _skips_a_line(last: Box, box: Box, grp: _Group, open_groups: list[_Group], frame: Frame) -> bool:
    """Another block's last line stands between the group's last line and this one, in
    their column: joining would interleave the two blocks (OCR sizes that differ by a
    hair put one line of a paragraph in a block of its own)."""
    top, bottom = (last[1] + last[3]) / 2.0, (box[1] + box[3]) / 2.0
    for other in open_groups:
        if other is grp:
            continue
        m = other.last
        if top < (m[1] + m[3]) / 2.0 < bottom and g.x_overlap_ratio(m, box) >= 0.5 and g.x_overlap_ratio(m, last) >= 0.5:
            return True
    return False


def _fit(box: Box, last: Box, size: float, group_size: float, grp: _Group, frame: Frame, params: BlockParams,
         bold: bool | None = None) -> float | None:
    """The gap from the group's last line to ``box`` if the line may join, else None.

    The caller has already passed over groups in other columns (their spans and the
    line's do not overlap): that cheap test rejects most groups before this call.
    """
    span = grp.span
    ratio = max(size, group_size) / max(1e-6, min(size, group_size))
    if ratio > (PRECISE_SIZE_RATIO if frame.precise else params.size_ratio):
        return None
    # A heavy head line over regular text (or the reverse) is two blocks, where the
    # weight is the font's own (a PDF). Weight measured on a scan is noisier: there only
    # regular text under a block whose lines are all heavy (a head) starts a new block.
    first_bold = frame.is_bold(grp.members[0])
    if bold is not None and first_bold is not None and bold != first_bold and (
            frame.precise or (first_bold and all(frame.is_bold(i) for i in grp.members))):
        return None
    s = max(size, group_size)
    gap = box[1] - last[3]
    limit = params.gap_max * s
    if grp.first_gap is not None:
        # A gap well beyond the block's own line spacing is a break (a sub-head, a rule).
        limit = min(limit, GAP_GROWTH * grp.first_gap + 0.25 * s)
    if gap > limit:
        return None
    if g.y_overlap_ratio(box, last) > 0.5:
        # Same row: a line the engine cut in two, inside the block's x range, or on a
        # vertical page close after the last piece with no column rule between the two:
        # there the engine cuts a column at each run of turned Latin or digits and at
        # dropped stops, where a horizontal line's words stay together (on horizontal
        # pages a piece reaching past its block was as often the next column's line).
        if frame.vertical and frame.separators and _rule_beside(last, box, frame, s):
            return None
        inside = box[0] >= span[0] - 0.5 * s and (
            box[2] <= span[2] + 0.5 * s or frame.vertical and _bridged(last, box, frame, s))
        return 0.0 if inside and box[0] >= last[2] - 0.5 * s else None
    if gap < -0.5 * s:
        return None
    if g.x_overlap_ratio(box, last) < 0.5 and not (frame.precise and _inside(box, span, s)):
        return None
    if frame.separators and _rule_between(last, box, frame, s):
        return None
    return gap


# A paragraph's first line is indented at most this many text sizes (two characters
# in Chinese, an em or two in Latin type).
INDENT_MAX = 2.5


def _inside(box: Box, span: Box, s: float) -> bool:
    """A line starting at the block's left edge or at most a paragraph indent in, and
    within its width, though it hardly overlaps the line above: a paragraph's last word
    or two under an indented first line (a two-line paragraph), or an indented first
    line under the short last line of the paragraph before. A line starting farther in
    is another column's, beside a line the engine ran across the gutter. Only for exact
    boxes (a text layer): an OCR box is padded and wobbles by as much as the overlap this
    forgives, and on a held-out vertical scan the looser join reordered the page."""
    return span[0] - 0.5 * s <= box[0] <= span[0] + INDENT_MAX * s and box[2] <= span[2] + 0.5 * s


# OCR pads a line's box by a fraction of its size: a rule set close under a line (the
# page header's rule) may run inside the box's padding. A rule this many sizes above the
# bottom of the upper box (or below the top of the lower one) still stands between them;
# rules through the text itself were dropped when rules were found.
RULE_PAD = 0.25


def _rule_between(upper: Box, lower: Box, frame: Frame, size: float = 0.0) -> bool:
    pad = max(1.0, RULE_PAD * size)
    for sep, kind in frame.separators:
        if kind != "horizontal":
            continue  # a frame's or picture's middle is no line on the page
        mid = (sep[1] + sep[3]) / 2
        if upper[3] - pad <= mid <= lower[1] + pad and g.x_overlap(sep, upper) > 0 and g.x_overlap(sep, lower) > 0:
            return True
    return False


def _bridged(left: Box, right: Box, frame: Frame, size: float) -> bool:
    """The white between two pieces of a row is no gutter: it is narrow, and most lines
    of the rows just above or below run across it, or, in a head's large type, no line
    stands there at all (its words an em apart); a gutter is white all the way down::

        aaaaaaaaaaaaaaaaaaaa       the row's right piece may reach past its block's
        aaaaaaaaa  aaaaaaaaaaaa    lines so far (it is the block's first row)
    """
    if right[0] - left[2] > PIECE_GAP * size:
        return False
    near = [b for b in _text_lines_around(left, right, frame, size, 2.0) if b[0] < right[2] and b[2] > left[0]]
    if not near:
        return size >= DISPLAY_SIZE * frame.size
    # Most of them, not one (a line the detector ran across a gutter crosses it too),
    # each running on half a size past both edges (lines ending in a gutter do not).
    x0, x1 = _white(left, right, size)
    return 2 * sum(b[0] <= x0 and b[2] >= x1 for b in near) > len(near)


def _text_lines_around(left: Box, right: Box, frame: Frame, size: float, reach: float) -> list[Box]:
    """The lines within ``reach`` text sizes above and below two pieces of a row, the
    pieces left out, in the text's own size: a head spans the gutters of the columns it
    heads, and tells nothing of them."""
    lo, hi = left[1] - reach * size, left[3] + reach * size
    return [b for b, z in zip(frame.boxes, frame.sizes) if lo <= b[1] and b[3] <= hi and b is not left
            and b is not right and max(z, size) < SIZE_RATIO * min(z, size)]


def _white(left: Box, right: Box, size: float) -> tuple[float, float]:
    """The white between two pieces of a row, half a size wider on either side: a line
    runs across it when it reaches past both ends."""
    return min(left[2], right[0]) - 0.5 * size, max(left[2], right[0]) + 0.5 * size


def _rule_beside(left: Box, right: Box, frame: Frame, size: float) -> bool:
    """A column rule runs down between two pieces of one row: they are two columns'
    lines (on a vertical page, two tiers' columns), however close."""
    pad = max(1.0, RULE_PAD * size)
    for sep, kind in frame.separators:
        mid = (sep[0] + sep[2]) / 2
        if kind == "vertical" and left[2] - pad <= mid <= right[0] + pad and g.y_overlap(sep, left) > 0 and g.y_overlap(sep, right) > 0:
            return True
    return False


# Lines of the rows beside two pieces (within TIER_FOOT_REACH text sizes: two or three
# rows either side) that end in the white between them: this many make it the foot of
# a tier (a short last line of a paragraph may end there alone).
TIER_FOOT_LINES = 2
TIER_FOOT_REACH = 3.0


def _tier_foot(left: Box, right: Box, frame: Frame, size: float) -> bool:
    """The white between two pieces of a row is where the columns beside them end: on
    a vertical page the tiers of one article are parted by a white band a character
    deep (a rule is not always drawn, or not found), and the engine may read a column
    on across it into the next tier's. Pieces cut in a column (at a formula, a stop)
    have the columns beside them running on past the cut::

        aaaaaaaa  bbbbbbbb      a row's two pieces, x and y, with the rows beside
        xxxxxxxx  yyyyyyyy      it ending in the white between them: two tiers
        aaaaaaaa  bbbbbbbb
    """
    lo, hi = left[1] - TIER_FOOT_REACH * size, left[3] + TIER_FOOT_REACH * size
    x0, x1 = left[2] - 0.5 * size, right[0] + 0.5 * size
    ends = sum(1 for b in frame.boxes if lo <= b[1] and b[3] <= hi and b is not left and b is not right
               and x0 <= b[2] <= x1 and b[0] < left[2] - size)
    return ends >= TIER_FOOT_LINES


def _row_order(group: list[int], frame: Frame) -> list[int]:
    """Lines sorted top to bottom; pieces of one row left to right."""
    rows: list[list[int]] = []
    for i in sorted(group, key=lambda j: frame.boxes[j][1]):
        if rows and g.y_overlap_ratio(frame.boxes[rows[-1][0]], frame.boxes[i]) > 0.5:
            rows[-1].append(i)
        else:
            rows.append([i])
    return [i for row in rows for i in sorted(row, key=lambda j: frame.boxes[j][0])]


def split_paragraphs(group: list[int], page: Page, frame: Frame, params: BlockParams) -> list[list[int]]:
    """Cut a block where a paragraph ends (indent, or short line after a full stop), and
    around jump lines."""
    if len(group) < 2:
        return [group]
    # A jump line ("Continued from Page 1") set like the text is still no part of it.
    jump = {i: c.is_jump_line(page.lines[i].text) for i in group}
    if len(group) < 3 and not any(jump.values()):
        return [group]  # too short to tell paragraphs apart
    span = g.union(frame.boxes[i] for i in group)
    s = g.median_or((frame.sizes[i] for i in group), frame.size)
    parts: list[list[int]] = [[group[0]]]
    centre = {i: is_centred(frame.boxes[i], span, s) for i in group}
    for prev, cur in zip(group, group[1:]):
        pb, cb = frame.boxes[prev], frame.boxes[cur]
        same_row = g.y_overlap_ratio(pb, cb) > 0.5
        indented = cb[0] - span[0] > params.indent * s
        text = page.lines[prev].text
        short = span[2] - pb[2] > SHORT_END * s and c.ends_sentence(text) and not c.leaves_parenthesis_open(text)
        centred = centre[cur] or centre[prev]
        if not same_row and (centred or jump[prev] or jump[cur]
                             or ((indented or short) and _full_width_rest(group, cur, span, frame, s))):
            parts.append([cur])
        else:
            parts[-1].append(cur)
    return parts


LEAD_PITCH = 1.18  # a first line this much farther from the second than the rest's spacing


def set_apart(group: list[int], frame: Frame) -> int:
    """How many first lines (0 = none) stand farther above the next line than the
    lines below stand from each other, while set no looser among themselves: a byline
    (with its dateline) or a caption set over the text, in its own small type and a
    little white space, that a gap too small to end the block left in it. Centres,
    not edges: OCR boxes of one line differ in height by a few pixels."""
    centres = [(frame.boxes[i][1] + frame.boxes[i][3]) / 2.0 for i in group[: LEAD_MAX + 1 + LEAD_LINES]]
    pitches = np.diff(centres)
    for k in range(1, LEAD_MAX + 1):
        below = pitches[k:k + LEAD_LINES]
        if len(below) == 0:
            break
        apart = LEAD_PITCH * float(np.median(below))
        if pitches[k - 1] > apart > 0 and all(p * LEAD_PITCH < pitches[k - 1] for p in pitches[: k - 1]):
            return k
    return 0


LEAD_MAX = 3  # a byline and a dateline over the text take at most this many lines
LEAD_LINES = 4  # the spacing of at most this many lines under the lead counts


# A line this many text sizes in from both edges of its column, about as far on each
# side, is set centred: a heading (a country, a place, a section), never running text.
CENTRED_MARGIN = 2.0


def is_centred(box: Box, span: Box, s: float) -> bool:
    left, right = box[0] - span[0], span[2] - box[2]
    return min(left, right) > CENTRED_MARGIN * s and abs(left - right) < max(1.5 * s, 0.15 * (span[2] - span[0]))


def _full_width_rest(group: list[int], cur: int, span: Box, frame: Frame, s: float) -> bool:
    # An indent only starts a paragraph in a block whose other lines start flush left;
    # in a ragged block (a caption, a poem) indentation means nothing.
    flush = sum(1 for i in group if frame.boxes[i][0] - span[0] <= 0.5 * s)
    return flush >= len(group) / 2


def make_blocks(page: Page, groups: list[list[int]], roles: list[str]) -> tuple[Block, ...]:
    return tuple(
        Block(
            id=f"b{k}",
            line_ids=tuple(page.lines[i].id for i in grp),
            bbox=g.union(page.lines[i].bbox for i in grp),
            role=role,
        )
        for k, (grp, role) in enumerate(zip(groups, roles))
    )


def block_text(lines: list[Line]) -> str:
    text = ""
    for line in lines:
        text = c.join_lines(text, line.text)
    return text
