"""Stitching: the text of each article, whole, and the links between its blocks.

A paragraph that a column break cut goes on in the next block without a break (a
``join`` link); otherwise the next block starts a new paragraph (a ``continue`` link).
Jump lines ("下转第2版") stay in the article's blocks but not in its text.
"""

from __future__ import annotations

from typing import Sequence

from layout import continuity as c
from layout.blocks import block_text
from layout.model import Article, Block, Line, Link

TITLE_ROLES = ("headline",)
# Bylines, captions and sub-heads belong to the article but are not its running text.
SKIP_IN_TEXT = ("jump", "byline", "dateline", "caption", "subheadline")


def stitch_article(
    aid: str, blocks: Sequence[Block], lines: dict[str, Line]
) -> tuple[Article, list[Link]]:
    texts = [block_text([lines[i] for i in b.line_ids]) for b in blocks]
    title = _title(blocks, texts)
    paragraphs: list[str] = []
    links: list[Link] = []
    prev: int | None = None  # index of the previous block that went into the text
    skip = _skipped(blocks)
    for k, (block, text) in enumerate(zip(blocks, texts)):
        if block.role in TITLE_ROLES and (prev is None or blocks[prev].role in TITLE_ROLES):
            prev = k
            continue
        if block.role in skip:
            continue
        if prev is not None and blocks[prev].role not in TITLE_ROLES:
            link = _link(blocks[prev], texts[prev], block, text)
            links.append(link)
            if link.kind == "join":
                paragraphs[-1] = c.join_lines(paragraphs[-1], text)
                prev = k
                continue
        paragraphs.append(text)
        prev = k
    body = "\n".join(p for p in paragraphs if p)
    full = f"{title}\n{body}" if title and body else title or body
    return Article(aid, title, tuple(b.id for b in blocks), full), links


def _skipped(blocks: Sequence[Block]) -> tuple[str, ...]:
    """The roles left out of the text. A notice of one short line under its head ("Edikt."
    over "Das Kaiserl. Königl.") looks like a byline, but an article has text: where no
    block is running text, the lines under the head are it."""
    if any(b.role not in TITLE_ROLES and b.role not in SKIP_IN_TEXT for b in blocks):
        return SKIP_IN_TEXT
    return ("jump", "caption")


def _title(blocks: Sequence[Block], texts: list[str]) -> str:
    parts = []
    for block, text in zip(blocks, texts):
        if block.role not in TITLE_ROLES:
            break
        parts.append(text)
    joined = ""
    for p in parts:
        joined = c.join_lines(joined, p)
    return joined


def _link(a: Block, a_text: str, b: Block, b_text: str) -> Link:
    score, reasons = c.continuation_evidence(a_text, b_text)
    both_body = a.role == "body" and b.role == "body"
    kind = "join" if both_body and score > 0 else "continue"
    return Link(a.id, b.id, kind, round(score, 3), reasons)
