"""Article grouping: which blocks, in reading order, make up each article.

Strategies take the blocks' roles in reading order and return groups of positions in
that order; the objects stay put. The first strategy follows the reading order: a
headline (with the sub-heads and bylines under it) opens an article, and every block
after it belongs to it until the next headline. Page furniture belongs to no article.
"""

from __future__ import annotations

from typing import Callable, Collection, Sequence

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
    for pos, role in enumerate(roles):
        if role in NO_ARTICLE:
            continue
        opens = (role == "headline" and (seen_body or not groups)) or (pos in breaks and seen_body)
        if opens or not groups:
            groups.append([])
            seen_body = False
        groups[-1].append(pos)
        if role not in HEAD_ROLES:
            seen_body = True
    return groups


GROUPINGS: dict[str, Grouping] = {"headlines": by_headlines}
