"""Continuous-flow pages: articles poured one after the other down equal columns.

The layout of most 19th- and early-20th-century papers (NZZ 1812-1908, Luxemburger
Zeitung 1858 in ../shared/real): a masthead, N equal columns, text running down column 1;
an article ends mid-column, the next one's head (a one-line centred head, or a run-in
dateline starting the first paragraph) follows under it after a small gap, and an
article that reaches the foot of a column goes on at the top of the next one:

    +---------------------------+
    |        MASTHEAD           |
    +=============+=============+
    | LEAD HEAD (optional, spans) |
    | a0 .......  | a1 (cont.) .|   <- a1's second piece starts higher than its head,
    | a0 .......  | ........... |      so a copy-paste (by top edge) gives it first
    |   -----     |    -----    |
    |  A1 HEAD    | Paris, 3. D.|   <- run-in dateline head
    | a1 .......  | a2 ........ |
    +-------------+-------------+

Horizontal pages only: vertical (zh-v) pages stay in modules.
"""

from __future__ import annotations

import random

from benchmarks.generator.compose import WORDS, Art, Carry, Composer, Layout, PageSpec
from benchmarks.generator.typeset import Flow, TLine, measure, sentence_cut

PLACES = {
    "zh": ["北京", "上海", "南京", "天津", "广州", "汉口", "杭州"],
    "en": ["LONDON", "PARIS", "BERLIN", "VIENNA", "ROME", "NEW YORK", "MADRID"],
    "de": ["Paris", "Bern", "Wien", "Berlin", "London", "Rom", "Brüssel", "München"],
}
MONTHS = {
    "en": ["Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."],
    "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
           "November", "Dezember"],
}
ZH_DIGITS = "〇一二三四五六七八九"


def zh_day(n: int) -> str:
    """1..31 in Chinese numerals as a date prints them (十二, 二十, 三十一)."""
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else ZH_DIGITS[tens] + "十")
    return head + (ZH_DIGITS[ones] if ones else "")


def dateline(lang: str, rng: random.Random) -> str:
    """A run-in dateline such as "Paris, 3. Dezember." (its own line of news agency copy)."""
    place, day, month = rng.choice(PLACES[lang]), rng.randint(1, 28), rng.randrange(12)
    if lang == "zh":
        return f"（{place}{zh_day(day)}日电）"
    if lang == "en":
        return f"{place}, {MONTHS['en'][month]} {day}."
    return f"{place}, {day}. {MONTHS['de'][month]}."


def trim(paras: list[str], target: int) -> list[str]:
    """The story cut to about `target` characters at a sentence end (at least one sentence):
    papers of the time ran news items of a few lines to a column, rarely whole essays."""
    out: list[str] = []
    used = 0
    for p in paras:
        if used + len(p) <= target:
            out.append(p)
            used += len(p)
            continue
        limit = max(1, target - used)
        cut = sentence_cut(p, limit)
        while cut == 0 and not out and limit < len(p):  # no sentence ends so early: the first one
            limit *= 2
            cut = sentence_cut(p, limit) or (len(p) if limit >= len(p) else 0)
        if cut:
            out.append(p[:cut])
        break
    return out or paras[:1]


class FlowComposer(Composer):
    """Sets a page in continuous flow; reuses the module composer's primitives."""

    def _geometry(self) -> None:
        rng, n = self.rng, self.spec.columns
        # Sheets of the time were large whatever their column count: 2 columns set wide.
        self.U = rng.uniform(600, 760)
        self.V = self.U * rng.uniform(1.36, 1.44)
        self.margin = rng.uniform(24, 34)
        self.gutter = rng.uniform(9, 14)
        w = (self.U - 2 * self.margin - (n - 1) * self.gutter) / n
        self.cols = [(self.margin + i * (w + self.gutter), self.margin + i * (w + self.gutter) + w)
                     for i in range(n)]
        self.size = min(10.5, max(6.8, w / (rng.uniform(11, 14) if self.cjk else rng.uniform(13, 17))))
        self.lead = round(self.size * (rng.uniform(1.4, 1.55) if self.cjk else rng.uniform(1.15, 1.25)), 2)
        self.body_font = "WQY" if self.cjk else "SerifCond"
        self.head_font = "WQY" if self.cjk else rng.choice(["SansBold", "SerifBold"])
        self.gap = self.lead * rng.uniform(0.5, 0.9)  # a small gap between articles, not a module break
        self.rules_on = rng.random() < 0.55
        self.dividers = rng.random() < 0.6  # a short centred rule between articles
        self.runin_rate = rng.uniform(0.2, 0.6)

    def header(self) -> float:
        """Masthead: the paper's name centred over the page, date and folio on a line under it."""
        w, u0, u1 = WORDS[self.spec.lang], self.margin, self.U - self.margin
        big = self.size * self.rng.uniform(2.4, 3.0)
        seg = self.new_seg("header", None)
        name_w = measure(w["paper"], self.head_font, big)
        v = self.simple(w["paper"], (u0 + u1 - name_w) / 2, self.margin, name_w + 2, seg, self.head_font, big,
                        "header", bold=True, max_lines=1)
        self.out.rules.append((u0, v, u1, v))
        small, v = self.size * 1.05, v + self.size * 0.4
        date, folio = self.date_text(), w["folio"].format(n=self.spec.page_in_issue)
        for text, u in ((date, u0), (folio, u1 - measure(folio, self.body_font, small) - 2)):
            self.simple(text, u, v, measure(text, self.body_font, small) + 2, seg, self.body_font, small,
                        "header", max_lines=1)
        rule = v + small * 1.2 + self.size * 0.3
        self.out.rules += [(u0, rule, u1, rule), (u0, rule + 2.2, u1, rule + 2.2)]
        return rule + 2.2 + self.lead

    def rows(self, vt: float) -> int:
        """Body lines that fit in a column from vt down to the foot."""
        return int((self.bottom - vt - self.size) // self.lead + 1 + 1e-6) if self.bottom >= vt + self.size else 0

    def fill(self, top0: float) -> None:
        """Articles poured one after the other down the columns from the masthead's foot."""
        self.col_top = top0
        c: int | None = 0
        v, first = top0, True
        while c is not None:
            c, v = self.next_article(c, v, first)
            first = False

    def next_article(self, c: int, v: float, first: bool) -> tuple[int | None, float]:
        """Head and body of one article from cursor (column c, v); returns the cursor after it."""
        if first and not self.carry_in and self.rng.random() < 0.5:
            return self.lead_article()
        carry = first and self.carry_in is not None
        a, b = self.cols[c]  # equal columns: one width for all
        story, title, paras, indent_first = self.pick([(a, b)], v, self.bottom, "carry" if carry else "normal")
        runin = not carry and self.rng.random() < self.runin_rate
        if runin:
            title = dateline(self.spec.lang, self.rng)
            # A dateline taking half a narrow column would leave no run-in line: centre it.
            runin = measure(title, self.head_font, self.size) < 0.6 * (b - a)
        hs = self.fit_size(title, b - a, self.size * self.rng.uniform(1.3, 1.5), self.head_font, 1)
        head = self.size * 1.2 if runin else self.head_height(title, b - a, hs, carry)
        gap = self.gap + 2 if v > self.col_top + 1 else 0.0
        if self.bottom - v - gap < head + 3 * self.lead:  # a head with under three lines below moves on
            if c + 1 >= len(self.cols):
                return None, v
            c, v, gap = c + 1, self.col_top, 0.0
            a, b = self.cols[c]
        if gap:
            v = self.divider(c, v)
        paras = paras if carry else self.length(paras, c, v)
        ai = len(self.out.arts)
        self.out.arts.append(Art(title, [], story))
        if runin:
            cut, v_body = self.runin_head(ai, title, a, v), v
            indent_first = False
        else:
            cut, v_body = 0.0, self.centred_head(ai, title, a, b, v, hs, carry)
        fl = self.flow(paras, self.size, self.body_font)
        fl.first_indent = indent_first
        return self.pour(ai, fl, c, v_body, cut)

    def head_height(self, title: str, width: float, size: float, carry: bool) -> float:
        """The height a centred head takes (as `simple` sets it), furniture of a continuation included."""
        fl = self.flow([title], size, self.head_font, indent=False)
        fl.hyphen_rate = 0.0
        n = 0
        while not fl.done():
            fl.next_line(width)
            n += 1
        return n * size * 1.2 + size * 0.25 + self.lead * 0.2 + (self.size * 1.5 if carry else 0.0)

    def length(self, paras: list[str], c: int, v: float) -> list[str]:
        """Trim the story to a news item's length; on the first page of an issue, the article
        that reaches the last column's foot runs whole so that it jumps to the next page."""
        a, b = self.cols[c]
        col_chars = self.capacity([(a, b)], self.bottom - self.col_top)
        left = self.capacity([(a, b)], self.bottom - v) + col_chars * (len(self.cols) - 1 - c)
        target = int(col_chars * self.rng.uniform(0.15, 1.2))
        if self.spec.page_in_issue < self.spec.issue_pages and self.out.carry is None and left < target * 1.3:
            return paras
        return trim(paras, target)

    def divider(self, c: int, v: float) -> float:
        """The gap (and perhaps a short centred rule) between two articles in one column."""
        if not self.dividers:
            return v + self.gap
        a, b = self.cols[c]
        mid, half = (a + b) / 2, (b - a) * 0.18  # as wide as a typesetter's dash rule
        y = v + self.gap / 2 + 1
        self.out.rules.append((mid - half, y, mid + half, y))
        return v + self.gap + 2

    def centred_head(self, ai: int, title: str, a: float, b: float, v: float, hs: float, carry: bool) -> float:
        seg = self.new_seg("headline", ai, (title,))
        v = self.simple(title, a, v, b - a, seg, self.head_font, hs, "headline", bold=True, center=True,
                        max_lines=99)
        if carry and self.carry_in:
            v = self.furniture(ai, self.carry_in.story, "carry", a, b - a, v)
        return v + self.lead * 0.2

    def runin_head(self, ai: int, text: str, a: float, v: float) -> float:
        """The dateline set at the start of the first body line; returns the room it takes."""
        seg = self.new_seg("headline", ai, (text,))
        fl = self.flow([text], self.size, self.head_font, indent=False)
        fl.hyphen_rate = 0.0
        t = fl.next_line(10_000.0)
        line = self.put(t, a, v, t.natural + 1, seg, self.head_font, self.size, "headline", False, True)
        return line.box[2] - a + measure(" ", self.body_font, self.size) * (0.0 if self.cjk else 1.0)

    def lead_article(self) -> tuple[int | None, float]:
        """A headline across all columns, its body starting in column 1 under it."""
        u0, u1, v = self.cols[0][0], self.cols[-1][1], self.top0
        story, title, paras, indent_first = self.pick(self.cols, v, self.bottom, "lead")
        ai = len(self.out.arts)
        self.out.arts.append(Art(title, [], story))
        hs = self.fit_size(title, u1 - u0, self.size * self.rng.uniform(2.0, 2.6), self.head_font, 2)
        seg = self.new_seg("headline", ai, (title,))
        v1 = self.simple(title, u0, v, u1 - u0, seg, self.head_font, hs, "headline", bold=True, center=True,
                         max_lines=99)
        self.out.spans.append((u0, v, u1, v1))
        self.col_top = v1 + self.lead * 0.4
        self.out.rules.append((u0, self.col_top - self.lead * 0.2, u1, self.col_top - self.lead * 0.2))
        col_chars = self.capacity(self.cols[:1], self.bottom - self.col_top)
        fl = self.flow(trim(paras, int(col_chars * self.rng.uniform(0.6, 1.6))), self.size, self.body_font)
        fl.first_indent = indent_first
        return self.pour(ai, fl, 0, self.col_top, 0.0)

    def plan_flow(self, fl: Flow, c: int, v: float, cut: float, reserve: int) -> tuple[list[list[TLine]], bool]:
        """Lines per column from (c, v) on, the first line `cut` narrower (a run-in head)."""
        fl.state = (0, 0)
        out: list[list[TLine]] = []
        for k in range(c, len(self.cols)):
            a, b = self.cols[k]
            n = self.rows(v if k == c else self.col_top) - (reserve if k == len(self.cols) - 1 else 0)
            lines: list[TLine] = []
            while len(lines) < n and not fl.done():
                lines.append(fl.next_line(b - a - (cut if k == c and not lines else 0.0)))
            out.append(lines)
            if fl.done():
                break
        return out, fl.done()

    def pour(self, ai: int, fl: Flow, c: int, v: float, cut: float) -> tuple[int | None, float]:
        """Set the body from (c, v) down the columns; returns the cursor under its last line."""
        spec = self.spec
        jump = spec.page_in_issue < spec.issue_pages and self.out.carry is None
        plan, done = self.plan_flow(fl, c, v, cut, 0)
        if not done and jump:
            plan, done = self.plan_flow(fl, c, v, cut, 1)
        jump = jump and not done
        paras = list(fl.paras)
        if not done and not jump:
            plan, paras = self.truncate(plan, paras)
        slots = [(a, b, v if k == c else self.col_top) for k, (a, b) in enumerate(self.cols) if c <= k < c + len(plan)]
        end = self.commit_flow(ai, plan, slots, tuple(paras), cut)
        art = self.out.arts[ai]
        last = next((t for lines in reversed(plan) for t in reversed(lines)), None)
        art.paras = paras if not jump or last is None else self.used(paras, last)
        if jump and last is not None:
            self.jump_line(ai, fl, plan, slots, last)
            return None, self.bottom
        k = c + len(plan) - 1
        if not done:
            return None, self.bottom  # the page is full
        return k, end

    def commit_flow(self, ai: int, plan: list[list[TLine]], slots: list[tuple[float, float, float]],
                    paras: tuple[str, ...], cut: float) -> float:
        """One body segment per column; only the first line of the first column is cut."""
        end = slots[0][2]
        for k, ((a, b, vt), lines) in enumerate(zip(slots, plan)):
            if not lines:
                continue
            seg = self.new_seg("body", ai, paras)
            for j, t in enumerate(lines):
                x = a + cut if j == 0 and k == 0 else a
                line = self.put(t, x, vt + j * self.lead, b - x, seg, self.body_font, self.size, "body")
                end = line.box[3]
            self.out.segs[seg].hyphen_end = lines[-1].hyphen
        return end


def compose_flow(spec: PageSpec, carry: Carry | None = None) -> Layout:
    return FlowComposer(spec, carry).compose()
