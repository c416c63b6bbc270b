"""Offline validation of written files against the official schemas in ``schemas/``.

ALTO and METS import XLink from ``http://www.loc.gov/standards/xlink/xlink.xsd``; that
import is pointed at the local copy before compiling, so nothing is ever fetched.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from lxml import etree

SCHEMA_DIR = Path(__file__).parent / "schemas"
SCHEMAS = {"alto": "alto-4-4.xsd", "page": "page-2019-07-15.xsd", "mets": "mets-1.8.xsd"}
_XSD = "http://www.w3.org/2001/XMLSchema"
_XLINK_NS = "http://www.w3.org/1999/xlink"


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


@lru_cache(maxsize=None)
def schema(fmt: str) -> etree.XMLSchema:
    """The compiled schema for ``alto``, ``page`` or ``mets``."""
    doc = etree.parse(str(SCHEMA_DIR / SCHEMAS[fmt]), _parser())
    for imp in doc.getroot().iter(f"{{{_XSD}}}import"):
        if imp.get("namespace") == _XLINK_NS:
            imp.set("schemaLocation", (SCHEMA_DIR / "xlink.xsd").as_uri())
    return etree.XMLSchema(doc)


def errors(xml: str | bytes, fmt: str) -> list[str]:
    """Schema violations of a document (empty when valid); ``hocr`` is only checked
    for being well-formed XHTML with an ``ocr_page``."""
    data = xml.encode("utf-8") if isinstance(xml, str) else xml
    try:
        doc = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as err:
        return [f"not well-formed: {err}"]
    if fmt == "hocr":
        has_page = any("ocr_page" in (el.get("class") or "").split() for el in doc.iter() if isinstance(el.tag, str))
        return [] if has_page else ["no element with class ocr_page"]
    checker = schema(fmt)
    if checker.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in checker.error_log]
