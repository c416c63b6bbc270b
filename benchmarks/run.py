"""The benchmark runner: pagestitch and every baseline, side by side, on the same pages.

    python -m benchmarks.run [--quick] [--set generated|real|all] [--out DIR] [--data DIR]

Tracks: ``pdf`` (born-digital pages), ``scan`` (OCR of the raster pages), ``paste``
(the unscrambler on pasted text), ``real/<dataset>`` (annotated real pages) and
``real-paste/<dataset>`` (the unscrambler on their text, pasted; see real.py).
pagestitch is judged from outside only, through ``layout.api``; tests swap in a fake
pipeline with the same three calls.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import json
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Protocol, Sequence

from benchmarks import baselines as bl
from benchmarks.metrics import Aggregate, PageTruth, Prediction, map_boxes, score_prediction
from benchmarks.truth import (
    BoxMap,
    PageFiles,
    Truth,
    find_pages,
    load_truth,
    paste_pieces,
    pdf_box_map,
    piece_segments,
    scan_box_map,
)
from layout.model import Line, Page, page_from_dict, page_to_dict

RESULTS_SCHEMA = "pagestitch/bench@1"
ROOT = Path(__file__).resolve().parent.parent
QUICK_DIR = ROOT / "benchmarks" / "data" / "quick"
DEFAULT_CACHE = ROOT / ".cache"
# Tesseract costs 4-13 s a page: the quick run only gives it this many scans.
QUICK_TESSERACT_PAGES = 2
WORST_OVERLAYS = 3

GENERATED_COLUMNS = ["pages", "line_recall", "bleu4", "ard", "tau", "link_p", "link_r", "link_f1",
                     "cer", "page_cer", "pair_f1", "ari", "time_total"]


class Pipeline(Protocol):
    """The three calls of layout.api the benchmark uses."""

    def read(self, path: Path, engine: str) -> list[Any]: ...

    def reconstruct(self, loaded: Any) -> Page: ...

    def unscramble(self, text: str) -> Any: ...


class ApiPipeline:
    """pagestitch itself, through its public API (imported late: it may be half-built)."""

    def read(self, path: Path, engine: str) -> list[Any]:
        from layout.api import read_pages

        return read_pages(path, engine=engine)

    def reconstruct(self, loaded: Any) -> Page:
        from layout.api import reconstruct

        return reconstruct(loaded)

    def unscramble(self, text: str) -> Any:
        from layout.api import unscramble

        return unscramble(text)


@dataclass
class Overlay:
    """What report.py needs to draw pagestitch's result on one page."""

    track: str
    page_id: str
    source: Path
    truth: Truth
    box_map: BoxMap
    # Predicted lines in reading order: (page box, article index or None).
    lines: list[tuple[tuple[float, float, float, float], int | None]]
    score: float | None = None


@dataclass
class Track:
    """Per-method page scores and aggregates of one track."""

    methods: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    aggs: dict[str, Aggregate] = field(default_factory=dict)

    def add(self, method: str, page_id: str, scores: dict[str, Any]) -> None:
        self.methods.setdefault(method, {})[page_id] = scores
        self.aggs.setdefault(method, Aggregate()).update(scores)

    def to_json(self) -> dict[str, Any]:
        return {m: {"aggregate": self.aggs[m].summary(), "pages": pages} for m, pages in self.methods.items()}


@dataclass
class Context:
    pipeline: Pipeline
    engine: str
    cache_dir: Path | None
    tesseract_pages: int | None  # None: all scans; 0: none
    notes: list[str] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    overlays: list[Overlay] = field(default_factory=list)

    def fail(self, track: str, page: str, method: str, exc: BaseException) -> None:
        self.errors.append({"track": track, "page": page, "method": method,
                            "error": f"{type(exc).__name__}: {exc}"[:500]})


# -------------------------------------------------------------------- truth


def page_truth(truth: Truth) -> PageTruth:
    return PageTruth(
        order=truth.line_order(),
        line_segment=truth.line_segment(),
        line_article=truth.line_article(),
        links=truth.links,
        article_texts=[a.text for a in truth.articles],
        cjk=truth.cjk,
    )


def line_mapping(lines: Sequence[Line], truth: Truth, box_map: BoxMap) -> dict[str, str | None]:
    """Predicted line id -> true line id (by box, in truth coordinates)."""
    hits = map_boxes([box_map(ln.bbox) for ln in lines], [t.bbox for t in truth.lines])
    return {ln.id: (truth.lines[h].id if h is not None else None) for ln, h in zip(lines, hits)}


# -------------------------------------------------------------- predictions


def pagestitch_prediction(page: Page, mapping: dict[str, str | None], timings: dict[str, float]) -> Prediction:
    blocks = page.block_by_id()
    articles = [
        [mapping.get(lid) for bid in a.block_ids if bid in blocks for lid in blocks[bid].line_ids]
        for a in page.articles
    ]
    return Prediction(
        order=[mapping.get(lid) for lid in page.ordered_line_ids()],
        texts=[a.text for a in page.articles],
        link_sequences=articles,
        articles=articles,
        timings=timings,
    )


def baseline_prediction(ordered: Sequence[Line], mapping: dict[str, str | None], seconds: float) -> Prediction:
    """A baseline's page is one sequence: one "article" for links and CER (see baselines.py)."""
    order = [mapping.get(ln.id) for ln in ordered]
    return Prediction(order=order, texts=["\n".join(ln.text for ln in ordered)],
                      link_sequences=[order], timings={"total": seconds})


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t0 = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - t0


def _line_baselines(lines: Sequence[Line], direction: str) -> dict[str, Callable[[], list[Line]]]:
    return {
        "engine-order": lambda: bl.engine_order(lines),
        "sort-tblr": lambda: bl.sort_tblr(lines),
        "xy-cut": lambda: bl.xy_cut_lines(lines, direction),
    }


# ------------------------------------------------------------- reading pages


# Readers that no scan goes through: the PDF text layer and the archive formats.
NOT_ON_A_SCANS_PATH = ("pdf.py", "formats")


def _ocr_code_digest() -> str:
    """Digest of the code that reads a scan: a change to it invalidates cached OCR results
    (a change to the PDF or ALTO/PAGE readers does not)."""
    import ocr

    root = Path(ocr.__file__).parent
    digest = hashlib.sha256()
    for src in sorted(root.rglob("*.py")):
        if src.relative_to(root).parts[0] not in NOT_ON_A_SCANS_PATH:
            digest.update(src.read_bytes())
    return digest.hexdigest()[:12]


def _image_key(path: Path, engine: str) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:32] + f"-{engine}-{_ocr_code_digest()}"


def read_scan_cached(ctx: Context, path: Path) -> tuple[Any, float]:
    """OCR a scan once: the page JSON is cached by image hash and engine.

    On a hit the image is re-read from disk (layout wants it for rules) and the
    seconds of the original read are returned, so timings stay those of a cold run.
    """
    from ocr.loaded import LoadedPage

    cache = ctx.cache_dir / "ocr" / f"{_image_key(path, ctx.engine)}.json" if ctx.cache_dir else None
    if cache is not None and cache.exists():
        data = json.loads(cache.read_text(encoding="utf-8"))
        page = page_from_dict(data["page"])
        return LoadedPage(page, _load_image(path, page)), float(data["seconds"])
    loaded, seconds = _timed(lambda: ctx.pipeline.read(path, ctx.engine)[0])
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp")
        tmp.write_text(json.dumps({"seconds": seconds, "page": page_to_dict(loaded.page)}), encoding="utf-8")
        tmp.replace(cache)
    return loaded, seconds


def _load_image(path: Path, page: Page) -> Any:
    import cv2

    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None or (page.width and abs(image.shape[1] - page.width) > 1):
        return None  # the reader resampled: better no image than a misregistered one
    return image


# ------------------------------------------------------------------ tracks


def _run_pagestitch(ctx: Context, track: Track, name: str, files: PageFiles, truth: Truth,
                    loaded: Any, read_seconds: float, box_map: BoxMap, source: Path) -> None:
    try:
        page, seconds = _timed(lambda: ctx.pipeline.reconstruct(loaded))
    except Exception as exc:  # the pipeline is judged, not trusted: record and go on
        ctx.fail(name, files.id, "pagestitch", exc)
        return
    mapping = line_mapping(page.lines, truth, box_map)
    timings = {**dict(page.provenance.timings), "read": read_seconds, "total": read_seconds + seconds}
    scores = score_prediction(page_truth(truth), pagestitch_prediction(page, mapping, timings))
    track.add("pagestitch", files.id, scores)
    art_of = _line_articles(page)
    lines = page.line_by_id()
    ctx.overlays.append(Overlay(name, files.id, source, truth, box_map,
                                [(lines[lid].bbox, art_of.get(lid)) for lid in page.ordered_line_ids() if lid in lines],
                                scores.get("link_f1") if scores.get("link_f1") is not None else scores.get("tau")))


def _line_articles(page: Page) -> dict[str, int]:
    blocks = page.block_by_id()
    out: dict[str, int] = {}
    for k, a in enumerate(page.articles):
        for bid in a.block_ids:
            for lid in blocks[bid].line_ids if bid in blocks else ():
                out.setdefault(lid, k)
    return out


def _run_line_baselines(ctx: Context, track: Track, name: str, files: PageFiles, truth: Truth,
                        lines: Sequence[Line], box_map: BoxMap) -> None:
    mapping = line_mapping(lines, truth, box_map)
    for method, fn in _line_baselines(lines, truth.direction).items():
        ordered, seconds = _timed(fn)
        track.add(method, files.id, score_prediction(page_truth(truth), baseline_prediction(ordered, mapping, seconds)))


def run_pdf_page(ctx: Context, track: Track, files: PageFiles, truth: Truth) -> None:
    if files.pdf is None:
        return
    try:
        loaded, read_seconds = _timed(lambda: ctx.pipeline.read(files.pdf, ctx.engine)[0])
    except Exception as exc:
        ctx.fail("pdf", files.id, "read", exc)
    else:
        page = loaded.page
        box_map = pdf_box_map(page.width, truth, page.dpi)
        _run_pagestitch(ctx, track, "pdf", files, truth, loaded, read_seconds, box_map, files.pdf)
        _run_line_baselines(ctx, track, "pdf", files, truth, page.lines, box_map)
    try:
        text, seconds = _timed(lambda: bl.pdfplumber_text(files.pdf))
    except Exception as exc:
        ctx.fail("pdf", files.id, "pdfplumber", exc)
        return
    out_lines = text.splitlines()
    idx = bl.map_text_lines(out_lines, [t.text for t in truth.lines], truth.cjk)
    order = [truth.lines[i].id for i in idx]
    pred = Prediction(order=list(order), texts=[text], link_sequences=[list(order)], timings={"total": seconds})
    track.add("pdfplumber", files.id, score_prediction(page_truth(truth), pred))


def run_scan_page(ctx: Context, track: Track, files: PageFiles, truth: Truth, tesseract: bool) -> None:
    if files.scan is None or truth.scan is None:
        return
    try:
        loaded, read_seconds = read_scan_cached(ctx, files.scan)
    except Exception as exc:
        ctx.fail("scan", files.id, "read", exc)
    else:
        page = loaded.page
        box_map = scan_box_map(page.width, page.height, truth.scan)
        _run_pagestitch(ctx, track, "scan", files, truth, loaded, read_seconds, box_map, files.scan)
        _run_line_baselines(ctx, track, "scan", files, truth, page.lines, box_map)
    if tesseract:
        run_tesseract_page(ctx, track, files, truth)


def run_tesseract_page(ctx: Context, track: Track, files: PageFiles, truth: Truth) -> None:
    assert files.scan is not None and truth.scan is not None
    lang = bl.TESSERACT_LANG.get(truth.lang, "eng")
    try:
        res = bl.tesseract_lines(files.scan, lang, ctx.cache_dir)
    except Exception as exc:
        ctx.fail("scan", files.id, "tesseract", exc)
        return
    box_map = scan_box_map(truth.scan.width, truth.scan.height, truth.scan)
    mapping = line_mapping(res.lines, truth, box_map)
    track.add("tesseract", files.id,
              score_prediction(page_truth(truth), baseline_prediction(res.lines, mapping, res.seconds)))


def _field(obj: Any, name: str, default: Any = None) -> Any:
    return obj.get(name, default) if isinstance(obj, dict) else getattr(obj, name, default)


def run_paste_page(ctx: Context, track: Track, files: PageFiles, truth: Truth) -> None:
    if files.paste is None:
        return
    text = files.paste.read_text(encoding="utf-8")
    pieces = paste_pieces(text)
    seg_of = piece_segments(truth, pieces)
    seg_lines = {s.id: list(s.line_ids) for s in truth.segments}

    def lines_of(piece_ids: Sequence[int]) -> list[str | None]:
        return [lid for p in piece_ids if 0 <= p < len(seg_of) and seg_of[p] for lid in seg_lines.get(seg_of[p], [])]

    everything = lines_of(range(len(pieces)))
    base = Prediction(order=list(everything), texts=[text], link_sequences=[list(everything)], timings={"total": 0.0})
    track.add("paste-as-is", files.id, score_prediction(page_truth(truth), base))
    try:
        result, seconds = _timed(lambda: ctx.pipeline.unscramble(text))
    except Exception as exc:
        ctx.fail("paste", files.id, "pagestitch", exc)
        return
    arts = list(_field(result, "articles", []) or [])
    seqs = [lines_of([int(p) for p in _field(a, "pieces", [])]) for a in arts]
    pred = Prediction(order=[x for s in seqs for x in s], texts=[str(_field(a, "text", "")) for a in arts],
                      link_sequences=seqs, articles=seqs, timings={"total": seconds})
    track.add("pagestitch", files.id, score_prediction(page_truth(truth), pred))


def run_generated(ctx: Context, data: Path, tesseract: bool) -> dict[str, Track]:
    tracks = {"pdf": Track(), "scan": Track(), "paste": Track()}
    pages = find_pages(data)
    if not pages:
        ctx.notes.append(f"no generated pages in {data}")
    tess_left = ctx.tesseract_pages
    for files in pages:
        truth = load_truth(files.truth)
        run_pdf_page(ctx, tracks["pdf"], files, truth)
        use_tess = tesseract and files.scan is not None and (tess_left is None or tess_left > 0)
        run_scan_page(ctx, tracks["scan"], files, truth, use_tess)
        if use_tess and tess_left is not None:
            tess_left -= 1
        run_paste_page(ctx, tracks["paste"], files, truth)
    return tracks


# ------------------------------------------------------------------- output


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def format_table(title: str, methods: dict[str, dict[str, Any]], columns: Sequence[str]) -> str:
    """Methods as rows, metrics as columns (aggregates), pagestitch first."""
    names = sorted(methods, key=lambda m: (m != "pagestitch", m))
    cols = [c for c in columns if any(c in methods[m]["aggregate"] for m in names)]
    rows = [["method", *cols]] + [[m, *(_fmt(methods[m]["aggregate"].get(c)) for c in cols)] for m in names]
    widths = [max(len(r[k]) for r in rows) for k in range(len(rows[0]))]
    lines = [f"== {title} =="]
    for i, r in enumerate(rows):
        lines.append("  ".join(cell.ljust(w) if k == 0 else cell.rjust(w) for k, (cell, w) in enumerate(zip(r, widths))))
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def track_columns(name: str) -> list[str]:
    if name.startswith("real"):
        from benchmarks.real import REAL_COLUMNS

        return REAL_COLUMNS
    return GENERATED_COLUMNS


def tables(results: dict[str, Any]) -> str:
    parts = [format_table(name, methods, track_columns(name))
             for name, methods in results["tracks"].items() if methods]
    parts += [f"note: {n}" for n in results["notes"]]
    if results["errors"]:
        parts.append(f"{len(results['errors'])} errors (see results.json 'errors'); first: {results['errors'][0]}")
    return "\n\n".join(parts)


def _environment(tesseract: bool) -> dict[str, Any]:
    info = bl.tesseract_info() if tesseract else None
    return {"python": sys.version.split()[0], "tesseract": info["version"] if info else None}


def run_bench(quick: bool, set: str = "all", out: Path = Path("bench-out"), engine: str = "rapidocr", *,
              data: Path | None = None, pipeline: Pipeline | None = None, tesseract: bool = True,
              tesseract_pages: int | None = None, cache_dir: Path | None = DEFAULT_CACHE,
              report: bool = True) -> dict[str, Any]:
    """Run the benchmark, write results.json (and report.html) into out, return the results."""
    # pagestitch's own OCR cache would turn OCR timings into cache hits: the benchmark
    # keeps its own cache, which records the seconds of the cold run.
    os.environ["PAGESTITCH_CACHE"] = "off"
    if set not in ("generated", "real", "all"):
        raise ValueError(f"set must be generated, real or all, not {set!r}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    have_tess = tesseract and bl.tesseract_info() is not None
    if tesseract_pages is None and quick:
        tesseract_pages = QUICK_TESSERACT_PAGES
    ctx = Context(pipeline or ApiPipeline(), engine, cache_dir, tesseract_pages)
    if tesseract and not have_tess:
        ctx.notes.append("tesseract is not installed: no tesseract rows")
    elif not tesseract:
        ctx.notes.append("tesseract baseline switched off")
    elif tesseract_pages is not None and set != "real":
        ctx.notes.append(f"tesseract baseline limited to the first {tesseract_pages} scan pages")
    t0 = time.perf_counter()
    tracks: dict[str, Track] = {}
    data_dir = Path(data) if data else QUICK_DIR
    if set in ("generated", "all"):
        tracks.update(run_generated(ctx, data_dir, have_tess))
    if set in ("real", "all"):
        from benchmarks.real import run_real

        tracks.update(run_real(ctx, quick=quick, tesseract=have_tess))
    results: dict[str, Any] = {
        "schema": RESULTS_SCHEMA,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "quick": quick, "set": set, "engine": engine,
        "data": str(data_dir) if set != "real" else None,
        "environment": _environment(tesseract),
        "seconds": None,
        "tracks": {name: t.to_json() for name, t in tracks.items()},
        "notes": ctx.notes,
        "errors": ctx.errors,
    }
    if report:
        from benchmarks.report import write_report

        try:
            results["report"] = str(write_report(results, ctx.overlays, out, worst=WORST_OVERLAYS))
        except Exception as exc:  # a broken drawing must not lose the numbers
            ctx.notes.append(f"report failed: {type(exc).__name__}: {exc}")
    results["seconds"] = round(time.perf_counter() - t0, 2)
    (out / "results.json").write_text(json.dumps(results, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
    return results


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="pagestitch bench", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="the small quick set (under 5 minutes)")
    ap.add_argument("--set", default="all", choices=["generated", "real", "all"])
    ap.add_argument("--out", type=Path, default=Path("bench-out"))
    ap.add_argument("--data", type=Path, default=None, help="a generated set (default: the quick set)")
    ap.add_argument("--engine", default="rapidocr")
    ap.add_argument("--no-tesseract", action="store_true")
    ap.add_argument("--tesseract-pages", type=int, default=None, help="at most this many scans through tesseract")
    ap.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="OCR cache folder")
    args = ap.parse_args(argv)
    results = run_bench(args.quick, args.set, args.out, args.engine, data=args.data,
                        tesseract=not args.no_tesseract, tesseract_pages=args.tesseract_pages,
                        cache_dir=args.cache)
    print(tables(results))
    print(f"\nresults: {args.out / 'results.json'}  ({results['seconds']} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
