"""Jumps across pages: an article that "continues on page 5" is joined to its rest.

Given the reconstructed pages of one issue, every article whose jump line sends the
reader on ("下转第2版", "Continued on Page 5", "Fortsetzung auf Seite 3") is paired with
an article on that page: preferably one whose own jump line says where it comes from
("上接第1版", "Continued from Page 1"), then the one whose words and first line fit
best. Pairs are chosen together (an assignment), so two stories jumping to the same
page do not both take the same continuation.

Pages are known by their printed number (a folio such as "第2版" or "Page 2" in the
header or footer) when every page shows a different one, else by their place in the
order given (1, 2, 3, ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from layout import continuity as c
from layout.model import Article, Page, article_body

_CN_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUM = r"([0-9]+|[零一二两三四五六七八九十]+)"
# (pattern, direction): "to" sends the reader on, "from" says where the story began.
_JUMPS = (
    (re.compile(rf"(下|转)\s*转?\s*第?\s*{_NUM}\s*版"), "to"),
    (re.compile(rf"(上接|接)\s*第?\s*{_NUM}\s*版"), "from"),
    (re.compile(rf"(?i)continued\s+on\s+(page|p\.)\s*{_NUM}"), "to"),
    (re.compile(rf"(?i)continued\s+from\s+(page|p\.)\s*{_NUM}"), "from"),
    (re.compile(rf"(?i)(fortsetzung|fortgesetzt)\s+auf\s+seite\s*{_NUM}"), "to"),
    (re.compile(rf"(?i)(fortsetzung|fortgesetzt|schluss)\s+von\s+seite\s*{_NUM}"), "from"),
)
_FOLIO = (
    re.compile(rf"第\s*{_NUM}\s*版"),
    re.compile(rf"(?i)\b(page|seite|p\.)\s*{_NUM}\b"),
    re.compile(rf"^\s*[-–—]?\s*{_NUM}\s*[-–—]?\s*$"),
)
FROM_BONUS = 3.0  # the continuation names the page the story left from
MIN_SCORE = 0.5  # below this nothing on the target page is taken for the continuation


@dataclass(frozen=True)
class Jump:
    """A jump line's direction ("to" or "from") and the page it names."""

    direction: str
    page: int


@dataclass(frozen=True)
class PageJump:
    """Article ``source`` on page ``source_page`` goes on in ``target`` on ``target_page``
    (pages by index in the sequence given; articles by id)."""

    source_page: int
    source: str
    target_page: int
    target: str
    score: float
    reasons: tuple[str, ...]


def cn_number(text: str) -> int | None:
    """'12', '十二', '二十', '三' -> int; None when it is no number."""
    if text.isdigit():
        return int(text)
    if not text or any(ch not in _CN_DIGITS and ch != "十" for ch in text):
        return None
    if "十" not in text:
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    tens, _, ones = text.partition("十")
    return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)


def parse_jump(text: str) -> Jump | None:
    for pattern, direction in _JUMPS:
        m = pattern.search(text)
        if m:
            number = cn_number(m.group(m.lastindex or 1))
            if number is not None:
                return Jump(direction, number)
    return None


def folio(page: Page) -> int | None:
    """The page number printed in the page's header or footer, if any."""
    lines = page.line_by_id()
    for block in page.blocks:
        if block.role not in ("header", "footer"):
            continue
        for lid in block.line_ids:
            for pattern in _FOLIO:
                m = pattern.search(lines[lid].text)
                if m:
                    number = cn_number(m.group(m.lastindex or 1))
                    if number is not None:
                        return number
    return None


def page_numbers(pages: Sequence[Page]) -> list[int]:
    """Printed folios when every page has its own, else 1, 2, 3, ... in order given."""
    printed = [folio(p) for p in pages]
    if all(n is not None for n in printed) and len(set(printed)) == len(printed):
        return [int(n) for n in printed if n is not None]
    return list(range(1, len(pages) + 1))


def page_jumps(page: Page) -> dict[str, list[Jump]]:
    """Each article's jump lines (role "jump", or any short block that reads like one:
    OCR may have measured it as a caption), by article id."""
    blocks, lines = page.block_by_id(), page.line_by_id()
    out: dict[str, list[Jump]] = {}
    for article in page.articles:
        found = out.setdefault(article.id, [])
        for bid in article.block_ids:
            block = blocks.get(bid)
            if block is None:
                continue
            text = " ".join(lines[lid].text for lid in block.line_ids)
            if block.role == "jump" or c.is_jump_line(text):
                jump = parse_jump(text)
                if jump is not None:
                    found.append(jump)
    return out


def link_pages(pages: Sequence[Page]) -> tuple[PageJump, ...]:
    """Cross-page links of one issue's pages, chosen together (one continuation each)."""
    numbers = page_numbers(pages)
    where = {n: k for k, n in enumerate(numbers)}
    jumps = [page_jumps(p) for p in pages]
    sources = [(k, a, j) for k, p in enumerate(pages) for a in p.articles for j in jumps[k][a.id]
               if j.direction == "to" and j.page in where and where[j.page] != k]
    candidates: list[tuple[float, int, str, int, str, tuple[str, ...]]] = []
    for k, art, jump in sources:
        t = where[jump.page]
        for cand in pages[t].articles:
            score, why = _fit(cand, jumps[t][cand.id], art, numbers[k])
            if score >= MIN_SCORE:
                candidates.append((score, k, art.id, t, cand.id, why))
    return _assign(candidates)


def _fit(cand: Article, cand_jumps: list[Jump], source: Article, source_number: int) -> tuple[float, tuple[str, ...]]:
    """How well ``cand`` continues ``source``: its from-jump, shared words, the cut."""
    score, why = 0.0, []
    froms = [j for j in cand_jumps if j.direction == "from"]
    if any(j.page == source_number for j in froms):
        score += FROM_BONUS
        why.append(f"continuation says it comes from page {source_number}")
    elif froms:
        return 0.0, ()  # it says it comes from another page
    shared = _shared_words(source.text, cand.text)
    if shared > 0:
        score += 2.0 * shared
        why.append(f"{shared:.0%} of its words are the story's")
    cut, cut_why = c.continuation_evidence(source.text, article_body(cand.title, cand.text))
    if cut > 0:
        score += min(cut, 2.0)
        why.extend(cut_why)
    return score, tuple(why)


def _shared_words(a: str, b: str) -> float:
    """Share of ``b``'s distinct content terms (words; CJK character pairs) found in ``a``."""
    ta, tb = _terms(a), _terms(b)
    return len(ta & tb) / len(tb) if tb else 0.0


def _terms(text: str) -> set[str]:
    if c.is_cjk_text(text):
        chars = [ch for ch in text if c.is_cjk(ch) and ch not in "，。、；：？！“”（）《》"]
        return {a + b for a, b in zip(chars, chars[1:])}
    return {w for w in re.findall(r"[^\W\d_]{5,}", text.lower())}


def _assign(candidates: list[tuple[float, int, str, int, str, tuple[str, ...]]]) -> tuple[PageJump, ...]:
    """Best total: each source article and each continuation used once."""
    if not candidates:
        return ()
    from scipy.optimize import linear_sum_assignment
    import numpy as np

    srcs = sorted({(k, a) for _, k, a, _, _, _ in candidates})
    dsts = sorted({(t, b) for _, _, _, t, b, _ in candidates})
    row_of, col_of = {x: r for r, x in enumerate(srcs)}, {x: r for r, x in enumerate(dsts)}
    gain = np.zeros((len(srcs), len(dsts)))
    for score, k, a, t, b, _ in candidates:
        gain[row_of[(k, a)], col_of[(t, b)]] = score
    rows, cols = linear_sum_assignment(-gain)
    by_pair = {(k, a, t, b): (s, why) for s, k, a, t, b, why in candidates}
    out = []
    for r, col in zip(rows, cols):
        (k, a), (t, b) = srcs[r], dsts[col]
        if (k, a, t, b) in by_pair:
            s, why = by_pair[(k, a, t, b)]
            out.append(PageJump(k, a, t, b, round(s, 3), why))
    return tuple(sorted(out, key=lambda j: (j.source_page, j.source)))


def jumped_articles(pages: Sequence[Page], jumps: Sequence[PageJump]) -> list[dict]:
    """Articles of the issue with their continuations joined: title, text, pieces."""
    arts = {(k, a.id): a for k, p in enumerate(pages) for a in p.articles}
    nxt = {(j.source_page, j.source): (j.target_page, j.target) for j in jumps}
    has_pred = set(nxt.values())
    out = []
    for key, art in arts.items():
        if key in has_pred or key not in nxt:
            continue
        pieces, text, cur = [key], art.text, key
        while cur in nxt and nxt[cur] not in pieces:
            cur = nxt[cur]
            pieces.append(cur)
            more = arts[cur]
            body = article_body(more.title, more.text)
            text = c.join_lines(text, body) if _open(text) else f"{text}\n{body}"
        out.append({"title": art.title, "text": text,
                    "pieces": [{"page": k, "article": a} for k, a in pieces]})
    return out


def _open(text: str) -> bool:
    """The story breaks off mid-sentence at the jump: join without a paragraph break."""
    return not c.ends_sentence(text)


ISSUE_SCHEMA = "pagestitch/issue@1"


def issue_dict(pages: Sequence[Page], jumps: Sequence[PageJump]) -> dict:
    """The issue-level result: pages (by source), cross-page jumps, joined articles."""
    return {
        "schema": ISSUE_SCHEMA,
        "pages": [{"index": k, "source": p.source, "page_number": p.page_number} for k, p in enumerate(pages)],
        "jumps": [{"source_page": j.source_page, "source": j.source, "target_page": j.target_page,
                   "target": j.target, "score": j.score, "reasons": list(j.reasons)} for j in jumps],
        "articles": jumped_articles(pages, jumps),
    }
