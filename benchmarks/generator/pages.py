"""Generating pages and sets of pages: PDF, scan, truth JSON and paste text per page."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Sequence

from benchmarks.generator.compose import Carry, Layout, PageSpec, compose
from benchmarks.generator.render import draw_pdf, rasterise
from benchmarks.generator.truthfile import build, paste_text

LEVELS = ("clean", "light", "medium", "heavy")


def spec_for(seed: int, index: int = 0, lang: str | None = None, langs: Sequence[str] = ("zh", "en", "de"),
             **overrides: object) -> PageSpec:
    """A random page description drawn from the seed (any field can be forced)."""
    rng = random.Random(seed)
    lang = lang or rng.choice(list(langs))
    vertical = rng.random() < 0.3
    vertical = bool(overrides.pop("vertical", vertical)) and lang == "zh"  # only Chinese is set vertically
    columns = rng.randint(3, 6) if vertical else rng.randint(3, 8)
    level = rng.choice(LEVELS)
    kind = "v" if vertical else ("f" if overrides.get("layout") == "flow" else "h")  # f: continuous flow
    page_id = f"{lang}-{kind}-{index:03d}"
    spec = PageSpec(id=page_id, lang=lang, vertical=vertical, columns=columns, seed=seed, degradation=level)
    for key, value in overrides.items():
        setattr(spec, key, value)
    return spec


def dump_truth(truth: dict) -> str:
    """JSON with one list item per line: readable in a diff, a third the size of indented JSON."""
    out = []
    for key, value in truth.items():
        if isinstance(value, list) and value:
            items = ",\n  ".join(json.dumps(v, ensure_ascii=False) for v in value)
            out.append(f"{json.dumps(key)}: [\n  {items}\n ]")
        else:
            out.append(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}")
    return "{\n " + ",\n ".join(out) + "\n}\n"


def write_page(layout: Layout, out_dir: Path, prev_id: str | None = None, scan: bool = True) -> Path:
    """Write <id>.pdf, the scan, <id>.truth.json and <id>.paste.txt; returns the truth path."""
    spec = layout.spec
    out_dir.mkdir(parents=True, exist_ok=True)
    pdf = out_dir / f"{spec.id}.pdf"
    draw_pdf(layout, pdf)
    scan_rec = rasterise(pdf, out_dir / f"{spec.id}.{spec.image_format}", layout) if scan else None
    truth = build(layout, scan_rec, prev_id)
    path = out_dir / f"{spec.id}.truth.json"
    path.write_text(dump_truth(truth), encoding="utf-8")
    (out_dir / f"{spec.id}.paste.txt").write_text(paste_text(truth), encoding="utf-8")
    return path


def generate_page(spec: PageSpec | int, out_dir: str | Path, carry: Carry | None = None,
                  prev_id: str | None = None, scan: bool = True) -> Path:
    """Compose and write one page (a PageSpec, or a seed for a random one); returns its truth path."""
    if isinstance(spec, int):
        spec = spec_for(spec)
    return write_page(compose(spec, carry), Path(out_dir), prev_id, scan)


def generate_issue(specs: Sequence[PageSpec], out_dir: str | Path, scan: bool = True) -> list[Path]:
    """Pages of one issue in order; an article jumping off page n continues on page n+1."""
    carry, prev, paths = None, None, []
    for spec in specs:
        layout = compose(spec, carry)
        paths.append(write_page(layout, Path(out_dir), prev, scan))
        carry, prev = layout.carry, spec.id
    return paths


def generate_set(out_dir: str | Path, pages: int, seed: int = 0, langs: Sequence[str] = ("zh", "en", "de"),
                 issue_rate: float = 0.15, scan: bool = True, max_px: int = 2200,
                 corpus: str | None = None, flow_rate: float = 0.0) -> list[Path]:
    """`pages` pages drawn from the seed; some consecutive pairs form two-page issues with a jump.
    A share `flow_rate` of them (both pages of an issue alike) is set in continuous flow."""
    rng = random.Random(seed)
    # Flow draws come from their own stream, so flow_rate=0 leaves every page as it was.
    flow_rng = random.Random(seed * 1_000_003 + 17)
    paths: list[Path] = []
    while len(paths) < pages:
        index = len(paths)
        page_seed = rng.randrange(2**31)
        flow = flow_rate > 0 and flow_rng.random() < flow_rate
        kw = flow_overrides(flow_rng) if flow else {}
        spec = spec_for(page_seed, index, langs=langs, max_px=max_px, corpus=corpus, **kw)
        if pages - index >= 2 and rng.random() < issue_rate:
            kw = flow_overrides(flow_rng) if flow else {}
            second = spec_for(rng.randrange(2**31), index + 1, lang=spec.lang,
                              **{"vertical": spec.vertical, **kw}, max_px=max_px, corpus=corpus)
            issue = f"iss-{index:03d}"
            for n, s in enumerate((spec, second), start=1):
                s.issue, s.page_in_issue, s.issue_pages = issue, n, 2
            paths += generate_issue([spec, second], out_dir, scan)
        else:
            paths.append(generate_page(spec, out_dir, scan=scan))
    return paths


def flow_overrides(rng: random.Random) -> dict[str, object]:
    """A flow page: horizontal (vertical pages stay in modules), 2-6 equal columns."""
    return {"layout": "flow", "vertical": False, "columns": rng.randint(2, 6)}
