"""The on-disk OCR cache: hits skip the engine, bad entries and new settings recompute."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from layout.model import Line
from ocr import cache as ocr_cache
from ocr.images import ocr_page


@pytest.fixture(autouse=True)
def _cache_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # Never the user's ~/.cache: every test here gets its own folder.
    folder = tmp_path / "ocr-cache"
    monkeypatch.setenv(ocr_cache.CACHE_ENV, str(folder))
    return folder


class CountingEngine:
    """Returns one fixed line and counts how often it was asked."""

    name = "counting"

    def __init__(self, setting: int = 1) -> None:
        self.setting = setting
        self.calls = 0

    def recognize(self, image: np.ndarray) -> list[Line]:
        self.calls += 1
        return [Line(id="l0", text="新闻 news", bbox=(10.0, 20.0, 110.0, 45.0),
                     polygon=((10.0, 20.0), (110.0, 20.0), (110.0, 45.0), (10.0, 45.0)),
                     confidence=0.93, height=25.0, vertical=False)]

    def info(self) -> dict[str, Any]:
        return {"model": "fixed", "version": "1", "parameters": {"setting": self.setting}}


def _page(seed: int = 0) -> np.ndarray:
    image = np.full((120, 200), 255, np.uint8)
    image[seed % 100 : seed % 100 + 5, 10:50] = 0
    return image


def _entries(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.json"))


def test_hit_returns_identical_lines_without_calling_engine(_cache_in_tmp: Path) -> None:
    engine = CountingEngine()
    first = ocr_page(_page(), engine, "a.png", 1, None)
    second = ocr_page(_page(), engine, "a.png", 1, None)
    assert engine.calls == 1
    assert second.page.lines == first.page.lines
    assert second.page.provenance.parameters["skew"] == first.page.provenance.parameters["skew"]
    assert second.page.provenance.timings.get("ocr_cache_hit") == 1.0
    assert "ocr_cache_hit" not in first.page.provenance.timings
    assert len(_entries(_cache_in_tmp)) == 1


def test_corrupt_entry_is_recomputed_and_rewritten(_cache_in_tmp: Path) -> None:
    engine = CountingEngine()
    first = ocr_page(_page(), engine, "a.png", 1, None)
    [entry] = _entries(_cache_in_tmp)
    entry.write_text('{"key": "trunc', encoding="utf-8")
    again = ocr_page(_page(), engine, "a.png", 1, None)
    assert engine.calls == 2 and again.page.lines == first.page.lines
    ocr_page(_page(), engine, "a.png", 1, None)
    assert engine.calls == 2  # the rewritten entry is good again


def test_settings_change_or_other_image_is_a_miss() -> None:
    engine = CountingEngine(setting=1)
    ocr_page(_page(), engine, "a.png", 1, None)
    engine.setting = 2
    ocr_page(_page(), engine, "a.png", 1, None)
    assert engine.calls == 2
    ocr_page(_page(seed=7), engine, "b.png", 1, None)
    assert engine.calls == 3


def test_code_version_is_part_of_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = CountingEngine()
    key = ocr_cache.entry_key(_page(), engine)
    monkeypatch.setattr(ocr_cache, "code_version", lambda: "something-else")
    assert ocr_cache.entry_key(_page(), engine) != key


def test_off_disables_the_cache(monkeypatch: pytest.MonkeyPatch, _cache_in_tmp: Path) -> None:
    monkeypatch.setenv(ocr_cache.CACHE_ENV, "off")
    engine = CountingEngine()
    ocr_page(_page(), engine, "a.png", 1, None)
    ocr_page(_page(), engine, "a.png", 1, None)
    assert engine.calls == 2 and not _cache_in_tmp.exists()


def test_default_location_is_under_home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ocr_cache.CACHE_ENV)
    assert ocr_cache.cache_dir() == Path("~/.cache/pagestitch/ocr").expanduser()


def test_write_leaves_no_temp_files(_cache_in_tmp: Path) -> None:
    ocr_page(_page(), CountingEngine(), "a.png", 1, None)
    assert [p.name for p in _cache_in_tmp.rglob("*") if p.is_file() and p.name.startswith(".tmp")] == []


def test_unwritable_cache_does_not_fail_ocr(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv(ocr_cache.CACHE_ENV, str(blocker / "sub"))  # a folder under a file
    loaded = ocr_page(_page(), CountingEngine(), "a.png", 1, None)
    assert [line.text for line in loaded.page.lines] == ["新闻 news"]
