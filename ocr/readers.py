"""One entry point for every input: ``read(path)`` -> pages of lines (+ image).

The file type comes from the content (magic bytes), so a PDF named ``.png`` or a
page JSON without extension is still read correctly.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Mapping

from layout.model import ModelError, Page, page_from_dict
from ocr.engines import Engine, get_engine
from ocr.images import load_image_pages, ocr_page
from ocr.loaded import InputError, LoadedPage

# How many leading bytes are enough to tell every supported type apart. PDF allows
# junk before "%PDF-" (the spec's readers look in the first 1024 bytes).
_SNIFF_BYTES = 1024

_IMAGE_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"II+\x00", "tiff"),  # BigTIFF
    (b"MM\x00+", "tiff"),
    (b"BM", "bmp"),
    (b"\x00\x00\x00\x0cjP  \r\n\x87\n", "jpeg2000"),
    (b"\xff\x4f\xff\x51", "jpeg2000"),
)

IMAGE_KINDS = frozenset({"png", "jpeg", "tiff", "bmp", "webp", "jpeg2000"})


def sniff(path: str | Path) -> str:
    """The file's type: ``pdf``, ``json``, ``xml`` or an image kind (``png``, ...)."""
    p = Path(path)
    head = _head(p)
    for magic, kind in _IMAGE_MAGIC:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if b"%PDF-" in head:
        return "pdf"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] in (b"{", b"["):
        return "json"
    if text[:1] == b"<":
        return "xml"
    raise InputError(str(p), "unknown file type (not PDF, PNG, JPEG, TIFF, page JSON or XML)")


def _head(p: Path) -> bytes:
    if not p.exists():
        raise InputError(str(p), "file not found")
    if p.is_dir():
        raise InputError(str(p), "is a directory, not a file")
    try:
        with p.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError as exc:
        raise InputError(str(p), f"cannot read file: {exc.strerror or exc}") from None
    if not head:
        raise InputError(str(p), "empty file")
    return head


# ------------------------------------------------------------------------- engines

_ENGINES: dict[tuple[str, tuple[tuple[str, Any], ...]], Engine] = {}
_ENGINES_LOCK = threading.Lock()


def cached_engine(name: str, **options: Any) -> Engine:
    """One engine per (name, options) per process: loading models takes seconds and
    engines keep no per-call state, so sharing them is safe."""
    try:
        key = (name, tuple(sorted(options.items())))
        hash(key)
    except TypeError:
        return get_engine(name, **options)  # unhashable options: no caching
    with _ENGINES_LOCK:
        if key not in _ENGINES:
            _ENGINES[key] = get_engine(name, **options)
        return _ENGINES[key]


def _engine_source(name: str, options: Mapping[str, Any]) -> Callable[[], Engine]:
    # Built only when a page actually needs OCR (text PDFs and JSON never do).
    return lambda: cached_engine(name, **dict(options))


# ------------------------------------------------------------------------- readers


def read(path: str | Path, engine: str = "rapidocr", **engine_options: Any) -> list[LoadedPage]:
    """Every page of ``path`` with lines, provenance and (when there is one) the image."""
    p = Path(path)
    kind = sniff(p)
    source = _engine_source(engine, engine_options)
    if kind == "pdf":
        from ocr.pdf import read_pdf

        return read_pdf(p, source)
    if kind in IMAGE_KINDS:
        # Decode first: a broken or enormous image fails before the models load.
        images = load_image_pages(p)
        engine_obj = source()
        return [ocr_page(image, engine_obj, str(p), n, dpi) for n, (image, dpi) in enumerate(images, start=1)]
    if kind == "json":
        return read_page_json(p)
    return _read_xml(p)


def read_image(path: str | Path, engine: Engine) -> list[LoadedPage]:
    """OCR every page of an image file (several for a multi-page TIFF)."""
    pages: list[LoadedPage] = []
    for number, (image, dpi) in enumerate(load_image_pages(path), start=1):
        pages.append(ocr_page(image, engine, str(path), number, dpi))
    return pages


def _json_pages(data: Any, name: str) -> list[tuple[Mapping[str, Any], str]]:
    """(raw page, where) pairs from a single page, ``{"pages": [...]}`` or a list."""
    if isinstance(data, Mapping) and "pages" in data and "schema" not in data:
        data = data["pages"]
    if isinstance(data, list):
        if not data:
            raise InputError(name, "page JSON holds no pages")
        return [(d, f"pages[{i}]") for i, d in enumerate(data)]
    if isinstance(data, Mapping):
        return [(data, "page")]
    raise InputError(name, "JSON is not a page (expected an object with \"schema\": \"pagestitch/page@1\")")


def read_page_json(path: str | Path) -> list[LoadedPage]:
    """Pages from pagestitch page JSON; layout already in the file is kept."""
    name = str(path)
    started = time.perf_counter()
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InputError(name, f"page JSON is not UTF-8: {exc.reason}") from None
    except json.JSONDecodeError as exc:
        raise InputError(name, f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    raws = _json_pages(data, name)
    pages: list[LoadedPage] = []
    for number, (raw, where) in enumerate(raws, start=1):
        try:
            page = page_from_dict(raw, where)
        except (ModelError, KeyError, TypeError, ValueError) as exc:
            raise InputError(name, f"not a pagestitch page: {exc}") from None
        own_number = raw.get("page_number") if isinstance(raw, Mapping) else None
        pages.append(LoadedPage(_stamped(page, name, int(own_number or number), started)))
    return pages


def _stamped(page: Page, name: str, number: int, started: float) -> Page:
    """Source, page number and read timing, keeping whatever provenance the file had."""
    prov = page.provenance
    parameters = dict(prov.parameters)
    if page.source and page.source != name:
        parameters.setdefault("original_source", page.source)
    timings = {**dict(prov.timings), "read": round(time.perf_counter() - started, 4)}
    return replace(
        page,
        source=name,
        page_number=number,
        provenance=replace(prov, parameters=parameters, timings=timings),
    )


def _read_xml(path: Path) -> list[LoadedPage]:
    try:
        from ocr.formats import read_xml
    except ImportError:
        raise InputError(str(path), "XML input, but archive XML formats not available") from None
    started = time.perf_counter()
    loaded = read_xml(path)
    result: list[LoadedPage] = []
    for number, item in enumerate(loaded, start=1):
        page = item.page
        if not page.source or page.provenance.timings.get("read") is None:
            page = _stamped(page, page.source or str(path), page.page_number or number, started)
        result.append(LoadedPage(page=page, image=item.image))
    return result
