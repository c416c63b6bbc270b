"""Rebuild articles from text that has lost its layout (a copy-paste of a page).

The text is cut into pieces at blank lines. A piece that looks like a headline (one
short line that does not end a sentence, or a byline under it) opens an article; every
other piece must find the piece it continues. Which piece follows which is chosen for
all pieces at once, as an assignment problem: each piece has at most one successor and
one predecessor, and a pair's score adds the evidence across the cut (open sentence,
split word, hyphen) to how much vocabulary the two pieces share.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from layout import continuity as c

NO_LINK = 0.8  # a pair must score above this to be linked at all


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


def split_pieces(text: str) -> list[Piece]:
    blocks = re.split(r"\n[ \t\u3000]*\n", text.replace("\r\n", "\n").strip("\n"))
    pieces = []
    for b in blocks:
        lines = tuple(line.strip() for line in b.split("\n") if line.strip())
        if lines:
            pieces.append(Piece(len(pieces), lines))
    return pieces


def is_head(piece: Piece) -> bool:
    """One short line that ends no sentence: a headline, sub-head or byline."""
    if len(piece.lines) > 2:
        return False
    t = piece.text
    if c.is_jump_line(t):
        return False
    limit = 40 if c.is_cjk_text(t) else 100
    return len(t) <= limit and not c.ends_sentence(t)


def _bigrams(text: str) -> Counter[str]:
    t = re.sub(r"\s+", " ", text.lower())
    if c.is_cjk_text(t):
        t = "".join(ch for ch in t if c.is_cjk(ch) and not ch.isspace())
        return Counter(t[k : k + 2] for k in range(len(t) - 1))
    words = re.findall(r"\w{4,}", t)
    return Counter(words)


def _similarity(a: Counter[str], b: Counter[str], idf: dict[str, float]) -> float:
    common = set(a) & set(b)
    num = sum(a[k] * b[k] * idf[k] ** 2 for k in common)
    na = math.sqrt(sum((v * idf[k]) ** 2 for k, v in a.items()))
    nb = math.sqrt(sum((v * idf[k]) ** 2 for k, v in b.items()))
    return num / (na * nb) if na and nb else 0.0


def _idf(bags: list[Counter[str]]) -> dict[str, float]:
    df: Counter[str] = Counter()
    for bag in bags:
        df.update(set(bag))
    n = len(bags)
    return {k: math.log((n + 1) / (v + 0.5)) for k, v in df.items()}


def pair_scores(pieces: list[Piece]) -> tuple[np.ndarray, list[list[tuple[str, ...]]]]:
    n = len(pieces)
    bags = [_bigrams(p.text) for p in pieces]
    idf = _idf(bags)
    scores = np.full((n, n), -np.inf)
    reasons: list[list[tuple[str, ...]]] = [[() for _ in range(n)] for _ in range(n)]
    heads = [is_head(p) for p in pieces]
    for i, a in enumerate(pieces):
        if heads[i]:
            continue
        for j, b in enumerate(pieces):
            if i == j or heads[j]:
                continue
            ev, why = c.continuation_evidence(a.lines[-1], b.lines[0])
            sim = _similarity(bags[i], bags[j], idf)
            scores[i, j] = ev + 4.0 * sim
            reasons[i][j] = why + (f"shared vocabulary {sim:.2f}",)
    return scores, reasons


def choose_links(scores: np.ndarray) -> list[tuple[int, int]]:
    """Best one-to-one successor links above NO_LINK (Hungarian assignment)."""
    from scipy.optimize import linear_sum_assignment

    n = scores.shape[0]
    if n == 0:
        return []
    big = 1e6
    cost = np.full((2 * n, 2 * n), 0.0)
    cost[:n, :n] = np.where(np.isfinite(scores), -scores, big)
    cost[:n, n:] = np.where(np.eye(n, dtype=bool), -NO_LINK, big)  # i has no successor
    cost[n:, :n] = np.where(np.eye(n, dtype=bool), -NO_LINK, big)  # j has no predecessor
    rows, cols = linear_sum_assignment(cost)
    return [(i, j) for i, j in zip(rows, cols) if i < n and j < n and np.isfinite(scores[i, j])]


def _break_cycles(succ: dict[int, int]) -> dict[int, int]:
    out = dict(succ)
    for start in list(out):
        seen, cur = set(), start
        while cur in out and cur not in seen:
            seen.add(cur)
            cur = out[cur]
        if cur in seen:
            # cut the cycle before its earliest piece in paste order
            cycle = [cur]
            nxt = out[cur]
            while nxt != cur:
                cycle.append(nxt)
                nxt = out[nxt]
            first = min(cycle)
            prev = next(k for k in cycle if out[k] == first)
            del out[prev]
    return out


def unscramble(text: str) -> UnscrambleResult:
    pieces = split_pieces(text)
    if not pieces:
        return UnscrambleResult((), ())
    scores, reasons = pair_scores(pieces)
    succ = _break_cycles(dict(choose_links(scores)))
    heads = [is_head(p) for p in pieces]
    # A head group (headline, sub-head, byline in paste order) leads into the first
    # body piece after it that no other piece continues.
    has_pred = set(succ.values())
    starts: list[list[int]] = []
    k = 0
    while k < len(pieces):
        if heads[k]:
            group = [k]
            while k + 1 < len(pieces) and heads[k + 1]:
                k += 1
                group.append(k)
            nxt = next((j for j in range(k + 1, len(pieces)) if not heads[j] and j not in has_pred), None)
            if nxt is not None:
                has_pred.add(nxt)
                group.append(nxt)
            starts.append(group)
        k += 1
    claimed = {p for grp in starts for p in grp}
    for j in range(len(pieces)):
        if not heads[j] and j not in has_pred and j not in claimed:
            starts.append([j])
    articles, links = [], []
    for group in sorted(starts, key=min):
        chain = list(group)
        cur = chain[-1]
        while cur in succ and succ[cur] not in chain:
            nxt = succ[cur]
            score = float(scores[cur, nxt])
            kind = "join" if not c.ends_sentence(pieces[cur].lines[-1]) else "continue"
            links.append(PieceLink(cur, nxt, kind, round(score, 3), reasons[cur][nxt]))
            chain.append(nxt)
            cur = nxt
        articles.append(_article(chain, pieces, heads))
    return UnscrambleResult(tuple(articles), tuple(links))


def _article(chain: list[int], pieces: list[Piece], heads: list[bool]) -> UnscrambledArticle:
    title = pieces[chain[0]].text if heads[chain[0]] else ""
    text = ""
    prev_open = False
    for k in chain:
        t = pieces[k].text
        if prev_open:
            text = c.join_lines(text, t)
        else:
            text = f"{text}\n{t}" if text else t
        prev_open = not heads[k] and not c.ends_sentence(t)
    return UnscrambledArticle(title, text, tuple(chain))
