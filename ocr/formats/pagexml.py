"""PAGE XML (2009 to 2019 namespaces): read TextRegion/TextLine, write PAGE 2019.

Written files keep the blocks in the page's block order; the reading order is the
``ReadingOrder`` element: one OrderedGroup whose members are an OrderedGroupIndexed
``type="article"`` per article run (``continuation="true"`` when the article already
began earlier on the page) or a RegionRefIndexed for a block outside articles.
``Relation type="join"`` records paragraphs cut by a column break, ``type="link"`` the
other continuations.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Sequence

from lxml import etree

from layout.model import Block, Line, Page
from ocr.formats import common as c
from ocr.formats.safexml import child, children, descendants, fail, local, number

NS_PREFIX = "http://schema.primaresearch.org/PAGE/gts/pagecontent/"
NS2019 = NS_PREFIX + "2019-07-15"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{NS2019} {NS2019}/pagecontent.xsd"
_CUSTOM = re.compile(r"(\w+)\s*\{([^}]*)\}")

# ==================================================================== reading


def is_page_namespace(ns: str) -> bool:
    return ns.startswith(NS_PREFIX)


def custom_fields(text: str | None) -> dict[str, dict[str, str]]:
    """Transkribus-style ``custom`` attribute: ``key {a:1; b:x;} other {...}``."""
    out: dict[str, dict[str, str]] = {}
    for key, body in _CUSTOM.findall(text or ""):
        pairs = (item.split(":", 1) for item in body.split(";") if ":" in item)
        out[key] = {k.strip(): v.strip() for k, v in pairs}
    return out


def read_root(root: etree._Element, path: Path) -> list[c.RawPage]:
    page_el = child(root, "Page")
    if page_el is None:
        raise fail(path, root, "no <Page> element")
    width = number(path, page_el, "imageWidth")
    height = number(path, page_el, "imageHeight")
    if width is None or height is None:
        raise fail(path, page_el, "missing imageWidth or imageHeight")
    raw = c.RawPage(width=width, height=height, source=str(path))
    raw.blocks = [_region(r, path, height) for r in descendants(page_el, "TextRegion")]
    raw.separators = [_separator(r, path) for r in descendants(page_el, "SeparatorRegion")]
    # Pictures are separators too: text does not run across them, captions sit under them.
    raw.separators += [(c.polygon_box(_coords(r, path)), "picture")
                       for kind in PICTURE_REGIONS for r in descendants(page_el, kind)]
    ro = child(page_el, "ReadingOrder")
    if ro is not None:
        raw.order, raw.articles = _reading_order(ro)
    raw.links = _relations(page_el)
    return [raw]


def _region(region: etree._Element, path: Path, page_height: float) -> c.RawBlock:
    poly = _coords(region, path)
    bbox = c.polygon_box(poly)
    role = _role(region, bbox, page_height)
    lines = [_line(tl, path) for tl in children(region, "TextLine")]
    return c.RawBlock(id=region.get("id"), bbox=bbox, role=role, lines=lines)


PICTURE_REGIONS = ("ImageRegion", "GraphicRegion")


def _separator(region: etree._Element, path: Path) -> tuple[c.Box, str]:
    box = c.polygon_box(_coords(region, path))
    return box, c.separator_kind(box)


def _role(region: etree._Element, bbox: c.Box, page_height: float) -> str:
    # A role written by us (or a Transkribus structure type that is a role) wins.
    structure = custom_fields(region.get("custom")).get("structure", {}).get("type")
    if structure in c.ROLE_TO_PAGE_TYPE:
        return structure
    kind = region.get("type") or structure
    return c.role_for_page_type(kind, bbox, page_height)


def _coords(el: etree._Element, path: Path) -> list[c.Point]:
    coords = child(el, "Coords")
    if coords is None:
        raise fail(path, el, "missing coordinates (no <Coords>)")
    if coords.get("points") is not None:
        points = c.parse_points(coords.get("points", ""))
    else:  # PAGE 2009/2010: <Point x= y=/> children
        points = [(number(path, p, "x", 0.0), number(path, p, "y", 0.0)) for p in children(coords, "Point")]
    if not points:
        raise fail(path, coords, f"malformed or empty points {coords.get('points', '')[:40]!r}")
    return points  # type: ignore[return-value]


def _line(tl: etree._Element, path: Path) -> c.RawLine:
    poly = _coords(tl, path)
    text, conf = _text(tl, path)
    return c.RawLine(
        id=tl.get("id"),
        text=text,
        bbox=c.polygon_box(poly),
        polygon=tuple(poly),
        confidence=conf,
        height=round(c.polygon_height(poly), 3),
    )


def _text(tl: etree._Element, path: Path) -> tuple[str, float | None]:
    """The line's main TextEquiv (lowest index), else its words' text."""
    equivs = list(children(tl, "TextEquiv"))
    if equivs:
        best = min(equivs, key=_index)
        uni = child(best, "Unicode")
        return (uni.text or "") if uni is not None else "", number(path, best, "conf")
    words = []
    for word in children(tl, "Word"):
        eq = child(word, "TextEquiv")
        uni = child(eq, "Unicode") if eq is not None else None
        if uni is not None and uni.text:
            words.append(uni.text.strip())
    return " ".join(w for w in words if w), None


def _index(el: etree._Element) -> int:
    raw = (el.get("index") or "0").strip()
    return int(raw) if raw.lstrip("-").isdigit() else 0


def _reading_order(ro: etree._Element) -> tuple[list[str], list[tuple[str, str, list[str]]]]:
    order: list[str] = []
    articles: dict[str, tuple[str, str, list[str]]] = {}

    def walk(group: etree._Element, article: str | None) -> None:
        if group.get("type") == "article":
            aid = custom_fields(group.get("custom")).get("article", {}).get("id") or group.get("id", "")
            if group.get("continuation") not in ("true", "1") or aid not in articles:
                articles.setdefault(aid, (aid, group.get("caption", ""), []))
            article = aid
        for member in _members(group):
            if local(member) in ("RegionRefIndexed", "RegionRef"):
                ref = member.get("regionRef", "")
                order.append(ref)
                if article is not None:
                    articles[article][2].append(ref)
            else:
                walk(member, article)

    for top in ro:
        if isinstance(top.tag, str):
            walk(top, None)
    return order, list(articles.values())


def _members(group: etree._Element) -> list[etree._Element]:
    """Group members, sorted by ``index`` in ordered groups, in file order otherwise."""
    kinds = ("RegionRefIndexed", "OrderedGroupIndexed", "UnorderedGroupIndexed", "RegionRef", "OrderedGroup", "UnorderedGroup")
    members = [m for m in group if local(m) in kinds]
    if local(group).startswith("Ordered"):
        members.sort(key=_index)
    return members


def _relations(page_el: etree._Element) -> list[tuple[str, str, str]]:
    rels = child(page_el, "Relations")
    out = []
    for rel in children(rels, "Relation") if rels is not None else []:
        src, dst = child(rel, "SourceRegionRef"), child(rel, "TargetRegionRef")
        if src is not None and dst is not None:
            kind = "join" if rel.get("type") == "join" else "continue"
            out.append((src.get("regionRef", ""), dst.get("regionRef", ""), kind))
    return out


# ==================================================================== writing


def _el(parent: etree._Element, tag: str, /, **attrs: str | None) -> etree._Element:
    return etree.SubElement(parent, f"{{{NS2019}}}{tag}", {k: v for k, v in attrs.items() if v is not None})


def _points(points: Sequence[c.Point]) -> str:
    # PAGE wants non-negative integer pixel positions.
    return " ".join(f"{max(0, round(x))},{max(0, round(y))}" for x, y in points)


def _rect(box: c.Box) -> list[c.Point]:
    x0, y0, x1, y1 = box
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def build(page: Page) -> etree._Element:
    blocks, order = c.layout_of(page)
    ids = c.XmlIds([b.id for b in blocks] + [ln.id for ln in page.lines] + [a.id for a in page.articles])
    root = etree.Element(f"{{{NS2019}}}PcGts", nsmap={None: NS2019, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    meta = _el(root, "Metadata")
    _el(meta, "Creator").text = "pagestitch"
    stamp = c.created_time()
    _el(meta, "Created").text = stamp
    _el(meta, "LastChange").text = stamp
    page_el = _el(
        root,
        "Page",
        imageFilename=c.xml_text(c.source_name(page)),
        imageWidth=str(max(0, round(page.width))),
        imageHeight=str(max(0, round(page.height))),
    )
    _write_reading_order(page_el, page, order, ids)
    _write_relations(page_el, page, {b.id for b in blocks}, ids)
    lines = page.line_by_id()
    for block in blocks:
        _write_region(page_el, block, [lines[lid] for lid in block.line_ids if lid in lines], ids)
    for k, sep in enumerate(page.separators):
        # Rules stay with the page: the next reader (or pagestitch again) orders by them.
        region = _el(page_el, "ImageRegion" if sep.kind == "picture" else "SeparatorRegion", id=ids.fresh(f"sep{k}"))
        _el(region, "Coords", points=_points(_rect(sep.bbox)))
    return root


def _write_reading_order(page_el: etree._Element, page: Page, order: list[str], ids: c.XmlIds) -> None:
    if not order:
        return
    top = _el(_el(page_el, "ReadingOrder"), "OrderedGroup", id=ids.fresh("reading_order"), caption="Reading order")
    for index, (art, run, cont) in enumerate(c.article_segments(page, order)):
        if art is None:
            _el(top, "RegionRefIndexed", index=str(index), regionRef=ids[run[0]])
            continue
        group = _el(
            top,
            "OrderedGroupIndexed",
            id=ids.fresh(f"{ids[art.id]}_part") if cont else ids[art.id],
            index=str(index),
            caption=c.xml_text(art.title),
            type="article",
            continuation="true" if cont else None,
            custom=f"article {{id:{ids[art.id]};}}",
        )
        for j, bid in enumerate(run):
            _el(group, "RegionRefIndexed", index=str(j), regionRef=ids[bid])


def _write_relations(page_el: etree._Element, page: Page, written: set[str], ids: c.XmlIds) -> None:
    links = [k for k in page.links if k.source in written and k.target in written]
    if not links:
        return
    rels = _el(page_el, "Relations")
    for link in links:
        kind = "join" if link.kind == "join" else "link"
        rel = _el(rels, "Relation", id=ids.fresh(f"rel_{kind}"), type=kind)
        _el(rel, "SourceRegionRef", regionRef=ids[link.source])
        _el(rel, "TargetRegionRef", regionRef=ids[link.target])


def _write_region(page_el: etree._Element, block: Block, lines: list[Line], ids: c.XmlIds) -> None:
    kind = c.ROLE_TO_PAGE_TYPE.get(block.role, "other")
    exact = c.PAGE_TYPE_TO_ROLE.get(kind) == block.role
    region = _el(
        page_el,
        "TextRegion",
        id=ids[block.id],
        type=kind,
        # Roles PAGE has no type for travel in ``custom``, as Transkribus does.
        custom=None if exact else f"structure {{type:{block.role};}}",
    )
    _el(region, "Coords", points=_points(_rect(block.bbox)))
    for line in lines:
        tl = _el(region, "TextLine", id=ids[line.id])
        outline = line.polygon if line.polygon and len(line.polygon) >= 3 else _rect(line.bbox)
        _el(tl, "Coords", points=_points(outline))
        _text_equiv(tl, line.text, line.confidence)
    _text_equiv(region, "\n".join(ln.text for ln in lines), None)


def _text_equiv(parent: etree._Element, text: str, conf: float | None) -> None:
    conf_attr = None if conf is None else c.fmt_num(c.clamp01(conf))
    _el(_el(parent, "TextEquiv", conf=conf_attr), "Unicode").text = c.xml_text(text)


def write(page: Page) -> str:
    return etree.tostring(build(page), xml_declaration=True, encoding="UTF-8", pretty_print=True).decode("utf-8")
