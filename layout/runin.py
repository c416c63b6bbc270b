"""Run-in heads on scans: a dateline ("Paris, 8. Februar.") set in bold at the start of
the first line of a news item, the text running on in regular type on the same line.

A PDF's text layer says which glyphs are bold (ocr.pdf.split_run_in cuts the head off
its line). A scan's OCR line holds head and text in one box; the head's heavier strokes
show on the line's leading part only, so that part is measured against the rest of the
same line (same print, same scan), where the leading part ends by the characters' share
of the line's width.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from unicodedata import east_asian_width

from layout.continuity import DATELINE_BRACKETS, ends_sentence
from layout.frame import Frame, box_ink, gray_page, latin_ems
from layout.model import Line, Page

RUN_IN_WORDS = 4  # a run-in dateline ends its first full stop within this many words
# ... and this many characters of text at least follow it on the line, a full-width
# (CJK) sign counting two: a narrow Chinese column holds some twelve signs a line, so
# a dateline of seven leaves five ("（上海二日电）自从去年春").
RUN_IN_REST = 8
# A dateline in brackets closes them within this many signs (a long Chinese agency
# dateline, "（新华社乌鲁木齐二十五日电）", takes fifteen; "(Von unserem Korrespondenten.)" 30).
RUN_IN_BRACKET_SIGNS = 40
# Strokes of a bold face are about half again as wide as the regular's. On generated
# flow pages (dev seed 8808, check seed 8909) the capitalised leads of regular lines
# that start a paragraph measure up to 1.25 times their line's rest (two outliers: a
# header's date 1.31, a line whose box reached into the bold head above it 1.58), bold
# datelines 1.23-1.68, most over 1.45.
RUN_IN_STROKE = 1.3
# A bold face's ink is also darker where the print is worn and the thin strokes of the
# regular face turn grey: on generated flow pages (dev seed 9606) datelines measure 1.32-
# 1.43 times their line's rest in darkness, leads of regular lines at most 1.18 (of 184).
RUN_IN_INK = 1.3


def run_in_prefix(text: str) -> str | None:
    """The leading words up to the first full stop that ends the date, if they are a
    few words with a letter in them ("Paris, 8. Februar." of "Paris, 8. Februar. Der
    ..."), or a dateline in brackets ("（天津五日电）" of "（天津五日电）所谓…")."""
    bracketed = _bracketed_lead(text)
    if bracketed is not None:
        return bracketed
    words = text.split(" ")
    for k, word in enumerate(words[:RUN_IN_WORDS]):
        lead = " ".join(words[:k + 1])
        # A date's parts each end in a point, the German ordinal ("5. Nov.") and the
        # abbreviated month ("Feb. 3."): the dateline ends at the last of them. A day
        # and its month stand side by side, so the date goes on only from a number or
        # to one: the word after "14. Juni." ("Berlin.") is the item's text.
        following = words[k + 1] if k + 1 < len(words) else ""
        date_goes_on = following.endswith(".") and (_numeral(word) or _numeral(following))
        # A single letter with its point abbreviates a word ("September d. J."): no
        # head ends there.
        initial = len(word) == 2 and word[0].isalpha()
        if word.endswith(".") and any(ch.isalpha() for ch in lead) and not date_goes_on and not initial:
            # A head starts with a capital; a lead in lower case ends a sentence begun above.
            return lead if _signs(text[len(lead):]) >= RUN_IN_REST and lead[0].isupper() else None
    return None


def _numeral(word: str) -> bool:
    """A day or ordinal with its point ("14.")."""
    return word.rstrip(".").isdigit()


def _bracketed_lead(text: str) -> str | None:
    """The lead in brackets that opens the line, when it is a few signs with a letter
    in them and text follows: Chinese agency copy sets its dateline so ("（新华社北京
    五日电）"), and older Western papers their "(Von unserem Korrespondenten.)"."""
    close = DATELINE_BRACKETS.get(text[:1])
    end = text.find(close, 1, RUN_IN_BRACKET_SIGNS + 1) if close else -1
    if end < 0:
        return None
    lead = text[:end + 1]
    rest = text[end + 1:].strip()
    return lead if _signs(rest) >= RUN_IN_REST and any(ch.isalpha() for ch in lead) else None


def _signs(text: str) -> int:
    """Length of the text in half-width signs: a full-width (CJK) sign is two."""
    return sum(2 if east_asian_width(ch) in "WF" else 1 for ch in text)


def _cut(line: Line, lead: str) -> float:
    """Where the lead ends inside the line's box, by its share of the line's ems."""
    x0, _, x1, _ = line.bbox
    return x0 + (x1 - x0) * latin_ems(lead) / max(1e-6, latin_ems(line.text))


def split_heads(page: Page, groups: list[list[int]], opened: set[int], whole: set[int]
                ) -> tuple[Page, list[list[int]], set[int], list[int]]:
    """The page with each line that opens an item with a run-in head cut in two lines,
    the head (heavy) and the text after it, as a PDF's reader cuts a bold head off its
    line (ocr.pdf.split_run_in): the dateline is the item's head, its text runs on
    after it in the block the whole line opened (see open_at). The lines in ``whole``
    stay whole (the pipeline keeps the issue's date line so). Returns the page, its
    groups, the new indices of the opening lines (or their heads), and each new line's
    old index."""
    lines: list[Line] = []
    origin: list[int] = []
    new_of: dict[int, list[int]] = {}
    for i, line in enumerate(page.lines):
        lead = run_in_prefix(line.text) if i in opened and i not in whole else None
        new_of[i] = [len(lines)] if lead is None else [len(lines), len(lines) + 1]
        if lead is None:
            lines.append(line)
        else:
            x0, y0, x1, y1 = line.bbox
            cut = _cut(line, lead)
            lines.append(replace(line, id=f"{line.id}h", text=lead, bbox=(x0, y0, cut, y1), polygon=None, bold=True))
            lines.append(replace(line, text=line.text[len(lead):].strip(), bbox=(cut, y0, x1, y1), polygon=None))
        origin += [i] * len(new_of[i])
    out = [[k for i in grp for k in new_of[i]] for grp in groups]
    heads = {new_of[i][0] for i in opened}
    return replace(page, lines=tuple(lines)), out, heads, origin


def run_in_lines(page: Page, image: Any, frame: Frame) -> set[int]:
    """Indices of the lines whose leading words are set in a heavier face than the
    rest of the line: a head run in before its text (a long one may make the whole
    line measure heavy)."""
    if image is None or frame.vertical or not page.width:
        return set()
    gray, scale = gray_page(page, image)
    out = set()
    for i, line in enumerate(page.lines):
        lead = run_in_prefix(line.text)
        if lead is None:
            continue
        x0, y0, x1, y1 = line.bbox
        cut = _cut(line, lead)
        head, rest = box_ink(gray, (x0, y0, cut, y1), scale), box_ink(gray, (cut, y0, x1, y1), scale)
        if head and rest and (head[1] >= RUN_IN_STROKE * rest[1] and head[0] >= rest[0]
                              or head[0] >= RUN_IN_INK * rest[0]):
            out.add(i)
    return out


# A line that ends this many text sizes short of its block's right edge does not run on
# to the next one: it is a paragraph's last line (justified lines fill the measure).
SHORT_LINE = 2.0


def _closes_paragraph(page: Page, grp: list[int], prev: int) -> bool:
    """Line prev ends a paragraph: it ends a sentence, or it is a short line that ends in
    a closing bracket, the source cited after a quoted passage ("…的风格。”(《现代》
    六三)"), whose sentence end stands before the bracket, on the line above."""
    line = page.lines[prev]
    if ends_sentence(line.text):
        return True
    if line.text.rstrip()[-1:] not in DATELINE_BRACKETS.values():
        return False
    measure = max(page.lines[k].bbox[2] for k in grp)
    return line.bbox[2] <= measure - SHORT_LINE * line.size


def open_at(groups: list[list[int]], runins: set[int], page: Page) -> tuple[list[list[int]], set[int]]:
    """Groups cut before each run-in head that starts a paragraph (its block's first
    line, or a line after a paragraph's end, see _closes_paragraph): a head opens an
    item, never a line that runs on from the sentence above. Returns the groups and the
    heads that open one."""
    out: list[list[int]] = []
    opened: set[int] = set()
    for grp in groups:
        part: list[int] = []
        for i in grp:
            if i in runins and (not part or _closes_paragraph(page, grp, part[-1])):
                opened.add(i)
                if part:
                    out.append(part)
                    part = []
            part.append(i)
        out.append(part)
    return out, opened
