"""CLI: python -m benchmarks.generator --out DIR --pages N --seed S [--langs zh,en,de] [--flow-rate R]."""

from __future__ import annotations

import argparse
import sys
import time

from benchmarks.generator.pages import generate_set


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.generator", description=__doc__)
    ap.add_argument("--out", required=True, help="output folder")
    ap.add_argument("--pages", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--langs", default="zh,en,de", help="comma-separated subset of zh,en,de")
    ap.add_argument("--issue-rate", type=float, default=0.15, help="share of two-page issues with a jump")
    ap.add_argument("--max-px", type=int, default=2200, help="longest side of a scan in pixels")
    ap.add_argument("--no-scan", action="store_true", help="PDF, truth and paste text only")
    ap.add_argument("--flow-rate", type=float, default=0.0,
                    help="share of pages set in continuous flow (articles poured down equal columns)")
    ap.add_argument("--corpus", default=None, help="corpus folder (default ../shared/corpus)")
    args = ap.parse_args(argv)
    langs = [x.strip() for x in args.langs.split(",") if x.strip()]
    bad = [x for x in langs if x not in ("zh", "en", "de")]
    if bad or not langs:
        ap.error(f"unknown language(s): {bad or args.langs}")
    t0 = time.perf_counter()
    paths = generate_set(args.out, args.pages, args.seed, langs, args.issue_rate, not args.no_scan,
                         args.max_px, args.corpus, args.flow_rate)
    dt = time.perf_counter() - t0
    print(f"{len(paths)} pages in {args.out} ({dt:.1f} s, {dt / max(1, len(paths)):.2f} s/page)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
