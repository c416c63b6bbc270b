"""Block roles: headline, subheadline, byline, jump line, page header/footer, body.

Roles come from text size relative to the page's body text, position, and a few
patterns that newspapers share (bylines, jump lines).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from layout import continuity as c
from layout import geometry as g
from layout.blocks import INDENT, INDENT_MAX, LEAD_LINES, LEAD_PITCH, PRECISE_SIZE_RATIO, is_centred, set_apart
from layout.frame import Frame
from layout.model import Box, Page
from layout.issue import issue_row

HEADLINE = 1.3  # text this many times the body size is a headline
# OCR measures a line's size to within about 15 %, so smaller differences mean nothing.
SUBHEAD = 1.2  # a few lines this much larger are a sub-head, or a small headline
CAPTION = 0.88  # a few lines this much smaller are a caption
MEASURED = (HEADLINE, SUBHEAD, CAPTION)
BODY_SHARE = 0.3  # a size carrying this share of the characters can be the text's
HEADLINE_LINES = 6  # a headline is a few lines at most
SUBHEAD_STEP = 1.3  # a head this much smaller than the headline above it is its sub-head
# Exact font sizes (a PDF's text layer) tell styles apart by much smaller steps.
PRECISE = (1.2, 1.08, 0.95)

_BYLINE = re.compile(
    r"^\s*(By\s|BY\s|Von\s|VON\s|From\s|本报记者|本报讯|记者|通讯员|特约评论员|评论员|文[／/]|作者[：:]|新华社)"
)
_DATELINE = re.compile(r"^\s*[（(]?\s*(新华社|中新社|本报)[^）)]{0,14}电[）)]?\s*$")


def assign_roles(page: Page, frame: Frame, groups: list[list[int]]) -> list[str]:
    sizes = [g.median_or((frame.sizes[i] for i in grp), frame.size) for grp in groups]
    weights = [sum(len(page.lines[i].text) for i in grp) for grp in groups]
    body = _text_size(sizes, weights, frame.size)
    boxes = [g.union(frame.boxes[i] for i in grp) for grp in groups]
    text = [" ".join(page.lines[i].text for i in grp) for grp in groups]
    n_lines = [len(grp) for grp in groups]
    limits = PRECISE if frame.precise else MEASURED
    roles = [_role(t, s / body, n, limits) for t, s, n in zip(text, sizes, n_lines)]
    roles = [_heavy_role(r, grp, frame, sz / body >= limits[0], frame.precise and _own_size(sz, body))
             for r, grp, sz in zip(roles, groups, sizes)]
    roles = _centred_heads(roles, boxes, n_lines, body, text)
    if not frame.precise:
        roles = _long_heavy_heads(roles, groups, boxes, body, frame)
        heavy = [bool(grp) and all(frame.is_bold(i) for i in grp) for grp in groups]
        roles = _flowing_heads(roles, boxes, n_lines, body, frame, heavy)
        roles = _indented_heads(roles, boxes, n_lines, body)
        roles = _run_on_lines(roles, boxes, text, n_lines, body)
    rules = [b for b, kind in frame.separators if kind == "horizontal"]
    roles = _page_furniture(roles, boxes, text, body, n_lines, rules)
    roles = _captions(roles, boxes, n_lines, _pictures(frame), body)
    if frame.vertical:
        roles = _column_nameplate(roles, boxes, text, n_lines, body)
    return _nameplate(roles, boxes, n_lines, sizes, body, text)


LEAD_REACH = 1.0  # a byline or caption starts within this many text sizes under its head or picture


def split_leads(frame: Frame, groups: list[list[int]], roles: list[str]) -> tuple[list[list[int]], list[str]]:
    """A block right under a headline or a picture whose first lines stand apart from
    the rest (a little more white space under them) holds a byline or caption that was
    set too close to the text to end the block: those lines become a block of their
    own, a byline under a head, a caption under a picture. Elsewhere (tables, lists) such
    spacing means nothing, so only a head or picture above makes the cut."""
    pictures = _pictures(frame)
    heads = [g.union(frame.boxes[i] for i in grp) for grp, r in zip(groups, roles) if r in ("headline", "subheadline")]
    out_groups: list[list[int]] = []
    out_roles: list[str] = []
    for grp, role in zip(groups, roles):
        k = set_apart(grp, frame) if role == "body" else 0
        if k:
            first = g.union(frame.boxes[i] for i in grp[:k])
            under = _under_picture(first, pictures, frame.size)
            if under or _right_under(first, heads, frame.size):
                out_groups += [grp[:k], grp[k:]]
                out_roles += ["caption" if under else "byline", role]
                continue
        out_groups.append(grp)
        out_roles.append(role)
    return out_groups, out_roles


def _pictures(frame: Frame) -> list[Box]:
    return [sep for sep, kind in frame.separators if kind == "picture"]


def _right_under(b: Box, above: list[Box], size: float) -> bool:
    return any(-0.5 * size <= b[1] - a[3] <= LEAD_REACH * size and g.x_overlap(b, a) >= 0.5 * g.width(b) for a in above)


def _under_picture(b: Box, pictures: list[Box], size: float) -> bool:
    """b stands right under a picture, set where its caption goes."""
    return _right_under(b, [p for p in pictures if _caption_of(b, p, size)], size)


CAPTION_LINES = 3


def _captions(roles: list[str], boxes: list[Box], n_lines: list[int], pictures: list[Box], body: float) -> list[str]:
    """A short block right under a picture, within its width, is the picture's caption
    (whatever its type size: on a scan a caption's smaller type is hard to measure)."""
    if not pictures:
        return roles
    out = list(roles)
    for i, role in enumerate(roles):
        if role not in ("body", "byline", "caption") or n_lines[i] > CAPTION_LINES:
            continue
        if _under_picture(boxes[i], pictures, body):
            out[i] = "caption"
    return out


def _caption_of(b: Box, picture: Box, size: float) -> bool:
    """Set where a caption goes: from the picture's left edge or centred under it, and
    within its width. Text a column further on under a wide picture is text."""
    inside = b[0] >= picture[0] - size and b[2] <= picture[2] + size
    aligned = abs(b[0] - picture[0]) <= size or abs(g.center(b)[0] - g.center(picture)[0]) <= size
    return inside and aligned


HEAVY_LINES = 4  # a short block set heavier than the text is a head of some kind


def _heavy_role(role: str, grp: list[int], frame: Frame, headline_size: bool, larger: bool = False) -> str:
    """A short block set in bold is a head whatever its size (column-wide headlines
    are often shrunk to fit); what kind of head, the blocks around it decide
    (refine_in_order: after text it is a small headline, under a headline a sub-head).
    A long head in a narrow column runs to many lines: in headline type and bold it is
    still a headline, where regular type that long would be text. Where sizes are the
    fonts' own (``larger``: a size of its own, not the text's), bold type in a size other
    than the text's is a head's however many lines a narrow column wraps it to (a title
    of two hundred letters runs to a dozen lines or more, and one whose longest word is
    wider than the column is set smaller, even smaller than the text, to fit): running
    text is set in the text's size."""
    heavy = [frame.is_bold(i) for i in grp]
    if role not in ("body", "caption") or not heavy or not all(heavy):
        return role
    if (headline_size and len(grp) <= 2 * HEADLINE_LINES) or larger:
        return "headline"
    return "subheadline" if len(grp) <= HEAVY_LINES else role


RAGGED_INSET = 1.0  # text sizes short of a wrapped head's edges that the ragged lines under it may end


def _long_heavy_heads(roles: list[str], groups: list[list[int]], boxes: list[Box], body: float,
                      frame: Frame) -> list[str]:
    """Measured on a scan, a run of more lines than a sub-head takes, every one heavy,
    with regular text right under it and no head over it, is the head of that text (a
    long title a narrow column wraps to many lines, its size squeezed to fit: OCR
    measures it barely larger than the text). A heavy lead paragraph stands under its
    headline instead, and stays text."""
    out = list(roles)
    for k, grp in enumerate(groups):
        if roles[k] != "body" or not HEAVY_LINES < len(grp) <= 2 * HEADLINE_LINES:
            continue
        if not all(frame.is_bold(i) for i in grp):
            continue
        # The head fills its column; ragged lines under it (an author's line, a date)
        # may end a little short of its right edge.
        below = _text_below(k, boxes, [len(x) for x in groups], body, inset=RAGGED_INSET)
        if below is None or roles[below] != "body" or all(frame.is_bold(i) for i in groups[below]):
            continue
        heads = [b for b, r in zip(boxes, roles) if r in ("headline", "subheadline")]
        if not g.solid_above(boxes[k], heads, 1.5 * body):
            out[k] = "headline"
    return out


def _own_size(size: float, body: float) -> bool:
    """An exact font size a step apart from the text's, larger or smaller (sizes that
    differ by less stay in one block, see layout.blocks.PRECISE_SIZE_RATIO)."""
    return max(size, body) > PRECISE_SIZE_RATIO * min(size, body)


FLOW_GAP = 0.5  # white space between lines of running text, in text sizes, at most
FULL_WIDTH = 0.9  # share of its column's width a justified line fills
# ... and a line of the column is no wider than the column (box padding aside): a head
# that runs past the gutter over the next column is set over both, not in one of them.
COLUMN_WIDTH_MAX = 1.15


def _flowing_heads(roles: list[str], boxes: list[Box], n_lines: list[int], body: float, frame: Frame,
                   heavy: list[bool]) -> list[str]:
    """A measured "head" of one or two lines that runs the full width of its column,
    with running text set solid above and below it and no rule between, is text that
    measured tall (OCR boxes vary by a third in height): every head has white space
    around it. One whose every line the ink shows heavy (``heavy``) is a bold head set
    tight in a column of news, as papers set one item under the next: it stays a head.
    One that runs past the column's edge over the gutter (a head over two columns, set
    tight under the text of the article before) is not a line of it either."""
    out = list(roles)
    rules = [sep for sep, kind in frame.separators if kind == "horizontal"]
    for i, role in enumerate(roles):
        if role not in ("headline", "subheadline") or n_lines[i] > 2 or heavy[i]:
            continue
        above, below = _neighbour(i, boxes, below=False), _neighbour(i, boxes, below=True)
        # Running text on both sides: a paragraph over it, and under it a paragraph of
        # two lines at least (a list of particulars runs in short paragraphs).
        if above is None or below is None or any(roles[k] != "body" for k in (above, below)) \
                or n_lines[above] < 3 or n_lines[below] < 2:
            continue
        b, a, c = boxes[i], boxes[above], boxes[below]
        solid = b[1] - a[3] < FLOW_GAP * body and c[1] - b[3] < FLOW_GAP * body
        column = max(g.width(a), g.width(c))
        full = FULL_WIDTH * column <= g.width(b) <= COLUMN_WIDTH_MAX * column
        ruled = any(a[3] - body <= (r[1] + r[3]) / 2 <= c[1] + body and g.x_overlap(r, b) > 0 for r in rules)
        if solid and full and not ruled:
            out[i] = "body"
    return out


PARAGRAPH_INDENT = (INDENT, 3.0)  # a paragraph's first line starts this many text sizes in


def _indented_heads(roles: list[str], boxes: list[Box], n_lines: list[int], body: float) -> list[str]:
    """A measured one-line "head" that starts at the paragraph indent of the running text
    set solid under it, and ends far short of its right edge, is a line of that text (a
    one-line paragraph, a run-in head): a headline is centred over its column or set
    flush with it, never indented like a paragraph. Its box measured it tall (a box
    drawn by hand, a padded one); where it starts says what it is::

            aaaaaaaaaaaaaaaaaaaaaa
            aaaaaaaa                     a paragraph ends
                                         (white)
              BBBBBBBBB                  boxed tall, but indented like the paragraphs:
              cccccccccccccccccccc       a line of the text, not a head
            cccccccccccccccccccccc

    On the 1900 NZZ page (Transkribus PAGE) the one such line is a box its annotators
    drew by hand, 1.6 text sizes tall like all their boxes; they keep it in the article.
    """
    out = list(roles)
    least, most = PARAGRAPH_INDENT
    for i, role in enumerate(roles):
        if role not in ("headline", "subheadline") or n_lines[i] != 1:
            continue
        below = _text_below(i, boxes, n_lines, body)
        if below is None or roles[below] != "body":
            continue
        b, t = boxes[i], boxes[below]
        indent, short = b[0] - t[0], t[2] - b[2]
        solid = t[1] - b[3] < FLOW_GAP * body
        if least * body <= indent <= most * body and short > 2 * indent and solid:
            out[i] = "body"
    return out


def _run_on_lines(roles: list[str], boxes: list[Box], text: list[str], n_lines: list[int], body: float) -> list[str]:
    """A measured one-line "head" right under running text that starts in lower case,
    or is CJK and ends with a full stop, is the last line of its paragraph ('you."'
    boxed tall by its quotes and descender, "觉。"): Latin heads start with a capital,
    Chinese heads end without a stop."""
    out = list(roles)
    for i, role in enumerate(roles):
        if role not in ("headline", "subheadline") or n_lines[i] != 1:
            continue
        runs_on, stub = _runs_on(text[i]), _cjk_stub(text[i])
        if not (runs_on or stub):
            continue
        # A last line of a word or two may stand wholly left of the paragraph's
        # indented first line above it (a two-line paragraph): blocks above count from
        # where their column starts, an indent left of their first line.
        above = _neighbour(i, boxes, below=False, indent=INDENT_MAX * body)
        if above is not None and roles[above] == "body" and boxes[i][1] - boxes[above][3] < FLOW_GAP * body:
            out[i] = "body"
        elif runs_on and _column_top_run_on(i, roles, boxes, above, body):
            out[i] = "body"
    return out


CJK_STUB = 2  # a Chinese line of at most this many signs, set solid under text, ends its paragraph


def _cjk_stub(text: str) -> bool:
    """One or two Chinese signs ("是"): the end of a paragraph whose last line holds
    them alone, its box padded tall around so few signs. Set solid under the text (no
    white over it), it is no head, though a title can be as short ("头"): a head stands
    apart from the text above it."""
    t = text.strip()
    return 0 < len(t) <= CJK_STUB and c.is_cjk_text(t)


def _column_top_run_on(i: int, roles: list[str], boxes: list[Box], above: int | None, body: float) -> bool:
    """Block i (a line that runs on) opens its column, flush with the text under it,
    while the column to its left runs on down past it: it is the last line of the
    paragraph that column's foot broke off, carried over to this column's top::

        aaaaaaaaaa   xx.          <- "xx." ends the paragraph from a's foot
        aaaaaaaaaa   bbbbbbbbbb
        aaaaaaaaaa   bbbbbbbbbb
    """
    if above is not None and roles[above] == "body":
        return False  # text above it in its column: not the column's top
    under = _neighbour(i, boxes, below=True)
    if under is None or roles[under] != "body" or abs(boxes[under][0] - boxes[i][0]) > body:
        return False
    x0, _, _, y1 = boxes[i]
    return any(r == "body" and b[2] <= x0 and b[3] > y1 + body for r, b in zip(roles, boxes))


# OCR of Chinese type may give the half-width sign for a full-width stop.
CJK_STOPS = ("。", "！", "？", "。”", "！”", "？”", "!", "?")


def _runs_on(text: str) -> bool:
    t = text.strip()
    return c.starts_lower(t) or _cjk_sentence(t)


def _cjk_sentence(t: str) -> bool:
    """Chinese text ending with a full stop: a sentence (Chinese heads end without one)."""
    return c.is_cjk_text(t) and t.endswith(CJK_STOPS)


def _neighbour(i: int, boxes: list[Box], below: bool, indent: float = 0.0) -> int | None:
    """The nearest block straight above (or below) block i, under most of its width;
    ``indent`` widens the other blocks leftwards (for a block that may start with an
    indented line)."""
    import numpy as np

    b = np.asarray(boxes, dtype=float).reshape(-1, 4)
    x0, y0, x1, y1 = boxes[i]
    d = b[:, 1] - y1 if below else y0 - b[:, 3]
    overlap = np.minimum(x1, b[:, 2]) - np.maximum(x0, b[:, 0] - indent)
    ok = (overlap >= 0.5 * (x1 - x0)) & (d >= -0.5 * (y1 - y0))
    ok[i] = False
    if not ok.any():
        return None
    d = np.where(ok, d, np.inf)
    return int(np.argmin(d))  # the first of equals, as the loop it replaces chose


def _centred_heads(roles: list[str], boxes: list[Box], n_lines: list[int], body: float,
                   text: list[str]) -> list[str]:
    """A one-line block set centred over the text block right under it is a head
    ("Polen.", "Graubünden.", "Vermischtes"): running text fills its column, a
    paragraph's last line starts at the column's left edge. A Chinese line that ends
    with a full stop is a sentence, not a head, however centred it looks (a one-line
    paragraph, indented two characters, can end as far from the column's right edge)."""
    out = list(roles)
    for i, role in enumerate(roles):
        if role not in ("body", "caption") or n_lines[i] != 1:
            continue
        if _cjk_sentence(text[i].strip()):
            continue
        below = _text_below(i, boxes, n_lines, body)
        if below is not None and is_centred(boxes[i], boxes[below], body):
            out[i] = "subheadline"
    return out


def _text_below(i: int, boxes: list[Box], n_lines: list[int], body: float, inset: float = 0.0) -> int | None:
    """The nearest block of several lines under block i, starting within 3 sizes, as
    wide as block i at least (less ``inset`` text sizes on either side)."""
    x0, _, x1, y1 = boxes[i]
    best = None
    for j, b in enumerate(boxes):
        if j == i or n_lines[j] < 2 or b[0] > x0 + inset * body or b[2] < x1 - inset * body:
            continue
        if -0.3 * body <= b[1] - y1 <= 3 * body and (best is None or b[1] < boxes[best][1]):
            best = j
    return best


def _text_size(values: list[float], weights: list[int], fallback: float) -> float:
    """The running text's size: the largest size that carries a good share of the
    characters (footnotes may outweigh the text, but are never set larger than it)."""
    total = sum(weights)
    if not total:
        return fallback
    share: dict[float, int] = {}
    for v, w in zip(values, weights):
        key = round(v, 1)
        share[key] = share.get(key, 0) + w
    large = [v for v, w in share.items() if w >= BODY_SHARE * total]
    return max(large) if large else _weighted_median(values, weights, fallback)


def _weighted_median(values: list[float], weights: list[int], fallback: float) -> float:
    pairs = sorted(zip(values, weights))
    total = sum(weights)
    if not pairs or total == 0:
        return fallback
    acc = 0
    for v, w in pairs:
        acc += w
        if acc >= total / 2:
            return v
    return pairs[-1][0]


def _role(text: str, rel_size: float, n_lines: int, limits: tuple[float, float, float]) -> str:
    headline, subhead, caption = limits
    stripped = text.strip()
    if c.is_jump_line(stripped):
        return "jump"
    if rel_size >= headline and n_lines <= HEADLINE_LINES:
        return "headline"  # a long block in larger type is text (footnotes made it look large)
    if rel_size >= subhead and n_lines <= 4:
        return "subheadline"
    if limits is MEASURED and rel_size >= subhead and n_lines <= 2 * HEADLINE_LINES:
        # Measured, a long run of lines all a step larger than the text is a head that
        # a narrow column wrapped (its size shrunk to fit), not noise: that averages out.
        return "headline"
    if rel_size <= caption and n_lines <= 3:
        return "caption"
    if n_lines <= 2 and len(stripped) <= 60 * n_lines and _BYLINE.search(stripped) and not _opens_text(stripped):
        return "byline"
    if n_lines == 1 and _DATELINE.search(stripped):
        return "dateline"
    return "body"


def _page_furniture(roles: list[str], boxes: list[Box], text: list[str], body: float, n_lines: list[int],
                    rules: Sequence[Box] = ()) -> list[str]:
    """The row of one-line blocks above all other text, set apart by a gap or a rule, is
    the page header when one of its small blocks holds digits (a date, a page number);
    the same at the bottom is the footer (where a headline never stands)."""
    if len(boxes) < 3:
        return roles
    out = list(roles)
    for top in (True, False):
        row = _edge_row(boxes, top)
        rest = [k for k in range(len(boxes)) if k not in row]
        if not rest or any(n_lines[k] != 1 for k in row) or (not top and any(roles[k] == "headline" for k in row)):
            continue
        small = [k for k in row if _furniture_like(text[k], boxes[k], body)]
        numbered = [k for k in row if _furniture_like(text[k], boxes[k], body, tall=FURNITURE_ROW_TALL)]
        # One small numbered block (a folio beside the paper's name), or several numbered
        # blocks even where OCR boxed them tall (issue number, year and date across the
        # top of a historic front page).
        if not any(roles[k] != "headline" for k in small) and len(numbered) < 2:
            continue
        if top:
            gap = min(boxes[j][1] for j in rest) - max(boxes[k][3] for k in row)
        else:
            gap = min(boxes[k][1] for k in row) - max(boxes[j][3] for j in rest)
        if gap >= 0.5 * body or _ruled_apart(row, rest, boxes, rules, top, body):
            for k in row:
                out[k] = "header" if top else "footer"
    return out


def _ruled_apart(row: list[int], rest: list[int], boxes: list[Box], rules: Sequence[Box], top: bool,
                 body: float) -> bool:
    """A rule across the row's items lies between them and all other text. On a scan the
    OCR boxes are padded, so a footer set close under the rule that ends the columns
    shows almost no gap to them; the rule still sets it apart."""
    tol = 0.3 * body
    inner = min(boxes[j][1] for j in rest) if top else max(boxes[j][3] for j in rest)
    edge = max(boxes[k][3] for k in row) if top else min(boxes[k][1] for k in row)
    for r in rules:
        y = (r[1] + r[3]) / 2.0
        between = edge - tol <= y <= inner + tol if top else inner - tol <= y <= edge + tol
        if between and all(min(r[2], boxes[k][2]) - max(r[0], boxes[k][0]) > 0 for k in row):
            return True
    return False


def _edge_row(boxes: list[Box], top: bool) -> list[int]:
    """Blocks sharing the band of the top-most (bottom-most) block."""
    first = min(range(len(boxes)), key=lambda k: boxes[k][1] if top else -boxes[k][3])
    y0, y1 = boxes[first][1], boxes[first][3]
    return [k for k, b in enumerate(boxes) if y0 <= (b[1] + b[3]) / 2 <= y1]


FURNITURE_TALL = 1.6  # a page header's numbers are set small: at most this many sizes high
FURNITURE_ROW_TALL = 2.0  # ... or this, where several numbered blocks share the row


def _furniture_like(text: str, box: Box, body: float, tall: float = FURNITURE_TALL) -> bool:
    return any(ch.isdigit() for ch in text) and g.height(box) < tall * body and len(text) <= 120


NAMEPLATE = 4.0  # a one-line head this many text sizes high can be the paper's name
NAMEPLATE_PART = 2.0  # ... and heads this large on its row, or over it, are part of it


def _nameplate(roles: list[str], boxes: list[Box], n_lines: list[int], sizes: list[float], body: float,
               text: list[str]) -> list[str]:
    """The paper's name across the top of a front page is the masthead.

    Its seed is a one-line head in type at least NAMEPLATE times the text (the largest
    article headlines stay well under that), or NAMEPLATE_PART times it over the issue's
    line (the date at one side, the number or folio at the other, right under it), with
    no running text above it; heads of at
    least NAMEPLATE_PART sizes on its row, or set over it ("Königlich Preußischer" over
    "Staats-Anzeiger"), belong to it::

              Königlich Preußischer
        ears  STAATS-    ANZEIGER.   ears      all four heads: the masthead
    """
    def display(k: int, least: float, level: bool = True) -> bool:
        return (roles[k] == "headline" and n_lines[k] == 1 and sizes[k] >= least * body
                and (g.width(boxes[k]) >= g.height(boxes[k]) or not level))

    seeds = [k for k in range(len(boxes)) if (display(k, NAMEPLATE) or display(k, NAMEPLATE_PART)
                                              and _over_issue_line(k, boxes, text, body))
             and not _text_above(k, roles, boxes)]
    if not seeds:
        return roles
    seed = min(seeds, key=lambda k: boxes[k][1])
    members = {seed}
    grown = True
    while grown:
        grown = False
        for k in range(len(boxes)):
            # A part may be narrow: OCR breaks a letter or two off the name.
            if k not in members and display(k, NAMEPLATE_PART, level=False) and any(
                    _beside_or_over(boxes[k], boxes[m]) for m in members):
                members.add(k)
                grown = True
    # The issue's line under the name is the page's header, as the row of name, date
    # and folio across the top of a page is (_page_furniture): no article's head. Its
    # items are single lines; a row holding a block of several is text set beside the
    # name (the NZZ's subscription prices and advertising rates), which stays text.
    issue = _issue_line_under(seed, boxes, text, body)
    if any(n_lines[k] > 1 for k in issue):
        issue = []
    return ["masthead" if k in members else "header" if k in issue else r for k, r in enumerate(roles)]


ISSUE_LINE_REACH = 2.0  # the issue's line starts within this many text sizes under the name


def _over_issue_line(k: int, boxes: list[Box], text: list[str], body: float) -> bool:
    """Block k is the first thing on the page, and the issue's line stands right under it."""
    return not any(b[3] <= boxes[k][1] for b in boxes) and bool(_issue_line_under(k, boxes, text, body))


def _issue_line_under(k: int, boxes: list[Box], text: list[str], body: float) -> list[int]:
    """The items of the issue's line (layout.issue: date and folio far apart on one
    row) standing right under block k on both sides of its middle, as under a paper's
    name; [] where none stands there."""
    x0, _, x1, y1 = boxes[k]
    mid = (x0 + x1) / 2.0
    for j, b in enumerate(boxes):
        row = [j, *issue_row(j, boxes, text, body)] if 0 <= b[1] - y1 <= ISSUE_LINE_REACH * body else []
        if any(boxes[a][2] < mid for a in row) and any(boxes[a][0] > mid for a in row):
            return row
    return []


ISSUE_ITEM_SIGNS = 20  # a date with its weekday ("1934年4月9日 星期一") or a folio: a few signs


def _column_nameplate(roles: list[str], boxes: list[Box], text: list[str], n_lines: list[int],
                      body: float) -> list[str]:
    """On a vertical page the paper's name heads the first column, and the issue's items
    (date, weekday, folio) stand further down that same column, far from it; an
    article's head is followed in its column by its byline or its text instead. In the
    reading frame that column is the top row: a one-line head with nothing above it,
    on the issue's line (layout.issue: far from the items beside it, a folio among
    them) that holds only a few short one-line blocks besides. The whole column is the
    page's header, as the row of the paper's name, date and folio across a horizontal
    page is (see _page_furniture, which misses it here: the column's gap to the next
    is narrow, and where the page could not be deskewed it drifts across rows)::

        拼版日报              1934年4月9日 星期一              第1版
    """
    heads = [k for k in range(len(boxes)) if roles[k] in ("headline", "header") and n_lines[k] == 1
             and not _blocks_above(k, boxes)]
    if not heads:
        return roles
    seed = min(heads, key=lambda k: boxes[k][0])
    items = issue_row(seed, boxes, text, body)
    if not items or not all(_issue_item(roles[k], text[k], n_lines[k]) for k in items):
        return roles
    out = list(roles)
    for k in [seed, *items]:
        out[k] = "header"
    return out


def _issue_item(role: str, text: str, n_lines: int) -> bool:
    return role in ("body", "header") and n_lines == 1 and len(text.replace(" ", "")) <= ISSUE_ITEM_SIGNS


def _blocks_above(k: int, boxes: list[Box]) -> list[int]:
    """The blocks standing over block k (ending above its top, overlapping its width)."""
    return [j for j, b in enumerate(boxes) if b[3] <= boxes[k][1] and g.x_overlap(b, boxes[k]) > 0]


def _text_above(k: int, roles: list[str], boxes: list[Box]) -> bool:
    return any(roles[j] == "body" for j in _blocks_above(k, boxes))


def _beside_or_over(b: Box, m: Box) -> bool:
    """b shares m's row, or stands over m (overlapping it) less than m's height above."""
    over = b[3] <= m[1] and m[1] - b[3] < g.height(m) and g.x_overlap(b, m) > 0
    return g.y_overlap_ratio(b, m) > 0.5 or over


def lead_spacing(groups: list[list[int]], frame: Frame, roles: list[str]) -> dict[int, float]:
    """Per block with running text set right under it in its column: how far the
    middle of its last line stands above the middle of that text's first line, in the
    text's own line pitches (1.0: set solid at the text's pitch, a line of it). Blocks
    with no text under them, or none measurable, are left out."""
    first = {grp[0]: k for k, grp in enumerate(groups) if roles[k] == "body"}
    # A one-line paragraph has no pitch of its own: the text's, over the page, stands in.
    typical = g.median_or((p for k in first.values() if (p := _pitch(groups[k], frame))), 0.0)
    out: dict[int, float] = {}
    for k, grp in enumerate(groups):
        last = frame.boxes[grp[-1]]
        under = [j for j in first if j not in grp and -0.5 * frame.size <= frame.boxes[j][1] - last[3] <= 3 * frame.size
                 and _under_line(frame.boxes[j], last, frame.size)]
        if not under:
            continue
        below = groups[first[min(under, key=lambda j: frame.boxes[j][1])]]
        pitch = _pitch(below, frame) or _pitch(grp, frame) or typical
        if pitch:
            out[k] = (g.center(frame.boxes[below[0]])[1] - g.center(last)[1]) / pitch
    return out


def _under_line(b: Box, line: Box, size: float) -> bool:
    """Block b stands under the line: under most of the narrower one's width, or, a
    short last line of a paragraph whose first line is the (indented) line, starting
    left of it by at most an indent and reaching in under it::

          LLLLLLLLLLLL         L: the indented first line of a two-line paragraph
        bbb                    b: its last line, short, flush with the column
    """
    return g.x_overlap_ratio(b, line) >= 0.5 or (0 < line[0] - b[0] <= INDENT_MAX * size and b[2] > line[0])


def _pitch(grp: list[int], frame: Frame) -> float | None:
    """The median distance between the middles of a block's consecutive lines."""
    mids = [g.center(frame.boxes[i])[1] for i in grp[:LEAD_LINES + 1]]
    steps = [b - a for a, b in zip(mids, mids[1:]) if b - a > 0.5 * frame.size]
    return g.median_or(steps, 0.0) or None


def refine_in_order(order: list[int], roles: list[str], boxes: list[Box], n_lines: list[int], sizes: list[float],
                    texts: list[str] | None = None, spacing: dict[int, float] | None = None) -> list[str]:
    """Roles that depend on what comes before a block in reading order.

    A headline set clearly smaller right under another headline is its sub-head; a
    sub-head that follows no headline is a small headline; short blocks right under a
    head (author, agency, place) are bylines. Where the spacing under the blocks is
    known (``spacing``, see lead_spacing), it decides before the width: a byline has a
    little white between it and the text, so a block set at the text's own pitch on the
    text under it is the text's first lines (a one-line paragraph: "Vorbemerkungen."),
    however short, and one set apart from it is a byline, however wide.
    """
    out = list(roles)
    for prev, cur in zip(order, order[1:]):
        if out[prev] == "headline" and out[cur] == "headline" and sizes[cur] * SUBHEAD_STEP < sizes[prev] \
                and _under_words(boxes[prev], boxes[cur], sizes[prev]):
            out[cur] = "subheadline"
    out = _close_under_headlines(out, boxes, sizes)
    widths = sorted(g.width(boxes[i]) for i in order if roles[i] == "body" and n_lines[i] >= 3)
    widths = widths or sorted(g.width(boxes[i]) for i in order if roles[i] == "body")
    column = widths[len(widths) // 2] if widths else 0.0
    prev_head = False
    after_head = 0  # blocks seen since the last head
    signed = False  # the block before was a byline
    text = _text_size(sizes, [len(t) for t in texts], 0.0) if texts is not None else 0.0
    for i in order:
        role = out[i]
        # A byline ends its article's heads (headline, sub-heads, then the author): a
        # sub-head after it, set larger than the text, heads the next article, whose
        # text the one before left out. (One in the text's size is a centred line, or a
        # word of a row the reader cut into pieces: "To the | People | of ...".)
        larger = sizes[i] >= PRECISE[1] * text
        if role == "subheadline" and (not prev_head or (signed and larger)):
            out[i] = role = "headline"
        if role in ("headline", "subheadline"):
            prev_head, after_head, signed = True, 0, False
            continue
        after_head += 1
        short = n_lines[i] <= 2 and _lead_like(g.width(boxes[i]) < 0.85 * column, (spacing or {}).get(i))
        opens = texts is not None and _opens_text(texts[i])
        if role == "body" and short and after_head <= 2 and not opens and _follows_head(out, order, i):
            out[i] = "byline"
        signed = out[i] == "byline"
        if out[i] not in ("byline", "dateline", "caption"):
            prev_head = False
    return out


SUBHEAD_GAP = 1.5  # a sub-head is set within this many of its own sizes under the headline


def _close_under_headlines(roles: list[str], boxes: list[Box], sizes: list[float]) -> list[str]:
    """A headline set close under a clearly larger one, under its words, is its sub-head
    ("选自《三闲集》" under the essay's title), even where the reading order puts the
    next column's headline between them."""
    heads = [k for k, r in enumerate(roles) if r == "headline"]
    out = list(roles)
    for cur in heads:
        above = [k for k in heads if k != cur and _under_words(boxes[k], boxes[cur], sizes[k])
                 and boxes[cur][1] - boxes[k][3] <= SUBHEAD_GAP * sizes[cur]]
        nearest = max(above, key=lambda k: boxes[k][3], default=None)
        if nearest is not None and sizes[cur] * SUBHEAD_STEP < sizes[nearest]:
            out[cur] = "subheadline"
    return out


def _under_words(head: Box, b: Box, size: float) -> bool:
    """Block b starts under the head (its top no higher than the head's last line) and
    under its words: a smaller head beside a large one, on its row in the next column,
    is the next article's headline, however the reading order puts them together."""
    return b[1] >= head[3] - 0.5 * size and min(head[2], b[2]) - max(head[0], b[0]) > 0


def _lead_like(narrow: bool, spacing: float | None) -> bool:
    """A block under a head is set like a byline: apart from the text under it (more
    than LEAD_PITCH of its pitches), or, where that is not measured, narrower than the
    text's column."""
    return narrow if spacing is None else spacing > LEAD_PITCH


def _opens_text(text: str) -> bool:
    """Ends in a colon: a salutation or lead-in ("To the People of the State of New
    York:", "有恒先生："), the first words of the text, never a byline."""
    return text.rstrip().endswith((":", "：", "∶"))


def _follows_head(roles: list[str], order: list[int], i: int) -> bool:
    pos = order.index(i)
    for j in reversed(order[:pos]):
        if roles[j] in ("headline", "subheadline"):
            return True
        if roles[j] not in ("byline", "dateline", "caption"):
            return False
    return False
