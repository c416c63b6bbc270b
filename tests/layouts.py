"""Canonical layouts drawn in ASCII, shared by the layout tests.

Each character cell is CELL_W x CELL_H pixels. A run of one letter on a row is one line:
lower case is body text, upper case is headline text (set larger). ``|`` cells are
vertical rules, a row of ``-`` is a horizontal rule, ``#`` is a picture. A line's text
is its letter and row number ("a3"), so tests can read the order back from the text.
"""

from __future__ import annotations

import re

from layout.model import Line, Page, Separator

CELL_W, CELL_H = 10, 20
BODY = 14.0
HEAD = 24.0


def page_from_ascii(picture: str, text_of: dict[str, list[str]] | None = None) -> Page:
    rows = [r for r in picture.strip("\n").split("\n")]
    lines: list[Line] = []
    seps: list[Separator] = []
    used: dict[str, int] = {}
    for y, row in enumerate(rows):
        if set(row.strip()) == {"-"}:
            x0 = len(row) - len(row.lstrip())
            seps.append(Separator((x0 * CELL_W, y * CELL_H + 9, len(row.rstrip()) * CELL_W, y * CELL_H + 11), "horizontal"))
            continue
        for m in re.finditer(r"([A-Za-z])\1*", row):
            ch = m.group(1)
            head = ch.isupper()
            pad = 0 if head else 3
            box = (m.start() * CELL_W, y * CELL_H + pad, m.end() * CELL_W, (y + 1) * CELL_H - pad)
            k = used.get(ch, 0)
            used[ch] = k + 1
            texts = (text_of or {}).get(ch)
            text = texts[k] if texts and k < len(texts) else f"{ch}{y}"
            lines.append(Line(f"l{len(lines)}", text, box, height=HEAD if head else BODY))
        for m in re.finditer(r"#+", row):
            seps.append(Separator((m.start() * CELL_W, y * CELL_H, m.end() * CELL_W, (y + 1) * CELL_H), "picture"))
        for m in re.finditer(r"\|+", row):
            seps.append(Separator((m.start() * CELL_W + 4, y * CELL_H, m.start() * CELL_W + 6, (y + 1) * CELL_H), "vertical"))
    width = max(len(r) for r in rows) * CELL_W
    return Page(width=width, height=len(rows) * CELL_H, lines=tuple(lines), separators=_merge_vertical(seps))


def _merge_vertical(seps: list[Separator]) -> tuple[Separator, ...]:
    """Stack the one-row pieces of a vertical rule (or a picture) into one."""
    out: list[Separator] = []
    for s in seps:
        prev = next((t for t in out if t.kind == s.kind and s.kind in ("vertical", "picture")
                     and (t.bbox[0], t.bbox[2]) == (s.bbox[0], s.bbox[2]) and t.bbox[3] == s.bbox[1]), None)
        if prev:
            out[out.index(prev)] = Separator((prev.bbox[0], prev.bbox[1], prev.bbox[2], s.bbox[3]), s.kind)
        else:
            out.append(s)
    return tuple(out)


def letters_in_order(page: Page) -> str:
    """The letters of the page's lines in reading order, runs collapsed ("Habc")."""
    by_id = page.line_by_id()
    out = ""
    for lid in page.ordered_line_ids():
        ch = by_id[lid].text[0]
        if not out or out[-1] != ch:
            out += ch
    return out


# name -> (picture, expected letter order)
CANONICAL: dict[str, tuple[str, str]] = {
    "one column": (
        """
aaaaaaaaaaaa
aaaaaaaaaaaa
aaaaaaaaaaaa
""",
        "a",
    ),
    "two columns": (
        """
aaaaaaa  bbbbbbb
aaaaaaa  bbbbbbb
aaaaaaa  bbbbbbb
""",
        "ab",
    ),
    "spanning headline": (
        """
HHHHHHHHHHHHHHHHHHHHHHHHH
aaaaaaa  bbbbbbb  ccccccc
aaaaaaa  bbbbbbb  ccccccc
aaaaaaa  bbbbbbb  ccccccc
""",
        "Habc",
    ),
    "two stories stacked": (
        """
HHHHHHHHHHHHHHHHHHHHHHHHH
aaaaaaa  bbbbbbb  ccccccc
aaaaaaa  bbbbbbb  ccccccc

KKKKKKKKKKKKKKKKKKKKKKKKK
ddddddd  eeeeeee  fffffff
ddddddd  eeeeeee  fffffff
""",
        "HabcKdef",
    ),
    "side column beside two stories": (
        """
HHHHHHHHHHHHHHHH  JJJJJJJ
aaaaaaa  bbbbbbb  ccccccc
aaaaaaa  bbbbbbb  ccccccc

KKKKKKKKKKKKKKKK  ccccccc
ddddddd  eeeeeee  ccccccc
ddddddd  eeeeeee  ccccccc
""",
        "HabKdeJc",
    ),
    "four columns with rules": (
        """
HHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHHH
aaaaaaa | bbbbbbb | ccccccc | ddddd
aaaaaaa | bbbbbbb | ccccccc | ddddd
aaaaaaa | bbbbbbb | ccccccc | ddddd
""",
        "Habcd",
    ),
    "horizontal rule between sections": (
        """
aaaaaaa  bbbbbbb
aaaaaaa  bbbbbbb
----------------
ccccccc  ddddddd
ccccccc  ddddddd
""",
        "abcd",
    ),
    "articles under a spanning article": (
        """
HHHHHHHHHHHHHHHH  JJJJJJJ
aaaaaaa  bbbbbbb  ccccccc
aaaaaaa  bbbbbbb  ccccccc

KKKKKKK  LLLLLLL  ccccccc
ddddddd  eeeeeee  ccccccc
ddddddd  eeeeeee  ccccccc
""",
        "HabKdLeJc",
    ),
    "short headline heads two columns": (
        """
HHH               JJJJJJJ
aaaaaaa  bbbbbbb  ccccccc
aaaaaaa  bbbbbbb  ccccccc

KKKKKKK           ccccccc
ddddddd  eeeeeee  ccccccc
""",
        "HabKdeJc",
    ),
    "centred headline heads the columns on both sides": (
        """
          HHHHHHHH
aaaaaaa  bbbbbbb  ccccccc
aaaaaaa  bbbbbbb  ccccccc
aaaaaaa  bbbbbbb  ccccccc
""",
        "Habc",
    ),
    "empty page": ("\n\n", ""),
}
