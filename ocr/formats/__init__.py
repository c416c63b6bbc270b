"""Archive formats: read ALTO, PAGE, hOCR and METS+ALTO; write ALTO 4.4, PAGE 2019,
hOCR and METS.

    read_xml(path, use_existing_order=False) -> list[LoadedPage]
    read_xml_batch(paths) -> (pages, errors)       # a bad file does not stop the rest
    read_mets_articles(path) -> list[dict]
    write(page, fmt, alto_href=None) -> str         # fmt in FORMATS

The format is recognised from the root element and its namespace, not the file name.
XML is parsed without entities, DTDs or network access (see ``safexml``); every
problem is an InputError naming the file and the element.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from lxml import etree

from layout.model import Page
from ocr.formats import alto, hocr, mets, pagexml
from ocr.formats.common import DEFAULT_DPI, RawPage, build_page
from ocr.formats.safexml import local, namespace, parse
from ocr.loaded import InputError, LoadedPage

__all__ = ["FORMATS", "read_xml", "read_xml_batch", "read_mets_articles", "write", "sniff"]

FORMATS = ("alto", "page", "hocr", "mets")


def sniff(root: etree._Element) -> str | None:
    """'alto', 'page', 'mets' or 'hocr' from the root element, None when none fits."""
    name, ns = local(root), namespace(root)
    if name == "alto" and ns in alto.NAMESPACES:
        return "alto"
    if name == "PcGts" and pagexml.is_page_namespace(ns):
        return "page"
    if name == "mets" and ns == mets.NS:
        return "mets"
    if name == "html" and ns in ("", hocr.XHTML) and hocr.is_hocr(root):
        return "hocr"
    return None


def _raw_pages(path: Path, *, allow_mets: bool = True, dpi: float = DEFAULT_DPI) -> list[RawPage]:
    root = parse(path, html_fallback=True).getroot()
    kind = sniff(root)
    if kind == "alto":
        return alto.read_root(root, path, dpi=dpi)
    if kind == "page":
        return pagexml.read_root(root, path)
    if kind == "hocr":
        return hocr.read_root(root, path)
    if kind == "mets" and allow_mets:
        return mets.read_root(root, path, lambda p: _raw_pages(p, allow_mets=False, dpi=dpi))
    where = f"{{{namespace(root)}}}{local(root)}" if namespace(root) else local(root)
    raise InputError(
        str(path),
        f"root element <{where}> at line {root.sourceline} is not ALTO v2-v4, PAGE, METS or hOCR"
        " (wrong element or namespace)",
    )


def read_xml(path: Path, *, use_existing_order: bool = False, dpi: float = DEFAULT_DPI) -> list[LoadedPage]:
    """The pages of an ALTO, PAGE, hOCR or METS file (METS: every ALTO page of the issue).

    With ``use_existing_order`` the pages also carry the file's blocks, reading order,
    articles and links; otherwise only lines (those of one region consecutive).
    ``dpi`` converts ALTO mm10/inch1200 measurements to pixels.
    """
    path = Path(path)
    raws = _raw_pages(path, dpi=dpi)
    if not raws:
        raise InputError(str(path), "no page in file")
    return [LoadedPage(build_page(raw, with_layout=use_existing_order)) for raw in raws]


def read_xml_batch(
    paths: Iterable[Path], *, use_existing_order: bool = False
) -> tuple[list[LoadedPage], list[InputError]]:
    """Read many files; a bad one is recorded and the batch goes on with the next."""
    pages: list[LoadedPage] = []
    errors: list[InputError] = []
    for path in paths:
        try:
            pages.extend(read_xml(Path(path), use_existing_order=use_existing_order))
        except InputError as err:
            errors.append(err)
    return pages, errors


def read_mets_articles(path: Path) -> list[dict[str, Any]]:
    """Each METS ``div TYPE="ARTICLE"``: ``id``, ``label``, ``block_ids`` (ALTO block
    ids in the div's order) and ``areas`` (``file_id``, ``href``, ``page`` 1-based,
    ``block_id`` per area)."""
    path = Path(path)
    root = parse(path).getroot()
    if sniff(root) != "mets":
        raise InputError(str(path), f"root element <{local(root)}> is not METS")
    return mets.read_articles(root, path)


def write(page: Page, fmt: str, alto_href: str | None = None) -> str:
    """The page as ``alto`` (4.4), ``page`` (2019), ``hocr`` or ``mets`` (pointing to
    ``alto_href``, by default ``<stem>.alto.xml``)."""
    if fmt == "alto":
        return alto.write(page)
    if fmt == "page":
        return pagexml.write(page)
    if fmt == "hocr":
        return hocr.write(page)
    if fmt == "mets":
        return mets.write(page, alto_href or _default_alto_href(page))
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


def _default_alto_href(page: Page) -> str:
    stem = Path(page.source).stem if page.source else "page"
    if stem.endswith(".alto"):
        stem = stem[: -len(".alto")]
    return f"{stem or 'page'}.alto.xml"
