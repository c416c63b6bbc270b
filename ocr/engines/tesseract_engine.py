"""Tesseract (through pytesseract) as a pagestitch engine.

Lines are returned in Tesseract's own order (block, paragraph, line), so their ids
double as Tesseract's reading order, which the benchmark uses as a baseline.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np

from layout.continuity import is_cjk
from layout.model import Line
from ocr.engines.base import EngineUnavailable, is_vertical_box

PIP_HINT = "pip install 'pagestitch[tesseract]'"
APT_HINT = "apt-get install tesseract-ocr tesseract-ocr-chi-sim"


def _import_pytesseract() -> Any:
    try:
        import pytesseract
    except ImportError as exc:
        raise EngineUnavailable(
            f"tesseract engine needs pytesseract: {PIP_HINT} (and {APT_HINT})"
        ) from exc
    return pytesseract


def _apt_package(lang: str) -> str:
    return "tesseract-ocr-" + lang.lower().replace("_", "-")


def _check_binary(pytesseract: Any, lang: str) -> str:
    """Tesseract's version; raises EngineUnavailable if the binary or a language is missing."""
    try:
        version = str(pytesseract.get_tesseract_version())
        installed = set(pytesseract.get_languages(config=""))
    except (pytesseract.TesseractNotFoundError, OSError) as exc:
        raise EngineUnavailable(f"the tesseract binary is not installed: {APT_HINT}") from exc
    missing = [code for code in lang.split("+") if code and code not in installed]
    if missing:
        packages = " ".join(_apt_package(code) for code in missing)
        raise EngineUnavailable(
            f"tesseract language data missing for {'+'.join(missing)}: apt-get install {packages}"
        )
    return version


class TesseractEngine:
    name = "tesseract"

    def __init__(self, lang: str = "chi_sim+eng", psm: int = 3, oem: int | None = None) -> None:
        self._tess = _import_pytesseract()
        self.lang = lang
        self.psm = int(psm)
        self.oem = oem
        self._version = _check_binary(self._tess, lang)

    def _config(self) -> str:
        parts = [f"--psm {self.psm}"]
        if self.oem is not None:
            parts.append(f"--oem {int(self.oem)}")
        return " ".join(parts)

    def recognize(self, image: np.ndarray) -> list[Line]:
        data = self._tess.image_to_data(
            np.ascontiguousarray(image),
            lang=self.lang,
            config=self._config(),
            output_type=self._tess.Output.DICT,
        )
        return _lines_from_data(data)

    def info(self) -> dict[str, Any]:
        return {
            "model": f"tesseract lang={self.lang}",
            "version": f"tesseract {self._version}",
            "parameters": {"lang": self.lang, "psm": self.psm, "oem": self.oem},
        }


def _group_words(data: dict[str, list[Any]]) -> "OrderedDict[tuple[int, int, int], list[int]]":
    """Word indices per (block, par, line), in the order Tesseract emitted them."""
    groups: OrderedDict[tuple[int, int, int], list[int]] = OrderedDict()
    for i, level in enumerate(data["level"]):
        text = str(data["text"][i]).strip()
        if int(level) != 5 or not text:
            continue
        key = (int(data["block_num"][i]), int(data["par_num"][i]), int(data["line_num"][i]))
        groups.setdefault(key, []).append(i)
    return groups


def _join_words(words: list[str]) -> str:
    """Latin words get spaces; CJK characters (which Tesseract splits) do not."""
    out = words[0]
    for word in words[1:]:
        if is_cjk(out[-1]) and is_cjk(word[0]):
            out += word
        else:
            out += " " + word
    return out


def _lines_from_data(data: dict[str, list[Any]]) -> list[Line]:
    lines: list[Line] = []
    for indices in _group_words(data).values():
        x0 = min(int(data["left"][i]) for i in indices)
        y0 = min(int(data["top"][i]) for i in indices)
        x1 = max(int(data["left"][i]) + int(data["width"][i]) for i in indices)
        y1 = max(int(data["top"][i]) + int(data["height"][i]) for i in indices)
        text = _join_words([str(data["text"][i]).strip() for i in indices])
        confs = [float(data["conf"][i]) for i in indices if float(data["conf"][i]) >= 0]
        vertical = is_vertical_box(x1 - x0, y1 - y0, text)
        # Median word height is the text size; the line box also spans ascenders of
        # neighbours and any baseline drift.
        heights = sorted(int(data["height"][i]) for i in indices)
        size = float(x1 - x0) if vertical else float(heights[len(heights) // 2])
        lines.append(
            Line(
                id=f"l{len(lines)}",
                text=text,
                bbox=(float(x0), float(y0), float(x1), float(y1)),
                polygon=((x0, y0), (x1, y0), (x1, y1), (x0, y1)),
                confidence=(sum(confs) / len(confs) / 100.0) if confs else None,
                height=max(1.0, size),
                vertical=vertical,
            )
        )
    return lines
