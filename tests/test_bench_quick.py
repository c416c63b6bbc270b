"""The quick benchmark runs in the suite, and its main scores must stay above the
floors recorded in benchmarks/floors.json (a drop fails CI).

OCR results are cached in .cache/ (keyed by image, engine and the OCR code), so a
developer's second run is fast; a fresh clone, as in CI, pays the OCR once.
"""

import json
from pathlib import Path

from benchmarks.check_floors import check
from benchmarks.run import run_bench

ROOT = Path(__file__).resolve().parents[1]


def test_quick_benchmark_holds_its_floors(tmp_path):
    results = run_bench(True, "all", tmp_path, cache_dir=ROOT / ".cache")
    floors = json.loads((ROOT / "benchmarks" / "floors.json").read_text(encoding="utf-8"))["floors"]
    assert (tmp_path / "results.json").exists() and (tmp_path / "report.html").exists()
    assert check(results, floors) == []
