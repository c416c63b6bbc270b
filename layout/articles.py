"""Article grouping: which blocks, in reading order, make up each article.

Strategies take the blocks' roles in reading order and return groups of positions in
that order; the objects stay put. The first strategy follows the reading order: a
headline (with the sub-heads and bylines under it) opens an article, and every block
after it belongs to it until the next headline. Page furniture belongs to no article.
"""

from __future__ import annotations

from typing import Callable, Sequence

Grouping = Callable[[Sequence[str]], list[list[int]]]

HEAD_ROLES = ("headline", "subheadline", "byline", "dateline")
NO_ARTICLE = ("header", "footer", "masthead", "picture")


def by_headlines(roles: Sequence[str]) -> list[list[int]]:
    """Groups of positions: a headline after body text opens a new article."""
    groups: list[list[int]] = []
    seen_body = True  # the first headline always opens an article
    for pos, role in enumerate(roles):
        if role in NO_ARTICLE:
            continue
        opens = role == "headline" and (seen_body or not groups)
        if opens or not groups:
            groups.append([])
            seen_body = False
        groups[-1].append(pos)
        if role not in HEAD_ROLES:
            seen_body = True
    return groups


GROUPINGS: dict[str, Grouping] = {"headlines": by_headlines}
