"""How text A goes on in text B: joining lines and scoring cuts (zh, en, de).

Knows nothing of layout: it sees only strings. The scores are log-odds-like numbers:
positive means "B continues A", negative means "A ended, B starts something new".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Mapping

# Sentence-final marks, with the closing quotes and brackets that may follow them.
_FINAL = set("。！？!?．.…;；:：")
_CLOSERS = set("」』”’\"')）]】》〉")
_OPENERS = {"「": "」", "『": "』", "“": "”", "（": "）", "(": ")", "《": "》", "【": "】", "[": "]"}
# The brackets a dateline is set in at the start of an item ("（新华社北京五日电）",
# "(Von unserem Korrespondenten.)"): the PDF reader and the run-in finder both know them.
DATELINE_BRACKETS = {"(": ")", "（": "）", "[": "]", "〔": "〕", "【": "】"}
RUN_IN_STOPS = ".:"  # a run-in dateline ends in a full stop or a colon ("LONDON, May 3.")


def closes_run_in(head: str) -> bool:
    """The head ends as a run-in dateline does: in a full stop or colon, or in the
    bracket that its first sign opens (the Chinese dateline "（天津五日电）")."""
    head = head.strip()
    if not head:
        return False
    return head[-1] in RUN_IN_STOPS or DATELINE_BRACKETS.get(head[0]) == head[-1]


# Agency sign-offs that close an article: （新华社北京2月15日电） is a dateline at the
# start, but "(AP)" / "(dpa)" / "（完）" / "（记者 张三）" at the end mark the end.
_SIGN_OFF = re.compile(r"(（完）|\(完\)|（记者[^）]{0,12}）|（编辑[^）]{0,12}）|\((AP|AFP|dpa|Reuters|epd|KNA)\))\s*$")
_JUMP = re.compile(
    r"(下转第?\s*[0-9一二三四五六七八九十]+\s*版|上接第?\s*[0-9一二三四五六七八九十]+\s*版|"
    r"转第?\s*[0-9一二三四五六七八九十]+\s*版|[Cc]ontinued (on|from) [Pp]age\s*\d+|"
    r"(Fortsetzung|Fortgesetzt) (auf|von) Seite\s*\d+|Schluss von Seite\s*\d+)"
)


# CJK: radicals, CJK punctuation, kana, ideographs (U+2E80-9FFF), hangul, compatibility
# ideographs, full-width forms and the supplementary ideographs (extensions B and on).
# One character class serves the per-character test and the counting over whole texts.
CJK_CLASS = "[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0002ffff]"
_CJK_CHARS = re.compile(CJK_CLASS)


def is_cjk(ch: str) -> bool:
    """Is the (first) character CJK (see CJK_CLASS)? The one test every module uses
    (readers, engines, stitching)."""
    return _CJK_CHARS.match(ch) is not None


def strip_cjk(text: str) -> str:
    """The text without its CJK characters."""
    return _CJK_CHARS.sub("", text)


def cjk_share(text: str) -> float:
    chars = "".join(text.split())
    return (len(chars) - len(strip_cjk(chars))) / len(chars) if chars else 0.0


def is_cjk_text(text: str) -> bool:
    return cjk_share(text) >= 0.3


def normalize(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def ends_sentence(text: str) -> bool:
    """True when ``text`` ends with a sentence-final mark (closers after it allowed)."""
    t = text.rstrip()
    while t and t[-1] in _CLOSERS:
        t = t[:-1]
    return bool(t) and t[-1] in _FINAL


def ends_with_hyphen(text: str) -> bool:
    t = text.rstrip()
    return len(t) >= 2 and t[-1] in "-‐­⸗¬" and t[-2].isalpha()


def starts_lower(text: str) -> bool:
    t = text.lstrip()
    return bool(t) and t[0].islower()


def starts_upper(text: str) -> bool:
    t = text.lstrip()
    return bool(t) and t[0].isupper()


def is_jump_line(text: str) -> bool:
    return bool(_JUMP.search(text)) and len(text.strip()) <= 40


def ends_with_sign_off(text: str) -> bool:
    return bool(_SIGN_OFF.search(text.rstrip()))


_CLOSERS = frozenset(_OPENERS.values())
_BRACKET_CHARS = frozenset(_OPENERS) | _CLOSERS


def open_brackets(text: str) -> int:
    """How many quotes/brackets ``text`` opens and does not close."""
    return _depth(text, _OPENERS, _CLOSERS)


_PARENS = {"(": ")", "（": "）", "[": "]"}
_PAREN_CLOSERS = frozenset(_PARENS.values())


def leaves_parenthesis_open(text: str) -> bool:
    """``text`` opens a parenthesis it does not close ("(Schwäb." of "(Schwäb. Merk.)"):
    a point inside it ends an abbreviation, not the paragraph; an aside in brackets
    never runs across a paragraph's end. (Quotes may: a quoted speech of several
    paragraphs opens each one anew.)"""
    return _depth(text, _PARENS, _PAREN_CLOSERS) > 0


def _depth(text: str, openers: Mapping[str, str], closers: frozenset[str]) -> int:
    """How many of ``openers`` the text opens and does not close with ``closers``."""
    if not _BRACKET_CHARS.intersection(text):
        return 0  # most lines hold no bracket or quote at all
    depth = 0
    for ch in text:
        if ch in openers:
            depth += 1
        elif ch in closers and depth > 0:
            depth -= 1
    return depth


def join_lines(a: str, b: str) -> str:
    """Join the end of line ``a`` to the start of line ``b`` as running text.

    CJK text has no spaces; a Latin line ending in a hyphen before a lower-case letter
    was split by the typesetter, so the hyphen goes.
    """
    a, b = a.rstrip(), b.lstrip()
    if not a:
        return b
    if not b:
        return a
    if is_cjk(a[-1]) or is_cjk(b[0]):
        return a + b
    if ends_with_hyphen(a) and starts_lower(b):
        return a[:-1] + b
    if a[-1] in "-‐⸗":
        return a + b
    return a + " " + b


@lru_cache(maxsize=1)
def _jieba():  # type: ignore[no-untyped-def]
    import logging

    import jieba  # lazy: loading its dictionary takes about a second

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def cjk_word_across(a: str, b: str) -> bool:
    """True when the last char of ``a`` and the first of ``b`` form one dictionary word.

    A cut that falls inside a word is strong evidence that b continues a.
    """
    a, b = a.rstrip(), b.lstrip()
    if not a or not b or not (is_cjk(a[-1]) and is_cjk(b[0])):
        return False
    left, right = a[-4:], b[:4]
    words = _jieba().lcut(left + right, HMM=False)
    pos = 0
    for w in words:
        end = pos + len(w)
        if pos < len(left) < end:
            return len(w) >= 2
        pos = end
    return False


@lru_cache(maxsize=4096)
def _known_word(word: str) -> bool:
    """Whether ``word`` is an English or German word (wordfreq's lists, loaded lazily)."""
    from wordfreq import zipf_frequency  # lazy: its lists take a second or two to load

    w = word.lower()
    return max(zipf_frequency(w, "en"), zipf_frequency(w, "de")) > 0.0


def hyphen_rejoins(a: str, b: str) -> bool | None:
    """For ``a`` ending in a hyphen: does its last fragment plus ``b``'s first make a word?

    None when there is nothing to judge (no hyphen, no letters on either side). A word
    the typesetter split goes back together ("preli-" + "minary"); a fragment glued to
    the start of an unrelated column ("preli-" + "the") gives no known word.
    """
    if not ends_with_hyphen(a):
        return None
    left = re.search(r"([^\W\d_]+)[-‐­⸗¬]\s*$", a)
    right = re.match(r"\s*([^\W\d_]+)", b)
    if not left or not right:
        return None
    return _known_word(left.group(1) + right.group(1)) or _known_word(f"{left.group(1)}-{right.group(1)}")


def continuation_evidence(a: str, b: str) -> tuple[float, tuple[str, ...]]:
    """Evidence that text ``b`` continues text ``a``, from the text across the cut alone.

    Returns (score, reasons). Reasons are short, human-readable and stable, so they can
    be shown to users (``--explain``) and asserted in tests.
    """
    # Only the text near the cut matters; long blocks would only cost time.
    a, b = normalize(a[-80:]), normalize(b[:80])
    score, reasons = 0.0, []
    if not a or not b:
        return 0.0, ("empty",)
    if ends_with_sign_off(a):
        return -4.0, ("a ends with a sign-off",)
    cjk = is_cjk_text(a[-20:])
    if ends_sentence(a):
        score -= 1.0
        reasons.append("a ends a sentence")
    else:
        score += 2.0
        reasons.append("a ends mid-sentence")
    if ends_with_hyphen(a) and starts_lower(b):
        score += 2.0
        reasons.append("hyphenated word split")
        rejoined = hyphen_rejoins(a, b)
        if rejoined is not None:
            # the dictionary tells which column finishes the word
            score += 1.5 if rejoined else -1.5
            reasons.append("the split word is a known word" if rejoined else "no known word across the hyphen")
    elif starts_lower(b) and (not cjk or a[-1].isascii() and a[-1].isalpha()):
        # in CJK text too, when a Latin name or word runs across the cut
        score += 1.5
        reasons.append("b starts lower-case")
    elif not cjk and starts_upper(b) and not ends_sentence(a):
        score -= 0.5
        reasons.append("b starts upper-case")
    if open_brackets(a) > 0:
        score += 0.5
        reasons.append("a leaves a quote or bracket open")
    if b[0] in _FINAL or b[0] in "，、,":
        score += 1.5
        reasons.append("b starts with punctuation")
    if cjk and cjk_word_across(a, b):
        score += 1.5
        reasons.append("a word spans the cut")
    return score, tuple(reasons)
