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
- for heads, how close the body piece follows in the paste (a headline stands right
  above the first column of its article).

A headline has no predecessor; a piece that ends mid-sentence should have a successor.
Chains of successors are the articles.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from layout import continuity as c

BYLINE = re.compile(
    r"^\s*(By\s|BY\s|Von\s|VON\s|From\s|For the\s|本报记者|本报讯|记者|通讯员|评论员|文[／/]|作者|选自|来源|维基百科|onestopenglish)",
)
CAPTION = re.compile(r"^\s*(图|圖|照片|Picture|Photo|Foto|Bild|Abb\.)\s*[：:]")
DATE = re.compile(r"(\d{4}年\d{1,2}月\d{1,2}日|\b(19|20)\d{2}\b|第\s*\d+\s*版|\bPage\s+\d+|\bSeite\s+\d+)")
# A dateline names a day: a weekday, a month, a year.
DATELINE = re.compile(
    r"(\d{1,2}月\d{1,2}日|星期|\b(1[5-9]|20)\d{2}\b|\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    r"Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Sonnabend|Samstag|Sonntag)\b)"
)
NEVER = -1e6  # a link that may not be made
HEAD_KINDS = ("headline", "byline", "dateline", "caption", "jump-from")  # what stands above an article's text


@dataclass(frozen=True)
class Piece:
    index: int
    lines: tuple[str, ...]

    @property
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
    if len(piece.lines) <= 3 and len(t) <= 80 and (BYLINE.search(t) or repeated or _source_line(t)):
        # a credit that names a day is the dateline under the author's line
        return "dateline" if DATELINE.search(t) and not repeated and not _source_line(t) else "byline"
    if _head_like(piece):
        return "headline"
    return "body"


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
    if c.is_cjk_text(t):
        return len(t) <= 40 and not c.ends_sentence(t)
    words = len(t.split())
    return words <= 14 and (not c.ends_sentence(t) or (words <= 4 and t.rstrip().endswith(".")))


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
        h = self.bags[head]
        if not h:
            return 0.0
        return sum(1 for k in h if k in self.bags[body]) / len(h)


# ------------------------------------------------------------------ scores


RANK = {"headline": 0, "jump-from": 1, "byline": 1, "dateline": 2, "caption": 3, "body": 4, "jump-to": 5}


def _proximity(i: int, j: int) -> float:
    """Heads stand just above what they head, and a paste runs top to bottom: what
    follows a head comes a few pieces after it, almost never before it."""
    if j > i:
        # convex in the gap, so that side-by-side heads keep their order when several
        # identical credits are shared out among them
        gap = j - i - 1
        return max(2.5 - 0.5 * gap - 0.05 * gap * gap, -3.0)
    return -4.0


def _column_step(i: int, j: int) -> float:
    """Columns of one article that start at the same height are pasted side by side,
    so the next column piece is most often the very next piece of the paste."""
    if j == i + 1:
        return 2.0
    return -0.5 if j > i else -1.5


def pair_score(i: int, j: int, pieces: list[Piece], kinds: list[str], vocab: Vocabulary) -> tuple[float, tuple[str, ...]]:
    ki, kj = kinds[i], kinds[j]
    if i == j or "furniture" in (ki, kj) or kj == "headline" or ki == "jump-to":
        return NEVER, ()
    ri, rj = RANK[ki], RANK[kj]
    if ki in HEAD_KINDS:
        # heads go down the head group: headline, credits, caption, text
        if rj <= ri:
            return NEVER, ()
        if kj == "jump-to":
            return NEVER, ()
        prox = _proximity(i, j)
        cover = vocab.coverage(i, j) if ki == "headline" and kj in ("body", "caption") else 0.0
        sim = vocab.similarity(i, j)
        step = 1.0 if rj == ri + 1 else 0.0  # a head is followed by the next part of its group
        why = (f"follows in paste ({prox:+.1f})", f"title words in text {cover:.2f}", f"shared vocabulary {sim:.2f}")
        return prox + 3.0 * cover + 2.0 * sim + step, why
    if kj in HEAD_KINDS:
        return NEVER, ()  # bylines and captions follow the head, never body text
    ev, why = c.continuation_evidence(pieces[i].lines[-1], pieces[j].lines[0])
    if kj == "jump-to":
        # the jump line closes the column its article breaks off in
        return (1.5 if not c.ends_sentence(pieces[i].text) else -1.0) + 0.5 * _proximity(i, j), why + ("jump line",)
    sim = vocab.similarity(i, j)
    step = _column_step(i, j)
    if "a word spans the cut" in why or "the split word is a known word" in why:
        ev += 1.5  # a word cut in two outweighs which column happens to come next
    return ev + 4.0 * sim + step - 1.0, why + (f"shared vocabulary {sim:.2f}", f"paste step {step:+.1f}")


def end_score(piece: Piece, kind: str) -> float:
    """Value of ``piece`` having no successor."""
    if kind in ("furniture", "jump-to"):
        return 5.0
    if kind in HEAD_KINDS:
        return -3.0
    return 0.5 if c.ends_sentence(piece.text) or c.ends_with_sign_off(piece.text) else -2.5


def start_score(piece: Piece, kind: str) -> float:
    """Value of ``piece`` having no predecessor."""
    if kind in ("headline", "furniture", "jump-from"):
        return 5.0
    if kind in ("byline", "dateline", "caption"):
        return -3.0
    first = piece.lines[0]
    if c.starts_lower(first) or first[:1] in "，、,.;；：:)）」』”":
        return -3.0
    return -0.5


def choose_links(pieces: list[Piece], kinds: list[str], vocab: Vocabulary) -> tuple[dict[int, int], dict[tuple[int, int], tuple[float, tuple[str, ...]]]]:
    """Successor of each piece from one global assignment (Hungarian method)."""
    from scipy.optimize import linear_sum_assignment

    n = len(pieces)
    scores: dict[tuple[int, int], tuple[float, tuple[str, ...]]] = {}
    big = 1e7
    cost = np.full((2 * n, 2 * n), big)
    for i in range(n):
        for j in range(n):
            s, why = pair_score(i, j, pieces, kinds, vocab)
            if s > NEVER / 2:
                scores[(i, j)] = (s, why)
                cost[i, j] = -s
        cost[i, n + i] = -end_score(pieces[i], kinds[i])
        cost[n + i, i] = -start_score(pieces[i], kinds[i])
    cost[n:, n:] = 0.0  # dummy to dummy: free
    rows, cols = linear_sum_assignment(cost)
    succ = {int(i): int(j) for i, j in zip(rows, cols) if i < n and j < n and cost[i, j] < big / 2}
    return _break_cycles(succ), scores


def _swap_titles(succ: dict[int, int], kinds: list[str], vocab: Vocabulary) -> dict[int, int]:
    """Give two neighbouring headlines each other's article when the titles fit better so.

    Side-by-side heads share out identical credits ("By X") by paste order alone; the
    words a title shares with the body that hangs under it decide which head is whose.
    """
    has_pred = set(succ.values())
    heads = [h for h in succ if kinds[h] == "headline" and h not in has_pred]

    def body_terms(h: int) -> set[str]:
        terms: set[str] = set()
        cur = h
        while cur in succ:
            cur = succ[cur]
            if kinds[cur] == "body":
                terms |= set(vocab.bags[cur])
        return terms

    def fit(h: int, terms: set[str]) -> float:
        bag = vocab.bags[h]
        return sum(1 for k in bag if k in terms) / len(bag) if bag else 0.0

    out = dict(succ)
    for a in heads:
        for b in heads:
            if not a < b <= a + 3:  # only heads standing side by side in the paste
                continue
            ta, tb = body_terms(a), body_terms(b)
            if fit(a, tb) + fit(b, ta) > fit(a, ta) + fit(b, tb) + 0.5:
                out[a], out[b] = succ[b], succ[a]
                succ = out
    return out


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


def unscramble(text: str) -> UnscrambleResult:
    pieces = split_pieces(text)
    if not pieces:
        return UnscrambleResult((), ())
    counts = Counter(p.text for p in pieces)
    kinds = [piece_kind(p, k == 0, k == len(pieces) - 1, counts[p.text] > 1) for k, p in enumerate(pieces)]
    vocab = Vocabulary(pieces)
    succ, scores = choose_links(pieces, kinds, vocab)
    succ = _swap_titles(succ, kinds, vocab)
    has_pred = set(succ.values())
    articles, links = [], []
    for start in range(len(pieces)):
        if start in has_pred or kinds[start] == "furniture":
            continue
        chain = [start]
        while chain[-1] in succ:
            nxt = succ[chain[-1]]
            score, why = scores[(chain[-1], nxt)]
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
