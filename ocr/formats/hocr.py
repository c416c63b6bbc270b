"""hOCR: read ocr_page/ocr_carea/ocr_par/ocr_line with bbox, write hOCR in reading order.

Written files hold one ``ocr_carea`` per block in reading order, each with one
``ocr_par`` carrying the block id (and ``x_role`` when the role is not body), then the
``ocr_line`` elements with ``x_size`` (text height) and ``x_wconf`` (0–100).
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from layout.model import Block, Line, Page
from ocr.formats import common as c
from ocr.formats.safexml import fail

XHTML = "http://www.w3.org/1999/xhtml"
# Tesseract marks some lines by their typesetting; all of them are lines of text.
LINE_CLASSES = {"ocr_line": "body", "ocr_header": "headline", "ocr_textfloat": "body", "ocr_caption": "caption", "ocrx_line": "body"}
_PROP = re.compile(r'\s*([A-Za-z_]\w*)\s*((?:"[^"]*"|[^;"])*)\s*(?:;|$)')

# ==================================================================== reading


def classes(el: etree._Element) -> set[str]:
    return set((el.get("class") or "").split())


def is_hocr(root: etree._Element) -> bool:
    return any("ocr_page" in classes(el) for el in root.iter() if isinstance(el.tag, str))


def properties(el: etree._Element) -> dict[str, str]:
    """The hOCR ``title`` properties: ``bbox 1 2 3 4; x_wconf 90`` -> {bbox: '1 2 3 4', ...}."""
    return {m.group(1): m.group(2).strip() for m in _PROP.finditer(el.get("title") or "") if m.group(1)}


def _bbox(path: Path, el: etree._Element) -> c.Box | None:
    raw = properties(el).get("bbox")
    if raw is None:
        return None
    try:
        x0, y0, x1, y1 = (float(v) for v in raw.split())
    except ValueError:
        raise fail(path, el, f"malformed bbox {raw!r}") from None
    if x1 < x0 or y1 < y0:
        raise fail(path, el, f"bbox {raw!r} has x1 < x0 or y1 < y0")
    return (x0, y0, x1, y1)


def _float_prop(path: Path, el: etree._Element, name: str) -> float | None:
    raw = properties(el).get(name)
    if raw is None or not raw.split():
        return None
    try:
        return float(raw.split()[0])
    except ValueError:
        raise fail(path, el, f"malformed {name} {raw!r}") from None


def read_root(root: etree._Element, path: Path) -> list[c.RawPage]:
    pages = [el for el in root.iter() if isinstance(el.tag, str) and "ocr_page" in classes(el)]
    return [_page(el, path, n) for n, el in enumerate(pages, start=1)]


def _page(page_el: etree._Element, path: Path, number: int) -> c.RawPage:
    blocks: list[c.RawBlock] = []
    hinted: list[set[str]] = []  # per block: roles its line classes suggest
    current: etree._Element | None = None
    for el in page_el.iter():
        kinds = classes(el) & LINE_CLASSES.keys() if isinstance(el.tag, str) else set()
        if not kinds:
            continue
        container = _container(el, page_el)
        if container is None or container is not current:
            blocks.append(_block(container, path))
            hinted.append(set())
            current = container
        blocks[-1].lines.append(_line(el, path))
        hinted[-1].update(LINE_CLASSES[k] for k in kinds)
    for block, roles in zip(blocks, hinted):
        # Blocks without x_role take the role their line classes suggest (ocr_header).
        if block.role not in c.ROLE_TO_PAGE_TYPE:
            block.role = roles.pop() if len(roles) == 1 else "body"
    box = _bbox(path, page_el)
    if box is None:
        extent = c.union(ln.bbox for b in blocks for ln in b.lines) if blocks else (0, 0, 0, 0)
        box = (0, 0, extent[2], extent[3])
    raw = c.RawPage(width=box[2], height=box[3], source=str(path), page_number=number, blocks=blocks)
    # hOCR has no explicit reading order: the file's area order is the order it means.
    raw.order = [b.id for b in blocks if b.id]
    return raw


def _container(line: etree._Element, page_el: etree._Element) -> etree._Element | None:
    """The paragraph holding a line, else its content area, else None."""
    area = None
    for anc in line.iterancestors():
        if anc is page_el:
            break
        kinds = classes(anc)
        if "ocr_par" in kinds:
            return anc
        if "ocr_carea" in kinds and area is None:
            area = anc
    return area


def _block(container: etree._Element | None, path: Path) -> c.RawBlock:
    if container is None:
        return c.RawBlock(id=None, bbox=None)
    role = properties(container).get("x_role", "")
    return c.RawBlock(id=container.get("id"), bbox=_bbox(path, container), role=role)


def _line(el: etree._Element, path: Path) -> c.RawLine:
    bbox = _bbox(path, el)
    if bbox is None:
        raise fail(path, el, "missing coordinates (no bbox in title)")
    words = [w for w in el.iter() if isinstance(w.tag, str) and "ocrx_word" in classes(w)]
    texts = [" ".join("".join(w.itertext()).split()) for w in words] if words else ["".join(el.itertext())]
    text = " ".join(" ".join(texts).split())
    conf = _float_prop(path, el, "x_wconf")
    if conf is None:
        confs = [v for v in (_float_prop(path, w, "x_wconf") for w in words) if v is not None]
        conf = sum(confs) / len(confs) if confs else None
    return c.RawLine(
        id=el.get("id"),
        text=text,
        bbox=bbox,
        confidence=None if conf is None else round(conf / 100.0, 4),
        height=_float_prop(path, el, "x_size"),
    )


# ==================================================================== writing


def _el(parent: etree._Element, tag: str, /, **attrs: str | None) -> etree._Element:
    return etree.SubElement(parent, f"{{{XHTML}}}{tag}", {k: v for k, v in attrs.items() if v is not None})


def _bbox_prop(box: c.Box) -> str:
    return "bbox " + " ".join(str(max(0, round(v))) for v in box)


def build(page: Page) -> etree._Element:
    blocks, order = c.layout_of(page)
    ids = c.XmlIds([b.id for b in blocks] + [ln.id for ln in page.lines])
    html = etree.Element(f"{{{XHTML}}}html", nsmap={None: XHTML})
    head = _el(html, "head")
    _el(head, "title").text = c.xml_text(c.source_name(page))
    _el(head, "meta", **{"http-equiv": "Content-Type", "content": "text/html;charset=utf-8"})
    _el(head, "meta", name="ocr-system", content="pagestitch")
    _el(head, "meta", name="ocr-capabilities", content="ocr_page ocr_carea ocr_par ocr_line ocrx_word")
    body = _el(html, "body")
    image = c.source_name(page).replace('"', "")
    title = f'image "{c.xml_text(image)}"; ' if image else ""
    title += f"{_bbox_prop((0, 0, page.width, page.height))}; ppageno {max(0, page.page_number - 1)}"
    page_el = _el(body, "div", **{"class": "ocr_page", "id": ids.fresh(f"page_{page.page_number}"), "title": title})
    by_id = {b.id: b for b in blocks}
    written = [by_id[bid] for bid in order] + [b for b in blocks if b.id not in set(order)]
    lines = page.line_by_id()
    for block in written:
        _write_block(page_el, block, [lines[lid] for lid in block.line_ids if lid in lines], ids)
    return html


def _write_block(page_el: etree._Element, block: Block, lines: list[Line], ids: c.XmlIds) -> None:
    area = _el(page_el, "div", **{"class": "ocr_carea", "id": ids.fresh(f"{ids[block.id]}_area"), "title": _bbox_prop(block.bbox)})
    title = _bbox_prop(block.bbox) + ("" if block.role == "body" else f"; x_role {block.role}")
    par = _el(area, "p", **{"class": "ocr_par", "id": ids[block.id], "title": title})
    for line in lines:
        _write_line(par, line, ids)


def _write_line(par: etree._Element, line: Line, ids: c.XmlIds) -> None:
    title = _bbox_prop(line.bbox)
    if line.height is not None:
        title += f"; x_size {c.fmt_num(line.height)}"
    if line.confidence is not None:
        title += f"; x_wconf {c.fmt_num(round(c.clamp01(line.confidence) * 100, 2))}"
    span = _el(par, "span", **{"class": "ocr_line", "id": ids[line.id], "title": title})
    words = c.xml_text(line.text).split()
    x0, y0, x1, y1 = line.bbox
    total = max(1, sum(len(w) + 1 for w in words) - 1)
    x = x0
    for n, word in enumerate(words, start=1):
        right = min(x1, x + (x1 - x0) * len(word) / total)
        box = (x, y0, right, y1)
        w = _el(span, "span", **{"class": "ocrx_word", "id": ids.fresh(f"{ids[line.id]}_w{n}"), "title": _bbox_prop(box)})
        w.text = word
        w.tail = " "
        x = right + (x1 - x0) / total


def write(page: Page) -> str:
    body = etree.tostring(build(page), encoding="unicode", pretty_print=True)
    return '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n' + body
