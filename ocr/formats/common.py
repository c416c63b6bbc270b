"""Pieces shared by the readers and writers: ids, geometry, roles, page assembly."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Sequence

from layout.model import Article, Block, Box, Line, Page, Point, Separator

# ALTO mm10 and inch1200 carry no resolution; scanned newspapers are mostly 300 dpi,
# so that is what converts them to pixels (and what the page's ``dpi`` then says).
DEFAULT_DPI = 300.0

# ---------------------------------------------------------------------- reading side


@dataclass
class RawLine:
    """A line as a reader found it, before ids are made unique."""

    id: str | None
    text: str
    bbox: Box
    polygon: tuple[Point, ...] | None = None
    confidence: float | None = None
    height: float | None = None


@dataclass
class RawBlock:
    id: str | None
    bbox: Box | None
    role: str = "body"
    lines: list[RawLine] = field(default_factory=list)


@dataclass
class RawPage:
    """What a reader extracts from one page; ``build_page`` turns it into a Page."""

    width: float
    height: float
    source: str
    page_number: int = 1
    dpi: float | None = None
    blocks: list[RawBlock] = field(default_factory=list)
    # Block ids (as in the file) in the file's reading order; [] when it has none.
    order: list[str] = field(default_factory=list)
    # (id, title, block ids as in the file)
    articles: list[tuple[str, str, list[str]]] = field(default_factory=list)
    # (source block id, target block id, kind)
    links: list[tuple[str, str, str]] = field(default_factory=list)
    # Maps ids that name other elements (ALTO lines, composed blocks) to block ids.
    expand: Callable[[list[str]], list[str]] | None = None
    # Drawn rules the file records (PAGE SeparatorRegion): (bbox, kind).
    separators: list[tuple[Box, str]] = field(default_factory=list)


class _Unique:
    """Keeps file ids when they are unique; invents ``<prefix><n>`` otherwise."""

    def __init__(self, prefix: str, wanted: Iterable[str | None]) -> None:
        seen: dict[str, int] = {}
        for ident in wanted:
            if ident:
                seen[ident] = seen.get(ident, 0) + 1
        self._dupes = {k for k, n in seen.items() if n > 1}
        self._taken = set(seen)
        self._prefix = prefix
        self._n = 0

    def take(self, ident: str | None) -> str:
        if ident and ident not in self._dupes:
            return ident
        self._n += 1
        while f"{self._prefix}{self._n}" in self._taken:
            self._n += 1
        new = f"{self._prefix}{self._n}"
        self._taken.add(new)
        return new


def separator_kind(box: Box) -> str:
    """A rule's kind from its shape: much taller than wide is vertical, else horizontal."""
    w, h = box[2] - box[0], box[3] - box[1]
    return "vertical" if h > 2 * w else "horizontal"


def build_page(raw: RawPage, *, with_layout: bool) -> Page:
    """A Page from what a reader found; blocks, order and articles only when asked."""
    line_ids = _Unique("line_", (ln.id for b in raw.blocks for ln in b.lines))
    block_ids = _Unique("block_", (b.id for b in raw.blocks))
    lines: list[Line] = []
    blocks: list[Block] = []
    # A file id can name several blocks when it was duplicated; the first one wins.
    block_map: dict[str, str] = {}
    for rb in raw.blocks:
        ids = []
        for rl in rb.lines:
            line = Line(
                id=line_ids.take(rl.id),
                text=rl.text,
                bbox=rl.bbox,
                polygon=rl.polygon,
                confidence=rl.confidence,
                height=rl.height,
            )
            lines.append(line)
            ids.append(line.id)
        bid = block_ids.take(rb.id)
        if rb.id:
            block_map.setdefault(rb.id, bid)
        if ids:
            bbox = rb.bbox or union(ln.bbox for ln in lines[-len(ids):])
            blocks.append(Block(id=bid, line_ids=tuple(ids), bbox=bbox, role=rb.role))
    page = Page(
        width=raw.width,
        height=raw.height,
        lines=tuple(lines),
        source=raw.source,
        page_number=raw.page_number,
        dpi=raw.dpi,
        # Rules are part of what the file says about the page, not a layout result:
        # they come with the lines whether or not the file's layout is kept.
        separators=tuple(Separator(box, kind) for box, kind in raw.separators),
    )
    if not with_layout:
        return page
    return _with_layout(page, raw, tuple(blocks), block_map)


def _with_layout(page: Page, raw: RawPage, blocks: tuple[Block, ...], block_map: dict[str, str]) -> Page:
    from layout.model import Link

    known = {b.id for b in blocks}

    def resolve(ids: list[str]) -> tuple[str, ...]:
        # Regions without text lines (pictures, separators) are not blocks: drop them.
        out: list[str] = []
        for ident in raw.expand(ids) if raw.expand else ids:
            bid = block_map.get(ident)
            if bid in known and bid not in out:
                out.append(bid)
        return tuple(out)

    by_id = {b.id: b for b in blocks}
    lines = page.line_by_id()
    articles = []
    for aid, title, members in raw.articles:
        bids = resolve(members)
        if bids:
            articles.append(Article(aid, title, bids, article_text(bids, by_id, lines)))
    links = tuple(
        Link(block_map[s], block_map[t], kind)
        for s, t, kind in raw.links
        if block_map.get(s) in known and block_map.get(t) in known
    )
    return page.with_(
        blocks=blocks,
        reading_order=resolve(raw.order),
        articles=tuple(articles),
        links=links,
    )


def article_text(block_ids: Sequence[str], blocks: dict[str, Block], lines: dict[str, Line]) -> str:
    """Plain text of an article: lines joined by newlines, blocks by blank lines."""
    parts = ["\n".join(lines[lid].text for lid in blocks[bid].line_ids) for bid in block_ids]
    return "\n\n".join(parts)


def union(boxes: Iterable[Box]) -> Box:
    items = list(boxes)
    return (
        min(b[0] for b in items),
        min(b[1] for b in items),
        max(b[2] for b in items),
        max(b[3] for b in items),
    )


def polygon_box(points: Sequence[Point]) -> Box:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return (min(xs), min(ys), max(xs), max(ys))


def polygon_height(points: Sequence[Point]) -> float:
    """Mean height of a line polygon (area over width): robust to skewed outlines."""
    x0, y0, x1, y1 = polygon_box(points)
    width = x1 - x0
    if len(points) < 3 or width <= 0:
        return y1 - y0
    area = 0.0
    for (ax, ay), (bx, by) in zip(points, list(points[1:]) + [points[0]]):
        area += ax * by - bx * ay
    height = abs(area) / 2.0 / width
    return height if height > 0 else y1 - y0


_NUMBERS = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def parse_points(text: str) -> list[Point] | None:
    """Points from ``"x,y x,y"`` or ``"x y x y"``; None when the list is malformed."""
    values = [float(v) for v in _NUMBERS.findall(text or "")]
    if len(values) < 2 or len(values) % 2:
        return None
    return [(values[i], values[i + 1]) for i in range(0, len(values), 2)]


# -------------------------------------------------------------------------- roles

# PAGE region types and pagestitch roles. Types without a role of their own map to
# the nearest one; roles without a PAGE type are also written to ``custom`` so that
# they survive a round trip.
PAGE_TYPE_TO_ROLE = {
    "paragraph": "body",
    "heading": "headline",
    "caption": "caption",
    "header": "header",
    "footer": "footer",
    "credit": "byline",
    "drop-capital": "body",
    "footnote": "body",
    "footnote-continued": "body",
    "endnote": "body",
    "list-label": "body",
    "floating": "other",
    "marginalia": "other",
    "signature-mark": "other",
    "catch-word": "other",
    "TOC-entry": "other",
    "other": "other",
}
ROLE_TO_PAGE_TYPE = {
    "headline": "heading",
    "subheadline": "heading",
    "byline": "credit",
    "dateline": "paragraph",
    "body": "paragraph",
    "caption": "caption",
    "jump": "paragraph",
    "header": "header",
    "footer": "footer",
    "masthead": "header",
    "picture": "other",
    "other": "other",
}


def role_for_page_type(kind: str | None, bbox: Box | None, page_height: float) -> str:
    if kind == "page-number":
        # A page number is a header or a footer depending on where it sits.
        if bbox is not None and (bbox[1] + bbox[3]) / 2 > page_height / 2:
            return "footer"
        return "header"
    return PAGE_TYPE_TO_ROLE.get(kind or "", "body")


# --------------------------------------------------------------------- writing side

_NCNAME = re.compile(r"[^\W\d][\w.\-]*")
# Characters XML 1.0 cannot hold at all (lxml refuses them).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    """Text with the characters XML cannot carry removed."""
    return _NOT_XML.sub("", text)


class XmlIds:
    """Turns page ids into valid, document-unique XML ids (unchanged when possible)."""

    def __init__(self, page_ids: Iterable[str]) -> None:
        self._taken: set[str] = set()
        self._map: dict[str, str] = {}
        for ident in page_ids:
            if ident not in self._map:
                self._map[ident] = self._claim(ident)

    def _claim(self, ident: str) -> str:
        base = ident if _NCNAME.fullmatch(ident) else "_" + re.sub(r"[^\w.\-]", "_", ident)
        name, n = base, 1
        while name in self._taken:
            n += 1
            name = f"{base}_{n}"
        self._taken.add(name)
        return name

    def __getitem__(self, ident: str) -> str:
        if ident not in self._map:
            self._map[ident] = self._claim(ident)
        return self._map[ident]

    def fresh(self, prefix: str) -> str:
        """A new id that no page id uses."""
        return self._claim(prefix)


def alto_ids(page: Page, blocks: Sequence[Block]) -> XmlIds:
    """The XML ids an ALTO file of this page uses (METS must point at the same ones)."""
    return XmlIds([b.id for b in blocks] + [ln.id for ln in page.lines] + [a.id for a in page.articles])


def fmt_num(value: float) -> str:
    """Short decimal text for a number (integers without '.0').

    Six decimals hide binary noise such as 74.40899999999999 while keeping every
    value the readers produce (they round coordinates to 3 decimals) exact.
    """
    value = round(float(value), 6)
    if value.is_integer():
        return str(int(value))
    return repr(value)


def layout_of(page: Page) -> tuple[list[Block], list[str]]:
    """The blocks to write and their reading order.

    A page without blocks gets one block per line (ids ``<line id>_b``) in line order;
    lines that no block holds get a block of their own after the others. The order is
    empty when the page has none (the file's element order then says it all).
    """
    lines = page.line_by_id()
    blocks = [b for b in page.blocks if any(lid in lines for lid in b.line_ids)]
    held = {lid for b in blocks for lid in b.line_ids}
    taken = {b.id for b in blocks}
    for line in page.lines:
        if line.id not in held:
            bid = f"{line.id}_b"
            while bid in taken:
                bid += "_"
            taken.add(bid)
            blocks.append(Block(id=bid, line_ids=(line.id,), bbox=line.bbox))
    ids = {b.id for b in blocks}
    order = [bid for bid in page.reading_order if bid in ids]
    if not order and page.articles:
        # Articles live in the reading order of ALTO and PAGE: fall back to block order.
        order = [b.id for b in blocks]
    return blocks, order


def article_segments(page: Page, order: Sequence[str]) -> list[tuple[Article | None, list[str], bool]]:
    """The reading order cut into runs: (article or None, block ids, is continuation).

    Consecutive blocks of one article form one run; an article that comes back after
    other blocks gets a second run flagged as a continuation.
    """
    owner: dict[str, Article] = {}
    for art in page.articles:
        for bid in art.block_ids:
            owner.setdefault(bid, art)
    runs: list[tuple[Article | None, list[str], bool]] = []
    started: set[str] = set()
    for bid in order:
        art = owner.get(bid)
        if art is not None and runs and runs[-1][0] is art:
            runs[-1][1].append(bid)
            continue
        cont = art is not None and art.id in started
        if art is not None:
            started.add(art.id)
        runs.append((art, [bid], cont))
    return runs


def created_time() -> str:
    """UTC timestamp for file headers; SOURCE_DATE_EPOCH makes output reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = (
        datetime.fromtimestamp(int(epoch), tz=timezone.utc)
        if epoch and epoch.isdigit()
        else datetime.now(timezone.utc)
    )
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def source_name(page: Page) -> str:
    return Path(page.source).name if page.source else ""


def clamp01(value: float) -> float:
    return min(1.0, max(0.0, value))
