"""Block roles: headline, subheadline, byline, jump line, page header/footer, body.

Roles come from text size relative to the page's body text, position, and a few
patterns that newspapers share (bylines, jump lines).
"""

from __future__ import annotations

import re

from layout import continuity as c
from layout import geometry as g
from layout.frame import Frame
from layout.model import Box, Page

HEADLINE = 1.35  # text this many times the body size is a headline
SUBHEAD = 1.12

_BYLINE = re.compile(
    r"^\s*(By\s|BY\s|Von\s|VON\s|From\s|本报记者|本报讯|记者|通讯员|特约评论员|评论员|文[／/]|作者[：:]|新华社)"
)
_DATELINE = re.compile(r"^\s*[（(]?\s*(新华社|中新社|本报)[^）)]{0,14}电[）)]?\s*$")


def body_size(sizes: list[float], fallback: float) -> float:
    """The text size most characters are set in (the size-weighted mode, roughly)."""
    if not sizes:
        return fallback
    ordered = sorted(sizes)
    return ordered[len(ordered) // 2]


def assign_roles(page: Page, frame: Frame, groups: list[list[int]]) -> list[str]:
    sizes = [g.median_or((frame.sizes[i] for i in grp), frame.size) for grp in groups]
    weights = [sum(len(page.lines[i].text) for i in grp) for grp in groups]
    body = _weighted_median(sizes, weights, frame.size)
    boxes = [g.union(frame.boxes[i] for i in grp) for grp in groups]
    text = [" ".join(page.lines[i].text for i in grp) for grp in groups]
    roles = [_role(t, s / body, len(grp)) for t, s, grp in zip(text, sizes, groups)]
    return _page_furniture(roles, boxes, text, body)


def _weighted_median(values: list[float], weights: list[int], fallback: float) -> float:
    pairs = sorted(zip(values, weights))
    total = sum(weights)
    if not pairs or total == 0:
        return fallback
    acc = 0
    for v, w in pairs:
        acc += w
        if acc >= total / 2:
            return v
    return pairs[-1][0]


def _role(text: str, rel_size: float, n_lines: int) -> str:
    stripped = text.strip()
    if c.is_jump_line(stripped):
        return "jump"
    if rel_size >= HEADLINE:
        return "headline"
    if rel_size >= SUBHEAD and n_lines <= 3:
        return "subheadline"
    if n_lines <= 2 and len(stripped) <= 60 and _BYLINE.search(stripped):
        return "byline"
    if n_lines == 1 and _DATELINE.search(stripped):
        return "dateline"
    return "body"


def _page_furniture(roles: list[str], boxes: list[Box], text: list[str], body: float) -> list[str]:
    """One-line blocks above (below) all other text, holding digits, are header (footer)."""
    if len(boxes) < 3:
        return roles
    out = list(roles)
    top = min(range(len(boxes)), key=lambda k: boxes[k][1])
    bottom = max(range(len(boxes)), key=lambda k: boxes[k][3])
    others_top = min(b[1] for k, b in enumerate(boxes) if k != top)
    others_bottom = max(b[3] for k, b in enumerate(boxes) if k != bottom)
    if roles[top] != "headline" and _furniture_like(text[top], boxes[top], body) and boxes[top][3] <= others_top + 0.2 * body:
        out[top] = "header"
    if roles[bottom] != "headline" and _furniture_like(text[bottom], boxes[bottom], body) and boxes[bottom][1] >= others_bottom - 0.2 * body:
        out[bottom] = "footer"
    return out


def _furniture_like(text: str, box: Box, body: float) -> bool:
    return any(ch.isdigit() for ch in text) and g.height(box) < 2.0 * body and len(text) <= 120
