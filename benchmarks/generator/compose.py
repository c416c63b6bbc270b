"""Page composition: columns, article modules, text flow, rules, boxes and pictures.

Everything is laid out in an abstract frame (u, v): u runs across the columns, v down
them. A horizontal page maps (u, v) -> (x, y) directly; a vertical page maps u to y and
v to x mirrored, so "columns" become tiers stacked top to bottom, "lines" become
vertical columns of characters read right to left, and headlines end up on the right
of their article. One composer thus sets both directions.
"""

from __future__ import annotations

import datetime
from functools import lru_cache
import random
from dataclasses import dataclass, field

from benchmarks.generator.corpus import Pool, Story
from benchmarks.generator.typeset import Flow, TLine, measure, sentence_cut

Box = tuple[float, float, float, float]

WORDS = {
    "zh": dict(paper="拼版日报", folio="第{n}版", to="下转第{n}版", frm="上接第{n}版",
               caption="图：{t}", cont="{t}（续）", sub="{k}"),
    "en": dict(paper="The Pagestitch Gazette", folio="Page {n}", to="Continued on Page {n}",
               frm="Continued from Page {n}", caption="Picture: {t}", cont="{t} (continued)", sub="{k}"),
    "de": dict(paper="Pagestitch-Anzeiger", folio="Seite {n}", to="Fortsetzung auf Seite {n}",
               frm="Fortsetzung von Seite {n}", caption="Bild: {t}", cont="{t} (Fortsetzung)", sub="{k}"),
}
WEEKDAYS = {"zh": "一二三四五六日", "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                          "Saturday", "Sunday"],
            "de": ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Sonnabend", "Sonntag"]}


@dataclass
class PageSpec:
    id: str
    lang: str = "zh"
    vertical: bool = False
    columns: int = 4
    seed: int = 0
    degradation: str = "clean"
    issue: str | None = None
    page_in_issue: int = 1
    issue_pages: int = 1
    corpus: str | None = None
    prefer: str | None = None  # corpus id prefix to draw from first (e.g. "zh-luxun")
    max_px: int = 2200
    dpi: float | None = None
    skew_deg: float | None = None
    image_format: str = "jpg"
    quality: int | None = None  # JPEG quality; default depends on the degradation level
    layout: str = "modules"  # "modules" (rectangular articles) or "flow" (continuous flow, flow.py)


@dataclass
class PLine:
    """A placed line in the abstract frame; runs are (text, u offset from box start)."""

    text: str
    box: Box
    font: str
    size: float
    role: str
    seg: int
    runs: list[tuple[str, float]]
    char_space: float = 0.0
    bold: bool = False


@dataclass
class Seg:
    role: str
    article: int | None
    lines: list[PLine] = field(default_factory=list)
    pieces: list[TLine] = field(default_factory=list)  # body and headline: source offsets
    paras: tuple[str, ...] = ()
    hyphen_end: bool = False


@dataclass
class Art:
    title: str
    paras: list[str]
    story: Story
    segs: list[int] = field(default_factory=list)
    jump: dict | None = None


@dataclass
class Carry:
    """An article that did not fit and continues on the next page of the issue."""

    story: Story
    paras: list[str]
    state: tuple[int, int]
    from_page: int
    from_article: int
    join: bool
    midword: bool


@dataclass
class Layout:
    spec: PageSpec
    width: float
    height: float
    lines: list[PLine] = field(default_factory=list)
    segs: list[Seg] = field(default_factory=list)
    arts: list[Art] = field(default_factory=list)
    rules: list[Box] = field(default_factory=list)  # abstract line segments (u0, v0, u1, v1)
    frames: list[Box] = field(default_factory=list)
    pictures: list[Box] = field(default_factory=list)
    spans: list[Box] = field(default_factory=list)  # headline and picture bands: no column rule crosses
    carry: Carry | None = None
    carry_in: Carry | None = None


MAX_WORD_SPACE = 0.75  # the widest word space of a justified line, in em


class Composer:
    def __init__(self, spec: PageSpec, carry: Carry | None = None) -> None:
        self.spec = spec
        self.rng = random.Random(spec.seed)
        self.cjk = spec.lang == "zh"
        self.pool = Pool(spec.lang, random.Random(spec.seed * 7 + 1), spec.corpus, spec.prefer)
        self.carry_in = carry
        self._geometry()
        w, h = (self.U, self.V) if not spec.vertical else (self.V, self.U)
        self.out = Layout(spec, w, h, carry_in=carry)

    # -- geometry -------------------------------------------------------------------------
    def _geometry(self) -> None:
        rng, n = self.rng, self.spec.columns
        if self.spec.vertical:
            self.U = rng.uniform(800, 900)  # page height: tiers are stacked along it
            self.V = self.U / rng.uniform(1.36, 1.44)
        else:
            self.U = (520 + 22 * n if self.cjk else 490 + 36 * n) + rng.uniform(0, 40)
            self.V = self.U * rng.uniform(1.36, 1.44)
        self.margin = rng.uniform(24, 34)
        self.gutter = rng.uniform(9, 14)
        weights = [rng.uniform(0.75, 1.3) for _ in range(n)]
        usable = self.U - 2 * self.margin - (n - 1) * self.gutter
        widths = [usable * w / sum(weights) for w in weights]
        self.cols: list[tuple[float, float]] = []
        u = self.margin
        for w in widths:
            self.cols.append((u, u + w))
            u += w + self.gutter
        em_target = rng.uniform(15, 20) if self.spec.vertical else (
            rng.uniform(11, 14) if self.cjk else rng.uniform(13, 17))
        self.size = min(10.5, max(6.8, (usable / n) / em_target))
        pitch = rng.uniform(1.5, 1.7) if self.spec.vertical else (
            rng.uniform(1.4, 1.55) if self.cjk else rng.uniform(1.18, 1.28))
        self.lead = round(self.size * pitch, 2)
        self.body_font = "WQY" if self.cjk else "SerifCond"
        self.head_font = "WQY" if self.cjk else self.rng.choice(["SansBold", "SerifBold"])
        self.gap = self.lead * 1.3
        self.rules_on = rng.random() < 0.55

    def flow(self, paras: list[str], size: float, font: str, indent: bool = True) -> Flow:
        indent_em = (2.0 if self.cjk else 1.0) if indent else 0.0
        return Flow(paras, self.cjk, font, size, indent_em, hyphen_rate=0.85, salt=self.spec.seed,
                    first_indent=self.cjk, mono=self.spec.vertical)

    # -- primitives -----------------------------------------------------------------------
    def new_seg(self, role: str, art: int | None, paras: tuple[str, ...] = ()) -> int:
        self.out.segs.append(Seg(role, art, paras=paras))
        if art is not None:
            self.out.arts[art].segs.append(len(self.out.segs) - 1)
        return len(self.out.segs) - 1

    def put(self, t: TLine, u0: float, v0: float, width: float, seg: int, font: str, size: float,
            role: str, justify: bool = True, bold: bool = False, center: bool = False) -> PLine:
        """Place a set line with its top-left at (u0, v0) in a measure of `width`."""
        u = u0 + t.indent
        avail = width - t.indent
        slack = avail - t.natural
        runs: list[tuple[str, float]]
        char_space = 0.0
        full = justify and not t.para_end and slack > 0
        if self.spec.vertical:
            step = size + (slack / max(1, len(t.text) - 1) if full else 0.0)
            runs = [(ch, i * step) for i, ch in enumerate(t.text)]
            extent = step * (len(t.text) - 1) + size if t.text else 0.0
        elif self.cjk:
            char_space = slack / max(1, len(t.text) - 1) if full else 0.0
            runs = [(t.text, 0.0)]
            extent = t.natural + char_space * max(0, len(t.text) - 1)
        else:
            runs, extent = self._latin_runs(t, font, size, slack if full else 0.0)
        if center:
            u += max(0.0, (avail - extent) / 2)
        line = PLine(t.text, (u, v0, u + extent, v0 + size), font, size, role, seg, runs, char_space, bold)
        self.out.lines.append(line)
        self.out.segs[seg].lines.append(line)
        self.out.segs[seg].pieces.append(t)
        return line

    def _latin_runs(self, t: TLine, font: str, size: float, slack: float) -> tuple[list[tuple[str, float]], float]:
        words = t.text.split(" ")
        if slack <= 0 or len(words) < 2:
            return [(t.text, 0.0)], t.natural
        extra = slack / (len(words) - 1)
        space = measure(" ", font, size)
        if space + extra > MAX_WORD_SPACE * size:
            # A typesetter would not stretch a line this far: it is set ragged instead.
            return [(t.text, 0.0)], t.natural
        runs, u = [], 0.0
        for w in words:
            runs.append((w, u))
            u += measure(w, font, size) + space + extra
        return runs, t.natural + slack

    def simple(self, text: str, u0: float, v0: float, width: float, seg: int, font: str, size: float,
               role: str, bold: bool = False, center: bool = False, max_lines: int = 3) -> float:
        """Set a short unjustified text (headline, byline, caption); returns the v below it."""
        # A word wider than the measure: shrink rather than break it.
        floor = 5.0
        while size * 0.92 >= floor and self._splits(text, width, size, font):
            size *= 0.92
        fl = self.flow([text], size, font, indent=False)
        fl.hyphen_rate = 0.0
        n = 0
        while not fl.done() and n < max_lines:
            self.put(fl.next_line(width), u0, v0, width, seg, font, size, role, False, bold, center)
            v0 += size * 1.2
            n += 1
        return v0 + size * 0.25

    def _splits(self, text: str, width: float, size: float, font: str) -> bool:
        fl = self.flow([text], size, font, indent=False)
        fl.hyphen_rate = 0.0
        while not fl.done():
            if fl.next_line(width).hyphen:
                return True
        return False

    def fit_size(self, text: str, width: float, size: float, font: str, max_lines: int) -> float:
        """Shrink a headline until it sets in at most max_lines lines."""
        # Headlines stay clearly larger than the body, as papers set them (and bold).
        while size > self.size * 1.25:
            fl = self.flow([text], size, font, indent=False)
            fl.hyphen_rate = 0.0
            n, split = 0, False
            while not fl.done() and n <= max_lines:
                split = fl.next_line(width).hyphen or split
                n += 1
            if n <= max_lines and fl.done() and not split:
                return size
            size *= 0.9
        return self.size * 1.25

    # -- page furniture -------------------------------------------------------------------
    def header(self) -> float:
        spec, w = self.spec, WORDS[self.spec.lang]
        v, u0, u1 = self.margin, self.margin, self.U - self.margin
        big = self.size * 2.0
        seg = self.new_seg("header", None)
        name_w = measure(w["paper"], self.head_font, big) if not spec.vertical else big * len(w["paper"])
        self.simple(w["paper"], u0, v, name_w + 2, seg, self.head_font, big, "header", bold=True, max_lines=1)
        small = self.size * 1.05
        date = self.date_text()
        folio = w["folio"].format(n=spec.page_in_issue)
        dw = (len(date) * small) if spec.vertical else measure(date, self.body_font, small)
        fw = (len(folio) * small) if spec.vertical else measure(folio, self.body_font, small)
        vb = v + big - small  # small texts sit on the name's baseline
        self.simple(date, (u0 + u1 - dw) / 2, vb, dw + 2, seg, self.body_font, small, "header", max_lines=1)
        self.simple(folio, u1 - fw - 1, vb, fw + 2, seg, self.body_font, small, "header", max_lines=1)
        rule = v + big + self.size * 0.6
        self.out.rules += [(u0, rule, u1, rule), (u0, rule + 2.2, u1, rule + 2.2)]
        return rule + 2.2 + self.gap * 0.8

    def date_text(self) -> str:
        # Pages of one issue share its date.
        key = self.spec.issue or str(self.spec.seed)
        rng, lang = random.Random(sum(ord(ch) * 31 ** i for i, ch in enumerate(key))), self.spec.lang
        day = datetime.date(1920, 1, 1) + datetime.timedelta(days=rng.randrange(365 * 15))
        wd = day.weekday()
        if lang == "zh":
            return f"{day.year}年{day.month}月{day.day}日 星期{WEEKDAYS['zh'][wd]}"
        if lang == "en":
            return f"{WEEKDAYS['en'][wd]}, {day.strftime('%B')} {day.day}, {day.year}"
        months = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
                  "Oktober", "November", "Dezember"]
        return f"{WEEKDAYS['de'][wd]}, {day.day}. {months[day.month - 1]} {day.year}"

    def footer(self) -> float:
        """A folio line at the foot of some horizontal pages; returns the content bottom."""
        bottom = self.V - self.margin
        if self.spec.vertical or self.rng.random() < 0.5:
            return bottom
        text = WORDS[self.spec.lang]["folio"].format(n=self.spec.page_in_issue)
        small = self.size * 0.95
        width = measure(text, self.body_font, small)
        seg = self.new_seg("footer", None)
        self._footer = (text, (self.U - width) / 2, bottom - small, width + 2, seg, small)
        self.out.rules.append((self.margin, bottom - small - 5, self.U - self.margin, bottom - small - 5))
        return bottom - small - 5 - self.gap * 0.6

    # -- the page ---------------------------------------------------------------------------
    def compose(self) -> Layout:
        top0 = self.header()
        self._footer = None
        self.bottom = self.footer()
        self.top0 = top0
        self.fill(top0)
        if self._footer:
            text, u, v, w, seg, small = self._footer
            self.simple(text, u, v, w, seg, self.body_font, small, "footer", max_lines=1)
        self.column_rules()
        return self.out

    def fill(self, top0: float) -> None:
        """The articles between the masthead (its foot at top0) and the page's foot: modules
        set in the highest free run of columns (flow.FlowComposer pours them instead)."""
        n = len(self.cols)
        tops = [top0] * n
        self.min_h = 10 * self.lead + self.size * 3
        first = True
        while True:
            open_cols = [c for c in range(n) if self.bottom - tops[c] >= self.min_h]
            if not open_cols:
                break
            c0 = min(open_cols, key=lambda c: (round(tops[c]), c))
            run = 1
            while c0 + run < n and abs(tops[c0 + run] - tops[c0]) < 1:
                run += 1
            kind = "carry" if first and self.carry_in else ("lead" if first else "normal")
            k = self.span(kind, run, n)
            end = self.module(c0, k, tops[c0], kind)
            for c in range(c0, c0 + k):
                tops[c] = end + self.gap
            first = False

    def span(self, kind: str, run: int, n: int) -> int:
        if kind == "lead":
            return self.rng.randint(max(2, min(run, n - 2)), min(run, max(2, n - 1))) if n > 2 else n
        choices = [k for k in (1, 2, 2, 3) if k <= run]
        return self.rng.choice(choices)

    def module(self, c0: int, k: int, top: float, kind: str) -> float:
        """Set one article in columns c0..c0+k-1 from top; returns its bottom edge."""
        rng = self.rng
        remaining = self.bottom - top
        if kind == "lead":
            vmax = top + remaining * rng.uniform(0.5, 0.75)
        elif remaining < 2.3 * self.min_h + self.gap:
            vmax = self.bottom
        else:
            vmax = top + rng.uniform(self.min_h, remaining - self.min_h - self.gap)
        if self.bottom - vmax < self.min_h + self.gap:
            vmax = self.bottom  # what would be left below is too short for another article
        boxed = kind == "normal" and k <= 2 and rng.random() < 0.18
        pad = 5.0 if boxed else 0.0
        cols = [(a + pad, b - pad) for a, b in self.cols[c0:c0 + k]]
        if top > self.top0 + 1 and not boxed:
            self.out.rules.append((self.cols[c0][0], top - self.gap / 2, self.cols[c0 + k - 1][1], top - self.gap / 2))
        # A head and its credit lines are set whole, even past vmax (a long title in a
        # narrow column): the next module starts under what was set, so its rule and head
        # never run through this article's last lines.
        end = self.article(cols, top + pad, vmax - pad, kind) + pad
        if boxed:
            self.out.frames.append((self.cols[c0][0], top, self.cols[c0 + k - 1][1], end))
        return end

    def capacity(self, cols: list[tuple[float, float]], height: float) -> int:
        per_em = 1.0 if self.cjk else 2.1  # characters per em of measure
        return int(sum((b - a) / self.size * per_em for a, b in cols) * height / self.lead)

    # -- one article ------------------------------------------------------------------------
    def article(self, cols: list[tuple[float, float]], top: float, vmax: float, kind: str) -> float:
        """Headline, furniture, optional picture and the flowing body; returns the bottom edge."""
        rng, words = self.rng, WORDS[self.spec.lang]
        u0, width = cols[0][0], cols[-1][1] - cols[0][0]
        story, title, paras, indent_first = self.pick(cols, top, vmax, kind)
        ai = len(self.out.arts)
        self.out.arts.append(Art(title, [], story))
        lead = kind == "lead"
        hs = self.size * (rng.uniform(2.2, 2.9) if lead else 1.25 + 0.2 * len(cols) + rng.uniform(0, 0.3))
        hs = self.fit_size(title, width, hs, self.head_font, 2 if lead else 3)
        seg = self.new_seg("headline", ai, (title,))
        v = self.simple(title, u0, top, width, seg, self.head_font, hs, "headline", bold=True,
                        center=lead and rng.random() < 0.5, max_lines=99)
        v = self.furniture(ai, story, kind, u0, width, v)
        self.out.spans.append((u0, top, u0 + width, v))
        body_top, pic_cols = self.picture(ai, story, cols, v, vmax, kind)
        slots = [(a, b, body_top if i >= pic_cols else self._pic_bottom) for i, (a, b) in enumerate(cols)]
        fl = self.flow(paras, self.size, self.body_font)
        fl.first_indent = indent_first
        end = self.body(ai, fl, slots, vmax, kind)
        return max([end, v] + [p[3] for p in self.out.pictures[-1:] if pic_cols])

    def pick(self, cols: list[tuple[float, float]], top: float, vmax: float,
             kind: str) -> tuple[Story, str, list[str], bool]:
        if kind == "carry" and self.carry_in:
            c = self.carry_in
            p, pos = c.state
            rest = [c.paras[p][pos:]] + list(c.paras[p + 1:])
            return c.story, WORDS[self.spec.lang]["cont"].format(t=c.story.title), rest, pos == 0 and self.cjk
        cap = self.capacity(cols, vmax - top)
        want = {"lead": 1.1, "inset": 0.9}.get(kind, 0.5)
        story = self.pool.take(min_chars=int(cap * want))
        return story, story.title, list(story.paras), self.cjk

    def furniture(self, ai: int, story: Story, kind: str, u0: float, width: float, v: float) -> float:
        """Sub-headline, byline, dateline and the continued-from line under a headline."""
        small = self.size * 0.95
        font = self.body_font if self.cjk else "SerifItalic"
        items: list[tuple[str, str, float, str]] = []
        if kind == "lead" and story.kicker:
            items.append(("subheadline", story.kicker, self.size * 1.3, self.head_font))
        if story.byline and kind != "carry" and self.rng.random() < 0.8:
            items.append(("byline", story.byline, small, font))
        if story.dateline and kind != "carry":
            items.append(("dateline", story.dateline, small, font))
        if kind == "carry" and self.carry_in:
            items.append(("jump", WORDS[self.spec.lang]["frm"].format(n=self.carry_in.from_page), small, font))
        for role, text, size, f in items:
            seg = self.new_seg(role, ai, (text,))
            v = self.simple(text, u0, v, width, seg, f, size, role, bold=role == "subheadline", max_lines=2)
            if role == "jump" and self.carry_in:
                self.out.arts[ai].jump = {"segment": seg, "from_page": self.carry_in.from_page,
                                          "from_article": self.carry_in.from_article, "text": text}
        return v

    def picture(self, ai: int, story: Story, cols: list[tuple[float, float]], v: float, vmax: float,
                kind: str) -> tuple[float, int]:
        """A grey picture over the first column(s) with a caption; returns (body top, columns covered)."""
        rng, k = self.rng, len(cols)
        body_top = v + self.lead * 0.3
        self._pic_bottom = body_top
        chance = {"lead": 0.6, "normal": 0.3 if k >= 2 else 0.12}.get(kind, 0.0)
        if rng.random() >= chance:
            return body_top, 0
        j = k if k <= 2 else rng.choice([k - 1, k])
        pw = cols[j - 1][1] - cols[0][0]
        ph = min(pw * rng.uniform(0.5, 0.72), (vmax - v) * 0.4)
        if ph < 5 * self.lead:
            return body_top, 0
        box = (cols[0][0], v + 2, cols[j - 1][1], v + 2 + ph)
        self.out.pictures.append(box)
        seg = self.new_seg("caption", ai)
        text = WORDS[self.spec.lang]["caption"].format(t=story.title)
        font = self.body_font if self.cjk else "SerifItalic"
        vc = self.simple(text, box[0], box[3] + 3, pw, seg, font, self.size * 0.88, "caption", max_lines=2)
        self._pic_bottom = vc + self.lead * 0.3
        self.out.spans.append((box[0], box[1], box[2], vc))
        if j == k:
            return self._pic_bottom, j
        return body_top, j

    def plan(self, fl: Flow, slots: list[tuple[float, float, float]], v_end: float,
             reserve: int = 0, caps: list[float] | None = None) -> tuple[list[list[TLine]], bool]:
        """Lines per slot if the body may reach v_end (no placing yet)."""
        fl.state = (0, 0)
        out: list[list[TLine]] = []
        for i, (a, b, vt) in enumerate(slots):
            lim = v_end if caps is None else min(v_end, caps[i])
            n = int((lim - vt - self.size) // self.lead + 1 + 1e-6) if lim >= vt + self.size else 0
            if i == len(slots) - 1:
                n -= reserve
            lines: list[TLine] = []
            while len(lines) < n and not fl.done():
                lines.append(fl.next_line(b - a))
            out.append(lines)
        return out, fl.done()

    def body(self, ai: int, fl: Flow, slots: list[tuple[float, float, float]], vmax: float, kind: str) -> float:
        rng, spec = self.rng, self.spec
        top = min(s[2] for s in slots)
        hi = int((vmax - top - self.size) // self.lead + 1 + 1e-6)
        if hi < 1:
            return top
        v_of = lambda n: top + (n - 1) * self.lead + self.size + 1e-3  # noqa: E731
        plan, done = self.plan(fl, slots, v_of(hi))
        caps = None
        jump = not done and kind == "lead" and spec.page_in_issue < spec.issue_pages and self.out.carry is None
        inset = not done and kind == "lead" and len(slots) >= 3 and rng.random() < 0.6
        if done:  # the story is short: the module shrinks to the smallest depth that holds it
            lo = 1
            while lo < hi:
                mid = (lo + hi) // 2
                if self.plan(fl, slots, v_of(mid))[1]:
                    hi = mid
                else:
                    lo = mid + 1
            plan, done = self.plan(fl, slots, v_of(hi))
        else:
            if inset:
                inset_top = vmax - (vmax - top) * rng.uniform(0.35, 0.5)
                caps = [vmax] * (len(slots) - 1) + [inset_top - self.gap]
            plan, done = self.plan(fl, slots, v_of(hi), reserve=1 if jump else 0, caps=caps)
        paras = list(fl.paras)
        if not done and not jump:
            plan, paras = self.truncate(plan, paras)
        end = self.commit(ai, plan, slots, tuple(paras))
        art = self.out.arts[ai]
        last = next(t for lines in reversed(plan) for t in reversed(lines)) if any(plan) else None
        art.paras = paras if done or not jump or last is None else self.used(paras, last)
        if jump and not done and last is not None:
            end = max(end, self.jump_line(ai, fl, plan, slots, last))
        if caps is not None:
            a, b, _ = slots[-1]
            box_top = caps[-1] + self.gap
            # The inset's head is set whole, even past the foot (see module).
            end = max(vmax, self.article([(a + 5, b - 5)], box_top + 5, vmax - 5, "inset") + 5)
            self.out.frames.append((a, box_top, b, end))
        return end

    @staticmethod
    def used(paras: list[str], last: TLine) -> list[str]:
        if last.para_end:
            return paras[:last.para + 1]
        return paras[:last.para] + [paras[last.para][:last.end]]

    def truncate(self, plan: list[list[TLine]], paras: list[str]) -> tuple[list[list[TLine]], list[str]]:
        """End the article after the last sentence that fits (a short article, not a jump)."""
        flat = [(i, j) for i, lines in enumerate(plan) for j in range(len(lines))]
        for i, j in reversed(flat):
            t = plan[i][j]
            cut = sentence_cut(paras[t.para], t.end)
            if cut > t.start:
                text = paras[t.para][t.start:cut]
                nat = self.size * len(text) if self.spec.vertical else measure(text, self.body_font, self.size)
                t2 = TLine(t.para, t.start, cut, text, False, True, t.indent, nat)
                new = [lines if k < i else (lines[:j] + [t2] if k == i else []) for k, lines in enumerate(plan)]
                return new, paras[:t.para] + [paras[t.para][:cut]]
        if not flat:
            return plan, []
        i, j = flat[-1]
        t = plan[i][j]
        text = paras[t.para][t.start:t.end]
        plan[i][j] = TLine(t.para, t.start, t.end, text, False, True, t.indent, t.natural)
        return plan, paras[:t.para] + [paras[t.para][:t.end]]

    def commit(self, ai: int, plan: list[list[TLine]], slots: list[tuple[float, float, float]],
               paras: tuple[str, ...]) -> float:
        end = 0.0
        for (a, b, vt), lines in zip(slots, plan):
            if not lines:
                continue
            seg = self.new_seg("body", ai, paras)
            for j, t in enumerate(lines):
                line = self.put(t, a, vt + j * self.lead, b - a, seg, self.body_font, self.size, "body")
                end = max(end, line.box[3])
            self.out.segs[seg].hyphen_end = lines[-1].hyphen
        return end

    def jump_line(self, ai: int, fl: Flow, plan: list[list[TLine]], slots: list[tuple[float, float, float]],
                  last: TLine) -> float:
        """Print "continued on page n" under the last line and hand the rest to the next page."""
        spec, paras = self.spec, fl.paras
        text = WORDS[spec.lang]["to"].format(n=spec.page_in_issue + 1)
        a, b, vt = slots[-1]
        v = vt + len(plan[-1]) * self.lead
        seg = self.new_seg("jump", ai, (text,))
        font = self.body_font if self.cjk else "SerifItalic"
        size = self.size * 0.95
        w = size * len(text) if spec.vertical else measure(text, font, size)
        self.simple(text, b - w - 1, v, w + 2, seg, font, size, "jump", max_lines=1)
        midword = last.hyphen or (self.cjk and not last.para_end and cjk_midword(paras[last.para], last.end))
        self.out.carry = Carry(self.out.arts[ai].story, list(paras), fl.state, spec.page_in_issue, ai,
                               not last.para_end, bool(midword))
        self.out.arts[ai].jump = {"segment": seg, "to_page": spec.page_in_issue + 1, "text": text,
                                  "join": not last.para_end, "midword": bool(midword)}
        return v + size

    def column_rules(self) -> None:
        """Thin rules down the gutters, broken wherever a headline, picture or box crosses."""
        if not self.rules_on:
            return
        blockers = [ln.box for ln in self.out.lines] + self.out.spans + self.out.frames
        for (_, right), (left, _) in zip(self.cols, self.cols[1:]):
            g = (right + left) / 2
            cuts = sorted((b[1] - 3, b[3] + 3) for b in blockers if b[0] < g < b[2])
            v = self.top0
            for c0, c1 in cuts + [(self.bottom, self.bottom)]:
                if c0 - v > 12:
                    self.out.rules.append((g, v, g, min(c0, self.bottom)))
                v = max(v, c1)


@lru_cache(maxsize=4096)
def _word_bounds(text: str) -> frozenset[int]:
    import jieba

    jieba.setLogLevel(60)
    bounds, i = set(), 0
    for w in jieba.cut(text):
        i += len(w)
        bounds.add(i)
    return frozenset(bounds)


def cjk_midword(text: str, at: int) -> bool:
    """A CJK cut is mid-word when jieba puts no word boundary at that offset."""
    return 0 < at < len(text) and at not in _word_bounds(text)


def compose(spec: PageSpec, carry: Carry | None = None) -> Layout:
    if spec.layout == "flow":
        from benchmarks.generator.flow import compose_flow  # flow.py builds on this module

        return compose_flow(spec, carry)
    return Composer(spec, carry).compose()
