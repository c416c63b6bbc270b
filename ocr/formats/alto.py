"""ALTO v2–v4: read TextBlock/TextLine/String, write ALTO 4.4 with a ReadingOrder.

Written files use pixels. Blocks are written in reading order; ``ReadingOrder`` holds
one OrderedGroup whose members are, in order, an OrderedGroup per article run (tagged
with a StructureTag of TYPE "article" whose LABEL is the title) or an ElementRef for a
block outside articles. Block roles travel as RoleTags (TYPE "role").
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from lxml import etree

from layout.model import Block, Line, Page
from ocr.formats import common as c
from ocr.formats.safexml import child, children, descendants, fail, local, number

NAMESPACES = {
    "http://www.loc.gov/standards/alto/ns-v2#": 2,
    "http://www.loc.gov/standards/alto/ns-v3#": 3,
    "http://www.loc.gov/standards/alto/ns-v4#": 4,
}
NS4 = "http://www.loc.gov/standards/alto/ns-v4#"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{NS4} http://www.loc.gov/standards/alto/v4/alto-4-4.xsd"

# ==================================================================== reading


class _Units:
    def __init__(self, unit: str, dpi: float) -> None:
        scale = {"pixel": 1.0, "mm10": dpi / 254.0, "inch1200": dpi / 1200.0}.get(unit)
        self.scale = scale
        self.dpi = None if unit == "pixel" else dpi

    def px(self, value: float) -> float:
        # Rounded to a thousandth of a pixel so that x + WIDTH written and read again
        # gives back the same x1 despite binary floating point.
        return round(value * self.scale, 3)


def read_root(root: etree._Element, path: Path, *, dpi: float = c.DEFAULT_DPI) -> list[c.RawPage]:
    """All Page elements of an ALTO document as raw pages."""
    units = _units(root, path, dpi)
    tags = _tags(root)
    pages = list(descendants(root, "Page"))
    if not pages:
        raise fail(path, root, "no <Page> element in <Layout>")
    order, articles = _reading_order(root, tags)
    raws = []
    for index, page_el in enumerate(pages, start=1):
        raw = _page(page_el, path, units, tags, index)
        known = {b.id for b in raw.blocks if b.id}
        raw.order = order
        raw.articles = articles
        raw.expand = partial(_expand, page_el=page_el, known=known)
        raws.append(raw)
    return raws


def _units(root: etree._Element, path: Path, dpi: float) -> _Units:
    desc = child(root, "Description")
    unit_el = child(desc, "MeasurementUnit") if desc is not None else None
    unit = (unit_el.text or "").strip() if unit_el is not None else "pixel"
    units = _Units(unit or "pixel", dpi)
    if units.scale is None:
        raise fail(path, unit_el, f"unknown MeasurementUnit {unit!r} (pixel, mm10, inch1200)")
    return units


Tags = dict[str, tuple[str, str, str]]


def _tags(root: etree._Element) -> Tags:
    """Tag id -> (element name, TYPE, LABEL)."""
    tags_el = child(root, "Tags")
    if tags_el is None:
        return {}
    return {
        t.get("ID", ""): (local(t), t.get("TYPE", ""), t.get("LABEL", ""))
        for t in tags_el
        if isinstance(t.tag, str)
    }


def _page(page_el: etree._Element, path: Path, units: _Units, tags: Tags, index: int) -> c.RawPage:
    width = number(path, page_el, "WIDTH")
    height = number(path, page_el, "HEIGHT")
    blocks = [_block(tb, path, units, tags) for tb in descendants(page_el, "TextBlock")]
    if width is None or height is None:
        # WIDTH/HEIGHT are optional in ALTO; the text extent is the best guess then.
        boxes = [ln.bbox for b in blocks for ln in b.lines]
        extent = c.union(boxes) if boxes else (0, 0, 0, 0)
        width_px, height_px = extent[2], extent[3]
    else:
        width_px, height_px = units.px(width), units.px(height)
    nr = page_el.get("PHYSICAL_IMG_NR", "")
    page_number = int(float(nr)) if nr.replace(".", "", 1).isdigit() else index
    return c.RawPage(
        width=width_px,
        height=height_px,
        source=str(path),
        page_number=page_number,
        dpi=units.dpi,
        blocks=blocks,
    )


def _box(el: etree._Element, path: Path, units: _Units) -> c.Box | None:
    vals = [number(path, el, a) for a in ("HPOS", "VPOS", "WIDTH", "HEIGHT")]
    if any(v is None for v in vals):
        return None
    x, y, w, h = (units.px(v) for v in vals)  # type: ignore[arg-type]
    if w < 0 or h < 0:
        raise fail(path, el, "negative WIDTH or HEIGHT")
    return (x, y, round(x + w, 3), round(y + h, 3))


def _block(tb: etree._Element, path: Path, units: _Units, tags: Tags) -> c.RawBlock:
    role = "body"
    for ref in (tb.get("TAGREFS") or "").split():
        kind, typ, label = tags.get(ref, ("", "", ""))
        if kind == "RoleTag" and typ == "role" and label in c.ROLE_TO_PAGE_TYPE:
            role = label
    lines = [_line(tl, path, units) for tl in children(tb, "TextLine")]
    return c.RawBlock(id=tb.get("ID"), bbox=_box(tb, path, units), role=role, lines=lines)


def _line(tl: etree._Element, path: Path, units: _Units) -> c.RawLine:
    words: list[str] = []
    heights: list[float] = []
    confs: list[float] = []
    boxes: list[c.Box] = []
    hyphen = False
    for el in tl:
        name = local(el)
        if name == "String":
            # Strings are words: a space separates them whether or not an SP is there.
            words.append(el.get("CONTENT", "").strip())
            _word_facts(el, path, units, heights, confs, boxes)
        elif name == "HYP":
            hyphen = True
    text = " ".join(w for w in words if w) + ("-" if hyphen else "")
    bbox = _box(tl, path, units) or (c.union(boxes) if boxes else None)
    if bbox is None:
        raise fail(path, tl, "missing coordinates (no HPOS/VPOS/WIDTH/HEIGHT on the line or its Strings)")
    line_height = number(path, tl, "HEIGHT")
    return c.RawLine(
        id=tl.get("ID"),
        text=text,
        bbox=bbox,
        polygon=_polygon(tl, path, units),
        confidence=_mean(confs),
        height=units.px(line_height) if line_height is not None else max(heights, default=None),
    )


def _word_facts(
    el: etree._Element, path: Path, units: _Units, heights: list[float], confs: list[float], boxes: list[c.Box]
) -> None:
    h = number(path, el, "HEIGHT")
    if h is not None:
        heights.append(units.px(h))
    wc = number(path, el, "WC")
    if wc is not None:
        confs.append(wc)
    box = _box(el, path, units)
    if box is not None:
        boxes.append(box)


def _mean(values: list[float]) -> float | None:
    if not values:
        return None
    if all(v == values[0] for v in values):
        return values[0]
    return round(sum(values) / len(values), 4)


def _polygon(tl: etree._Element, path: Path, units: _Units) -> tuple[c.Point, ...] | None:
    shape = child(tl, "Shape")
    poly = child(shape, "Polygon") if shape is not None else None
    if poly is None:
        return None
    points = c.parse_points(poly.get("POINTS", ""))
    if points is None:
        raise fail(path, poly, f"malformed POINTS {poly.get('POINTS', '')[:40]!r}")
    return tuple((units.px(x), units.px(y)) for x, y in points)


def _reading_order(root: etree._Element, tags: Tags) -> tuple[list[str], list[tuple[str, str, list[str]]]]:
    """Element ids in the file's reading order, and article groups (id, title, ids)."""
    ro = child(root, "ReadingOrder")
    if ro is None:
        return [], []
    order: list[str] = []
    articles: dict[str, tuple[str, str, list[str]]] = {}

    def walk(group: etree._Element, article: str | None) -> None:
        for ref in (group.get("TAGREFS") or "").split():
            kind, typ, label = tags.get(ref, ("", "", ""))
            if kind == "StructureTag" and typ.lower() == "article":
                article = ref
                articles.setdefault(ref, (group.get("ID", ref), label, []))
        for el in group:
            name = local(el)
            if name == "ElementRef":
                ids = (el.get("REF") or "").split()
                order.extend(ids)
                if article:
                    articles[article][2].extend(ids)
            elif name in ("OrderedGroup", "UnorderedGroup"):
                walk(el, article)

    for group in ro:
        if isinstance(group.tag, str):
            walk(group, None)
    return order, list(articles.values())


def _expand(ids: list[str], page_el: etree._Element, known: set[str]) -> list[str]:
    """Map ids of lines, strings or composed blocks on this page to TextBlock ids."""
    if all(ident in known for ident in ids):
        return list(dict.fromkeys(ids))
    owner: dict[str, list[str]] = {}
    for el in page_el.iter():
        ident = el.get("ID") if isinstance(el.tag, str) else None
        if not ident or ident in known:
            continue
        blocks = [a.get("ID") for a in el.iterancestors() if a.get("ID") in known]
        inner = [t.get("ID") for t in descendants(el, "TextBlock") if t.get("ID") in known]
        owner[ident] = blocks[:1] or inner
    out: list[str] = []
    for ident in ids:
        for bid in [ident] if ident in known else owner.get(ident, []):
            if bid not in out:
                out.append(bid)
    return out


# ==================================================================== writing


def _el(parent: etree._Element, tag: str, /, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{NS4}}}{tag}", {k: v for k, v in attrs.items() if v is not None})


def _pos(box: c.Box) -> dict[str, str]:
    x0, y0, x1, y1 = box
    return {
        "HPOS": c.fmt_num(x0),
        "VPOS": c.fmt_num(y0),
        "WIDTH": c.fmt_num(x1 - x0),
        "HEIGHT": c.fmt_num(y1 - y0),
    }


def build(page: Page) -> etree._Element:
    """The ALTO 4.4 document of a page (blocks in reading order)."""
    blocks, order = c.layout_of(page)
    ids = c.alto_ids(page, blocks)
    root = etree.Element(f"{{{NS4}}}alto", nsmap={None: NS4, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    root.set("SCHEMAVERSION", "4.4")
    _description(root, page)
    role_tags, article_tags = _write_tags(root, page, blocks, ids)
    _write_reading_order(root, page, order, ids, article_tags)
    _write_layout(root, page, _written_order(blocks, order), ids, role_tags)
    return root


def _description(root: etree._Element, page: Page) -> None:
    desc = _el(root, "Description")
    _el(desc, "MeasurementUnit").text = "pixel"
    if page.source:
        info = _el(desc, "sourceImageInformation")
        _el(info, "fileName").text = c.xml_text(c.source_name(page))


def _write_tags(root: etree._Element, page: Page, blocks: list[Block], ids: c.XmlIds) -> tuple[dict[str, str], dict[str, str]]:
    roles = sorted({b.role for b in blocks if b.role != "body"})
    arts = [a for a in page.articles if a.block_ids]
    if not roles and not arts:
        return {}, {}
    tags_el = _el(root, "Tags")
    role_tags = {}
    for role in roles:
        role_tags[role] = ids.fresh(f"role_{role}")
        _el(tags_el, "RoleTag", ID=role_tags[role], TYPE="role", LABEL=c.xml_text(role))
    article_tags = {}
    for art in arts:
        article_tags[art.id] = ids.fresh(f"tag_{ids[art.id]}")
        _el(tags_el, "StructureTag", ID=article_tags[art.id], TYPE="article", LABEL=c.xml_text(art.title))
    return role_tags, article_tags


def _write_reading_order(
    root: etree._Element, page: Page, order: list[str], ids: c.XmlIds, article_tags: dict[str, str]
) -> None:
    if not order:
        return
    group = _el(_el(root, "ReadingOrder"), "OrderedGroup", ID=ids.fresh("reading_order"))
    for art, run, cont in c.article_segments(page, order):
        target = group
        if art is not None and art.id in article_tags:
            gid = ids.fresh(f"{ids[art.id]}_part") if cont else ids[art.id]
            target = _el(group, "OrderedGroup", ID=gid, TAGREFS=article_tags[art.id])
        for bid in run:
            _el(target, "ElementRef", ID=ids.fresh(f"ref_{ids[bid]}"), REF=ids[bid])


def _written_order(blocks: list[Block], order: list[str]) -> list[Block]:
    by_id = {b.id: b for b in blocks}
    first = [by_id[bid] for bid in order]
    return first + [b for b in blocks if b.id not in set(order)]


def _write_layout(
    root: etree._Element, page: Page, blocks: list[Block], ids: c.XmlIds, role_tags: dict[str, str]
) -> None:
    page_el = _el(
        _el(root, "Layout"),
        "Page",
        ID=ids.fresh(f"page_{page.page_number}"),
        PHYSICAL_IMG_NR=str(page.page_number),
        WIDTH=c.fmt_num(page.width),
        HEIGHT=c.fmt_num(page.height),
    )
    space = _el(page_el, "PrintSpace", **_pos((0, 0, page.width, page.height)))
    lines = page.line_by_id()
    for block in blocks:
        tb = _el(space, "TextBlock", ID=ids[block.id], TAGREFS=role_tags.get(block.role), **_pos(block.bbox))
        for lid in block.line_ids:
            if lid in lines:
                _write_line(tb, lines[lid], ids)


def _write_line(tb: etree._Element, line: Line, ids: c.XmlIds) -> None:
    tl = _el(tb, "TextLine", ID=ids[line.id], **_pos(line.bbox))
    if line.polygon:
        shape = _el(tl, "Shape")
        _el(shape, "Polygon", POINTS=" ".join(f"{c.fmt_num(x)},{c.fmt_num(y)}" for x, y in line.polygon))
    words = c.xml_text(line.text).split() or [""]
    hyphen = len(words[-1]) > 1 and words[-1][-1] == "-"
    if hyphen:
        words[-1] = words[-1][:-1]
    wc = None if line.confidence is None else c.fmt_num(c.clamp01(line.confidence))
    boxes = _word_boxes(line.bbox, words)
    for i, (word, box) in enumerate(zip(words, boxes)):
        if i:
            _el(tl, "SP")
        _el(tl, "String", CONTENT=word, WC=wc, **_pos(box))
    if hyphen:
        _el(tl, "HYP", CONTENT="-")


def _word_boxes(bbox: c.Box, words: list[str]) -> list[c.Box]:
    """Word boxes spread over the line by character count (ALTO viewers want some)."""
    x0, y0, x1, y1 = bbox
    total = sum(len(w) for w in words) + max(0, len(words) - 1)
    step = (x1 - x0) / total if total else 0.0
    boxes, x = [], x0
    for word in words:
        right = min(x1, x + step * len(word))
        boxes.append((round(x, 2), y0, round(right, 2), y1))
        x = right + step
    return boxes


def write(page: Page) -> str:
    return etree.tostring(build(page), xml_declaration=True, encoding="UTF-8", pretty_print=True).decode("utf-8")
