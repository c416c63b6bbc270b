"""Parsing XML from archives, which is untrusted input.

The parser never fetches anything (no network, no DTD loading, a resolver that refuses
every external resource), never substitutes entities, and keeps libxml2's size limits
(huge_tree off: a text node over 10 MB is an error, not a memory spike). Documents that
declare entities are refused outright: OCR formats never need them, and an "unused"
declaration is exactly what a billion-laughs or external-entity attack looks like.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from lxml import etree

from ocr.loaded import InputError


class _RefuseAll(etree.Resolver):
    """Belt and braces: even if libxml2 asked for an external resource, give it nothing."""

    def resolve(self, url: str | None, pubid: str | None, context: object) -> object:
        return self.resolve_string("", context)


def _parser() -> etree.XMLParser:
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_pis=True,
        collect_ids=False,
    )
    parser.resolvers.add(_RefuseAll())
    return parser


def parse(path: Path, *, html_fallback: bool = False) -> etree._ElementTree:
    """Parse ``path`` safely; raises InputError naming the file and what is wrong.

    With ``html_fallback`` a file that is not XML but looks like hOCR (HTML with an
    ``ocr_page``) is parsed as HTML, which knows no entity declarations at all.
    """
    try:
        # Opened here, not by libxml2: the resolver below must only see external
        # resources, never the document itself.
        with open(path, "rb") as handle:
            tree = etree.parse(handle, _parser())
    except OSError as err:
        raise InputError(str(path), f"cannot read file: {err}") from None
    except etree.XMLSyntaxError as err:
        if html_fallback and _looks_like_hocr(path):
            return _parse_html(path)
        raise InputError(str(path), f"not well-formed XML: {_syntax_message(err)}") from None
    _refuse_entities(tree, path)
    return tree


def _looks_like_hocr(path: Path) -> bool:
    with open(path, "rb") as handle:
        head = handle.read(1 << 16).lower()
    return b"<html" in head and b"ocr_page" in head and b"<!entity" not in head


def _parse_html(path: Path) -> etree._ElementTree:
    from lxml import html

    parser = html.HTMLParser(no_network=True, huge_tree=False, remove_pis=True)
    try:
        with open(path, "rb") as handle:
            return etree.parse(handle, parser)
    except (OSError, etree.ParserError, etree.XMLSyntaxError) as err:
        raise InputError(str(path), f"not readable as XML or HTML: {err}") from None


def _syntax_message(err: etree.XMLSyntaxError) -> str:
    msg = str(err.msg or err).strip()
    if err.lineno:
        msg += f" (line {err.lineno})"
    return msg


def _refuse_entities(tree: etree._ElementTree, path: Path) -> None:
    dtd = tree.docinfo.internalDTD
    if dtd is None:
        return
    names = [e.name for e in dtd.iterentities()]
    if names:
        shown = ", ".join(names[:3])
        raise InputError(
            str(path), f"DOCTYPE declares entities ({shown}); entity declarations are refused"
        )


# ------------------------------------------------------------------ element helpers


def local(el: etree._Element) -> str:
    """Element name without namespace ('' for comments and the like)."""
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def namespace(el: etree._Element) -> str:
    tag = el.tag
    if isinstance(tag, str) and tag.startswith("{"):
        return tag[1:].split("}", 1)[0]
    return ""


def children(el: etree._Element, name: str) -> Iterator[etree._Element]:
    """Direct children with local name ``name`` (any namespace)."""
    return (c for c in el if local(c) == name)


def child(el: etree._Element, name: str) -> etree._Element | None:
    return next(children(el, name), None)


def descendants(el: etree._Element, name: str) -> Iterator[etree._Element]:
    """Descendants with local name ``name`` in document order (any namespace)."""
    ns = namespace(el)
    tag = f"{{{ns}}}{name}" if ns else name
    return el.iter(tag)


def describe(el: etree._Element) -> str:
    """How an error names an element: its name, id and line in the file."""
    ident = el.get("ID") or el.get("id")
    text = f"<{local(el)}>"
    if ident:
        text += f" id={ident!r}"
    if el.sourceline:
        text += f" at line {el.sourceline}"
    return text


def fail(path: Path | str, el: etree._Element, problem: str) -> InputError:
    """An InputError naming the file and the element (raise the result)."""
    return InputError(str(path), f"{describe(el)}: {problem}")


def number(path: Path | str, el: etree._Element, attr: str, default: float | None = None) -> float | None:
    """A numeric attribute, ``default`` when absent; a clear error when not a number."""
    raw = el.get(attr)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise fail(path, el, f"{attr}={raw!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise fail(path, el, f"{attr}={raw!r} is not a finite number")
    return value
