"""Fail when a benchmark score drops below its floor.

    python -m benchmarks.check_floors results.json [--floors benchmarks/floors.json] [--allow-missing]

Exit 0 when every floor holds, 1 when one does not (or a floored score is missing,
unless --allow-missing: a run of only some tracks), 2 when a file cannot be read.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, Sequence

DEFAULT_FLOORS = Path(__file__).resolve().parent / "floors.json"


def lookup(results: dict[str, Any], key: str) -> float | None:
    """``track.method.metric`` -> the aggregate value (tracks may hold '/', never '.')."""
    track, method, metric = key.rsplit(".", 2)
    value = results.get("tracks", {}).get(track, {}).get(method, {}).get("aggregate", {}).get(metric)
    return None if value is None else float(value)


def check(results: dict[str, Any], floors: dict[str, Any], allow_missing: bool = False) -> list[str]:
    """Messages of failed floors (empty when all hold)."""
    failures = []
    for key, bound in floors.items():
        bound = bound if isinstance(bound, dict) else {"min": bound}
        value = lookup(results, key)
        if value is None:
            if not allow_missing:
                failures.append(f"{key}: missing from results")
            continue
        if "min" in bound and value < float(bound["min"]):
            failures.append(f"{key}: {value:.4f} < floor {float(bound['min']):.4f}")
        if "max" in bound and value > float(bound["max"]):
            failures.append(f"{key}: {value:.4f} > ceiling {float(bound['max']):.4f}")
    return failures


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="check benchmark results against floors")
    ap.add_argument("results", type=Path)
    ap.add_argument("--floors", type=Path, default=DEFAULT_FLOORS)
    ap.add_argument("--allow-missing", action="store_true", help="skip floors whose score the run lacks")
    args = ap.parse_args(argv)
    try:
        results = json.loads(args.results.read_text(encoding="utf-8"))
        floors = json.loads(args.floors.read_text(encoding="utf-8"))["floors"]
    except (OSError, ValueError, KeyError) as exc:
        print(f"cannot read results or floors: {exc}")
        return 2
    failures = check(results, floors, args.allow_missing)
    for f in failures:
        print(f"FAIL {f}")
    print(f"{len(floors) - len(failures)}/{len(floors)} floors hold")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
