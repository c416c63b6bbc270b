"""Article grouping: which blocks, in reading order, make up each article.

Strategies take the blocks' roles in reading order and return groups of positions in
that order; the objects stay put. The first strategy follows the reading order: a
headline (with the sub-heads and bylines under it) opens an article, and every block
after it belongs to it until the next headline. Page furniture belongs to no article.
"""

from __future__ import annotations

from typing import Callable, Collection, Sequence

from layout import geometry as g
from layout.model import Box

# (block roles in reading order, positions that must open an article) -> groups
Grouping = Callable[[Sequence[str], Collection[int]], list[list[int]]]

HEAD_ROLES = ("headline", "subheadline", "byline", "dateline")
NO_ARTICLE = ("header", "footer", "masthead", "picture")


def by_headlines(roles: Sequence[str], breaks: Collection[int] = ()) -> list[list[int]]:
    """Groups of positions: a headline after body text opens a new article, and so does
    the first block after a break (where the page splits into tiers: text under the
    line is another article, headline or not)."""
    groups: list[list[int]] = []
    seen_body = True  # the first headline always opens an article
    signed = False  # a byline closed the head stack of the open article
    for pos, role in enumerate(roles):
        if role in NO_ARTICLE:
            continue
        # A byline ends its article's heads (headline, sub-heads, then the author): a
        # headline after it is the next article's, even where the first one printed
        # no text (it did not fit).
        opens = (role == "headline" and (seen_body or signed or not groups)) or (pos in breaks and seen_body)
        if opens or not groups:
            groups.append([])
            seen_body = False
        groups[-1].append(pos)
        signed = role == "byline"
        if role not in HEAD_ROLES:
            seen_body = True
    return groups


GROUPINGS: dict[str, Grouping] = {"headlines": by_headlines}


# A signature (the author's name, "X. Y.") is the last line of an article, set short
# and to the right: it starts past this share of its column's width and ends closer to
# the column's right edge than a third of its indent from the left. It is set solid
# under the text it signs, with at least SIGNED_WHITE text sizes of white (or nothing)
# under it: a dateline set to the right under a title has white above it instead.
SIGNATURE_INDENT = 0.4
SIGNED_WHITE = 1.5


def signed_blocks(groups: Sequence[Sequence[int]], line_boxes: Sequence[Box], block_boxes: Sequence[Box],
                  size: float) -> set[int]:
    """Indices of the blocks (groups of line indices, in reading order inside each, and
    their boxes) whose last line is a signature: the article ends with them."""
    out = set()
    for k, grp in enumerate(groups):
        last = line_boxes[grp[-1]]
        if len(grp) >= 2:
            column: Box | None = block_boxes[k]
        else:
            column = _block_right_above(last, block_boxes, size)
        if column is None:
            continue
        indent, short = last[0] - column[0], column[2] - last[2]
        if indent > SIGNATURE_INDENT * g.width(column) and short < indent / 3 and _white_under(last, block_boxes, size) \
                and not _row_mates(last, column, line_boxes):
            out.add(k)
    return out


def unhead_signatures(roles: Sequence[str], signed: Collection[int]) -> list[str]:
    """A signature measured as large as a head (its box drawn tall) is still the end of
    its article: set flush right, solid under the text it signs, it is no head."""
    return ["body" if k in signed and r in ("headline", "subheadline") else r for k, r in enumerate(roles)]


def _row_mates(box: Box, column: Box, line_boxes: Sequence[Box]) -> bool:
    """Another line in the column shares box's row: box is the end of a row OCR cut."""
    return any(b != box and g.y_overlap_ratio(b, box) > 0.5 and g.x_overlap(b, column) > 0 for b in line_boxes)


def _block_right_above(box: Box, block_boxes: Sequence[Box], size: float) -> Box | None:
    """The block set solid over box (less than a text size of white between them). A
    box drawn by hand is drawn tall at the top (see layout.frame.cap_intruders) and may
    reach up into that block, up to half its height: its middle stands under it."""
    return max(g.solid_above(box, block_boxes, size, 0.5 * g.height(box)), key=lambda b: b[3], default=None)


def _white_under(box: Box, block_boxes: Sequence[Box], size: float) -> bool:
    """Nothing under box in its column, or only after SIGNED_WHITE text sizes of white."""
    under = [b[1] - box[3] for b in block_boxes if b[1] >= box[3] - 0.5 * size and g.x_overlap(b, box) > 0]
    return not under or min(under) >= SIGNED_WHITE * size


# A head this many times the text's size or more is set larger than the text: a
# headline, whatever stands around it (roles.SUBHEAD, the measured sub-head step).
LARGER = 1.2


def intertitles(order: Sequence[int], roles: Sequence[str], sizes: Sequence[float], signed: Collection[int],
                breaks: Collection[int], size: float) -> list[str]:
    """Heads in the text's own size inside a signed article are its intertitles.

    A signature closes an article, and the author signs all the text above it back to
    where the article began: after the signature before it, or a tier break. A head set
    no larger than the text in that stretch divides the article (a centred intertitle);
    it becomes a sub-head and opens nothing. Headlines set larger still open articles.
    """
    out = list(roles)
    signed_stretch = False
    for p in range(len(order) - 1, -1, -1):
        i = order[p]
        if p + 1 in breaks:
            signed_stretch = False  # reading crossed into another tier after p
        if i in signed:
            signed_stretch = True
        elif signed_stretch and out[i] == "headline" and sizes[i] < LARGER * size:
            out[i] = "subheadline"
    return out
