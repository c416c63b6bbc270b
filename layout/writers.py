"""Writing results: JSON, Markdown and plain text here; archive XML via ocr.formats.

Files are written atomically: each goes to a temporary file beside its target and is
renamed into place only when every format of the page has rendered, so a failure
leaves no half-written output behind.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Sequence

from layout.model import Page, article_body, page_to_dict

TEXT_FORMATS = ("json", "md", "txt")
XML_FORMATS = ("alto", "page", "hocr", "mets")
EXTENSIONS = {"json": ".json", "md": ".md", "txt": ".txt", "alto": ".alto.xml", "page": ".page.xml", "hocr": ".hocr", "mets": ".mets.xml"}


def render(page: Page, fmt: str, *, stem: str = "page") -> str:
    if fmt == "json":
        return json.dumps(page_to_dict(page), ensure_ascii=False, indent=1) + "\n"
    if fmt == "md":
        return render_markdown(page)
    if fmt == "txt":
        return "\n\n".join(a.text for a in page.articles) + "\n"
    if fmt in XML_FORMATS:
        from ocr.formats import write

        if fmt == "mets":
            return write(page, fmt, alto_href=f"{stem}{EXTENSIONS['alto']}")
        return write(page, fmt)
    raise ValueError(f"unknown output format {fmt!r}; choose from {', '.join(TEXT_FORMATS + XML_FORMATS)}")


def render_markdown(page: Page) -> str:
    parts = []
    for a in page.articles:
        body = article_body(a.title, a.text)
        heading = a.title.replace("\n", " ").strip() or "(untitled)"
        paragraphs = "\n\n".join(p for p in body.split("\n") if p.strip())
        parts.append(f"## {heading}\n\n{paragraphs}".rstrip())
    return "\n\n".join(parts) + "\n"


def output_stem(page: Page, multi_page: bool, keep_extension: bool = False) -> str:
    """``page.png`` gives ``page``; with keep_extension (two inputs share a stem, as
    ``a.png`` and ``a.pdf`` do) ``page.png``, so that neither overwrites the other."""
    if not page.source:
        stem = "page"
    elif keep_extension:
        stem = Path(page.source).name
    else:
        stem = Path(page.source).stem
        for suffix in (".lines", ".page", ".alto"):
            stem = stem.removesuffix(suffix)
    return f"{stem}-p{page.page_number:03d}" if multi_page else stem


def write_outputs(page: Page, outdir: Path, formats: Sequence[str], stem: str | None = None) -> list[Path]:
    """Render every format first, then move them all into place."""
    stem = stem or output_stem(page, False)
    rendered = [(outdir / f"{stem}{EXTENSIONS[f]}", render(page, f, stem=stem)) for f in formats]
    outdir.mkdir(parents=True, exist_ok=True)
    return [atomic_write(path, text) for path, text in rendered]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: Path, text: str) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        # mkstemp makes the file private (0600); outputs get the usual permissions.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
