"""Cost of layout and ordering as pages grow: ``python -m benchmarks.layout_speed``.

Pages of 100, 1,000 and 10,000 lines (6 columns in sections under spanning headlines)
are reconstructed from lines alone (no OCR, no image); the median of several runs of
the layout and stitching stages is reported, with the growth per line.
"""

from __future__ import annotations

import argparse
import statistics
import time

from layout.api import reconstruct
from layout.model import Line, Page

BODY = "这是一行正文文字内容用来测量版面分析的速度"


def synthetic_page(n_lines: int, columns: int = 6, rows_per_section: int = 20) -> Page:
    lines: list[Line] = []
    y = 0.0
    col_w, gap, size = 300.0, 20.0, 14.0
    while len(lines) < n_lines:
        # Boxes as wide as their characters set solid (the layout reads the advance).
        lines.append(Line(f"h{len(lines)}", "标题" * 6, (0, y, 12 * 2.2 * size, y + 2.2 * size), height=2.2 * size))
        y += 3 * size
        for r in range(rows_per_section):
            for c in range(columns):
                x0 = c * (col_w + gap)
                text = BODY[: 12 + (r + c) % 9]
                lines.append(Line(f"l{len(lines)}", text, (x0, y, x0 + min(col_w, len(text) * size), y + size), height=size))
            y += 1.4 * size
        y += 2 * size
    return Page(width=columns * (col_w + gap), height=y, lines=tuple(lines[:n_lines]))


def measure(n_lines: int, runs: int) -> float:
    page = synthetic_page(n_lines)
    reconstruct(page)  # warm caches (the word dictionary loads once)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        reconstruct(page)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100,500,1000,10000")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    print("| lines | ms per page | µs per line |")
    print("|---:|---:|---:|")
    for n in (int(v) for v in args.sizes.split(",")):
        seconds = measure(n, args.runs if n <= 1000 else max(1, args.runs // 2))
        print(f"| {n} | {seconds * 1000:.1f} | {seconds * 1e6 / n:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
