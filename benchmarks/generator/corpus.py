"""Real article texts from the shared corpus (see ../shared/corpus/README.md).

Nothing is copied into the repository: the corpus is read at generation time from
``../shared/corpus`` relative to the repository (override with ``corpus_dir`` or the
``PAGESTITCH_CORPUS`` environment variable).
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from benchmarks.generator.typeset import covered

REPO = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"

# Which files feed which language, and the font whose glyph coverage an article must pass.
FILES = {
    "zh": ["zh/luxun-zawen.jsonl", "zh/zhwiki-sample.jsonl"],
    "en": ["en/onestopenglish-adv.jsonl", "en/federalist-papers.jsonl"],
    "de": ["de/reichsanzeiger-gt.jsonl"],
}
FONT = {"zh": "WQY", "en": "Serif", "de": "Serif"}
# Reichsanzeiger transcriptions keep glyphs DejaVu lacks; these are their usual readings.
DE_MAP = str.maketrans({"⸗": "-", "ꝛ": "r", "ℳ": "M", "₰": "Pf", "ſ": "s"})


@dataclass(frozen=True)
class Story:
    """An article as it reads when whole."""

    id: str
    lang: str
    title: str
    paras: tuple[str, ...]
    source: str
    license: str
    byline: str | None = None
    dateline: str | None = None
    kicker: str | None = None  # short sub-headline label

    @property
    def chars(self) -> int:
        return sum(len(p) for p in self.paras)


def corpus_dir(override: str | Path | None = None) -> Path:
    if override:
        return Path(override)
    return Path(os.environ.get("PAGESTITCH_CORPUS", DEFAULT_CORPUS))


def _story(rec: dict, lang: str) -> Story | None:
    text, title = rec["text"], rec["title"]
    if lang == "de":
        if rec.get("kind") not in ("heading", "heading-item"):
            return None  # court notices name private persons; keep news prose only
        text, title = rec.get("text_normalized", text).translate(DE_MAP), title.translate(DE_MAP)
    paras = tuple(p.strip() for p in text.split("\n") if p.strip())
    if lang == "zh":  # wiki tables and lists survive as paragraphs with little Chinese: drop them
        paras = tuple(p for p in paras if sum("\u4e00" <= ch <= "\u9fff" for ch in p) > 0.5 * len(p))
    if not paras or not covered(title + "".join(paras), FONT[lang]):
        return None
    byline, dateline, kicker = None, None, None
    if rec["id"].startswith("zh-luxun"):
        byline, kicker = "鲁迅", f"选自《{rec.get('collection', '')}》"
    elif rec["id"].startswith("zh-wiki"):
        byline = "维基百科"
    elif rec["id"].startswith("en-federalist"):
        author = rec.get("author") or "Publius"
        byline, dateline = f"By {str(author).title()}", rec.get("published")
        paras = paras[:12]  # the papers are long; a newspaper would run the opening only
    elif rec["id"].startswith("en-onestop"):
        byline = "onestopenglish.com"
    elif lang == "de":
        byline = f"Reichsanzeiger, {rec.get('year', '')}"
    return Story(rec["id"], lang, title.strip(), paras, rec.get("source", ""), rec.get("license", ""),
                 byline, dateline, kicker)


@lru_cache(maxsize=8)
def load(lang: str, root: str) -> tuple[Story, ...]:
    stories: list[Story] = []
    for name in FILES[lang]:
        with open(Path(root) / name, encoding="utf-8") as fh:
            for line in fh:
                story = _story(json.loads(line), lang)
                if story is not None:
                    stories.append(story)
    return tuple(stories)


class Pool:
    """Draws stories without repetition (until the pool is exhausted) from a seeded order."""

    def __init__(self, lang: str, rng: random.Random, root: str | Path | None = None,
                 prefer: str | None = None) -> None:
        stories = list(load(lang, str(corpus_dir(root))))
        if prefer:
            stories = [s for s in stories if s.id.startswith(prefer)] or stories
        rng.shuffle(stories)
        self.stories = stories
        self.used: set[str] = set()

    def take(self, min_chars: int = 0, max_chars: int = 10**9) -> Story:
        fresh = [s for s in self.stories if s.id not in self.used]
        if not fresh:
            self.used.clear()
            fresh = self.stories
        pick = next((s for s in fresh if min_chars <= s.chars <= max_chars), None)
        if pick is None:  # nothing in range: the longest (or shortest) available one
            pick = max(fresh, key=lambda s: s.chars) if min_chars else min(fresh, key=lambda s: s.chars)
        self.used.add(pick.id)
        return pick
