"""Batch throughput: pages per minute with 1 and 2 local workers and a Dask LocalCluster.

    python -m benchmarks.throughput [--data DIR] [--kinds pdf] [--copies N] [--workers 1,2] [--no-dask]

Every configuration processes the same inputs from scratch into a fresh folder
(``resume=False``), timed from the call to the summary, so worker start-up and
one-off loading (OCR models, dictionaries) count: that is what a real batch pays.
Scaling efficiency is ``speedup / workers`` against the one-worker run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Sequence

from layout.batch import run_batch

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE / "data" / "quick"
FALLBACK_DATA = (HERE.parent / "samples", HERE.parents[1] / "shared" / "real" / "pdf")
KIND_SUFFIXES = {"pdf": (".pdf",), "jpg": (".jpg", ".jpeg"), "png": (".png",), "json": (".lines.json",)}


@dataclass(frozen=True)
class Measure:
    config: str
    workers: int
    pages: int
    failed: int
    seconds: float
    cpu_seconds: float  # CPU time of the workers: how much of the cores we really got

    @property
    def pages_per_minute(self) -> float:
        return 60.0 * self.pages / self.seconds if self.seconds else 0.0


def find_inputs(data: Path | None, kinds: Sequence[str]) -> list[Path]:
    """Inputs of the wanted kinds; the generated set when it exists, else PDFs we have."""
    suffixes = tuple(s for k in kinds for s in KIND_SUFFIXES[k])
    folders = [data] if data else [DEFAULT_DATA, *FALLBACK_DATA]
    for folder in folders:
        found = sorted(p for p in folder.glob("*") if p.name.lower().endswith(suffixes) and not p.name.endswith(".truth.json"))
        if found:
            return found
    raise SystemExit(f"no {', '.join(kinds)} inputs in {', '.join(map(str, folders))}")


def stage(inputs: Sequence[Path], copies: int, into: Path) -> Path:
    """A folder of symlinks: ``copies`` names per input, so small sets still fill workers."""
    into.mkdir(parents=True)
    for n in range(copies):
        for p in inputs:
            name = p.name if copies == 1 else f"c{n}-{p.name}"
            (into / name).symlink_to(p.resolve())
    return into


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(config: str, src: Path, out: Path, workers: int, scheduler: str | None = None) -> Measure:
    cpu, started = _children_cpu(), time.perf_counter()
    summary = run_batch(src, out, workers=workers, scheduler=scheduler, resume=False, progress=False)
    seconds = time.perf_counter() - started
    return Measure(config, workers, summary.pages, summary.failed, seconds, _children_cpu() - cpu)


def run_dask(src: Path, out: Path, workers: int) -> Measure:
    from distributed import Client, LocalCluster

    # Cluster start-up is outside the timing: on a real cluster it is already running.
    # Worker CPU is counted once the cluster has closed and its processes are reaped.
    cpu = _children_cpu()
    with LocalCluster(n_workers=workers, threads_per_worker=1, host="127.0.0.1", dashboard_address=None, processes=True) as cluster:
        with Client(cluster) as client:
            client.wait_for_workers(workers)
        result = measure(f"dask local cluster ({workers} workers)", src, out, workers, cluster.scheduler_address)
    return replace(result, cpu_seconds=_children_cpu() - cpu)


def _spin(n: int) -> int:
    total = 0
    for i in range(n):
        total += i * i % 7
    return total


def machine_capacity(workers: int, n: int = 6_000_000) -> float:
    """Speed-up that ``workers`` plain CPU-bound processes get right now.

    Other programs on the machine take cores too; this tells a batch that scales badly
    from a machine that had no spare core to give.
    """
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    times = []
    for count in (1, workers):
        procs = [ctx.Process(target=_spin, args=(n,)) for _ in range(count)]
        started = time.perf_counter()
        for p in procs:
            p.start()
        for p in procs:
            p.join()
        times.append(time.perf_counter() - started)
    return workers * times[0] / times[1]


def report(results: Sequence[Measure]) -> str:
    base = next((r for r in results if r.workers == 1 and not r.config.startswith("dask")), None)
    rows = [
        "| configuration | pages | failed | seconds | pages/min | speedup | efficiency | worker CPU s | cores busy |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        speedup = base.seconds / r.seconds if base and r.seconds else float("nan")
        busy = r.cpu_seconds / r.seconds if r.seconds else 0.0
        rows.append(
            f"| {r.config} | {r.pages} | {r.failed} | {r.seconds:.1f} | {r.pages_per_minute:.1f} | {speedup:.2f}x | {speedup / r.workers:.0%} "
            f"| {r.cpu_seconds:.1f} | {busy:.2f} |"
        )
    # Other processes on the machine take cores from the workers; say how busy it was.
    rows.append(f"\nload average at the end: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.throughput", description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, help=f"input folder (default {DEFAULT_DATA}, else sample PDFs)")
    ap.add_argument("--kinds", default="pdf", help="comma-separated: pdf, jpg, png, json (default pdf: no OCR)")
    ap.add_argument("--copies", type=int, default=1, help="process every input this many times")
    ap.add_argument("--workers", default="1,2", help="local worker counts to measure (default 1,2)")
    ap.add_argument("--no-dask", action="store_true", help="skip the Dask LocalCluster run")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args(argv)

    inputs = find_inputs(args.data, [k.strip() for k in args.kinds.split(",") if k.strip()])
    counts = [int(w) for w in args.workers.split(",")]
    results: list[Measure] = []
    with tempfile.TemporaryDirectory(prefix="pagestitch-throughput-") as tmp:
        src = stage(inputs, args.copies, Path(tmp) / "in")
        print(f"{len(inputs) * args.copies} inputs from {inputs[0].parent}; {os.cpu_count()} cores", file=sys.stderr)
        before = machine_capacity(max(counts))
        for n in counts:
            results.append(measure(f"local, {n} worker{'s' if n > 1 else ''}", src, Path(tmp) / f"out-{n}", n))
            print(f"  {results[-1].config}: {results[-1].pages_per_minute:.1f} pages/min", file=sys.stderr)
        if not args.no_dask:
            results.append(run_dask(src, Path(tmp) / "out-dask", max(counts)))
            print(f"  {results[-1].config}: {results[-1].pages_per_minute:.1f} pages/min", file=sys.stderr)
        after = machine_capacity(max(counts))
    print(report(results))
    print(f"machine capacity for {max(counts)} CPU-bound processes (ideal {max(counts)}.00x): {before:.2f}x before, {after:.2f}x after")
    if args.json:
        rows = [{**asdict(r), "pages_per_minute": r.pages_per_minute} for r in results]
        args.json.write_text(json.dumps({"results": rows, "capacity": [before, after]}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
