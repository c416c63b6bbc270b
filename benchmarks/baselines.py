"""Baseline reading orders that pagestitch is compared with.

Every baseline returns lines in an order; none of them groups lines into articles, so
the runner scores a baseline's whole page as one "article" for links and CER (a paste
of the page is what a reader would get) and reports grouping metrics as n/a.

- ``engine_order``: the lines as the reader returned them (OCR engine / PDF stream).
- ``sort_tblr``: top-to-bottom, then left-to-right (rows quantised to half a line).
- ``xy_cut``: classic recursive XY-cut (Nagy & Seth 1984) on line boxes.
- ``pdfplumber_text``: pdfplumber's ``extract_text()`` on the PDF, mapped back to lines.
- ``tesseract_lines``: Tesseract's own layout analysis and line order (PSM 3).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from statistics import median
from typing import Sequence

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.process import cdist

from benchmarks.metrics import normalise
from layout.model import Line

Box = tuple[float, float, float, float]


def engine_order(lines: Sequence[Line]) -> list[Line]:
    return list(lines)


def sort_tblr(lines: Sequence[Line]) -> list[Line]:
    """Rows top to bottom, left to right within a row.

    Tops are quantised to half the median line height so that lines of one printed
    row whose tops differ by a pixel still read left to right.
    """
    if not lines:
        return []
    step = max(1.0, median(ln.bbox[3] - ln.bbox[1] for ln in lines) / 2)
    return sorted(lines, key=lambda ln: (round(ln.bbox[1] / step), ln.bbox[0]))


# ------------------------------------------------------------------- XY-cut


def _widest_gap(lo: np.ndarray, hi: np.ndarray) -> tuple[float, float]:
    """Widest empty stretch of the projection of intervals [lo, hi]: (width, cut)."""
    order = np.argsort(lo, kind="stable")
    reach = hi[order[0]]
    best = (0.0, 0.0)
    for k in order[1:]:
        if lo[k] > reach and lo[k] - reach > best[0]:
            best = (float(lo[k] - reach), float((lo[k] + reach) / 2))
        reach = max(reach, hi[k])
    return best


def _leaf_order(idx: list[int], b: np.ndarray, vertical: bool) -> list[int]:
    if vertical:
        return sorted(idx, key=lambda i: (-b[i, 2], b[i, 1]))
    return sorted(idx, key=lambda i: (b[i, 1], b[i, 0]))


def xy_cut(boxes: Sequence[Box], direction: str = "horizontal") -> list[int]:
    """Indices of boxes in XY-cut reading order.

    At each node the widest gap of either projection profile is cut (one cut per
    node); on equal widths the axis not cut last time wins, so the axes alternate.
    Pieces of a horizontal cut read top to bottom; pieces of a vertical cut left to
    right, or right to left on vertical (CJK) pages. A node with no gap is read in
    plain row order. An explicit stack replaces recursion: dense pages can need a
    cut per line.
    """
    if not boxes:
        return []
    b = np.asarray(boxes, dtype=float)
    vertical = direction == "vertical"
    out: list[int] = []
    stack: list[tuple[list[int], str]] = [(list(range(len(b))), "y")]
    while stack:
        idx, prefer = stack.pop()
        if len(idx) == 1:
            out.extend(idx)
            continue
        sub = b[idx]
        gy = _widest_gap(sub[:, 1], sub[:, 3])
        gx = _widest_gap(sub[:, 0], sub[:, 2])
        if gy[0] == 0 and gx[0] == 0:
            out.extend(_leaf_order(idx, b, vertical))
            continue
        axis = "y" if gy[0] > gx[0] or (gy[0] == gx[0] and prefer == "y") else "x"
        cut = gy[1] if axis == "y" else gx[1]
        col = 1 if axis == "y" else 0
        first = [i for i in idx if b[i, col] < cut]
        second = [i for i in idx if b[i, col] >= cut]
        if axis == "x" and vertical:
            first, second = second, first
        nxt = "x" if axis == "y" else "y"
        stack.append((second, nxt))  # popped after everything under `first`
        stack.append((first, nxt))
    return out


def xy_cut_lines(lines: Sequence[Line], direction: str = "horizontal") -> list[Line]:
    return [lines[i] for i in xy_cut([ln.bbox for ln in lines], direction)]


# --------------------------------------------------------------- text matching


def map_text_lines(out_lines: Sequence[str], truth_texts: Sequence[str], cjk: bool) -> list[int | None]:
    """Truth line indices in the order a text-only method gives them.

    A text line of pdfplumber may hold several truth lines side by side (columns at
    one height), so each truth line is placed in the output line that contains it best
    (partial ratio) and, within that line, by where the match starts. Short truth lines
    must match exactly: "3" is found almost anywhere.
    """
    a = [normalise(t, cjk) for t in truth_texts]
    o = [normalise(t, cjk) for t in out_lines]
    if not a or not o:
        return []
    score = cdist(a, o, scorer=fuzz.partial_ratio, dtype=np.float32)
    placed: list[tuple[int, int, int]] = []
    for t, text in enumerate(a):
        if not text:
            continue
        k = int(np.argmax(score[t]))
        need = 90.0 if len(text) >= 6 else 100.0
        if score[t, k] < need:
            continue
        start = 0
        if len(text) <= len(o[k]):
            align = fuzz.partial_ratio_alignment(text, o[k])
            start = align.dest_start if align is not None else 0
        placed.append((k, start, t))
    placed.sort()
    return [t for _, _, t in placed]


def pdfplumber_text(pdf: Path, page_index: int = 0) -> str:
    import pdfplumber

    with pdfplumber.open(pdf) as doc:
        return doc.pages[page_index].extract_text() or ""


# ------------------------------------------------------------------ Tesseract

TESSERACT_LANG = {"zh": "chi_sim", "en": "eng", "de": "deu"}


@lru_cache(maxsize=1)
def tesseract_info() -> dict[str, object] | None:
    """Version and languages of the installed tesseract, or None when absent."""
    exe = shutil.which("tesseract")
    if not exe:
        return None
    try:
        ver = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30)
        langs = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    first = (ver.stdout or ver.stderr).splitlines()
    return {
        "exe": exe,
        "version": first[0].strip() if first else "unknown",
        "langs": [x.strip() for x in langs.stdout.splitlines()[1:] if x.strip()],
    }


@dataclass(frozen=True)
class TesseractResult:
    lines: list[Line]
    seconds: float
    cached: bool


def _parse_tsv(tsv: str) -> list[Line]:
    """Lines (level-4 rows) in the order tesseract wrote them, with their words' text."""
    rows = [r.split("\t") for r in tsv.splitlines()[1:]]
    boxes: dict[tuple[str, str, str], Box] = {}
    words: dict[tuple[str, str, str], list[str]] = {}
    order: list[tuple[str, str, str]] = []
    for r in rows:
        if len(r) < 12:
            continue
        key = (r[2], r[3], r[4])
        left, top, width, height = (float(v) for v in r[6:10])
        if r[0] == "4":
            boxes[key] = (left, top, left + width, top + height)
            order.append(key)
        elif r[0] == "5" and r[11].strip():
            words.setdefault(key, []).append(r[11].strip())
    return [
        Line(id=f"tess{k}", text=" ".join(words[key]), bbox=boxes[key])
        for k, key in enumerate(k for k in order if words.get(k))
    ]


def tesseract_lines(image: Path, lang: str, cache_dir: Path | None, psm: int = 3, timeout: float = 300) -> TesseractResult:
    """Run tesseract (cached on disk by image hash, language and PSM)."""
    import time

    key = hashlib.sha256(Path(image).read_bytes()).hexdigest()[:32] + f"-{lang}-psm{psm}"
    cache = Path(cache_dir) / "tesseract" / f"{key}.json" if cache_dir else None
    if cache is not None and cache.exists():
        data = json.loads(cache.read_text(encoding="utf-8"))
        lines = [Line(id=d["id"], text=d["text"], bbox=tuple(d["bbox"])) for d in data["lines"]]
        return TesseractResult(lines, float(data["seconds"]), True)
    info = tesseract_info()
    if info is None:
        raise RuntimeError("tesseract is not installed")
    t0 = time.perf_counter()
    proc = subprocess.run(
        [str(info["exe"]), str(image), "stdout", "-l", lang, "--psm", str(psm), "tsv"],
        capture_output=True, text=True, timeout=timeout,
        env={**os.environ, "OMP_THREAD_LIMIT": os.environ.get("OMP_THREAD_LIMIT", "1")},
    )
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"tesseract failed on {image}: {proc.stderr.strip()[:300]}")
    lines = _parse_tsv(proc.stdout)
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp")
        tmp.write_text(json.dumps({"seconds": seconds, "lines": [
            {"id": ln.id, "text": ln.text, "bbox": list(ln.bbox)} for ln in lines]}), encoding="utf-8")
        tmp.replace(cache)
    return TesseractResult(lines, seconds, False)
