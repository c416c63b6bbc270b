"""The public Python API: read a file into pages, reconstruct a page, write results.

    >>> from layout.api import read_pages, reconstruct, write_outputs   # doctest: +SKIP
    >>> for loaded in read_pages("page.png"):                           # doctest: +SKIP
    ...     page = reconstruct(loaded)
    ...     write_outputs(page, "out/")

Everything the CLI does goes through these functions; the benchmark uses nothing else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from layout.model import Page
from ocr.loaded import InputError, LoadedPage

__all__ = ["InputError", "LoadedPage", "read_pages", "reconstruct", "write_outputs", "render"]


def read_pages(path: str | Path, *, engine: str = "rapidocr", **engine_options: Any) -> list[LoadedPage]:
    """Read an image, PDF, page JSON or archive OCR file into pages of lines.

    Raises InputError naming the file and the problem.
    """
    from ocr.readers import read

    return read(Path(path), engine=engine, **engine_options)


def reconstruct(loaded: LoadedPage | Page, **options: Any) -> Page:
    """Find separators, columns, blocks, reading order and articles; stitch articles."""
    from layout.pipeline import reconstruct as _reconstruct

    if isinstance(loaded, Page):
        loaded = LoadedPage(loaded)
    return _reconstruct(loaded.page, loaded.image, **options)


def render(page: Page, fmt: str) -> str:
    """The page's result as text in one format: json, md or txt (more with archive formats)."""
    from layout.writers import render as _render

    return _render(page, fmt)


def write_outputs(page: Page, outdir: str | Path, formats: Sequence[str] = ("json", "md"), stem: str | None = None) -> list[Path]:
    """Write ``<stem>.<ext>`` per format into outdir atomically; returns the paths."""
    from layout.writers import write_outputs as _write

    return _write(page, Path(outdir), formats, stem)


def unscramble(text: str) -> Any:
    """Rebuild the articles of text pasted from a multi-column page.

    The input is split into pieces at blank lines (piece ``i`` is the i-th run of
    non-blank lines). Returns an ``UnscrambleResult`` with ``articles`` (each with
    ``title``, ``text`` and ``pieces``: piece indices in reading order) and ``links``
    (``source``/``target`` piece indices, ``kind``, ``score``, ``reasons``).
    """
    from layout.unscramble import unscramble as _unscramble

    return _unscramble(text)
