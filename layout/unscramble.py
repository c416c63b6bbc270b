"""Rebuild articles from text that has lost its layout (a copy-paste of a page).

The text is cut into pieces at blank lines; a paste of a multi-column page gives them
roughly top to bottom, so the pieces of several articles alternate and a paragraph may
stop in mid-word at the end of one piece and go on in another. Each piece is typed
(page furniture, headline, byline or sub-head, jump line, body text), then every piece
chooses its successor, for all pieces at once, as an assignment problem: each piece
has at most one successor and one predecessor. A pair's score adds

- the evidence across the cut (an open sentence, a word split in two, a hyphen, an
  open quote; a sign-off or a full stop against),
- how much vocabulary the two pieces share (articles repeat their own names and terms),
- for heads, how close the next item follows in the paste: a headline stands right
  above its credit lines and first column, and headlines side by side share out what
  stands under them by their heights, from their lines and the width of their stories
  (``follower_slots``); what comes later than that costs less than what comes earlier,
- for every link inside a head group, how well the headline above fits the text below,
  taken from an earlier solution (``choose_links`` solves again and keeps the best).

A headline has no predecessor; a piece that ends mid-sentence should have a successor.
Chains of successors are the articles. Around the assignment:

- a short piece typed body may be a headline (German headings end in a full stop,
  narrow columns wrap long titles): a first solution lets it head a group at a cost,
  and it stays a headline if a credit line, caption, sub-head or jump line went under
  it, or text whose lines hold far more characters (``large_type_over``: a heading is
  set in larger type; ``settle_titles``); a piece with a word hyphenated across its
  lines is text;
- a title that stands twice on the page ("Bayern") looks like a repeated credit line:
  the same first solution makes it a headline if nothing stands over it;
- a local search exchanges the tails of two chains or two credit lines, or moves one
  piece to another chain, while that raises the value of the solution, each chain
  scored by its own head and text, the fit of a headline counted once per article, and
  side-by-side headlines whose followers come in an unlikely order paying for it
  (``ChainSearch``);
- credit lines are put in the paste order of the texts right under them
  (``order_identical_credits``, ``order_credits_by_text``): a credit line's words say
  nothing of the headline above it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from layout import continuity as c

BYLINE = re.compile(
    r"^\s*(By\s|BY\s|Von\s|VON\s|From\s|For the\s|本报记者|本报讯|记者|通讯员|评论员|文[／/]|作者|来源)",
)
# A line naming the collection an excerpt is taken from stands right under the title,
# above the author's credit: a sub-head, not a byline.
SUBHEAD = re.compile(r"^\s*(选自|摘自|节选自|Aus\s|From the book\s)\s*[《〈“\"]")
CAPTION = re.compile(r"^\s*(图|圖|照片|Picture|Photo|Foto|Bild|Abb\.)\s*[：:]")
DATE = re.compile(r"(\d{4}年\d{1,2}月\d{1,2}日|\b(19|20)\d{2}\b|第\s*\d+\s*版|\bPage\s+\d+|\bSeite\s+\d+)")
# A dateline names a day: a weekday, a month, a year.
DATELINE = re.compile(
    r"(\d{1,2}月\d{1,2}日|星期|\b(1[5-9]|20)\d{2}\b|\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    r"Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Sonnabend|Samstag|Sonntag)\b)"
)
# "(continued)" headlines, as a story carried over from an earlier page is titled
CONTINUED_HEAD = re.compile(r"(（续）|\(续\)|\((continued|Fortsetzung)\))\s*$")
NEVER = -1e6  # a link that may not be made
BACK_WITHOUT_PICTURE = 4.0  # see ``_back_steps_without_picture``
# A short piece with no sign of running text that was typed body: German headings end in
# a full stop and narrow columns wrap a long title into many lines, so only what stands
# under it in the solution tells (see ``settle_titles``).
MAYBE_TITLE = "title?"
TITLE_DOUBT = 1.5  # cost of reading such a piece as a headline
TITLE_NOTE = "a short piece taken for a headline"
# A title that stands twice on the page ("Bayern" over two reports) was typed a credit
# line, as an agency's name under several headlines is: only its place tells, a credit
# under a headline, a headline over a credit or text (see ``settle_titles``).
MAYBE_CREDIT = "credit?"
CREDIT_DOUBT = 1.0  # cost of reading a repeated title as a headline
REPEAT_NOTE = "a title that stands twice on the page taken for a headline"
# Heads that stand side by side in a run of the paste: headlines, and the short pieces
# typed body that may be headlines (see ``follower_slots``).
HEADISH = ("headline", MAYBE_TITLE)
# A head group's links each carry the fit of its headline to the text below in the
# assignment; an article as a whole counts it once, at this weight (a head group has
# about two links).
FIT_WEIGHT = 2.0
MID_SENTENCE_UNDER_HEAD = 3.0  # cost of a head over text that opens inside a sentence
CREDIT_KINDS = ("subheadline", "byline", "dateline", "caption")
TITLE_FOLLOWERS = (*CREDIT_KINDS, "jump-from")  # what stands under a headline and never under text
TEXT_KINDS = ("body", "caption", MAYBE_TITLE)
HEAD_KINDS = ("headline", "subheadline", "byline", "dateline", "caption", "jump-from")  # what stands above an article's text


@dataclass(frozen=True)
class Piece:
    index: int
    lines: tuple[str, ...]

    @cached_property
    def text(self) -> str:
        out = ""
        for line in self.lines:
            out = c.join_lines(out, line)
        return out


@dataclass(frozen=True)
class PieceLink:
    source: int
    target: int
    kind: str
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class UnscrambledArticle:
    title: str
    text: str
    pieces: tuple[int, ...]


@dataclass(frozen=True)
class UnscrambleResult:
    articles: tuple[UnscrambledArticle, ...]
    links: tuple[PieceLink, ...]
    furniture: tuple[int, ...] = ()  # page header/footer pieces, in no article


def split_pieces(text: str) -> list[Piece]:
    blocks = re.split(r"\n[ \t\u3000]*\n", text.replace("\r\n", "\n").strip("\n"))
    pieces = []
    for b in blocks:
        lines = tuple(line.strip() for line in b.split("\n") if line.strip())
        if lines:
            pieces.append(Piece(len(pieces), lines))
    return pieces


# ------------------------------------------------------------------ piece types


def piece_kind(piece: Piece, first: bool, last: bool, repeated: bool = False) -> str:
    """furniture, headline, byline, caption, jump-to, jump-from or body.

    ``repeated``: the same short text stands elsewhere on the page too, as an author's
    name or an agency does under several headlines (a headline never repeats).
    """
    t = piece.text
    if c.is_jump_line(t):
        return "jump-from" if re.search(r"上接|[Ff]rom|von Seite|Schluss", t) else "jump-to"
    if (first or last) and DATE.search(t) and all(len(line) <= 40 for line in piece.lines) and len(piece.lines) <= 4:
        return "furniture"
    if len(piece.lines) <= 3 and CAPTION.search(t):
        return "caption"
    if len(piece.lines) <= 2 and len(t) <= 60 and SUBHEAD.search(t):
        return "subheadline"
    if len(piece.lines) <= 3 and len(t) <= 80 and (BYLINE.search(t) or repeated or _source_line(t) or _bare_name(t)):
        # a credit that names a day is the dateline under the author's line
        return "dateline" if DATELINE.search(t) and not repeated and not _source_line(t) else "byline"
    if _head_like(piece) or (CONTINUED_HEAD.search(t) and title_candidate(piece)):
        return "headline"  # a title of any length marked "(continued)" heads a carried story
    return "body"


# jieba's tags for a person (鲁迅), an organisation (新华社) and another proper name, as
# papers and sites are tagged (人民日报, 维基百科)
CREDIT_NAME_TAGS = ("nr", "nt", "nz")


def _bare_name(t: str) -> bool:
    """A piece that is nothing but a person's name (鲁迅), or the name of an agency,
    paper or site (新华社, 人民日报) is a credit line: the author or the source."""
    t = t.strip()
    if not (2 <= len(t) <= 4 and all(c.is_cjk(ch) for ch in t)):
        return False
    import jieba.posseg  # lazy, as in layout.continuity

    c._jieba()  # the shared, quiet, initialised dictionary
    words = list(jieba.posseg.cut(t, HMM=False))
    return len(words) == 1 and words[0].flag in CREDIT_NAME_TAGS


def _source_line(t: str) -> bool:
    """A short credit such as "Reichsanzeiger, 1878" or a dateline: a name and a year,
    no sentence around them."""
    return len(t) <= 50 and bool(re.search(r"[,，]\s*(1[5-9]|20)\d{2}\.?$", t)) and len(t.split()) <= 5


def _head_like(piece: Piece) -> bool:
    """A few short lines that end no sentence (or one short phrase with a full stop, as
    German headings have): a headline or a sub-head."""
    if len(piece.lines) > 4:
        return False
    t = piece.text
    if c.starts_lower(t) or t.rstrip().endswith((",", "，", "、", "-", ";")):
        return False
    if splits_a_word(piece) or sentence_inside(t):
        return False  # headlines are set without hyphenation and hold one phrase
    if c.is_cjk_text(t):
        return len(t) <= 40 and not c.ends_sentence(t)
    words = len(t.split())
    return words <= 14 and (not c.ends_sentence(t) or (words <= 4 and t.rstrip().endswith(".")))


def title_candidate(piece: Piece) -> bool:
    """Could this piece, typed body, be a long or full-stopped headline? A few lines
    that open like a title and leave no word or clause open."""
    t = piece.text
    if len(piece.lines) > 14 or c.starts_lower(t) or t[:1] in "，、,.;；：:)）」』”-":
        return False
    if t.rstrip().endswith((",", "，", "、", ";", "；")) or c.ends_with_hyphen(t):
        return False
    if splits_a_word(piece) or sentence_inside(t):
        return False  # headlines are set without hyphenation and hold no sentence: running text
    return len(t) <= 50 if c.is_cjk_text(t) else len(t.split()) <= 25


# A headline of many lines is set in large type or wrapped in a narrow column: its lines
# hold about half as many words as the lines of the page's running text, which fill
# their measure (a text column beside a wider one still holds two thirds and more).
TALL_TITLE_WORDS = 0.6


def text_words_per_line(pieces: list[Piece], kinds: list[str]) -> float | None:
    """Words in a full line of the page's running text: the median over the lines, but
    the last, of the pieces of five or more lines typed body (None without any)."""
    counts = [len(line.split()) for p, k in zip(pieces, kinds) if k == "body" and len(p.lines) > 4 for line in p.lines[:-1]]
    return float(np.median(counts)) if counts else None


def tall_title(piece: Piece, words_per_line: float | None) -> bool:
    """A title wrapped to five or more lines ("Federalist No./30: Concerning/the
    General/Power of/Taxation"): lines of few words, no word split across them, nothing
    left open at its end; running text set to the same column fills its lines."""
    if len(piece.lines) <= 4 or words_per_line is None or c.is_cjk_text(piece.text):
        return False
    if not title_candidate(piece) or any(c.ends_with_hyphen(line) for line in piece.lines):
        return False
    words = sum(len(line.split()) for line in piece.lines) / len(piece.lines)
    return round(words / words_per_line, 2) <= TALL_TITLE_WORDS  # rounded: 1.8 words a line to 3 is 0.6


# A sentence ends inside the piece and another begins: an ordinary word (lower case; in
# German the verb at a clause's end) with its full stop, then a capital.
SENTENCE_INSIDE = re.compile(r"\b[a-zäöüßàâçéèêëîïôûù]{2,}[.!?]\s+[\"„“(]?[A-ZÄÖÜ]")


def sentence_inside(t: str) -> bool:
    """Does a sentence end inside ``t`` and another go on ("... her grandfather. He died
    in 1946")? That is running text; a headline is one phrase. A Chinese title carries no
    full stop or semicolon at all."""
    if c.is_cjk_text(t):
        return bool(re.search(r"[。；;]", t))
    return bool(SENTENCE_INSIDE.search(t))


def splits_a_word(piece: Piece) -> bool:
    """Does a line of the piece end in a word the typesetter split ("Bel-" / "gien")?
    Running text in a narrow column is hyphenated; headlines are not."""
    return any(c.ends_with_hyphen(a) and c.starts_lower(b) for a, b in zip(piece.lines, piece.lines[1:]))


# A heading is set in larger type than the text: where the text under it is set to the
# same measure, its lines hold many more characters. At or under this share of the text's
# characters per line a doubtful title reads as a heading (headlines over one column hold
# 35-70% of the text's characters per line; a text column beside a wider one, 70% and more).
LARGE_TYPE = 0.7


def _measure(piece: Piece) -> int | None:
    """Characters per line a piece was set to: its longest line but the last (a last
    line may stop short); None for one line, which says only that it fitted."""
    if len(piece.lines) < 2:
        return None
    return max(len(line) for line in piece.lines[:-1])


def large_type_over(title: Piece, text: Piece) -> bool:
    """Is ``title`` set in clearly larger type than ``text``, which starts a sentence
    under it? Then it is the heading of that text, not a column of it."""
    a, b = _measure(title), _measure(text)
    if a is None or b is None or opens_mid_sentence(text):
        return False
    return a <= LARGE_TYPE * b


def repeated_title(piece: Piece, kind: str, repeated: bool) -> bool:
    """Was this piece typed a credit line only because its text stands twice on the page,
    though it looks like a title?"""
    return repeated and kind == "byline" and piece_kind(piece, False, False, False) == "headline"


def settle_titles(pieces: list[Piece], kinds: list[str], vocab: Vocabulary, repeats: frozenset[int] = frozenset()) -> list[str]:
    """Decide the doubtful titles: solve once with them free to head a group, and keep
    as headlines the short pieces typed body that took a credit line, caption or sub-head,
    and the repeated titles (``repeats``, typed credit lines) that nothing stands over."""
    doubtful = [MAYBE_TITLE if kind == "body" and title_candidate(p) else kind for p, kind in zip(pieces, kinds)]
    for k in repeats:
        doubtful[k] = MAYBE_CREDIT
    if not {MAYBE_TITLE, MAYBE_CREDIT} & set(doubtful):
        return kinds
    succ, _ = choose_links(pieces, doubtful, vocab)
    has_pred = set(succ.values())
    out = list(kinds)
    for k, kind in enumerate(doubtful):
        if kind == MAYBE_TITLE and k in succ and _title_follower(pieces, kinds, k, succ[k]):
            out[k] = "headline"
        if kind == MAYBE_CREDIT and k not in has_pred and k in succ:
            out[k] = "headline"
    return out


def _title_follower(pieces: list[Piece], kinds: list[str], k: int, j: int) -> bool:
    """Does ``j``, following the doubtful title ``k``, make ``k`` a headline? A credit
    line, caption, sub-head or jump line stands under a headline and never under text;
    text set in clearly smaller type than ``k`` stands under its heading."""
    if kinds[j] in TITLE_FOLLOWERS:
        return True
    return kinds[j] in ("body", MAYBE_TITLE) and large_type_over(pieces[k], pieces[j])


# ------------------------------------------------------------------ similarity


def _terms(text: str) -> Counter[str]:
    t = text.lower()
    if c.is_cjk_text(t):
        han = "".join(ch for ch in t if c.is_cjk(ch) and ch.isalnum())
        return Counter(han[k : k + 2] for k in range(len(han) - 1))
    return Counter(w for w in re.findall(r"[^\W\d_]{4,}", t))


class Vocabulary:
    """idf-weighted cosine similarity between pieces."""

    def __init__(self, pieces: list[Piece]) -> None:
        self.bags = [_terms(p.text) for p in pieces]
        df: Counter[str] = Counter()
        for bag in self.bags:
            df.update(set(bag))
        n = len(pieces)
        self.idf = {k: math.log((n + 1) / (v + 0.5)) for k, v in df.items()}
        self.norms = [math.sqrt(sum((v * self.idf[k]) ** 2 for k, v in bag.items())) for bag in self.bags]

    def similarity(self, i: int, j: int) -> float:
        a, b = self.bags[i], self.bags[j]
        if not self.norms[i] or not self.norms[j]:
            return 0.0
        small, large = (a, b) if len(a) < len(b) else (b, a)
        num = sum(v * large[k] * self.idf[k] ** 2 for k, v in small.items() if k in large)
        return num / (self.norms[i] * self.norms[j])

    def coverage(self, head: int, body: int) -> float:
        """Share of the headline's terms that the body uses (titles name their subject)."""
        return self.coverage_in(head, (body,))

    def coverage_in(self, head: int, texts: tuple[int, ...]) -> float:
        """Share of the headline's terms that any of ``texts`` uses."""
        h = self.bags[head]
        if not h or not texts:
            return 0.0
        return sum(1 for k in h if any(k in self.bags[t] for t in texts)) / len(h)


# ------------------------------------------------------------------ scores


# The value of a solution is a weighted sum of named cues (``pair_features``,
# ``start_features``, ``end_features``, ``ChainSearch.features``): each cue is a count or
# a measure, and these are its weights. They were set by hand; ``python -m
# benchmarks.fit_unscramble DEV_DIR...`` refits them on generated pages with ground truth.
WEIGHTS: dict[str, float] = {
    # a head (headline, credit, caption, jump line) over what follows it
    "head_follow": 1.0,  # ``_proximity``: where the paste puts what stands under a head
    "head_cover": 3.0,  # share of the headline's words the text under it uses
    "head_sim": 2.0,  # shared vocabulary of the headline and the text under it
    "head_step": 1.0,  # the next part of the head group follows (headline, credit, text)
    "continued": 1.0,  # ``_continued_pair``: a "(continued)" headline over its jump line
    "title_doubt": -TITLE_DOUBT,  # a short piece typed body read as a headline
    "credit_doubt": -CREDIT_DOUBT,  # a repeated title read as a headline
    "mid_sentence_under_head": -MID_SENTENCE_UNDER_HEAD,  # text opening mid-sentence under a head
    # text going on in another piece
    "evidence": 1.0,  # ``continuation_evidence`` across the cut
    "split_word": 1.5,  # a word cut in two across the cut
    "text_sim": 4.0,  # shared vocabulary of the two pieces
    "column_step": 1.0,  # ``_column_step``: the next column is pasted next
    "text_link": -1.0,  # every link between texts
    "jump_close": 1.0,  # a jump line closes an open column (+1.5) or a closed one (-1.0)
    "jump_follow": 0.5,  # ``_proximity`` of the jump line
    # ends of chains (``start_features``, ``end_features``)
    "start_head": 5.0, "start_jump_from": 2.5, "start_credit": -3.0, "start_open": -3.0, "start_text": -0.5,
    "end_closing": 5.0, "end_head": -3.0, "end_closed": 0.5, "end_open": -2.5,
    # a whole article (``ChainSearch``)
    "fit_cover": 3.0 * FIT_WEIGHT, "fit_sim": 2.0 * FIT_WEIGHT,  # the headline's fit, once per article
    "back_step": -BACK_WITHOUT_PICTURE,  # ``_back_steps_without_picture``
    "longer_column": -2.0,  # ``_longer_columns``: a column longer than the one before it
    "never": NEVER,  # a link that may not be made (not fitted)
}


def weigh(features: dict[str, float]) -> float:
    """The value of a set of cues under ``WEIGHTS``."""
    return sum(WEIGHTS[k] * v for k, v in features.items())


# Order of the items of an article from the top; a sub-head is rare, so it sits between
# two ranks and skipping it costs the headline's credit nothing.
RANK = {"headline": 0, "subheadline": 0.5, "jump-from": 1, "byline": 1, "dateline": 2, "caption": 3, "body": 4, "jump-to": 5}


def _proximity(i: int, j: int, expect: float | None = None) -> float:
    """Heads stand just above what they head, and a paste runs top to bottom: what
    follows a head comes a few pieces after it, almost never before it. ``expect`` is
    where the paste should put it (see ``follower_slots``), by default the next piece."""
    if j <= i:
        return -4.0
    # Later than expected costs less than earlier: whatever starts beside the head before
    # its bottom (a column, another group) is pasted between them. Convex in the distance,
    # so that side-by-side heads keep their order when identical credits are shared out.
    gap = j - (i + 1 if expect is None else expect)
    slope = 0.3 if gap > 0 else 0.8
    return max(2.5 - slope * abs(gap) - 0.02 * gap * gap, -3.0)


def head_height(piece: Piece, lead: bool, columns: int = 1) -> float:
    """Rough height of a headline in body-text lines: its lines times its type size.

    The lead story's headline is set about half as large again as the others, and a
    story set over more columns has a larger headline.
    """
    size = 2.5 if lead else 1.5 + 0.2 * min(columns, 4)
    return size * (1.2 * len(piece.lines) + 0.25)


def article_widths(succ: dict[int, int], kinds: list[str]) -> dict[int, int]:
    """For each headline of a solution, the number of body pieces (columns) under it."""
    out: dict[int, int] = {}
    for chain in _chains(succ, len(kinds)):
        if kinds[chain[0]] == "headline":
            out[chain[0]] = max(1, sum(1 for k in chain if kinds[k] == "body"))
    return out


def follower_slots(pieces: list[Piece], kinds: list[str], widths: dict[int, int] | None = None) -> dict[int, float]:
    """Where in the paste the first item under each headline should come.

    Headlines that follow each other in the paste stand side by side at one height; what
    stands under them comes after all of them, in the order of the headlines' bottoms:
    a shorter headline's credit line is higher, so it is pasted first. ``widths``: the
    columns of each headline's story in an earlier solution (see ``head_height``).
    """
    lead = next((k for k, kind in enumerate(kinds) if kind == "headline"), None)
    if lead is not None and CONTINUED_HEAD.search(pieces[lead].text):
        lead = None  # a page opening with a story continued from before has no lead
    slots: dict[int, float] = {}
    k = 0
    while k < len(pieces):
        if kinds[k] not in HEADISH:
            k += 1
            continue
        run = [k]
        while run[-1] + 1 < len(pieces) and kinds[run[-1] + 1] in HEADISH:
            run.append(run[-1] + 1)
        heights = {h: head_height(pieces[h], h == lead, (widths or {}).get(h, 1)) for h in run}
        by_bottom = sorted(run, key=lambda h: (heights[h], h))
        for rank, h in enumerate(by_bottom):
            # heads of one height share their ranks: which ends higher is not known
            tied = [r for r, g in enumerate(by_bottom) if abs(heights[g] - heights[h]) < 1e-9]
            slots[h] = run[-1] + 1 + sum(tied) / len(tied)
        k = run[-1] + 1
    return slots


def _continued_pair(head_text: str, ki: str, kj: str) -> float:
    """A headline marked "(continued)" stands over the "continued from page n" line; a
    fresh headline does not."""
    if ki != "headline" or kj != "jump-from":
        return 0.0
    return 3.0 if CONTINUED_HEAD.search(head_text) else -3.0


def _column_step(i: int, j: int, column_top: bool = False) -> float:
    """Columns of one article that start at the same height are pasted side by side,
    so the next column piece is most often the very next piece of the paste.

    ``column_top``: ``j`` is the top of a column that goes on from another's foot (see
    ``_column_top``); on a page set in continuous flow the article it ends began lower in
    the column before and was pasted after it, so going back costs no more than skipping
    forward."""
    if j == i + 1:
        return 2.0
    return -0.5 if j > i or column_top else -1.5


def opens_mid_sentence(piece: Piece) -> bool:
    """Does the piece start inside a sentence (lower-case, or with a comma or closing
    mark)? Then it goes on from another piece."""
    first = piece.lines[0]
    return c.starts_lower(first) or first[:1] in "，、,.;；：:)）」』”"


def pair_score(
    i: int,
    j: int,
    pieces: list[Piece],
    kinds: list[str],
    vocab: Vocabulary,
    slots: dict[int, float] | None = None,
    reach: dict[int, tuple[int, ...]] | None = None,
    above: dict[int, int] | None = None,
    fit: bool = True,
) -> tuple[float, tuple[str, ...]]:
    """Score of ``j`` directly following ``i``: its cues (``pair_features``) weighed."""
    f, why = pair_features(i, j, pieces, kinds, vocab, slots, reach, above, fit)
    return (NEVER, ()) if f is None else (weigh(f), why)


Features = dict[str, float]


def pair_features(
    i: int,
    j: int,
    pieces: list[Piece],
    kinds: list[str],
    vocab: Vocabulary,
    slots: dict[int, float] | None = None,
    reach: dict[int, tuple[int, ...]] | None = None,
    above: dict[int, int] | None = None,
    fit: bool = True,
) -> tuple[Features | None, tuple[str, ...]]:
    """The cues for ``j`` directly following ``i`` (None: a link that may not be made).

    ``reach`` and ``above`` come from an earlier solution: for a head's candidate
    follower, the text pieces (captions and body) that hang under it; for a credit line,
    the headline it stands under. So every link inside a head group is judged by how
    well the headline fits the text, even with credit lines between them; with ``fit``
    False, not at all (``ChainSearch`` counts the fit once per article).
    """
    if kinds[i] == MAYBE_CREDIT:
        # a headline if nothing stands over it, a credit line if a headline does: the
        # better of the two, a headline at a cost
        as_head, as_credit = list(kinds), list(kinds)
        as_head[i], as_credit[i] = "headline", "byline"
        h, hw = pair_features(i, j, pieces, as_head, vocab, slots, reach, above, fit)
        k, kw = pair_features(i, j, pieces, as_credit, vocab, slots, reach, above, fit)
        if h is not None:
            h, hw = {**h, "credit_doubt": 1.0}, hw + (REPEAT_NOTE,)
        if h is None or (k is not None and weigh(k) >= weigh(h)):
            return k, kw
        return h, hw
    ki, kj = kinds[i], kinds[j]
    doubt = False
    if kj == MAYBE_CREDIT:
        kj = "byline"  # what stands under a headline is its credit
    if kj == MAYBE_TITLE:
        kj = "body"  # what stands under something else is text
    if ki == MAYBE_TITLE:
        # a headline only if a credit, caption or sub-head follows it, or text in
        # clearly smaller type
        ki = "headline" if _title_follower(pieces, kinds, i, j) else "body"
        doubt = ki == "headline"
    if i == j or "furniture" in (ki, kj) or kj == "headline" or ki == "jump-to":
        return None, ()
    ri, rj = RANK[ki], RANK[kj]
    if ki in HEAD_KINDS:
        # heads go down the head group: headline, credits, caption, text
        if rj <= ri or kj == "jump-to":
            return None, ()
        if j < i:
            # what stands under a head starts lower (on a vertical page, further left), and
            # a paste runs in that order: it never comes before the head
            return None, ()
        return _head_features(i, j, pieces, kinds, (ki, kj), vocab, slots, reach, above, fit, doubt)
    if kj in HEAD_KINDS:
        return None, ()  # bylines and captions follow the head, never body text
    ev, why = c.continuation_evidence(pieces[i].lines[-1], pieces[j].lines[0])
    if kj == "jump-to":
        # the jump line closes the column its article breaks off in
        close = 1.5 if not c.ends_sentence(pieces[i].text) else -1.0
        return {"jump_close": close, "jump_follow": _proximity(i, j)}, why + ("jump line",)
    sim = vocab.similarity(i, j)
    step = _column_step(i, j, _column_top(j, pieces, kinds))
    # a word cut in two outweighs which column happens to come next
    split = 1.0 if "a word spans the cut" in why or "the split word is a known word" in why else 0.0
    f = {"evidence": ev, "split_word": split, "text_sim": sim, "column_step": step, "text_link": 1.0}
    return f, why + (f"shared vocabulary {sim:.2f}", f"paste step {step:+.1f}")


def _head_features(
    i: int,
    j: int,
    pieces: list[Piece],
    kinds: list[str],
    kinds_ij: tuple[str, str],
    vocab: Vocabulary,
    slots: dict[int, float] | None,
    reach: dict[int, tuple[int, ...]] | None,
    above: dict[int, int] | None,
    fit: bool,
    doubt: bool,
) -> tuple[Features, tuple[str, ...]]:
    """The cues for ``j`` standing under the head ``i`` (see ``pair_features``)."""
    ki, kj = kinds_ij
    prox = _proximity(i, j, (slots or {}).get(i))
    texts = _texts_under(j, kinds, reach)
    head = (i if ki == "headline" else (above or {}).get(i)) if fit else None
    cover = vocab.coverage_in(head, texts) if head is not None else 0.0
    sim = max((vocab.similarity(head, t) for t in texts), default=0.0) if head is not None else 0.0
    step = 1.0 if RANK[kj] - RANK[ki] <= 1 else 0.0  # a head is followed by the next part of its group
    why = (f"follows in paste ({prox:+.1f})", f"title words in text {cover:.2f}", f"shared vocabulary {sim:.2f}")
    jump = _continued_pair(pieces[i].text, ki, kj)
    if jump:
        why += ("continued headline over its continued-from line" if jump > 0 else "continued-from line under a fresh headline",)
    if doubt:
        why += (TITLE_NOTE,)
    mid = kj == "body" and ki != "jump-from" and opens_mid_sentence(pieces[j])
    if mid:
        # an article's text starts a sentence under its heads (a story carried over
        # from another page goes on mid-sentence, but under its continued-from line);
        # text that opens inside a sentence is a column top beside the head
        why += ("text opens mid-sentence",)
    f = {"head_follow": prox, "head_cover": cover, "head_sim": sim, "head_step": step, "continued": jump,
         "title_doubt": float(doubt), "mid_sentence_under_head": float(mid)}
    return f, why


def _texts_under(j: int, kinds: list[str], reach: dict[int, tuple[int, ...]] | None) -> tuple[int, ...]:
    if reach is not None and j in reach:
        return reach[j]
    return (j,) if kinds[j] in TEXT_KINDS else ()


def headline_above(succ: dict[int, int], kinds: list[str]) -> dict[int, int]:
    """For every piece in a chain that starts with a headline, that headline."""
    out: dict[int, int] = {}
    has_pred = set(succ.values())
    for start in range(len(kinds)):
        if start in has_pred or kinds[start] != "headline":
            continue
        cur = start
        while cur not in out:
            out[cur] = start
            if cur not in succ:
                break
            cur = succ[cur]
    return out


def texts_reached(succ: dict[int, int], kinds: list[str]) -> dict[int, tuple[int, ...]]:
    """For every piece, the captions and body pieces its chain of successors passes through."""
    out: dict[int, tuple[int, ...]] = {}
    for start in range(len(kinds)):
        seen, cur = [start], start
        while cur in succ and succ[cur] not in seen:
            cur = succ[cur]
            seen.append(cur)
        out[start] = tuple(k for k in seen if kinds[k] in TEXT_KINDS)
    return out


def end_score(piece: Piece, kind: str) -> float:
    """Value of ``piece`` having no successor."""
    return weigh(end_features(piece, kind))


def end_features(piece: Piece, kind: str) -> Features:
    """The cue for ``piece`` having no successor: a jump line or furniture closes; a
    head heads something; text should end its sentence."""
    if kind in ("furniture", "jump-to"):
        return {"end_closing": 1.0}
    if kind in HEAD_KINDS or kind == MAYBE_CREDIT:
        return {"end_head": 1.0}
    closed = c.ends_sentence(piece.text) or c.ends_with_sign_off(piece.text)
    return {"end_closed": 1.0} if closed else {"end_open": 1.0}


def start_score(piece: Piece, kind: str) -> float:
    """Value of ``piece`` having no predecessor."""
    return weigh(start_features(piece, kind))


def start_features(piece: Piece, kind: str) -> Features:
    """The cue for ``piece`` having no predecessor."""
    if kind in ("headline", "furniture"):
        return {"start_head": 1.0}
    if kind == "jump-from":
        # a carried story's text starts under it, and it under the story's headline
        return {"start_jump_from": 1.0}
    if kind == MAYBE_CREDIT:
        return {"start_head": 1.0, "credit_doubt": 1.0}
    if kind in ("subheadline", "byline", "dateline", "caption"):
        return {"start_credit": 1.0}
    first = piece.lines[0]
    if c.starts_lower(first) or first[:1] in "，、,.;；：:)）」』”":
        return {"start_open": 1.0}
    return {"start_text": 1.0}


Scores = dict[tuple[int, int], tuple[float, tuple[str, ...]]]


def choose_links(pieces: list[Piece], kinds: list[str], vocab: Vocabulary, rounds: int = 5) -> tuple[dict[int, int], Scores]:
    """Successor of each piece from a global assignment.

    A headline is judged by the text that hangs under it, which depends on the links
    themselves; so the assignment is solved again with the text each credit line heads
    in the previous solution, and the solution that scores best by its own heads and
    texts is kept (the rounds need not settle down).
    """
    succ, scores = _assign(pieces, kinds, vocab, None)
    seen: list[dict[int, int]] = [succ]
    for _ in range(rounds - 1):
        succ, scores = _assign(pieces, kinds, vocab, texts_reached(succ, kinds), headline_above(succ, kinds),
                               widths=article_widths(succ, kinds))
        if succ in seen:
            break
        seen.append(succ)
    search = ChainSearch(pieces, kinds, vocab)
    best = max(seen, key=search.total)
    best = search.improve(best)
    for _ in range(2):
        # the headlines' sizes follow the widths of the stories found
        search = ChainSearch(pieces, kinds, vocab, article_widths(best, kinds))
        again = search.improve(best)
        if again == best:
            break
        best = again
    return best, _assign(pieces, kinds, vocab, texts_reached(best, kinds), headline_above(best, kinds), score_only=True,
                         widths=article_widths(best, kinds))[1]


class ChainSearch:
    """Local search on whole articles: exchange the tails of two chains or two credit
    lines, or move one piece to another chain, where that raises the value of the
    solution.

    The assignment scores a link by the heads and texts of the previous solution, so it
    can settle on titles over the wrong texts that each round confirms; exchanging the
    tails of two chains, each scored by its own head and text, gets out of that. A
    chain's value is its links, its ends and the fit of its headline to its text (once,
    not on every link of the head group: a group with more credit lines would gain more
    of it); it depends on that chain alone, so a move costs two chains' values. The
    solution also pays for its ``disorder``: headlines side by side whose followers come
    in an order their heights make unlikely (``head_order_pairs``).
    """

    def __init__(self, pieces: list[Piece], kinds: list[str], vocab: Vocabulary, widths: dict[int, int] | None = None) -> None:
        self.pieces, self.kinds, self.vocab = pieces, kinds, vocab
        self.slots, self.widths = follower_slots(pieces, kinds, widths), widths
        self.memo: dict[tuple[int, int], float] = {}
        self.fits: dict[tuple[int, tuple[int, ...]], float] = {}
        self.values: dict[tuple[int, ...], float] = {}
        self.pairs = head_order_pairs(pieces, kinds, widths)
        self.partners: dict[int, list[tuple[int, int, bool, float]]] = {}
        self.bound: dict[int, float] = {}  # the most a headline's pairs can cost
        for (a, b), (in_order, cost) in self.pairs.items():
            for h in (a, b):
                self.partners.setdefault(h, []).append((a, b, in_order, cost))
                self.bound[h] = self.bound.get(h, 0.0) + cost
        heads = [k for k, kind in enumerate(kinds) if kind == "headline"]
        lead = heads[0] if heads and not CONTINUED_HEAD.search(pieces[heads[0]].text) else None
        self.heights = {h: head_height(pieces[h], h == lead, (widths or {}).get(h, 1)) for h in heads}
        self.text_partners: dict[int, list[tuple[int, int]]] = {}
        self.stacks: dict[tuple[int, ...], tuple[int, float] | None] = {}
        for a, b in text_order_pairs(pieces, kinds):
            for h in (a, b):
                self.text_partners.setdefault(h, []).append((a, b))
                self.bound[h] = self.bound.get(h, 0.0) - WEIGHTS["order_text"]

    def disorder(self, follower: dict[int, int], changed: dict[int, int | None]) -> float:
        """Cost of the pairs of side-by-side headlines whose followers come in an order
        their heights make unlikely, over the pairs with a headline in ``changed`` (its
        new follower, or None), the others' followers taken from ``follower``."""
        def f(h: int) -> int | None:
            return changed[h] if h in changed else follower.get(h)

        total, seen = 0.0, set()
        for h in changed:
            for a, b, in_order, cost in self.partners.get(h, ()):
                if (a, b) in seen:
                    continue
                seen.add((a, b))
                fa, fb = f(a), f(b)
                if fa is not None and fb is not None and fa > b and fb > b and (fa < fb) != in_order:
                    total += cost
        return total

    def stack(self, chain: list[int]) -> tuple[int, float] | None:
        """The first text of a head group and its depth (``stack_depth``)."""
        key = tuple(chain)
        if key not in self.stacks:
            self.stacks[key] = stack_depth(chain, self.kinds, self.pieces, self.heights[chain[0]])
        return self.stacks[key]

    def text_disorder(self, stacks: dict[int, tuple[int, float] | None], changed: dict[int, tuple[int, float] | None]) -> float:
        """Cost of the side-by-side head groups whose texts come against the depths of
        their stacks (``text_out_of_order``), over the pairs with a headline in
        ``changed`` (its new stack), the others' stacks taken from ``stacks``."""
        def f(h: int) -> tuple[int, float] | None:
            return changed[h] if h in changed else stacks.get(h)

        pairs = {pair for h in changed for pair in self.text_partners.get(h, ())}
        return -WEIGHTS["order_text"] * sum(text_out_of_order(a, b, f(a), f(b)) for a, b in pairs)

    def _stacks(self, chains: list[list[int]]) -> dict[int, tuple[int, float] | None]:
        return {ch[0]: self.stack(ch) for ch in chains if ch and ch[0] in self.text_partners}

    def _text_gain(self, chains: list[list[int]], old: list[list[int]], new: list[list[int]]) -> float:
        """Fall in ``text_disorder`` when the chains ``old`` become ``new``."""
        if not self.text_partners:
            return 0.0
        before = {ch[0]: self.stack(ch) for ch in old if ch and ch[0] in self.text_partners}
        after = {ch[0]: self.stack(ch) for ch in new if ch and ch[0] in self.text_partners}
        if not before and not after:
            return 0.0
        stacks = self._stacks(chains)
        keys = set(before) | set(after)
        return self.text_disorder(stacks, {h: before.get(h) for h in keys}) - self.text_disorder(stacks, {h: after.get(h) for h in keys})

    def _followers(self, chains: list[list[int]]) -> dict[int, int]:
        return {ch[0]: ch[1] for ch in chains if len(ch) > 1 and ch[0] in self.partners}

    def _slack(self, *chains: list[int]) -> float:
        """The most the disorder can change when these chains change (spares the work)."""
        return sum(self.bound.get(ch[0], 0.0) for ch in chains if ch)

    def _order_gain(self, chains: list[list[int]], old: list[list[int]], new: list[list[int]]) -> float:
        """Fall in ``disorder`` and ``text_disorder`` when the chains ``old`` become ``new``."""
        return self._follower_gain(chains, old, new) + self._text_gain(chains, old, new)

    def _follower_gain(self, chains: list[list[int]], old: list[list[int]], new: list[list[int]]) -> float:
        """Fall in ``disorder`` when the chains ``old`` become ``new``."""
        if not self.pairs:
            return 0.0
        follower = self._followers(chains)
        before = {ch[0]: follower.get(ch[0]) for ch in old if ch and ch[0] in self.partners}
        after = {ch[0]: (ch[1] if len(ch) > 1 else None) for ch in new if ch and ch[0] in self.partners}
        if not before and not after:
            return 0.0
        keys = set(before) | set(after)
        old_cost = self.disorder(follower, {h: before.get(h) for h in keys})
        return old_cost - self.disorder(follower, {h: after.get(h) for h in keys})

    def link(self, i: int, j: int) -> float:
        key = (i, j)
        if key not in self.memo:
            self.memo[key] = pair_score(i, j, self.pieces, self.kinds, self.vocab, self.slots, fit=False)[0]
        return self.memo[key]

    def fit(self, head: int, texts: tuple[int, ...]) -> float:
        """How well a headline fits the text under it, counted once per article."""
        key = (head, texts)
        if key not in self.fits:
            vocab = self.vocab
            sim = max((vocab.similarity(head, t) for t in texts), default=0.0)
            self.fits[key] = WEIGHTS["fit_cover"] * vocab.coverage_in(head, texts) + WEIGHTS["fit_sim"] * sim
        return self.fits[key]

    def value(self, chain: list[int]) -> float:
        """A chain's links, the fit of its headline to its text, its ends and start."""
        key = tuple(chain)
        if key not in self.values:
            self.values[key] = self._value(chain)
        return self.values[key]

    def _value(self, chain: list[int]) -> float:
        kinds = self.kinds
        total = start_score(self.pieces[chain[0]], kinds[chain[0]]) + end_score(self.pieces[chain[-1]], kinds[chain[-1]])
        total += sum(self.link(a, b) for a, b in zip(chain, chain[1:]))
        if _heads_chain(chain, kinds, self.pieces):
            texts = tuple(k for k in chain if kinds[k] in TEXT_KINDS)
            if texts:
                total += self.fit(chain[0], texts)
        total += WEIGHTS["longer_column"] * _longer_columns(chain, kinds, self.pieces)
        return total + WEIGHTS["back_step"] * _back_steps_without_picture(chain, kinds, self.pieces)

    def features(self, succ: dict[int, int]) -> Counter[str]:
        """The cues of a whole solution, summed: ``total`` is their weighed sum (less the
        order costs that ``WEIGHTS`` sets under zero). The weights are fitted on these."""
        out: Counter[str] = Counter()
        chains = _chains(succ, len(self.pieces))
        for chain in chains:
            out.update(self._chain_features(chain))
        follower = self._followers(chains)
        classes = head_order_classes(self.pieces, self.kinds, self.widths)
        for (a, b), (in_order, _) in self.pairs.items():
            fa, fb = follower.get(a), follower.get(b)
            if fa is not None and fb is not None and fa > b and fb > b and (fa < fb) != in_order:
                side, rel = classes[(a, b)]
                out[f"order_{side}_{rel}"] += 1.0
        stacks = self._stacks(chains)
        for h in stacks:
            for a, b in self.text_partners[h]:
                if h == a:
                    out["order_text"] += float(text_out_of_order(a, b, stacks.get(a), stacks.get(b)))
        return out

    def _chain_features(self, chain: list[int]) -> Counter[str]:
        kinds, pieces = self.kinds, self.pieces
        out: Counter[str] = Counter(start_features(pieces[chain[0]], kinds[chain[0]]))
        out.update(end_features(pieces[chain[-1]], kinds[chain[-1]]))
        for a, b in zip(chain, chain[1:]):
            f, _ = pair_features(a, b, pieces, kinds, self.vocab, self.slots, fit=False)
            out.update(f or {"never": 1.0})
        if _heads_chain(chain, kinds, pieces):
            texts = tuple(k for k in chain if kinds[k] in TEXT_KINDS)
            if texts:
                out["fit_cover"] += self.vocab.coverage_in(chain[0], texts)
                out["fit_sim"] += max(self.vocab.similarity(chain[0], t) for t in texts)
        out["back_step"] += _back_steps_without_picture(chain, kinds, pieces)
        out["longer_column"] += _longer_columns(chain, kinds, pieces)
        return out

    def total(self, succ: dict[int, int]) -> float:
        """Value of a whole solution: the sum of its chains' values, less its disorder."""
        chains = _chains(succ, len(self.pieces))
        follower = self._followers(chains)
        stacks = self._stacks(chains)
        return (sum(self.value(chain) for chain in chains) - self.disorder(follower, dict(follower))
                - self.text_disorder(stacks, dict(stacks)))

    def improve(self, succ: dict[int, int], passes: int = 4) -> dict[int, int]:
        chains = _chains(succ, len(self.pieces))
        values = [self.value(ch) for ch in chains]
        for _ in range(passes):
            moved = False
            for x in range(len(chains)):
                for y in range(len(chains)):
                    if x != y and self._try_cut(chains, values, x, y):
                        moved = True
            moved = self._try_swaps(chains, values) or moved
            moved = self._try_moves(chains, values) or moved
            if not moved:
                break
        return {a: b for ch in chains for a, b in zip(ch, ch[1:])}

    def _try_cut(self, chains: list[list[int]], values: list[float], x: int, y: int) -> bool:
        """Best exchange of the tail of chain x after position a with the tail of chain
        y after position b (either tail may be empty); applied if it gains."""
        cx, cy = chains[x], chains[y]
        best, where = 1e-6, None
        for a in range(len(cx)):
            for b in range(-1, len(cy)):
                if a == len(cx) - 1 and b == len(cy) - 1:
                    continue  # two empty tails
                nx, ny = cx[: a + 1] + cy[b + 1 :], cy[: b + 1] + cx[a + 1 :]
                if not ny:
                    continue
                gain = self.value(nx) + self.value(ny) - values[x] - values[y]
                if gain + self._slack(cx, cy) > best:
                    gain += self._order_gain(chains, [cx, cy], [nx, ny])
                if gain > best:
                    best, where = gain, (nx, ny)
        if where is None:
            return False
        chains[x], chains[y] = where
        values[x], values[y] = self.value(where[0]), self.value(where[1])
        return True

    def _try_moves(self, chains: list[list[int]], values: list[float]) -> bool:
        """Take one piece out of its chain and put it into another chain, or on its own,
        where that gains: a credit line or a column that went to the wrong group."""
        moved = False
        for p in range(len(self.pieces)):
            if self.kinds[p] in ("headline", "furniture"):
                continue
            x = next(n for n, ch in enumerate(chains) if p in ch)
            rest = [k for k in chains[x] if k != p]
            v_rest = self.value(rest) if rest else 0.0
            best, where = 1e-6, None
            alone = self.value([p])
            if rest:
                gain = v_rest + alone - values[x]
                if gain + self._slack(chains[x]) > best:
                    gain += self._order_gain(chains, [chains[x]], [rest])
                if gain > best:
                    best, where = gain, (None, [p])
            for y, cy in enumerate(chains):
                if y == x:
                    continue
                for pos in range(1, len(cy) + 1):
                    ny = cy[:pos] + [p] + cy[pos:]
                    gain = v_rest + self.value(ny) - values[x] - values[y]
                    if gain + self._slack(chains[x], cy) > best:
                        gain += self._order_gain(chains, [chains[x], cy], [rest, ny])
                    if gain > best:
                        best, where = gain, (y, ny)
            if where is None:
                continue
            y, ny = where
            if y is None:
                chains[x], values[x] = rest, v_rest
                chains.append(ny)
                values.append(self.value(ny))
            else:
                chains[y], values[y] = ny, self.value(ny)
                if rest:
                    chains[x], values[x] = rest, v_rest
                else:
                    del chains[x], values[x]
            moved = True
        return moved

    def _try_swaps(self, chains: list[list[int]], values: list[float]) -> bool:
        """Exchange two credit lines of different chains where that gains: the tails
        cannot do it when the texts under them are right already."""
        credits = [k for k, kind in enumerate(self.kinds) if kind in ("byline", "dateline")]
        chain_of = {k: n for n, ch in enumerate(chains) for k in ch}
        moved = False
        for p in credits:
            for q in credits:
                if p >= q or self.kinds[p] != self.kinds[q]:
                    continue
                x, y = chain_of[p], chain_of[q]
                if x == y:
                    continue
                swap = {p: q, q: p}
                nx, ny = [swap.get(k, k) for k in chains[x]], [swap.get(k, k) for k in chains[y]]
                vx, vy = self.value(nx), self.value(ny)
                gain = vx + vy - values[x] - values[y]
                if gain + self._slack(chains[x], chains[y]) > 1e-6:
                    gain += self._order_gain(chains, [chains[x], chains[y]], [nx, ny])
                if gain > 1e-6:
                    chains[x], chains[y] = nx, ny
                    values[x], values[y] = vx, vy
                    chain_of[p], chain_of[q] = y, x
                    moved = True
        return moved


# The order of what stands under two headlines pasted one after the other, against their
# heights: (side by side, or apart) x (the first ends higher, lower, or they tie) ->
# (the first's follower comes first?, cost of the other order). The costs are near the log
# odds counted on 24 generated pages (seed 9101): side by side and ending higher, 33 in
# order to 2; ending lower, 42 reversed to 6; of one height, 34 in order to 10 (the head
# pasted first stands left or higher, and a head of the same lines pasted after it lower).
ORDER_COSTS = {("run", "higher"): (True, 3.0), ("run", "lower"): (False, 2.0), ("run", "tie"): (True, 1.0),
               ("apart", "higher"): (True, 2.0), ("apart", "tie"): (True, 1.0)}


# Their costs are weights of the solution's value like the others (``WEIGHTS``), one cue
# per class: a pair of followers against the order of that class.
WEIGHTS.update({f"order_{side}_{rel}": -cost for (side, rel), (_, cost) in ORDER_COSTS.items()})


def head_order_pairs(
    pieces: list[Piece], kinds: list[str], widths: dict[int, int] | None
) -> dict[tuple[int, int], tuple[bool, float]]:
    """For pairs of headlines, whether the first one's follower should come first if both
    come after both headlines, and the cost of the other order (``ORDER_COSTS``, weighed
    in ``WEIGHTS``; a cost under zero counts as none)."""
    out: dict[tuple[int, int], tuple[bool, float]] = {}
    for pair, (side, rel) in head_order_classes(pieces, kinds, widths).items():
        cost = -WEIGHTS[f"order_{side}_{rel}"]
        if cost > 0:
            out[pair] = (ORDER_COSTS[(side, rel)][0], cost)
    return out


def head_order_classes(
    pieces: list[Piece], kinds: list[str], widths: dict[int, int] | None
) -> dict[tuple[int, int], tuple[str, str]]:
    """For pairs of headlines, their class in ``ORDER_COSTS``: side by side or apart, and
    whether the first ends higher, lower or at one height with the other."""
    heads = [k for k, kind in enumerate(kinds) if kind == "headline"]
    lead = heads[0] if heads and not CONTINUED_HEAD.search(pieces[heads[0]].text) else None
    height = {h: head_height(pieces[h], h == lead, (widths or {}).get(h, 1)) for h in heads}
    out: dict[tuple[int, int], tuple[str, str]] = {}
    for x, a in enumerate(heads):
        for b in heads[x + 1 :]:
            side = "run" if all(kinds[k] == "headline" for k in range(a + 1, b)) else "apart"
            d = height[a] - height[b]
            rel = "higher" if d < -0.5 else ("lower" if d > 0.5 else "tie")
            if (side, rel) in ORDER_COSTS:
                out[(a, b)] = (side, rel)
    return out


# Text under headlines side by side starts below its headline and the credit lines over
# it, so of two such groups the one with the shallower stack of heads starts its text
# higher, and the paste (top to bottom) gives that text first. A group whose first text
# is clearly deeper pasted first costs this (log odds: on 24 generated pages (seed 9401),
# 27 to 0 where the first stack is shallower, 34 to 4 where it is deeper). A caption
# over the text hangs under a picture of unknown height: no depth.
TEXT_ORDER_COST = 2.0
WEIGHTS["order_text"] = -TEXT_ORDER_COST
# a credit line is set about in text size: a line and the space under it, in text lines
CREDIT_DEPTH = (1.2, 0.25)
DEPTH_TIE = 0.5  # stacks closer than half a line: which starts its text higher is not known


def stack_depth(chain: list[int], kinds: list[str], pieces: list[Piece], height: float) -> tuple[int, float] | None:
    """The first text of a head group and how far under its headline's top it starts, in
    text lines: the headline's ``height`` and the credit lines over the text; None when
    a caption (a picture) or nothing stands over text."""
    depth = height
    for k in chain[1:]:
        if kinds[k] in ("body", MAYBE_TITLE):
            return k, depth
        if kinds[k] not in TITLE_FOLLOWERS or kinds[k] == "caption":
            return None
        size, space = CREDIT_DEPTH
        depth += size * len(pieces[k].lines) + space
    return None


def text_order_pairs(pieces: list[Piece], kinds: list[str]) -> list[tuple[int, int]]:
    """Pairs of headlines pasted one right after the other or with only headlines
    between: they stand side by side, and their texts start by the depth of their heads
    (``stack_depth``)."""
    heads = [k for k, kind in enumerate(kinds) if kind == "headline"]
    out = []
    for x, a in enumerate(heads):
        for b in heads[x + 1 :]:
            if not all(kinds[k] == "headline" for k in range(a + 1, b)):
                break
            out.append((a, b))
    return out


def text_out_of_order(a: int, b: int, sa: tuple[int, float] | None, sb: tuple[int, float] | None) -> bool:
    """Do the texts of side-by-side head groups ``a`` and ``b`` (``a`` pasted first),
    both pasted after both headlines, come against the depths of their stacks?"""
    if sa is None or sb is None or sa[0] < b or sb[0] < b or abs(sa[1] - sb[1]) <= DEPTH_TIE:
        return False
    return (sa[0] < sb[0]) != (sa[1] < sb[1])


def _heads_chain(chain: list[int], kinds: list[str], pieces: list[Piece]) -> bool:
    """Does the chain start with a headline (or a doubtful title acting as one)?"""
    first = kinds[chain[0]]
    if first in ("headline", MAYBE_CREDIT):
        return True
    return first == MAYBE_TITLE and len(chain) > 1 and _title_follower(pieces, kinds, chain[0], chain[1])


def _column_top(k: int, pieces: list[Piece], kinds: list[str]) -> bool:
    """Is piece ``k`` the top of a column that goes on from another column's foot? It
    opens mid-sentence, and what is pasted just before it cannot be what it continues
    (a head, or text that ends its sentence): it stands beside that, at a column top."""
    if not opens_mid_sentence(pieces[k]) or k == 0:
        return False
    return kinds[k - 1] != "body" or c.ends_sentence(pieces[k - 1].text)


def _back_steps_without_picture(chain: list[int], kinds: list[str], pieces: list[Piece]) -> int:
    """Body links that go back in the paste before any caption in the chain.

    An article's columns start at one height, so its next column is pasted after the
    one before; only columns under a picture start lower than those beside it, and
    their text goes on in a column that was pasted earlier. So does a column top
    (``_column_top``) on a page set in continuous flow: the article it ends began lower
    in the column before.
    """
    count, picture = 0, False
    for a, b in zip(chain, chain[1:]):
        picture = picture or kinds[a] == "caption"
        if b < a and kinds[a] == kinds[b] == "body" and not picture and not _column_top(b, pieces, kinds):
            count += 1
    return count


# Balanced columns of one article differ by a line at most (the last may be shorter).
COLUMN_SLACK = 1


def _longer_columns(chain: list[int], kinds: list[str], pieces: list[Piece]) -> int:
    """Body links that go forward in the paste into a clearly longer column, before any
    caption in the chain.

    An article's columns start at one height under its head and are filled one after the
    other to the same depth, so a column is at most as long as the one before it (the
    last one may stop short). A longer next column starts higher or ends lower than the
    one before: it is the text of another article, or stands under a picture. Links
    back in the paste are ``_back_steps_without_picture``'s (on a page set in continuous
    flow an article's first column is its shortest).
    """
    count, picture = 0, False
    for a, b in zip(chain, chain[1:]):
        picture = picture or kinds[a] == "caption"
        if b > a and kinds[a] == kinds[b] == "body" and not picture:
            count += len(pieces[b].lines) > len(pieces[a].lines) + COLUMN_SLACK
    return count


def _chains(succ: dict[int, int], n: int) -> list[list[int]]:
    has_pred = set(succ.values())
    out = []
    for start in range(n):
        if start in has_pred:
            continue
        chain = [start]
        while chain[-1] in succ:
            chain.append(succ[chain[-1]])
        out.append(chain)
    return out


def _assign(
    pieces: list[Piece],
    kinds: list[str],
    vocab: Vocabulary,
    reach: dict[int, tuple[int, ...]] | None,
    above: dict[int, int] | None = None,
    score_only: bool = False,
    widths: dict[int, int] | None = None,
) -> tuple[dict[int, int], Scores]:
    """Successor of each piece from one global assignment (Hungarian method)."""
    from scipy.optimize import linear_sum_assignment

    n = len(pieces)
    slots = follower_slots(pieces, kinds, widths)
    scores: dict[tuple[int, int], tuple[float, tuple[str, ...]]] = {}
    big = 1e7
    cost = np.full((2 * n, 2 * n), big)
    for i in range(n):
        for j in range(n):
            s, why = pair_score(i, j, pieces, kinds, vocab, slots, reach, above)
            if s > NEVER / 2:
                scores[(i, j)] = (s, why)
                cost[i, j] = -s
        cost[i, n + i] = -end_score(pieces[i], kinds[i])
        cost[n + i, i] = -start_score(pieces[i], kinds[i])
    cost[n:, n:] = 0.0  # dummy to dummy: free
    if score_only:
        return {}, scores
    rows, cols = linear_sum_assignment(cost)
    succ = {int(i): int(j) for i, j in zip(rows, cols) if i < n and j < n and cost[i, j] < big / 2}
    return _break_cycles(succ), scores


IDENTICAL_NOTE = "identical credit lines go in the order of the texts under them"
CREDIT_ORDER_NOTE = "credit lines side by side go in the order of the texts right under them"


def _chain_ends(succ: dict[int, int], kinds: list[str], k: int) -> tuple[int | None, int | None]:
    """The headline that ``k``'s chain starts with and the first body text after ``k``;
    None where there is none (or a caption comes first)."""
    pred = {v: u for u, v in succ.items()}
    start, seen = k, {k}
    while start in pred and pred[start] not in seen:
        start = pred[start]
        seen.add(start)
    head = start if kinds[start] == "headline" else None
    cur, text = k, None
    while cur in succ and succ[cur] not in seen:
        cur = succ[cur]
        seen.add(cur)
        if kinds[cur] == "caption":
            break  # a picture stands between: its height, not the head's, sets the order
        if kinds[cur] == "body":
            text = cur
            break
    return head, text


def _first_credit(a: tuple[int, int], b: tuple[int, int], pieces: list[Piece]) -> bool:
    """Should the credit under head group ``a`` (headline, first text) stand above that
    of ``b``, for two headlines that both come before both credits in the paste?

    A headline pasted first stands at least as high; with fewer lines it also ends
    higher, so its credit is higher. Otherwise the text under each credit tells: the
    credit, the text and everything between are stacked the same way in every group,
    so the credit whose text is pasted first is the higher one.
    """
    (ha, ta), (hb, tb) = a, b
    la, lb = len(pieces[ha].lines), len(pieces[hb].lines)
    if ha < hb and la < lb:
        return True
    if hb < ha and lb < la:
        return False
    return ta < tb


def order_identical_credits(succ: dict[int, int], pieces: list[Piece], kinds: list[str]) -> tuple[dict[int, int], set[int]]:
    """Swap identical credit lines ("By Staff" under two side-by-side headlines) so that
    they go in the paste order of their groups (see ``_first_credit``).

    The words of two identical credits cannot tell them apart; only their order can.
    Returns the new successors and the pieces that moved.
    """
    groups: dict[str, list[int]] = {}
    for k, p in enumerate(pieces):
        if kinds[k] in ("byline", "dateline"):
            groups.setdefault(p.text, []).append(k)
    return _swap_until_settled(succ, pieces, kinds, groups.values(), _should_swap)


def _should_swap(succ: dict[int, int], pieces: list[Piece], kinds: list[str], c1: int, c2: int) -> bool:
    (ha, ta), (hb, tb) = _chain_ends(succ, kinds, c1), _chain_ends(succ, kinds, c2)
    if ha is None or hb is None or ta is None or tb is None or max(ha, hb) > c1:
        return False  # only credits under headlines that stand side by side
    pred = {v: u for u, v in succ.items()}
    # after the swap every link must still run forward in the paste
    if not (pred.get(c1, -1) < c2 and pred.get(c2, -1) < c1 and c2 < succ.get(c1, len(pieces))):
        return False
    return not _first_credit((ha, ta), (hb, tb), pieces)


def order_credits_by_text(succ: dict[int, int], pieces: list[Piece], kinds: list[str]) -> tuple[dict[int, int], set[int]]:
    """Put the credit lines of side-by-side head groups in the paste order of the texts
    right under them.

    A credit line and the first column under it are set the same way in every group, so
    the credit pasted first stands over the text pasted first; which headline heads which
    text is left as the links have it.
    """
    credits = [k for k, kind in enumerate(kinds) if kind in ("byline", "dateline")]
    return _swap_until_settled(succ, pieces, kinds, [credits], _crossed_credits)


SwapTest = Callable[[dict[int, int], list[Piece], list[str], int, int], bool]


def _swap_until_settled(
    succ: dict[int, int], pieces: list[Piece], kinds: list[str], groups: Iterable[list[int]], test: SwapTest
) -> tuple[dict[int, int], set[int]]:
    """Within each group, swap pairs of pieces that ``test`` finds out of order until none
    is (a bubble sort: n² rounds at most). Returns the new successors and the pieces moved."""
    out, moved = dict(succ), set()
    for members in groups:
        for _ in range(len(members) ** 2):
            changed = False
            for c1 in members:
                for c2 in members:
                    if c1 < c2 and test(out, pieces, kinds, c1, c2):
                        out = _swap_pieces(out, c1, c2)
                        moved |= {c1, c2}
                        changed = True
            if not changed:
                break
    return out, moved


def _crossed_credits(succ: dict[int, int], pieces: list[Piece], kinds: list[str], c1: int, c2: int) -> bool:
    if kinds[c1] != kinds[c2] or len(pieces[c1].lines) > len(pieces[c2].lines):
        return False  # a taller credit pasted first may still end lower
    s1, s2 = succ.get(c1), succ.get(c2)
    if s1 is None or s2 is None or kinds[s1] != "body" or kinds[s2] != "body" or s1 < s2:
        return False
    pred = {v: u for u, v in succ.items()}
    h1, h2 = pred.get(c1), pred.get(c2)
    if h1 is None or h2 is None or max(h1, h2) > c1 or kinds[h1] not in HEAD_KINDS or kinds[h2] not in HEAD_KINDS:
        return False  # only credits under heads that stand side by side
    return c2 < s1  # after the swap every link still runs forward


def _swap_pieces(succ: dict[int, int], a: int, b: int) -> dict[int, int]:
    """Exchange the places of pieces ``a`` and ``b`` in their chains."""
    swap = {a: b, b: a}
    return {swap.get(u, u): swap.get(v, v) for u, v in succ.items()}


def _break_cycles(succ: dict[int, int]) -> dict[int, int]:
    out = dict(succ)
    for start in list(out):
        seen: list[int] = []
        cur = start
        while cur in out and cur not in seen:
            seen.append(cur)
            cur = out[cur]
        if cur in seen:
            cycle = seen[seen.index(cur) :]
            first = min(cycle)  # the earliest piece in the paste starts the article
            prev = next(k for k in cycle if out.get(k) == first)
            out.pop(prev, None)
    return out


# ------------------------------------------------------------------ articles


def _no_headline_at_the_foot(kinds: list[str]) -> list[str]:
    """A headline heads something: one that only headlines and page furniture follow in
    the paste is the last words of a column ("To the People of the State"), text."""
    out, below = list(kinds), False
    for k in range(len(kinds) - 1, -1, -1):
        if out[k] == "headline" and not below:
            out[k] = "body"
        below = below or out[k] not in ("headline", "furniture", "jump-to")
    return out


def type_pieces(pieces: list[Piece], vocab: Vocabulary) -> tuple[list[str], list[str]]:
    """Each piece's kind as its text shows it, and as the doubtful titles are settled."""
    counts = Counter(p.text for p in pieces)
    typed = [piece_kind(p, k == 0, k == len(pieces) - 1, counts[p.text] > 1) for k, p in enumerate(pieces)]
    words = text_words_per_line(pieces, typed)
    typed = ["headline" if kind == "body" and tall_title(p, words) else kind for p, kind in zip(pieces, typed)]
    typed = _no_headline_at_the_foot(typed)
    repeats = frozenset(k for k, p in enumerate(pieces) if repeated_title(p, typed[k], counts[p.text] > 1))
    return typed, settle_titles(pieces, typed, vocab, repeats)


def unscramble(text: str) -> UnscrambleResult:
    pieces = split_pieces(text)
    if not pieces:
        return UnscrambleResult((), ())
    vocab = Vocabulary(pieces)
    typed, kinds = type_pieces(pieces, vocab)
    titles = {k for k in range(len(pieces)) if kinds[k] != typed[k]}
    succ, scores = choose_links(pieces, kinds, vocab)
    succ, moved = order_identical_credits(succ, pieces, kinds)
    succ, reordered = order_credits_by_text(succ, pieces, kinds)
    has_pred = set(succ.values())
    articles, links = [], []
    for start in range(len(pieces)):
        if start in has_pred or kinds[start] == "furniture":
            continue
        chain = [start]
        while chain[-1] in succ:
            nxt = succ[chain[-1]]
            score, why = scores[(chain[-1], nxt)]
            if moved & {chain[-1], nxt}:
                why += (IDENTICAL_NOTE,)
            elif reordered & {chain[-1], nxt}:
                why += (CREDIT_ORDER_NOTE,)
            if chain[-1] in titles:
                why += (TITLE_NOTE if typed[chain[-1]] == "body" else REPEAT_NOTE,)
            open_end = kinds[chain[-1]] == "body" and kinds[nxt] == "body" and not c.ends_sentence(pieces[chain[-1]].text)
            links.append(PieceLink(chain[-1], nxt, "join" if open_end else "continue", round(score, 3), why))
            chain.append(nxt)
        articles.append(_article(chain, pieces, kinds))
    furniture = tuple(k for k, kind in enumerate(kinds) if kind == "furniture")
    return UnscrambleResult(tuple(articles), tuple(links), furniture)


def _article(chain: list[int], pieces: list[Piece], kinds: list[str]) -> UnscrambledArticle:
    title = pieces[chain[0]].text if kinds[chain[0]] == "headline" else ""
    text = title
    prev_open = False
    for k in chain:
        if kinds[k] != "body":
            continue  # the title is set; bylines and jump lines are not running text
        t = pieces[k].text
        text = c.join_lines(text, t) if prev_open else (f"{text}\n{t}" if text else t)
        prev_open = not c.ends_sentence(t)
    return UnscrambledArticle(title, text, tuple(chain))
