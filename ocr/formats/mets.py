"""METS with ALTO: read an issue (its ALTO files in page order) and its articles; write
the METS of one page whose logical structMap has a ``div TYPE="ARTICLE"`` per article
pointing (``area BETYPE="IDREF"``) to the ALTO blocks, as library newspaper METS do.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable
from urllib.parse import unquote

from lxml import etree

from layout.model import Page
from ocr.formats import common as c
from ocr.formats.safexml import child, children, descendants, fail, local

NS = "http://www.loc.gov/METS/"
XLINK = "http://www.w3.org/1999/xlink"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{NS} http://www.loc.gov/standards/mets/mets.xsd"
# File groups that hold the OCR text in library METS (ALTOGRP USE="Text", "FULLTEXT"...).
_TEXT_USE = re.compile(r"text|alto|ocr", re.IGNORECASE)
_REMOTE = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)

ReadPage = Callable[[Path], list[c.RawPage]]

# ==================================================================== reading


def _href(path: Path, flocat: etree._Element) -> Path:
    """The local file an FLocat names, relative to the METS file's folder."""
    raw = (flocat.get(f"{{{XLINK}}}href") or "").strip()
    if not raw:
        raise fail(path, flocat, "FLocat without xlink:href")
    if raw.lower().startswith("file://"):
        raw = raw[len("file://"):]  # file://./text/x.xml and file:///abs/x.xml
    elif _REMOTE.match(raw):
        raise fail(path, flocat, f"refers to a remote file {raw!r}; nothing is fetched")
    target = Path(unquote(raw))
    return target if target.is_absolute() else path.parent / target


def _text_files(path: Path, root: etree._Element) -> dict[str, Path]:
    """File ID -> local path of the OCR text files, in fileSec order."""
    out: dict[str, Path] = {}
    groups = list(descendants(root, "fileGrp"))
    chosen = [g for g in groups if _TEXT_USE.search(g.get("USE", "") + " " + g.get("ID", ""))]
    for group in chosen or groups:
        for file_el in children(group, "file"):
            mime = file_el.get("MIMETYPE", "")
            flocat = child(file_el, "FLocat")
            if flocat is None or (mime and "xml" not in mime):
                continue
            out[file_el.get("ID", "")] = _href(path, flocat)
    if not out:
        raise fail(path, root, "no ALTO files in <fileSec>")
    return out


def _page_order(root: etree._Element, files: dict[str, Path]) -> list[str]:
    """Text file ids in the physical structMap's page order (fileSec order otherwise)."""
    order: list[str] = []
    for smap in children(root, "structMap"):
        if smap.get("TYPE", "").upper() != "PHYSICAL":
            continue
        for el in smap.iter():
            fid = el.get("FILEID") if isinstance(el.tag, str) and local(el) in ("fptr", "area") else None
            if fid in files and fid not in order:
                order.append(fid)
    return order + [fid for fid in files if fid not in order]


def read_root(root: etree._Element, path: Path, read_page: ReadPage) -> list[c.RawPage]:
    """Every ALTO page of the issue, numbered 1..n, with the METS articles attached."""
    files = _text_files(path, root)
    raws: list[c.RawPage] = []
    page_of: dict[str, int] = {}
    for fid in _page_order(root, files):
        if not files[fid].is_file():
            where = next(f for f in descendants(root, "file") if f.get("ID") == fid)
            raise fail(path, where, f"lists {files[fid]}, which does not exist")
        for raw in read_page(files[fid]):
            raw.page_number = len(raws) + 1
            page_of.setdefault(fid, len(raws))
            raws.append(raw)
    _attach_articles(root, raws, page_of)
    return raws


def _attach_articles(root: etree._Element, raws: list[c.RawPage], page_of: dict[str, int]) -> None:
    """METS articles replace ALTO ones; their area order is the reading order when the
    ALTO file has none (the publisher's logical order)."""
    arts = _articles(root)
    if not arts:
        return
    logical = [[] for _ in raws]  # type: list[list[str]]
    for div in _logical_divs(root):
        for fid, begin in _areas(div):
            if fid in page_of:
                logical[page_of[fid]].append(begin)
    for raw in raws:
        raw.articles = []
    for art in arts:
        per_page: dict[int, list[str]] = {}
        for area in art["areas"]:
            if area["file_id"] in page_of:
                per_page.setdefault(page_of[area["file_id"]], []).append(area["block_id"])
        for index, ids in per_page.items():
            raws[index].articles.append((art["id"], art["label"], ids))
    for raw, ids in zip(raws, logical):
        if not raw.order:
            raw.order = ids


def _logical_divs(root: etree._Element) -> list[etree._Element]:
    return [
        div
        for smap in children(root, "structMap")
        if smap.get("TYPE", "").upper() == "LOGICAL"
        for div in children(smap, "div")
    ]


def _areas(div: etree._Element, stop_at_articles: bool = False) -> list[tuple[str, str]]:
    """(FILEID, BEGIN) of the areas under a div, in document order."""
    out = []
    for area in descendants(div, "area"):
        if stop_at_articles and _owner_article(area) is not div:
            continue
        if area.get("BEGIN") and area.get("FILEID"):
            out.append((area.get("FILEID", ""), area.get("BEGIN", "")))
    return out


def _owner_article(el: etree._Element) -> etree._Element | None:
    for anc in el.iterancestors():
        if local(anc) == "div" and anc.get("TYPE", "").upper() == "ARTICLE":
            return anc
    return None


def _articles(root: etree._Element) -> list[dict[str, Any]]:
    titles = _mods_titles(root)
    out = []
    for div in _logical_divs(root):
        for art in div.iter(f"{{{NS}}}div"):
            if art.get("TYPE", "").upper() != "ARTICLE":
                continue
            label = art.get("LABEL") or next(
                (titles[d] for d in (art.get("DMDID") or "").split() if d in titles), ""
            )
            areas = [{"file_id": f, "block_id": b} for f, b in _areas(art, stop_at_articles=True)]
            out.append({"id": art.get("ID", f"article_{len(out) + 1}"), "label": label, "areas": areas})
    return out


def _mods_titles(root: etree._Element) -> dict[str, str]:
    """dmdSec ID -> MODS title, for ARTICLE divs that carry no LABEL."""
    out = {}
    for dmd in children(root, "dmdSec"):
        title = next((t for t in dmd.iter() if isinstance(t.tag, str) and local(t) == "title"), None)
        if title is not None and title.text:
            out[dmd.get("ID", "")] = " ".join(title.text.split())
    return out


def read_articles(root: etree._Element, path: Path) -> list[dict[str, Any]]:
    """Each ARTICLE div: id, label, ALTO block ids, and where they are (file, page)."""
    files = _text_files(path, root)
    page_of = {fid: n for n, fid in enumerate(_page_order(root, files), start=1)}
    result = []
    for art in _articles(root):
        areas = [
            {**a, "href": str(files[a["file_id"]]) if a["file_id"] in files else None, "page": page_of.get(a["file_id"])}
            for a in art["areas"]
        ]
        block_ids = list(dict.fromkeys(a["block_id"] for a in areas))
        result.append({"id": art["id"], "label": art["label"], "block_ids": block_ids, "areas": areas})
    return result


# ==================================================================== writing


def _el(parent: etree._Element, tag: str, /, **attrs: str | None) -> etree._Element:
    return etree.SubElement(parent, f"{{{NS}}}{tag}", {k: v for k, v in attrs.items() if v is not None})


def build(page: Page, alto_href: str) -> etree._Element:
    blocks, _ = c.layout_of(page)
    alto_ids = c.alto_ids(page, blocks)
    written = {b.id for b in blocks}
    ids = c.XmlIds([a.id for a in page.articles])
    root = etree.Element(f"{{{NS}}}mets", nsmap={None: NS, "xlink": XLINK, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    if page.source:
        root.set("LABEL", c.xml_text(c.source_name(page)))
    hdr = _el(root, "metsHdr", CREATEDATE=c.created_time())
    agent = _el(hdr, "agent", ROLE="CREATOR", TYPE="OTHER", OTHERTYPE="SOFTWARE")
    _el(agent, "name").text = "pagestitch"
    file_id = ids.fresh("ALTO_1")
    group = _el(_el(root, "fileSec"), "fileGrp", ID=ids.fresh("FULLTEXT"), USE="FULLTEXT")
    file_el = _el(group, "file", ID=file_id, MIMETYPE="text/xml")
    flocat = _el(file_el, "FLocat", LOCTYPE="URL")
    flocat.set(f"{{{XLINK}}}href", alto_href)
    phys = _el(_el(root, "structMap", ID=ids.fresh("PHYSICAL"), TYPE="PHYSICAL"), "div", ID=ids.fresh("PHYS_0"), TYPE="physSequence")
    page_div = _el(phys, "div", ID=ids.fresh("PHYS_1"), TYPE="page", ORDER=str(page.page_number))
    _el(page_div, "fptr", ID=ids.fresh("PHYS_1_fptr"), FILEID=file_id)
    issue = _el(_el(root, "structMap", ID=ids.fresh("LOGICAL"), TYPE="LOGICAL"), "div", ID=ids.fresh("LOG_0"), TYPE="issue")
    for order, art in enumerate(page.articles, start=1):
        div = _el(issue, "div", ID=ids[art.id], TYPE="ARTICLE", LABEL=c.xml_text(art.title), ORDER=str(order))
        refs = [bid for bid in art.block_ids if bid in written]
        if refs:
            seq = _el(_el(div, "fptr", ID=ids.fresh(f"{ids[art.id]}_fptr")), "seq")
            for bid in refs:
                _el(seq, "area", ID=ids.fresh(f"{ids[art.id]}_area"), FILEID=file_id, BETYPE="IDREF", BEGIN=alto_ids[bid])
    return root


def write(page: Page, alto_href: str) -> str:
    return etree.tostring(build(page, alto_href), xml_declaration=True, encoding="UTF-8", pretty_print=True).decode("utf-8")
