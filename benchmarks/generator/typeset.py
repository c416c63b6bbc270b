"""Fonts, text measuring and line breaking.

A paragraph is broken into lines one at a time (``Flow.next_line(width)``) because the
columns of one article have different widths. Every line records the character offsets
it covers in its paragraph, so segment and article texts are cut from the source
paragraphs instead of being rebuilt from the displayed lines (no hyphen or
justification artefacts can leak into the truth).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

WQY_PATH = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
DEJAVU = "/usr/share/fonts/truetype/dejavu/"
FONT_FILES = {
    "WQY": (WQY_PATH, 0),
    "Serif": (DEJAVU + "DejaVuSerif.ttf", None),
    "SerifCond": (DEJAVU + "DejaVuSerifCondensed.ttf", None),
    "SerifBold": (DEJAVU + "DejaVuSerif-Bold.ttf", None),
    "SerifItalic": (DEJAVU + "DejaVuSerif-Italic.ttf", None),
    "SansBold": (DEJAVU + "DejaVuSans-Bold.ttf", None),
    "Sans": (DEJAVU + "DejaVuSans.ttf", None),
}

# Kinsoku: characters that must not begin / end a CJK line.
NO_START = set("，。、；：！？）》」』”’…—·,.;:!?)")
NO_END = set("（《「『“‘(")
SENTENCE_END = set("。！？!?.")
CLOSERS = set("”’」』）)\"'")
VOWELS = set("aeiouyäöüAEIOUYÄÖÜ")
DIGRAPHS = {"ch", "sh", "th", "ph", "gh", "ck", "qu", "wh", "sc"}


def register_fonts() -> None:
    """Register the embedded TrueType fonts once per process (WQY takes ~0.2 s)."""
    known = set(pdfmetrics.getRegisteredFontNames())
    for name, (path, index) in FONT_FILES.items():
        if name in known:
            continue
        font = TTFont(name, path, subfontIndex=index) if index is not None else TTFont(name, path)
        pdfmetrics.registerFont(font)


def covered(text: str, font: str) -> bool:
    """True when the font has a glyph for every character (no tofu in the PDF)."""
    register_fonts()
    cmap = pdfmetrics.getFont(font).face.charToGlyph
    return all(ord(ch) in cmap for ch in text if ch not in "\n")


@lru_cache(maxsize=200_000)
def _unit_width(text: str, font: str) -> float:
    return pdfmetrics.stringWidth(text, font, 1.0)


def measure(text: str, font: str, size: float) -> float:
    """Advance width of text in points."""
    if len(text) == 1:
        return _unit_width(text, font) * size
    return sum(_unit_width(ch, font) for ch in text) * size if font == "WQY" else _unit_width(text, font) * size


@dataclass
class TLine:
    """One set line: ``para[start:end]`` of paragraph ``para``; ``text`` is what is printed."""

    para: int
    start: int
    end: int
    text: str
    hyphen: bool  # the typesetter split a word here and printed a hyphen
    para_end: bool
    indent: float
    natural: float  # printed width without justification


def _mix(*values: int) -> int:
    """A small deterministic hash (Python's str hash is salted per process)."""
    h = 2166136261
    for v in values:
        h = ((h ^ (v & 0xFFFFFFFF)) * 16777619) & 0xFFFFFFFF
    return h


class Flow:
    """Breaks a list of paragraphs into lines on demand, for any line width."""

    def __init__(self, paras: list[str], cjk: bool, font: str, size: float,
                 indent_em: float = 0.0, hyphen_rate: float = 0.5, salt: int = 0,
                 first_indent: bool = True, mono: bool = False) -> None:
        self.paras = paras
        self.cjk = cjk
        self.font = font
        self.size = size
        self.indent_em = indent_em
        self.hyphen_rate = hyphen_rate
        self.salt = salt
        self.first_indent = first_indent
        self.mono = mono  # vertical CJK: every character takes one em cell
        self.para = 0
        self.pos = 0
        self._words = [[(m.start(), m.end()) for m in re.finditer(r"\S+", p)] for p in paras]

    @property
    def state(self) -> tuple[int, int]:
        return (self.para, self.pos)

    @state.setter
    def state(self, value: tuple[int, int]) -> None:
        self.para, self.pos = value

    def done(self) -> bool:
        return self.para >= len(self.paras)

    def next_line(self, width: float) -> TLine:
        starts = self.pos == 0 and (self.para > 0 or self.first_indent)
        indent = self.indent_em * self.size if starts else 0.0
        line = self._cjk_line(width, indent) if self.cjk else self._latin_line(width, indent)
        if line.para_end:
            self.para, self.pos = self.para + 1, 0
        else:
            self.pos = line.end if self.cjk or line.hyphen else self._skip_space(line.end)
        return line

    def _skip_space(self, at: int) -> int:
        text = self.paras[self.para]
        while at < len(text) and text[at] == " ":
            at += 1
        return at

    def _cjk_line(self, width: float, indent: float) -> TLine:
        text, i = self.paras[self.para], self.pos
        room, used, j = width - indent, 0.0, i
        while j < len(text):
            w = self.size if self.mono else measure(text[j], self.font, self.size)
            if used + w > room + 0.01:
                break
            used, j = used + w, j + 1
        if j < len(text):
            # Pull a character down rather than start a line with closing punctuation.
            while j - i > 2 and (text[j] in NO_START or text[j - 1] in NO_END):
                j -= 1
            j = max(j, i + 1)
        piece = text[i:j]
        natural = self.size * len(piece) if self.mono else measure(piece, self.font, self.size)
        return TLine(self.para, i, j, piece, False, j >= len(text), indent, natural)

    def _latin_line(self, width: float, indent: float) -> TLine:
        text, words = self.paras[self.para], self._words[self.para]
        k = max(0, bisect.bisect_right([w[0] for w in words], self.pos) - 1)
        room, space = width - indent, measure(" ", self.font, self.size)
        start, end, used = self.pos, self.pos, 0.0
        while k < len(words):
            w0 = max(words[k][0], self.pos)
            w1 = words[k][1]
            add = measure(text[w0:w1], self.font, self.size) + (space if end > start else 0.0)
            if used + add <= room + 0.01:
                used, end, k = used + add, w1, k + 1
                continue
            split = self._hyphen_point(text, w0, w1, room - used - (space if end > start else 0.0))
            if split is None and end == start:
                split = self._forced_point(text, w0, w1, room)
            if split is not None:
                piece = text[start:split] + "-"
                return TLine(self.para, start, split, piece, True, False, indent, measure(piece, self.font, self.size))
            break
        piece = text[start:end]
        return TLine(self.para, start, end, piece, False, k >= len(words), indent, measure(piece, self.font, self.size))

    def _hyphen_point(self, text: str, w0: int, w1: int, room: float) -> int | None:
        """Split a long alphabetic word at a syllable-like point that fits, sometimes."""
        word = text[w0:w1]
        core = word.rstrip(",.;:!?’”\"')")
        if len(core) < 6 or not core.isalpha() or room <= 0:
            return None
        if _mix(self.salt, self.para, w0) % 1000 >= self.hyphen_rate * 1000:
            return None
        best = None
        for cut in range(3, len(core) - 2):
            # Break before a consonant-vowel pair ("humilia-ting", "extraor-dinary"), never
            # inside a digraph, and keep a vowel on each side.
            cv = core[cut] not in VOWELS and core[cut + 1] in VOWELS
            digraph = core[cut - 1:cut + 1].lower() in DIGRAPHS
            vowels = any(ch in VOWELS for ch in core[:cut])
            if cv and vowels and not digraph and measure(core[:cut] + "-", self.font, self.size) <= room:
                best = cut
        return None if best is None else w0 + best

    def _forced_point(self, text: str, w0: int, w1: int, room: float) -> int:
        """A word longer than the whole line: cut it wherever it overflows."""
        cut = w0 + 1
        while cut < w1 - 1 and measure(text[w0:cut + 1] + "-", self.font, self.size) <= room:
            cut += 1
        return cut


def sentence_cut(text: str, limit: int) -> int:
    """Offset just after the last sentence end (with closing quotes) at or before limit; 0 if none."""
    best = 0
    for i in range(min(limit, len(text))):
        if text[i] not in SENTENCE_END:
            continue
        j = i + 1
        while j < len(text) and text[j] in CLOSERS:
            j += 1
        # A Latin full stop followed by a non-space ("3.5", "U.S.") ends no sentence, nor
        # one after a short word ("Nr.", "Dr.", "z. B.").
        latin_stop = text[i] in ".!?" and j < len(text) and text[j] != " "
        word = text[:i].rsplit(" ", 1)[-1]
        abbrev = text[i] == "." and len(word) <= 3
        if j <= limit and not latin_stop and not abbrev:
            best = j
    return best
