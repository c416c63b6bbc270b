"""PDF pages: lines from the text layer (per character), drawn rules, and a raster.

Lines are built from ``page.chars`` rather than pdfplumber's word/text extraction,
which joins words across narrow gutters. Every threshold is a multiple of the font
size ("em") of the characters involved.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
import statistics
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from layout.continuity import closes_run_in, is_cjk
from layout.model import Line, Page, Provenance, Separator
from ocr.engines.base import Engine
from ocr.gutters import uneven_gap
from ocr.images import ocr_page
from ocr.loaded import InputError, LoadedPage

DEFAULT_DPI = 144.0
# Pages without a text layer are OCR'd from a raster at this resolution.
OCR_DPI = 300.0

# Horizontal gaps, in em of the characters on either side.
WORD_GAP_EM = 0.12  # narrower is kerning/tracking; wider is a word space (Latin)
GUTTER_GAP_EM = 1.0  # wider never occurs between words, even in justified lines
UNSPACED_GAP_EM = 0.5  # wider gap without the PDF's own space char: not a word space
# CJK text has no word spaces: between two CJK glyphs a gap this wide (more than any
# justification stretches a line) is a gutter.
CJK_GAP_EM = 0.6
# A gap at least this wide is a gutter when the rows around it are blank there too.
ALIGNED_GAP_EM = 0.45
# Rows looked at above and below for that check, and how far away they may be (em).
ALIGN_ROWS = 3
ALIGN_REACH_EM = 3.0
# A row witnesses a gutter only where its ink comes within this many em of the gap on
# both sides, as the lines of two columns reach their gutter (a ragged or last line a
# few em short). A row with nothing near the gap on one side (a head in the column
# beside, a short line "New York:") stands clear of every x there, word spaces too.
WITNESS_REACH_EM = 4.0
# A column's lines all start at its left edge: a word after such a gap that starts
# where at least COLUMN_STARTS other rows (within COLUMN_REACH_EM) start a segment,
# within START_TOL_EM, and where few rows run across, starts a column. This finds
# gutters the blank-strip test misses, beside short or missing neighbour rows (a
# paragraph's last line, a column's first line under a headline).
COLUMN_STARTS = 3
COLUMN_REACH_EM = 12.0
START_TOL_EM = 0.15
# Glyphs this much larger than their neighbour across a visible gap are another text
# element (a headline beside a body line on the same baseline), never one line.
SIZE_BREAK_RATIO = 1.25
SIZE_BREAK_GAP_EM = 0.25
# A word space far wider than those on both sides of it (ocr.gutters.uneven_gap) and
# wider than ALIGNED_GAP_EM is a gutter, even where no other row confirms it (a
# one-line column).
# Two chars are on one baseline if their bottoms differ by less than this (em).
BASELINE_EM = 0.3
# Vertical text: stacked chars whose centres differ by less than this (em) share a
# column, and a gap along the column wider than this (em) ends the line.
STACK_ALIGN_EM = 0.3
STACK_GAP_EM = 0.8
# Vertical typesetting sets punctuation in the upper right of its cell (CLREQ, JIS X
# 4051): its box sits up to about half an em off the column's axis.
PUNCT_ALIGN_EM = 0.55
VERTICAL_PUNCT = set("，。、；：！？．,.;:!?")

EngineSource = Callable[[], Engine]


@dataclass(frozen=True)
class Char:
    """One glyph in PDF points, top-left origin of the page's crop box."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    index: int  # position in the content stream
    upright: bool = True
    # +1 when rotated text runs downwards, -1 when it runs upwards (non-upright only)
    flow: int = 1
    bold: bool = False  # the font's name says a heavy weight, or the glyph is filled and stroked
    font: str = ""  # the font's name: a change of font starts another text run

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2.0

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2.0

    @property
    def is_space(self) -> bool:
        return not self.text.strip()


# ------------------------------------------------------------------------- opening


def _problem_of(exc: BaseException) -> str:
    """A readable problem text; pdfplumber wraps pdfminer errors, so walk the chain."""
    seen: BaseException | None = exc
    while seen is not None:
        name = type(seen).__name__
        if "Password" in name or "Encrypt" in name:
            return "encrypted PDF: a password is needed"
        seen = seen.__cause__ or seen.__context__
    detail = str(exc) or type(exc).__name__
    return f"not a readable PDF: {detail}"


def _open_pdf(path: Path) -> Any:
    import pdfplumber

    try:
        pdf = pdfplumber.open(str(path))
        _ = pdf.pages  # parses the page tree: broken files fail here, not later
    except Exception as exc:  # noqa: BLE001 - any parser failure means unreadable input
        raise InputError(str(path), _problem_of(exc)) from None
    if not pdf.pages:
        pdf.close()
        raise InputError(str(path), "not a readable PDF: it has no pages")
    return pdf


# ------------------------------------------------------------------------- chars


# Font names of heavy weights: "Helvetica-Bold", "DejaVuSans-Bold", "Arial,Bold",
# "MinionPro-Semibold", "NotoSansCJK-Black", "TimesNewRomanPS-BoldMT".
_HEAVY_FONT = re.compile(r"bold|black|heavy|semibold|demi|extrab", re.IGNORECASE)


# Text render modes that fill the glyph and stroke its outline too (PDF 32000-1, 9.3.6):
# a regular face stroked thicker is how PDFs set bold where the font has no bold face,
# as Chinese, Japanese and Korean fonts mostly have not ("simulated bold").
_FILL_STROKE_MODES = (2, 6)


def _stroked_layout(page: Any) -> None:
    """Lay the page out as pdfplumber does, marking each glyph drawn in a fill-and-stroke
    render mode (``stroke`` in its char dict): pdfminer keeps the mode in the text state
    only, and the font's name says nothing of the stroke."""
    from pdfminer.pdfinterp import PDFPageInterpreter
    from pdfplumber.page import PDFPageAggregatorWithMarkedContent

    class _Device(PDFPageAggregatorWithMarkedContent):
        mode = 0

        def render_string(self, textstate: Any, *args: Any, **kwargs: Any) -> None:
            self.mode = int(getattr(textstate, "render", 0) or 0)
            super().render_string(textstate, *args, **kwargs)

        def render_char(self, *args: Any, **kwargs: Any) -> float:
            adv = super().render_char(*args, **kwargs)
            if self.mode in _FILL_STROKE_MODES and self.cur_item._objs:
                self.cur_item._objs[-1].stroke = True
            return adv

    device = _Device(page.pdf.rsrcmgr, pageno=page.page_number, laparams=page.pdf.laparams)
    PDFPageInterpreter(page.pdf.rsrcmgr, device).process_page(page.page_obj)
    page._layout = device.get_result()  # pdfplumber's chars are read from this layout


def _chars_of(page: Any) -> list[Char]:
    if not hasattr(page, "_layout") and hasattr(page, "page_obj"):
        try:
            _stroked_layout(page)
        except (ImportError, AttributeError, TypeError):
            # pdfplumber's internals moved (a version after 0.11): its own layout, read
            # on, only misses the stroked bold (the ink test still weighs run-ins).
            pass
    chars: list[Char] = []
    for i, c in enumerate(_dedupe(page.chars)):
        size = float(c.get("size") or 0.0) or float(c["bottom"] - c["top"])
        if size <= 0:
            continue
        matrix = c.get("matrix") or (1, 0, 0, 1, 0, 0)
        upright = bool(c.get("upright", True))
        x0, top, x1, bottom = _crop_box(c, page)
        chars.append(
            Char(
                text=str(c["text"]),
                x0=x0,
                top=top,
                x1=x1,
                bottom=bottom,
                size=size,
                index=i,
                upright=upright,
                # In PDF space y grows upwards; a positive b means the text runs up.
                flow=-1 if (not upright and float(matrix[1]) > 0) else 1,
                bold=bool(_HEAVY_FONT.search(str(c.get("fontname") or ""))) or bool(c.get("stroke")),
                font=str(c.get("fontname") or ""),
            )
        )
    return chars


def _dedupe(raw: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop glyphs drawn twice at (almost) the same spot, as fake-bold PDFs do.

    pdfplumber's own dedupe_chars is quadratic-ish and takes seconds per page.
    """
    seen: set[tuple[str, float, int, int]] = set()
    kept: list[dict[str, Any]] = []
    for c in raw:
        size = float(c.get("size") or 0.0) or 1.0
        cell = 0.1 * size  # a tenth of an em apart still counts as the same glyph
        key = (str(c["text"]), round(size, 1), round(float(c["x0"]) / cell), round(float(c["top"]) / cell))
        if key in seen:
            continue
        seen.add(key)
        kept.append(c)
    return kept


def _unmapped_share(chars: Sequence[Char]) -> float:
    """Share of glyphs pdfminer could not map to Unicode (shown as "(cid:N)")."""
    if not chars:
        return 0.0
    return sum(1 for c in chars if c.text.startswith("(cid:")) / len(chars)


# ------------------------------------------------------------------------- orientation


def _stream_relation(a: Char, b: Char) -> str | None:
    """How glyph ``b`` (next in the content stream) sits relative to ``a``.

    ``"h"``: on the same baseline just to the right; ``"v"``: in the same column just
    below. PDFs write text in its writing direction, so this tells the direction even
    where lines or columns touch.
    """
    em = max(a.size, b.size)
    if abs(b.bottom - a.bottom) < BASELINE_EM * em and -0.3 * em < b.x0 - a.x1 < GUTTER_GAP_EM * em:
        return "h"
    if abs(b.cx - a.cx) < STACK_ALIGN_EM * em and -0.3 * em < b.top - a.bottom < STACK_GAP_EM * em:
        return "v"
    return None


def _nearest_gaps(glyphs: Sequence[Char], who: Sequence[int]) -> dict[int, tuple[float, float]]:
    """For glyphs ``who``: smallest gap (em) to a neighbour on the baseline / in the column.

    Used only where the stream order says nothing; whichever neighbours are tighter
    give the direction.
    """
    x0 = np.array([c.x0 for c in glyphs])
    x1 = np.array([c.x1 for c in glyphs])
    top = np.array([c.top for c in glyphs])
    bottom = np.array([c.bottom for c in glyphs])
    cx = (x0 + x1) / 2
    order = np.argsort(top)
    sorted_top = top[order]
    result: dict[int, tuple[float, float]] = {}
    for i in who:
        em = glyphs[i].size
        lo = np.searchsorted(sorted_top, top[i] - 3 * em)
        hi = np.searchsorted(sorted_top, top[i] + 3 * em, side="right")
        js = order[lo:hi]
        js = js[js != i]
        same_base = np.abs(bottom[js] - bottom[i]) < BASELINE_EM * em
        hgaps = np.maximum(x0[js] - x1[i], x0[i] - x1[js])[same_base]
        same_col = np.abs(cx[js] - cx[i]) < STACK_ALIGN_EM * em
        vgaps = np.maximum(top[js] - bottom[i], top[i] - bottom[js])[same_col]
        h = max(0.0, float(hgaps.min())) / em if hgaps.size else np.inf
        v = max(0.0, float(vgaps.min())) / em if vgaps.size else np.inf
        result[i] = (h, v)
    return result


def _split_orientation(chars: Sequence[Char]) -> tuple[list[Char], list[Char]]:
    """(horizontal chars, vertical chars); spaces always count as horizontal."""
    glyphs = [c for c in chars if not c.is_space]
    votes = [[0, 0] for _ in glyphs]  # [horizontal, vertical] per glyph
    for i in range(len(glyphs) - 1):
        relation = _stream_relation(glyphs[i], glyphs[i + 1])
        if relation is not None:
            slot = 0 if relation == "h" else 1
            votes[i][slot] += 1
            votes[i + 1][slot] += 1
    undecided = [i for i, (h, v) in enumerate(votes) if h == v and glyphs[i].upright]
    gaps = _nearest_gaps(glyphs, undecided) if undecided else {}
    # On a page written vertically, lone CJK glyphs (list numbers, brackets) follow
    # the page's direction rather than touching neighbours in the next column.
    cjk_votes = [v for g, v in zip(glyphs, votes) if is_cjk(g.text)]
    vertical_page = sum(v[1] > v[0] for v in cjk_votes) > sum(v[0] > v[1] for v in cjk_votes)
    vertical_ids: set[int] = set()
    for i, c in enumerate(glyphs):
        h_votes, v_votes = votes[i]
        if i in gaps and vertical_page and is_cjk(c.text):
            stacked = True
        elif i in gaps:
            hg, vg = gaps[i]
            stacked = vg < 0.5 and vg + 0.15 < hg
        else:
            stacked = v_votes > h_votes
        if stacked or not c.upright:
            vertical_ids.add(c.index)
    vertical = [c for c in glyphs if c.index in vertical_ids]
    horizontal = [c for c in chars if c.index not in vertical_ids]
    return horizontal, vertical


# ------------------------------------------------------------------------- horizontal


def _rows(chars: Sequence[Char]) -> list[list[Char]]:
    """Chars grouped by baseline (a row may span several columns; split later)."""
    rows: list[list[Char]] = []
    anchors: list[float] = []
    for c in sorted(chars, key=lambda ch: (ch.bottom, ch.x0)):
        if rows and abs(c.bottom - anchors[-1]) < BASELINE_EM * c.size:
            rows[-1].append(c)
        else:
            rows.append([c])
            anchors.append(c.bottom)
    rows = _attach_small_glyphs(rows)
    return [sorted(r, key=lambda ch: ch.x0) for r in rows if r]


# Glyphs smaller than this share of a row's text size are super/subscripts when they
# sit inside that row's band next to its glyphs.
SCRIPT_SIZE_RATIO = 0.85


def _attach_small_glyphs(rows: list[list[Char]]) -> list[list[Char]]:
    """Move superscripts/subscripts (own baseline) into the row they belong to."""
    sizes = [statistics.median(c.size for c in row) for row in rows]
    for r, row in enumerate(rows):
        keep: list[Char] = []
        for c in row:
            host = _host_row(c, rows, sizes, r)
            if host is None:
                keep.append(c)
            else:
                rows[host].append(c)
        rows[r] = keep
    return rows


def _host_row(c: Char, rows: list[list[Char]], sizes: list[float], own: int) -> int | None:
    for i in range(max(0, own - 3), min(len(rows), own + 4)):
        if i == own or c.size >= SCRIPT_SIZE_RATIO * sizes[i]:
            continue
        glyphs = [g for g in rows[i] if not g.is_space and g.size >= SCRIPT_SIZE_RATIO * sizes[i]]
        if not glyphs:
            continue
        top = min(g.top for g in glyphs)
        bottom = max(g.bottom for g in glyphs)
        near = any(g.x0 - 0.5 * sizes[i] <= c.cx <= g.x1 + 0.5 * sizes[i] for g in glyphs)
        if top - 0.2 * sizes[i] <= c.cy <= bottom + 0.2 * sizes[i] and near:
            return i
    return None


def _crosses_rule(left: Char, right: Char, rules: Sequence[Separator]) -> bool:
    """A vertical rule standing between two chars of a row is a column boundary."""
    lo, hi = left.x1, right.x0
    top = min(left.top, right.top)
    bottom = max(left.bottom, right.bottom)
    for rule in rules:
        x0, y0, x1, y1 = rule.bbox
        x = (x0 + x1) / 2.0
        if lo - 0.05 * left.size <= x <= hi + 0.05 * right.size and y0 <= bottom and y1 >= top:
            return True
    return False


GutterTest = Callable[[Char, Char], bool]


def _split_row(row: Sequence[Char], rules: Sequence[Separator], gutter: GutterTest) -> list[list[Char]]:
    """Cut a row wherever the gap cannot be a word space."""
    segments: list[list[Char]] = []
    current: list[Char] = []
    space_index = _space_index(row)
    spaced = False  # a PDF space char lies since the last glyph
    space_w = 0.0  # the width those space chars take (an ideographic space is 1 em)
    uneven = _uneven_gaps([c for c in row if not c.is_space])
    for c in row:
        if c.is_space:
            spaced = True
            if c.text == "\u3000":
                space_w += max(0.0, c.x1 - c.x0)
            if current:
                current.append(c)
            continue
        prev = _last_glyph(current)
        # Whether this text writes its own spaces is judged on the text run around the
        # gap (space chars of its font near it in the content stream): a row across the
        # page mixes runs that write spaces with runs that only position their words.
        writes_spaces = prev is not None and _near_in_stream(space_index.get(prev.font, []), prev.index)
        # An ideographic space written in the gap is text (it sets a title's two parts
        # apart): the gap is uneven only by the space's own width.
        if prev is not None and ((id(c) in uneven and not space_w)
                                 or _is_break(prev, c, spaced, space_w, writes_spaces, rules, gutter)):
            segments.append(current)
            current = []
        current.append(c)
        spaced, space_w = False, 0.0
    if current:
        segments.append(current)
    return [_strip_spaces(s) for s in segments if any(not c.is_space for c in s)]


def _uneven_gaps(glyphs: Sequence[Char]) -> set[int]:
    """ids of glyphs after a word space much wider than those on both sides of it
    (gaps narrower than WORD_GAP_EM are kerning, not word spaces)."""
    gaps = [(c.x0 - p.x1) / max(p.size, c.size) for p, c in zip(glyphs, glyphs[1:])]
    words = [k for k, g in enumerate(gaps) if g > WORD_GAP_EM]
    spaces = [gaps[k] for k in words]
    return {id(glyphs[k + 1]) for n, k in enumerate(words) if uneven_gap(spaces, n, ALIGNED_GAP_EM)}


STREAM_REACH = 40  # chars: how far in the content stream one text run reaches


def _space_index(row: Sequence[Char]) -> dict[str, list[int]]:
    """Stream positions of the row's space chars, per font. A run is written in one
    font: a bold run-in head ("LONDON, Oct. 5.") written with its spaces says nothing
    of the justified text after it, whose words are only positioned, wide apart."""
    out: dict[str, list[int]] = {}
    for c in row:
        if c.is_space:
            out.setdefault(c.font, []).append(c.index)
    return {font: sorted(ix) for font, ix in out.items()}


def _near_in_stream(sorted_indices: list[int], index: int) -> bool:
    k = bisect.bisect_left(sorted_indices, index - STREAM_REACH)
    return k < len(sorted_indices) and sorted_indices[k] <= index + STREAM_REACH


def _last_glyph(chars: Sequence[Char]) -> Char | None:
    for c in reversed(chars):
        if not c.is_space:
            return c
    return None


def _is_break(
    prev: Char, c: Char, spaced: bool, space_w: float, row_has_spaces: bool, rules: Sequence[Separator], gutter: GutterTest
) -> bool:
    em = max(prev.size, c.size)
    gap = (c.x0 - prev.x1) / em
    # Space characters written in the gap are text, not a gutter.
    if (c.x0 - prev.x1 - space_w) / em > GUTTER_GAP_EM:
        return True
    if not space_w and gap > CJK_GAP_EM and is_cjk(prev.text[-1]) and is_cjk(c.text[0]):
        return True
    # PDFs that write their own spaces do so at every word gap; a wide gap without
    # one is a tab stop or a gutter.
    if row_has_spaces and not spaced and gap > UNSPACED_GAP_EM:
        return True
    if gap - space_w / em > ALIGNED_GAP_EM and gutter(prev, c):
        return True
    if max(prev.size, c.size) > SIZE_BREAK_RATIO * min(prev.size, c.size) and abs(gap) > SIZE_BREAK_GAP_EM:
        return True
    return gap > 0 and _crosses_rule(prev, c, rules)


class _RowIndex:
    """Rows by baseline with their glyphs sorted by x, for the blank-strip test."""

    def __init__(self, rows: Sequence[Sequence[Char]]) -> None:
        self.rows = [[c for c in row if not c.is_space] for row in rows]
        self.rows = [r for r in self.rows if r]
        self.bottoms = [statistics.median(c.bottom for c in r) for r in self.rows]
        self.row_of = {id(c): i for i, r in enumerate(self.rows) for c in r}
        starts = [(c.x0, self.bottoms[i], i) for i, r in enumerate(self.rows) for c in _segment_starts(r)]
        self.start_x = np.array([s[0] for s in starts], dtype=float)
        self.start_y = np.array([s[1] for s in starts], dtype=float)
        self.start_row = np.array([s[2] for s in starts], dtype=int)

    def is_gutter(self, left: Char, right: Char) -> bool:
        """Is the gap between two glyphs blank in the neighbouring rows as well, or does
        the right glyph start where a column's lines start?

        A column gutter is a vertical white strip; a wide word space in justified text
        is not, as the rows above and below have ink at that x.
        """
        row = self.row_of.get(id(left))
        if row is None:
            return False
        em = max(left.size, right.size)
        x = (left.x1 + right.x0) / 2.0
        # Most of the gap must be blank above and below: a word space of a justified
        # line may happen to sit under a narrow strip, but rarely under a whole gap.
        half = max(0.1 * em, 0.35 * (right.x0 - left.x1))
        clear = blocked = 0
        for other in self._neighbours(row, em):
            state = self._strip_state(self.rows[other], x - half, x + half, WITNESS_REACH_EM * em)
            clear += state == "clear"
            blocked += state == "blocked"
        # Justified text leaves wide word spaces that now and then line up with one in
        # a neighbouring row, never with several; a gutter is blank in nearly all of
        # them (a spanning headline may cross it on one side).
        if (clear >= 3 and blocked == 0) or (clear >= 4 and blocked <= 1):
            return True
        return self._starts_column(right, row)

    def _starts_column(self, c: Char, row: int) -> bool:
        """Do most rows near this one that have ink around c.x0 start a segment there?

        Rows with a glyph straddling c.x0 vote against: justified text's wide word
        spaces sometimes line up with a few others, but the rows around them run on
        across that x, where a column's rows all stop at its gutter.
        """
        em, x = c.size, c.x0
        near = (np.abs(self.start_x - x) < START_TOL_EM * em) & (np.abs(self.start_y - self.bottoms[row]) < COLUMN_REACH_EM * em)
        starts = set(self.start_row[near].tolist()) - {row}
        if len(starts) < COLUMN_STARTS:
            return False
        lo = bisect.bisect_left(self.bottoms, self.bottoms[row] - COLUMN_REACH_EM * em)
        hi = bisect.bisect_right(self.bottoms, self.bottoms[row] + COLUMN_REACH_EM * em)
        crossing = sum(
            1 for i in range(lo, hi)
            if i != row and i not in starts and any(g.x0 < x - 0.1 * em and g.x1 > x + 0.1 * em for g in self.rows[i])
        )
        return 2 * crossing <= len(starts)

    def _neighbours(self, row: int, em: float) -> list[int]:
        reach = ALIGN_REACH_EM * em
        found: list[int] = []
        for step in (-1, 1):
            i, taken = row + step, 0
            while 0 <= i < len(self.rows) and taken < ALIGN_ROWS:
                if abs(self.bottoms[i] - self.bottoms[row]) > reach:
                    break
                found.append(i)
                taken += 1
                i += step
        return found

    @staticmethod
    def _strip_state(glyphs: Sequence[Char], lo: float, hi: float, reach: float = float("inf")) -> str:
        """``blocked`` if ink covers [lo, hi], ``clear`` if the row has ink on both
        sides, within ``reach`` of it, but none there, else ``open`` (the row says
        nothing about this x)."""
        left = right = False
        for c in glyphs:
            if c.x1 > lo and c.x0 < hi:
                return "blocked"
            left = left or lo - reach <= c.x1 <= lo
            right = right or hi <= c.x0 <= hi + reach
        return "clear" if left and right else "open"


def _segment_starts(glyphs: Sequence[Char]) -> list[Char]:
    """Glyphs that begin a row or follow a gap wider than ALIGNED_GAP_EM."""
    out: list[Char] = []
    prev: Char | None = None
    for c in glyphs:
        if prev is None or (c.x0 - prev.x1) > ALIGNED_GAP_EM * max(prev.size, c.size):
            out.append(c)
        prev = c
    return out


def _strip_spaces(chars: list[Char]) -> list[Char]:
    start, end = 0, len(chars)
    while start < end and chars[start].is_space:
        start += 1
    while end > start and chars[end - 1].is_space:
        end -= 1
    return chars[start:end]


def _row_text(chars: Sequence[Char]) -> str:
    """Glyphs joined, with one space at each word gap (never between CJK chars)."""
    parts: list[str] = []
    prev: Char | None = None
    spaced = False
    for c in chars:
        if c.text == "\u3000" and prev is not None:
            # An ideographic space is part of CJK text (it sets a title's two parts apart).
            parts.append(c.text)
            prev, spaced = None, False
            continue
        if c.is_space:
            spaced = True
            continue
        if prev is not None and _wants_space(prev, c, spaced):
            parts.append(" ")
        parts.append(c.text)
        prev, spaced = c, False
    return "".join(parts)


def _wants_space(prev: Char, c: Char, spaced: bool) -> bool:
    if is_cjk(prev.text[-1]) and is_cjk(c.text[0]):
        return False
    if spaced:
        return True
    return (c.x0 - prev.x1) > WORD_GAP_EM * min(prev.size, c.size)


# ------------------------------------------------------------------------- vertical


def _columns_of(chars: Sequence[Char]) -> list[list[Char]]:
    """Stacked chars chained down their column, top to bottom.

    Each glyph continues the stack whose axis it sits on and whose last glyph ends
    just above it. Chaining along y (rather than grouping all glyphs of one x first)
    keeps apart columns of different tiers that stand a fraction of an em apart
    across the page, so an off-axis comma joins its own column, not a column of
    another tier that happens to stand nearer its centre.
    """
    stacks: list[list[Char]] = []
    axes: list[float] = []
    open_ids: list[int] = []
    for c in sorted(chars, key=lambda ch: (ch.top, ch.cx)):
        # Stacks ending far above are finished: a glyph can no longer continue them.
        open_ids = [k for k in open_ids if c.top - stacks[k][-1].bottom <= STACK_GAP_EM * max(c.size, stacks[k][-1].size)]
        k = _continued_stack(c, stacks, axes, open_ids)
        if c.is_space:
            # A word space in upright Latin set down a column fills a whole cell: it
            # bridges the gap between the words, but starts no column of its own.
            if k is not None:
                stacks[k].append(c)
            continue
        if k is None:
            stacks.append([c])
            axes.append(c.cx)
            open_ids.append(len(stacks) - 1)
        else:
            stacks[k].append(c)
            axes[k] = _axis(stacks[k])
    return [stack for stack in map(_strip_spaces, stacks) if stack]


def _continued_stack(c: Char, stacks: Sequence[Sequence[Char]], axes: Sequence[float],
                     open_ids: Sequence[int]) -> int | None:
    """The open stack ``c`` continues (nearest axis), or None."""
    align = PUNCT_ALIGN_EM if c.text in VERTICAL_PUNCT else STACK_ALIGN_EM
    best, best_d = None, align * c.size
    for k in open_ids:
        d = abs(c.cx - axes[k])
        if d < best_d and not _size_break(stacks[k][-1], c):
            best, best_d = k, d
    return best


def _size_break(prev: Char, c: Char) -> bool:
    # As in a row (SIZE_BREAK_RATIO): a headline set in line with the end of a body
    # column across a visible gap is another text element, never one line. Only
    # upright glyphs: a rotated Latin glyph's size is its advance, not its em.
    if not (prev.upright and c.upright):
        return False
    gap = (c.top - prev.bottom) / max(prev.size, c.size)
    return max(prev.size, c.size) > SIZE_BREAK_RATIO * min(prev.size, c.size) and gap > SIZE_BREAK_GAP_EM


def _axis(stack: Sequence[Char]) -> float:
    # Punctuation sits off the axis (upper right of its cell): the axis is where the
    # other glyphs stand.
    body = [c for c in stack if c.text not in VERTICAL_PUNCT and not c.is_space] or list(stack)
    return sum(c.cx for c in body) / len(body)


def _stack_text(stack: Sequence[Char]) -> str:
    chars = list(stack)
    if chars and chars[0].flow < 0:
        chars.reverse()  # rotated Latin running bottom to top
    joined = ""
    for prev, c in zip([None, *chars[:-1]], chars):
        if prev is not None and not (is_cjk(prev.text[-1]) and is_cjk(c.text[0])):
            gap = abs(c.top - prev.bottom) if c.flow > 0 else abs(prev.top - c.bottom)
            if gap > WORD_GAP_EM * min(c.size, prev.size):
                joined += " "
        joined += c.text
    return joined


# ------------------------------------------------------------------------- lines


def _make_line(chars: Sequence[Char], text: str, scale: float, vertical: bool) -> Line:
    x0 = min(c.x0 for c in chars) * scale
    y0 = min(c.top for c in chars) * scale
    x1 = max(c.x1 for c in chars) * scale
    y1 = max(c.bottom for c in chars) * scale
    glyphs = [c for c in chars if not c.is_space]
    size = statistics.median(c.size for c in glyphs) * scale
    box = (round(x0, 2), round(y0, 2), round(x1, 2), round(y1, 2))
    return Line(
        id="",
        text=text,
        bbox=box,
        polygon=((box[0], box[1]), (box[2], box[1]), (box[2], box[3]), (box[0], box[3])),
        confidence=None,
        height=round(size, 2),
        vertical=vertical,
        bold=2 * sum(c.bold for c in glyphs) > len(glyphs),
    )


def text_lines(chars: Sequence[Char], rules: Sequence[Separator], scale: float) -> list[Line]:
    """Lines from PDF chars (``rules`` in points), in pixels at ``scale`` px/pt.

    Ids ``l0…`` follow the content stream (first glyph of each line), which keeps the
    PDF's own order available as a baseline.
    """
    horizontal, vertical = _split_orientation(chars)
    stacks: list[list[Char]] = []
    spaces = [c for c in horizontal if c.is_space] if vertical else []
    columns = _columns_of(vertical + spaces)
    stacked = {c.index for stack in columns for c in stack if c.is_space}
    horizontal = [c for c in horizontal if c.index not in stacked]
    for stack in columns:
        # A lone upright Latin glyph is no vertical line: most often a superscript
        # that must rejoin its row.
        if len(stack) == 1 and stack[0].upright and not is_cjk(stack[0].text):
            horizontal.append(stack[0])
        else:
            stacks.append(stack)
    found: list[tuple[int, Line]] = []
    rows = _rows(horizontal)
    index = _RowIndex(rows)
    for row in rows:
        for segment in _split_row(row, rules, index.is_gutter):
            for piece in split_run_in(segment):
                line = _make_line(piece, _row_text(piece), scale, vertical=False)
                found.append((min(c.index for c in piece), line))
    for stack in stacks:
        text = _stack_text(stack)
        # One rotated or stacked glyph alone is still text; keep it, horizontally.
        line = _make_line(stack, text, scale, vertical=len(stack) > 1)
        found.append((min(c.index for c in stack), line))
    found.sort(key=lambda item: item[0])
    return [_renamed(line, i) for i, (_, line) in enumerate(found)]


# A run-in head ("Paris, 8. Februar.", "LONDON, May 3.") opens an item of news in the
# flow of a column: set in bold at the start of the item's first line, it ends in a full
# stop and the text runs on in regular type on the same line (in a narrow column, only
# a word or two of it: the line is the head's, mostly). A bold run with fewer than
# RUN_IN_REST_GLYPHS regular glyphs after it is a bold line (a head) that ends in a sign set
# in the text's face. Chinese agency copy sets its dateline in brackets instead
# ("（新华社北京五日电）"): a bold run that opens and closes a bracket is a head too.
RUN_IN_REST_GLYPHS = 2


def split_run_in(segment: Sequence[Char]) -> list[Sequence[Char]]:
    """The segment as [bold run-in head, regular rest] when it opens with one, else
    [segment]: the head is a line of its own (a head), the rest starts the text."""
    glyphs = [c for c in segment if not c.is_space]
    k = 0
    while k < len(glyphs) and glyphs[k].bold:
        k += 1
    rest = glyphs[k:]
    if k == 0 or len(rest) < RUN_IN_REST_GLYPHS:
        return [segment]
    head = glyphs[:k]
    # A bold number ("1.", "§ 3.") heads a list item or a clause of its article, not an item.
    if not closes_run_in("".join(c.text for c in head)) or not any(ch.isalpha() for c in head for ch in c.text):
        return [segment]
    if any(c.bold for c in rest) or not all(c.upright for c in glyphs):
        return [segment]
    cut = next(j for j, c in enumerate(segment) if c is rest[0])
    return [_strip_spaces(list(segment[:cut])), segment[cut:]]


def _renamed(line: Line, index: int) -> Line:
    return dataclasses.replace(line, id=f"l{index}")


# ------------------------------------------------------------------------- rules


def _text_size(chars: Sequence[Char]) -> float:
    sizes = [c.size for c in chars if not c.is_space]
    return statistics.median(sizes) if sizes else 10.0


def _rule_kind(w: float, h: float, thin: float) -> str | None:
    if w <= thin and h > thin:
        return "vertical"
    if h <= thin and w > thin:
        return "horizontal"
    return None


def _contains_text(box: tuple[float, float, float, float], chars: Iterable[Char]) -> bool:
    x0, y0, x1, y1 = box
    return any(x0 <= c.cx <= x1 and y0 <= c.cy <= y1 for c in chars if not c.is_space)


def _is_background(box: tuple[float, float, float, float], width: float, height: float, em: float) -> bool:
    x0, y0, x1, y1 = box
    return x0 <= em and y0 <= em and x1 >= width - em and y1 >= height - em


def page_rules(page: Any, chars: Sequence[Char]) -> list[Separator]:
    """Drawn rules and frames in PDF points (top-left origin of the crop box)."""
    em = _text_size(chars)
    # Thicker than half an em is a box, not a rule.
    thin = 0.5 * em
    # Shorter than an em is a tick, bullet or underline of one letter.
    shortest = 1.0 * em
    width, height = _page_size(page)
    found: list[Separator] = []
    for obj in list(page.lines) + list(page.rects):
        box = _crop_box(obj, page)
        w, h = box[2] - box[0], box[3] - box[1]
        if max(w, h) < shortest or _is_background(box, width, height, em):
            continue
        kind = _rule_kind(w, h, thin)
        if kind is None and obj.get("object_type") == "rect":
            if obj.get("stroke") or _contains_text(box, chars):
                kind = "frame"
        if kind is not None:
            found.append(Separator(box, kind))
    return found + _pictures(page, chars, em)


PICTURE_EMS = 3.0  # an image smaller than this many ems on a side is an ornament


def _pictures(page: Any, chars: Sequence[Char], em: float) -> list[Separator]:
    """Images placed on the page, as ``picture`` separators (text does not run across
    them; the block under one is its caption). A page-sized image or one with text
    over it is a scan under its text layer, not a picture."""
    width, height = _page_size(page)
    out = []
    for obj in page.images:
        box = _crop_box(obj, page)
        small = min(box[2] - box[0], box[3] - box[1]) < PICTURE_EMS * em
        if small or _is_background(box, width, height, em) or _contains_text(box, chars):
            continue
        out.append(Separator(box, "picture"))
    return out


def _crop_box(obj: Any, page: Any) -> tuple[float, float, float, float]:
    """A pdfplumber object's box relative to the crop box's top-left corner."""
    ox, oy = float(page.bbox[0]), float(page.bbox[1])
    return (float(obj["x0"]) - ox, float(obj["top"]) - oy, float(obj["x1"]) - ox, float(obj["bottom"]) - oy)


def _scaled(sep: Separator, scale: float) -> Separator:
    return Separator(tuple(round(v * scale, 2) for v in sep.bbox), sep.kind)  # type: ignore[arg-type]


# ------------------------------------------------------------------------- pages


def _rotation(page: Any) -> int:
    return int(getattr(page, "rotation", 0) or 0) % 360


def _page_size(page: Any) -> tuple[float, float]:
    """Size as displayed: pdfplumber rotates char positions by /Rotate but not the size."""
    width, height = float(page.width), float(page.height)
    return (height, width) if _rotation(page) in (90, 270) else (width, height)


def _render(pdf_path: Path, index: int, dpi: float, rotation: int = 0) -> np.ndarray:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf_path))
    try:
        # pdfium draws the unrotated page; turn it like the viewer (and pdfplumber) do.
        bitmap = document[index].render(scale=dpi / 72.0, rotation=rotation)
        array = np.array(bitmap.to_numpy()[:, :, :3])  # BGR, copied off pdfium memory
    finally:
        document.close()
    return array


def _provenance(engine: str, model: str, version: str, parameters: dict[str, Any], timings: dict[str, float]) -> Provenance:
    return Provenance(engine=engine, model=model, version=version, parameters=parameters, timings=timings)


def _text_layer_page(path: Path, page: Any, number: int, chars: list[Char], dpi: float) -> LoadedPage:
    import pdfplumber

    started = time.perf_counter()
    scale = dpi / 72.0
    rules = page_rules(page, chars)
    vertical_rules = [r for r in rules if r.kind == "vertical"]
    lines = text_lines(chars, vertical_rules, scale)
    image = _render(path, number - 1, dpi, _rotation(page))
    width, height = _page_size(page)
    elapsed = time.perf_counter() - started
    result = Page(
        width=round(width * scale, 2),
        height=round(height * scale, 2),
        lines=tuple(lines),
        source=str(path),
        page_number=number,
        dpi=dpi,
        separators=tuple(_scaled(r, scale) for r in rules),
        provenance=_provenance(
            "pdf", "pdfplumber text layer", f"pdfplumber {pdfplumber.__version__}",
            {"dpi": dpi, "skew": 0.0}, {"read": round(elapsed, 4)},
        ),
    )
    return LoadedPage(page=result, image=image)


def _ocr_page(path: Path, number: int, engine: Engine, dpi: float, rotation: int) -> LoadedPage:
    return ocr_page(_render(path, number - 1, dpi, rotation), engine, str(path), number, dpi)


def read_pdf(
    path: str | Path,
    engine: EngineSource,
    dpi: float = DEFAULT_DPI,
    ocr_dpi: float = OCR_DPI,
    pages: Iterable[int] | None = None,
) -> list[LoadedPage]:
    """Pages of a PDF (all, or the 1-based numbers in ``pages``).

    ``engine`` is called only if a page has no text layer.
    """
    pdf_path = Path(path)
    pdf = _open_pdf(pdf_path)
    wanted = None if pages is None else set(pages)
    result: list[LoadedPage] = []
    try:
        for number, page in enumerate(pdf.pages, start=1):
            if wanted is not None and number not in wanted:
                continue
            result.append(_read_page(pdf_path, page, number, engine, dpi, ocr_dpi))
            page.close()  # pdfplumber caches layout objects per page
    finally:
        pdf.close()
    return result


def _read_page(path: Path, page: Any, number: int, engine: EngineSource, dpi: float, ocr_dpi: float) -> LoadedPage:
    try:
        chars = _chars_of(page)
    except Exception as exc:  # noqa: BLE001 - a broken content stream is bad input
        raise InputError(str(path), f"page {number}: {_problem_of(exc)}") from None
    glyphs = [c for c in chars if not c.is_space]
    # No text layer, or one made of unmapped glyph ids: only the pixels can be read.
    if not glyphs or _unmapped_share(glyphs) > 0.5:
        return _ocr_page(path, number, engine(), ocr_dpi, _rotation(page))
    return _text_layer_page(path, page, number, chars, dpi)
