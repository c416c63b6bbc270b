"""The pagestitch data model: frozen dataclasses and their JSON form.

Geometry convention (declared here, once, for the whole project):
    every box is ``(x0, y0, x1, y1)`` in **pixels** of the page image, origin at the
    **top-left** corner, x growing to the right and y growing downwards, with
    ``x0 <= x1`` and ``y0 <= y1``. Polygons are sequences of ``(x, y)`` points in the
    same system. Pages read from PDFs use PDF points scaled to pixels at the page's
    ``dpi`` (72 when no raster exists), so the convention holds for every source.

The JSON form carries ``"schema": "pagestitch/page@1"``. A page JSON that holds only
``width``, ``height`` and ``lines`` (each with ``id``, ``text``, ``bbox``) is a valid
input: everything else is optional and is what the layout stages add.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Mapping

SCHEMA = "pagestitch/page@1"

Box = tuple[float, float, float, float]
Point = tuple[float, float]


class ModelError(ValueError):
    """A page JSON that does not follow the schema; the message names the field."""


# Roles a block can take. Kept as plain strings so that JSON stays readable.
ROLES = (
    "headline",
    "subheadline",
    "byline",
    "dateline",
    "body",
    "caption",
    "jump",
    "header",
    "footer",
    "masthead",
    "picture",
    "other",
)


@dataclass(frozen=True)
class Line:
    """One line of text as an OCR engine or a PDF gives it."""

    id: str
    text: str
    bbox: Box
    polygon: tuple[Point, ...] | None = None
    confidence: float | None = None
    # Measured text height in pixels (font size for PDFs, box height for OCR of
    # horizontal lines, box width for vertical ones). Thresholds are relative to it.
    height: float | None = None
    vertical: bool = False
    # Set in a heavier weight than running text: True or False where the source says
    # (a PDF's font name), None where nobody measured it.
    bold: bool | None = None

    @property
    def size(self) -> float:
        """Text size: the measured height, or the box's short side."""
        if self.height is not None and self.height > 0:
            return self.height
        x0, y0, x1, y1 = self.bbox
        return max(1.0, min(x1 - x0, y1 - y0))


@dataclass(frozen=True)
class Separator:
    """A drawn rule or frame, or a picture. ``kind`` is ``vertical``, ``horizontal``,
    ``frame`` or ``picture`` (text does not run across any of them)."""

    bbox: Box
    kind: str


@dataclass(frozen=True)
class Column:
    id: str
    bbox: Box


@dataclass(frozen=True)
class Block:
    """Consecutive lines that belong together (a paragraph, a headline, a caption)."""

    id: str
    line_ids: tuple[str, ...]
    bbox: Box
    role: str = "body"
    column: str | None = None


@dataclass(frozen=True)
class Link:
    """``source`` block continues in ``target`` block.

    ``kind`` is ``join`` when a paragraph was cut by a column break (its text is joined
    without a break), ``continue`` when the article merely goes on in the next block.
    """

    source: str
    target: str
    kind: str = "continue"
    score: float = 1.0
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    block_ids: tuple[str, ...]
    text: str


def article_body(title: str, text: str) -> str:
    """An article's text without its title (the text is the title, a newline, the body)."""
    return text[len(title):].lstrip("\n") if title and text.startswith(title) else text


@dataclass(frozen=True)
class Provenance:
    engine: str = "none"
    model: str = ""
    version: str = ""
    parameters: Mapping[str, Any] = field(default_factory=dict)
    # Seconds per stage, e.g. {"ocr": 5.1, "layout": 0.01, "stitch": 0.002}.
    timings: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Page:
    width: float
    height: float
    lines: tuple[Line, ...]
    source: str = ""
    page_number: int = 1
    dpi: float | None = None
    # "horizontal" (rows left to right, columns left to right) or "vertical"
    # (top to bottom, columns right to left); None until detected.
    direction: str | None = None
    separators: tuple[Separator, ...] = ()
    columns: tuple[Column, ...] = ()
    blocks: tuple[Block, ...] = ()
    reading_order: tuple[str, ...] = ()
    articles: tuple[Article, ...] = ()
    links: tuple[Link, ...] = ()
    provenance: Provenance = field(default_factory=Provenance)

    def line_by_id(self) -> dict[str, Line]:
        return {line.id: line for line in self.lines}

    def block_by_id(self) -> dict[str, Block]:
        return {block.id: block for block in self.blocks}

    def ordered_line_ids(self) -> list[str]:
        """Line ids in reading order (blocks in ``reading_order``, lines within them)."""
        blocks = self.block_by_id()
        order = self.reading_order or tuple(b.id for b in self.blocks)
        return [lid for bid in order for lid in blocks[bid].line_ids]

    def with_(self, **changes: Any) -> Page:
        return replace(self, **changes)


# ---------------------------------------------------------------------------- JSON


def _box(value: Any, where: str) -> Box:
    if not isinstance(value, (list, tuple)) or len(value) != 4:
        raise ModelError(f"{where}: bbox must be [x0, y0, x1, y1], got {value!r}")
    try:
        x0, y0, x1, y1 = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ModelError(f"{where}: bbox must hold numbers, got {value!r}") from None
    if x1 < x0 or y1 < y0:
        raise ModelError(f"{where}: bbox {value!r} has x1 < x0 or y1 < y0")
    return (x0, y0, x1, y1)


def _require(data: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise ModelError(f"{where}: missing '{key}'")
    return data[key]


def _line_from(d: Mapping[str, Any], where: str) -> Line:
    poly = d.get("polygon")
    return Line(
        id=str(_require(d, "id", where)),
        text=str(_require(d, "text", where)),
        bbox=_box(_require(d, "bbox", where), where),
        polygon=tuple((float(x), float(y)) for x, y in poly) if poly else None,
        confidence=None if d.get("confidence") is None else float(d["confidence"]),
        height=None if d.get("height") is None else float(d["height"]),
        vertical=bool(d.get("vertical", False)),
        bold=None if d.get("bold") is None else bool(d["bold"]),
    )


def _line_to(line: Line) -> dict[str, Any]:
    d: dict[str, Any] = {"id": line.id, "text": line.text, "bbox": list(line.bbox)}
    if line.polygon is not None:
        d["polygon"] = [list(p) for p in line.polygon]
    if line.confidence is not None:
        d["confidence"] = line.confidence
    if line.height is not None:
        d["height"] = line.height
    if line.vertical:
        d["vertical"] = True
    if line.bold is not None:
        d["bold"] = line.bold
    return d


def _tuple_of(items: Iterable[Any]) -> tuple[str, ...]:
    return tuple(str(i) for i in items)


def page_to_dict(page: Page) -> dict[str, Any]:
    """The JSON form of a page (plain dicts and lists, ready for ``json.dumps``)."""
    p = page.provenance
    return {
        "schema": SCHEMA,
        "source": page.source,
        "page_number": page.page_number,
        "width": page.width,
        "height": page.height,
        "dpi": page.dpi,
        "direction": page.direction,
        "lines": [_line_to(line) for line in page.lines],
        "separators": [{"bbox": list(s.bbox), "kind": s.kind} for s in page.separators],
        "columns": [{"id": c.id, "bbox": list(c.bbox)} for c in page.columns],
        "blocks": [
            {
                "id": b.id,
                "role": b.role,
                "bbox": list(b.bbox),
                "line_ids": list(b.line_ids),
                "column": b.column,
            }
            for b in page.blocks
        ],
        "reading_order": list(page.reading_order),
        "articles": [
            {"id": a.id, "title": a.title, "block_ids": list(a.block_ids), "text": a.text}
            for a in page.articles
        ],
        "links": [
            {
                "source": k.source,
                "target": k.target,
                "kind": k.kind,
                "score": k.score,
                "reasons": list(k.reasons),
            }
            for k in page.links
        ],
        "provenance": {
            "engine": p.engine,
            "model": p.model,
            "version": p.version,
            "parameters": dict(p.parameters),
            "timings": dict(p.timings),
        },
    }


def page_from_dict(data: Mapping[str, Any], where: str = "page") -> Page:
    """Build a page from its JSON form; raises ModelError naming the bad field."""
    if not isinstance(data, Mapping):
        raise ModelError(f"{where}: expected a JSON object")
    schema = data.get("schema")
    if schema != SCHEMA:
        raise ModelError(f"{where}: schema is {schema!r}, expected {SCHEMA!r}")
    lines_raw = _require(data, "lines", where)
    if not isinstance(lines_raw, list):
        raise ModelError(f"{where}: 'lines' must be a list")
    lines = tuple(_line_from(d, f"{where}: lines[{i}]") for i, d in enumerate(lines_raw))
    ids = [line.id for line in lines]
    if len(set(ids)) != len(ids):
        raise ModelError(f"{where}: line ids are not unique")
    blocks = tuple(
        Block(
            id=str(b["id"]),
            line_ids=_tuple_of(b["line_ids"]),
            bbox=_box(b["bbox"], f"{where}: blocks[{i}]"),
            role=str(b.get("role", "body")),
            column=b.get("column"),
        )
        for i, b in enumerate(data.get("blocks") or [])
    )
    prov = data.get("provenance") or {}
    page = Page(
        width=float(_require(data, "width", where)),
        height=float(_require(data, "height", where)),
        lines=lines,
        source=str(data.get("source") or ""),
        page_number=int(data.get("page_number") or 1),
        dpi=None if data.get("dpi") is None else float(data["dpi"]),
        direction=data.get("direction"),
        separators=tuple(
            Separator(_box(s["bbox"], f"{where}: separators[{i}]"), str(s["kind"]))
            for i, s in enumerate(data.get("separators") or [])
        ),
        columns=tuple(
            Column(str(c["id"]), _box(c["bbox"], f"{where}: columns[{i}]"))
            for i, c in enumerate(data.get("columns") or [])
        ),
        blocks=blocks,
        reading_order=_tuple_of(data.get("reading_order") or []),
        articles=tuple(
            Article(str(a["id"]), str(a["title"]), _tuple_of(a["block_ids"]), str(a["text"]))
            for a in data.get("articles") or []
        ),
        links=tuple(
            Link(
                str(k["source"]),
                str(k["target"]),
                str(k.get("kind", "continue")),
                float(k.get("score", 1.0)),
                _tuple_of(k.get("reasons") or []),
            )
            for k in data.get("links") or []
        ),
        provenance=Provenance(
            engine=str(prov.get("engine", "none")),
            model=str(prov.get("model", "")),
            version=str(prov.get("version", "")),
            parameters=dict(prov.get("parameters") or {}),
            timings={str(k): float(v) for k, v in (prov.get("timings") or {}).items()},
        ),
    )
    _check_references(page, where)
    return page


def _check_references(page: Page, where: str) -> None:
    line_ids = {line.id for line in page.lines}
    block_ids = {b.id for b in page.blocks}
    for b in page.blocks:
        missing = [lid for lid in b.line_ids if lid not in line_ids]
        if missing:
            raise ModelError(f"{where}: block {b.id} names unknown lines {missing[:3]}")
    for bid in page.reading_order:
        if bid not in block_ids:
            raise ModelError(f"{where}: reading_order names unknown block {bid}")
    for a in page.articles:
        for bid in a.block_ids:
            if bid not in block_ids:
                raise ModelError(f"{where}: article {a.id} names unknown block {bid}")
