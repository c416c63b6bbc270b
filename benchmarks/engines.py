"""OCR engines side by side on the quick set's scans: line CER and seconds per page.

    python -m benchmarks.engines [--pages N] [--out FILE.json] [--engines a,b,...]

Every engine reads the same deskewed page in the same run, one page at a time and
engines interleaved, so load on the machine hits them alike. OCR lines are mapped to
PDF points through the scan's matrix and matched to truth lines by box overlap; CER is
over matched lines, and truth lines that no OCR line covers are counted as missed.
The OCR cache is not used here: every number is a fresh run.

Besides wall seconds per page the table gives CPU seconds per page (all threads of
this process): on a shared machine other jobs stretch wall time, while CPU time
shows the work an engine does. The summary compares "rapidocr-pagestitch" (the
default "fast" preset) with "rapidocr-defaults" when both ran.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
from rapidfuzz.distance import Levenshtein

from benchmarks.metrics import normalise
from benchmarks.truth import Truth, load_truth, scan_box_map
from layout.model import Box, Line
from ocr.engines import Engine, EngineUnavailable, get_engine
from ocr.images import estimate_skew, load_image_pages, ocr_image, to_gray

ROOT = Path(__file__).resolve().parent.parent
QUICK_DIR = ROOT / "benchmarks" / "data" / "quick"
TESSERACT_LANG = {"zh": "chi_sim", "en": "eng", "de": "deu"}
# An OCR line belongs to the truth line holding at least this share of its box.
MIN_OVERLAP = 0.5
STAGES = ("prep", "det", "cls", "rec")


@dataclass
class Tally:
    """Totals for one engine over the pages it read."""

    pages: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    truth_lines: int = 0
    matched: int = 0
    missed: int = 0
    extra: int = 0
    edits: int = 0
    chars: int = 0
    stages: dict[str, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def row(self) -> dict[str, Any]:
        per_page = self.seconds / self.pages if self.pages else None
        return {
            "pages": self.pages,
            "seconds_per_page": None if per_page is None else round(per_page, 2),
            "cpu_seconds_per_page": round(self.cpu_seconds / self.pages, 2) if self.pages else None,
            "cer": round(self.edits / self.chars, 4) if self.chars else None,
            "truth_lines": self.truth_lines,
            "matched": self.matched,
            "missed": self.missed,
            "unmatched_ocr_lines": self.extra,
            "stages_per_page": {k: round(v / self.pages, 2) for k, v in self.stages.items()} if self.pages else {},
            "errors": self.errors,
        }


# ------------------------------------------------------------------ matching


def _area(box: Box) -> float:
    return max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])


def _overlap(a: Box, b: Box) -> float:
    return _area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))


def assign_lines(ocr_boxes: Sequence[Box], truth_boxes: Sequence[Box]) -> list[int | None]:
    """For each OCR box, the truth line covering most of it (None below MIN_OVERLAP)."""
    owners: list[int | None] = []
    for box in ocr_boxes:
        shares = [_overlap(box, t) / max(_area(box), 1e-6) for t in truth_boxes]
        best = int(np.argmax(shares)) if shares else -1
        owners.append(best if best >= 0 and shares[best] >= MIN_OVERLAP else None)
    return owners


def score_page(lines: Sequence[Line], truth: Truth, image_size: tuple[int, int]) -> dict[str, int]:
    """Edits and characters over matched truth lines, plus matched/missed/extra counts."""
    assert truth.scan is not None
    to_points = scan_box_map(float(image_size[0]), float(image_size[1]), truth.scan)
    boxes = [to_points(line.bbox) for line in lines]
    owners = assign_lines(boxes, [t.bbox for t in truth.lines])
    cjk = truth.lang == "zh"
    vertical = truth.direction == "vertical"
    pieces: dict[int, list[tuple[float, str]]] = {}
    for line, box, owner in zip(lines, boxes, owners):
        if owner is not None:
            # A truth line split by the OCR is read in the line's own direction.
            pieces.setdefault(owner, []).append((box[1] if vertical else box[0], line.text))
    edits = chars = 0
    for index, parts in pieces.items():
        truth_text = normalise(truth.lines[index].text, cjk)
        text = normalise((" " if not cjk else "").join(t for _, t in sorted(parts)), cjk)
        edits += Levenshtein.distance(truth_text, text)
        chars += len(truth_text)
    return {
        "truth_lines": len(truth.lines),
        "matched": len(pieces),
        "missed": len(truth.lines) - len(pieces),
        "extra": sum(1 for o in owners if o is None),
        "edits": edits,
        "chars": chars,
    }


# ------------------------------------------------------------------ engines


EngineFactory = Callable[[Truth], Engine]


def _tesseract(truth: Truth) -> Engine:
    return _memo(f"tesseract-{truth.lang}", lambda: get_engine("tesseract", lang=TESSERACT_LANG.get(truth.lang, "eng")))


_MEMO: dict[str, Engine] = {}


def _memo(key: str, build: Callable[[], Engine]) -> Engine:
    # Model loading is not part of the per-page time: each engine is built once.
    if key not in _MEMO:
        _MEMO[key] = build()
    return _MEMO[key]


FACTORIES: dict[str, EngineFactory] = {
    "rapidocr-defaults": lambda t: _memo("rd", lambda: get_engine("rapidocr", preset="rapidocr-defaults")),
    "rapidocr-pagestitch": lambda t: _memo("rp", lambda: get_engine("rapidocr")),
    "tesseract": _tesseract,
    "paddleocr": lambda t: _memo("pd", lambda: get_engine("paddleocr")),
}


# ------------------------------------------------------------------ the run


def quick_pages(folder: Path, limit: int | None) -> list[tuple[Path, Truth]]:
    """Scans with truth, languages interleaved so a short run still covers each."""
    found = [(p, load_truth(p.parent / f"{p.stem}.truth.json")) for p in sorted(folder.glob("*.jpg"))]
    by_lang: dict[str, list[tuple[Path, Truth]]] = {}
    for item in found:
        by_lang.setdefault(item[1].lang, []).append(item)
    mixed: list[tuple[Path, Truth]] = []
    while any(by_lang.values()):
        for lang in sorted(by_lang):
            if by_lang[lang]:
                mixed.append(by_lang[lang].pop(0))
    return mixed[:limit] if limit else mixed


def run(pages: Sequence[tuple[Path, Truth]], engines: Sequence[str], log: Callable[[str], None] = print) -> dict[str, Tally]:
    tallies = {name: Tally() for name in engines}
    for path, truth in pages:
        image, _ = load_image_pages(path)[0]
        angle = estimate_skew(to_gray(image))  # shared by all engines, not timed
        for name in engines:
            _read_one(name, tallies[name], image, angle, truth, log)
        log(f"{path.stem}: " + ", ".join(f"{n} {tallies[n].seconds:.1f}s" for n in engines))
    return tallies


def variant(name: str) -> EngineFactory | None:
    """A factory for ``base@key=value,...``: a rapidocr engine with options over its preset.

    ``rapidocr-pagestitch@rec_squeeze=0.75`` is the default preset reading squeezed lines.
    """
    base, _, spec = name.partition("@")
    if not spec or base not in ("rapidocr-defaults", "rapidocr-pagestitch"):
        return None
    options: dict[str, Any] = {"preset": "rapidocr-defaults"} if base == "rapidocr-defaults" else {}
    for item in spec.split(","):
        key, _, value = item.partition("=")
        options[key.strip()] = _value(value.strip())
    return lambda t: _memo(name, lambda: get_engine("rapidocr", **options))


def _value(text: str) -> Any:
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text.lower(), text)


def _read_one(name: str, tally: Tally, image: np.ndarray, angle: float, truth: Truth, log: Callable[[str], None]) -> None:
    try:
        engine = (FACTORIES.get(name) or variant(name))(truth)  # type: ignore[misc]
    except EngineUnavailable as exc:
        if not tally.errors:
            log(f"{name}: unavailable: {exc}")
        tally.errors = [f"unavailable: {exc}"]
        return
    started, cpu_started = time.perf_counter(), time.process_time()
    lines = ocr_image(image, engine, angle=angle)
    tally.seconds += time.perf_counter() - started
    tally.cpu_seconds += time.process_time() - cpu_started
    tally.pages += 1
    for stage, seconds in (getattr(engine, "last_timings", None) or {}).items():
        if stage in STAGES:
            tally.stages[stage] = tally.stages.get(stage, 0.0) + seconds
    scores = score_page(lines, truth, (image.shape[1], image.shape[0]))
    tally.truth_lines += scores["truth_lines"]
    tally.matched += scores["matched"]
    tally.missed += scores["missed"]
    tally.extra += scores["extra"]
    tally.edits += scores["edits"]
    tally.chars += scores["chars"]


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "-"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def table(rows: dict[str, dict[str, Any]]) -> str:
    head = "| engine | pages | s/page | cpu s/page | CER | matched | missed | extra | prep | det | cls | rec |"
    out = [head, "|" + "---|" * (head.count("|") - 1)]
    for name, r in rows.items():
        st = r["stages_per_page"]
        out.append(
            f"| {name} | {r['pages']} | {_fmt(r['seconds_per_page'])} | {_fmt(r.get('cpu_seconds_per_page'))} | {_fmt(r['cer'], 4)} | "
            f"{r['matched']}/{r['truth_lines']} | {r['missed']} | {r['unmatched_ocr_lines']} | "
            + " | ".join(_fmt(st.get(s)) for s in STAGES) + " |"
        )
    return "\n".join(out)


def summary(rows: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Speed ratio and CER change of pagestitch's rapidocr settings over rapidocr's own."""
    base, fast = rows.get("rapidocr-defaults"), rows.get("rapidocr-pagestitch")
    if not base or not fast or not base["seconds_per_page"] or not fast["seconds_per_page"]:
        return {}
    delta = None if base["cer"] is None or fast["cer"] is None else round((fast["cer"] - base["cer"]) * 100, 3)
    cpu = (base.get("cpu_seconds_per_page"), fast.get("cpu_seconds_per_page"))
    stages = {k: _ratio(base["stages_per_page"].get(k), fast["stages_per_page"].get(k)) for k in STAGES}
    return {
        "speedup": round(base["seconds_per_page"] / fast["seconds_per_page"], 2),
        "cpu_speedup": _ratio(*cpu),
        "stage_speedup": {k: v for k, v in stages.items() if v is not None},
        "cer_change_points": delta,
    }


def _ratio(base: float | None, fast: float | None) -> float | None:
    return round(base / fast, 2) if base and fast else None


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pages", type=int, default=None, help="first N pages (languages interleaved)")
    ap.add_argument("--data", type=Path, default=QUICK_DIR)
    ap.add_argument("--engines", default=",".join(FACTORIES),
                    help="comma-separated subset; NAME@key=value,... adds options to a rapidocr engine "
                         "(separate such engines with ';')")
    ap.add_argument("--out", type=Path, default=Path("bench-out/engines.json"))
    args = ap.parse_args(argv)
    sep = ";" if "@" in args.engines else ","
    engines = [e.strip() for e in args.engines.split(sep) if e.strip()]
    unknown = [e for e in engines if e not in FACTORIES and variant(e) is None]
    if unknown:
        ap.error(f"unknown engines {unknown}; choose from {list(FACTORIES)}")
    pages = quick_pages(args.data, args.pages)
    log = lambda msg: print(msg, file=sys.stderr, flush=True)  # noqa: E731
    tallies = run(pages, engines, log)
    rows = {name: t.row() for name, t in tallies.items()}
    result = {"pages": [p.stem for p, _ in pages], "engines": rows, "summary": summary(rows)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    print(table(rows))
    if result["summary"]:
        s = result["summary"]
        print(f"\nrapidocr-pagestitch vs rapidocr-defaults: {s['speedup']}x faster (CPU time {s['cpu_speedup']}x; "
              f"by stage {s['stage_speedup']}), CER change {s['cer_change_points']} points")
    print(f"(seconds are per page, OCR only; stages from rapidocr's own timers) -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
