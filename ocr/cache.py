"""On-disk cache of OCR results, so that re-running layout and stitching costs no OCR.

An entry is keyed by the page image's pixels, the engine's name and settings
(``engine.info()``) and a digest of the OCR code: changing any of them is a miss.
The location is ``$PAGESTITCH_CACHE`` (``off`` disables the cache), else
``~/.cache/pagestitch/ocr``.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import numpy as np

from layout.model import Line
from ocr.engines.base import Engine

CACHE_ENV = "PAGESTITCH_CACHE"
DEFAULT_DIR = Path("~/.cache/pagestitch/ocr")
# Bumped by hand when the entry format changes; the code digest covers the rest.
FORMAT = 1
_OFF = {"off", "0", "no", "false", "none", ""}

# The code whose output is cached: the engines and the deskew/OCR path around them.
_CODE_FILES = ("engines/*.py", "images.py", "cache.py")


@lru_cache(maxsize=1)
def code_version() -> str:
    """Digest of the OCR code: any edit to it invalidates earlier entries."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256(str(FORMAT).encode())
    for pattern in _CODE_FILES:
        for src in sorted(root.glob(pattern)):
            digest.update(src.name.encode())
            digest.update(src.read_bytes())
    return digest.hexdigest()[:16]


def cache_dir() -> Path | None:
    """The cache folder from the environment, or None when caching is off."""
    value = os.environ.get(CACHE_ENV)
    if value is None:
        return DEFAULT_DIR.expanduser()
    if value.strip().lower() in _OFF:
        return None
    return Path(value).expanduser()


def image_digest(image: np.ndarray) -> str:
    """Content hash of the pixels; shape and dtype are included so a reshape cannot collide."""
    arr = np.ascontiguousarray(image)
    digest = hashlib.sha256(f"{arr.shape}|{arr.dtype}".encode())
    digest.update(memoryview(arr).cast("B"))
    return digest.hexdigest()


def entry_key(image: np.ndarray, engine: Engine) -> str:
    settings = json.dumps(engine.info(), sort_keys=True, default=str)
    digest = hashlib.sha256()
    for part in (image_digest(image), engine.name, settings, code_version()):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()[:40]


# ------------------------------------------------------------------ serialisation


def _line_to(line: Line) -> dict[str, Any]:
    return {
        "id": line.id,
        "text": line.text,
        "bbox": list(line.bbox),
        "polygon": None if line.polygon is None else [list(p) for p in line.polygon],
        "confidence": line.confidence,
        "height": line.height,
        "vertical": line.vertical,
    }


def _line_from(d: dict[str, Any]) -> Line:
    polygon = d.get("polygon")
    return Line(
        id=str(d["id"]),
        text=str(d["text"]),
        bbox=tuple(float(v) for v in d["bbox"]),  # type: ignore[arg-type]
        polygon=None if polygon is None else tuple((float(x), float(y)) for x, y in polygon),
        confidence=None if d.get("confidence") is None else float(d["confidence"]),
        height=None if d.get("height") is None else float(d["height"]),
        vertical=bool(d.get("vertical", False)),
    )


# ------------------------------------------------------------------ the cache


class OcrCache:
    """One folder of JSON entries, sharded by the key's first two hex digits."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @classmethod
    def from_env(cls) -> "OcrCache | None":
        folder = cache_dir()
        return None if folder is None else cls(folder)

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> tuple[float, list[Line], float] | None:
        """(skew angle, lines, seconds the OCR took) or None on a miss.

        Anything unreadable counts as a miss: the entry is then simply rewritten.
        """
        try:
            data = json.loads(self.path(key).read_text(encoding="utf-8"))
            if data.get("key") != key:
                return None
            lines = [_line_from(d) for d in data["lines"]]
            return float(data["angle"]), lines, float(data.get("seconds", 0.0))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def put(self, key: str, angle: float, lines: list[Line], seconds: float, engine: str = "") -> None:
        """Write atomically (temp file + rename) so a crash never leaves half an entry."""
        target = self.path(key)
        data = {"key": key, "engine": engine, "angle": angle, "seconds": round(seconds, 4),
                "lines": [_line_to(line) for line in lines]}
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=target.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(data, fh, ensure_ascii=False)
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError:
            # A read-only or full disk must not fail the OCR that just succeeded.
            return


def cached_ocr(
    image: np.ndarray, engine: Engine, compute: Callable[[], tuple[float, list[Line]]]
) -> tuple[float, list[Line], bool]:
    """(angle, lines, hit): from the cache when present, else ``compute()`` stored."""
    cache = OcrCache.from_env()
    if cache is None:
        angle, lines = compute()
        return angle, lines, False
    key = entry_key(image, engine)
    found = cache.get(key)
    if found is not None:
        return found[0], found[1], True
    started = time.perf_counter()
    angle, lines = compute()
    cache.put(key, angle, lines, time.perf_counter() - started, engine.name)
    return angle, lines, False
