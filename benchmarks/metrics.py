"""Scores of the benchmark: pure functions on ids and texts, plus small accumulators.

Nothing here knows about pagestitch: a method's result for one page is a
``Prediction`` expressed in *truth* line ids, and ``score_prediction`` turns it into a
flat dict of numbers and counts that the accumulators aggregate.

Definitions (chosen once, used by every method):

- Text is normalised before comparison: CJK drops all whitespace (line breaks carry no
  meaning there); Latin collapses runs of whitespace to one space.
- Article CER: true and predicted articles are paired one-to-one by the Hungarian
  method on the length of their longest common subsequence; CER is the Levenshtein
  distance of each true article to its partner, an unmatched true article costs its
  whole length; aggregated as total edits / total true characters.
- Page CER: the same distance between all true article text and all predicted text,
  each concatenated in its own order; comparable between methods that group and
  methods that do not.
- Reading order follows LayoutReader (Wang et al. 2021): BLEU-4 over the sequence of
  true line ids (prediction = hypothesis, truth = reference, brevity penalty, no
  smoothing; pages shorter than 4 lines use n-grams up to their length), and ARD:
  mean over reference elements of |position in prediction - position in reference|,
  a missing element costing the reference length. Kendall tau over common lines.
- Grouping: pairwise precision/recall over pairs of lines in one article, and the
  adjusted Rand index (Hubert & Arabie 1985); lines of no true article are left out,
  true lines that no predicted article holds count as singletons.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

import numpy as np
from rapidfuzz.distance import LCSseq, Levenshtein
from rapidfuzz.process import cdist
from scipy.optimize import linear_sum_assignment
from scipy.stats import kendalltau

Box = tuple[float, float, float, float]

_WS = re.compile(r"\s+")


# ----------------------------------------------------------------------- text


def normalise(text: str, cjk: bool) -> str:
    if cjk:
        return _WS.sub("", text)
    return _WS.sub(" ", text).strip()


def match_texts(true_texts: Sequence[str], pred_texts: Sequence[str], cjk: bool) -> list[tuple[int, int]]:
    """One-to-one pairs (true index, predicted index) maximising common characters.

    Pairs that share no character are dropped: they are not a match, only a leftover
    of the square assignment.
    """
    if not true_texts or not pred_texts:
        return []
    a = [normalise(t, cjk) for t in true_texts]
    b = [normalise(t, cjk) for t in pred_texts]
    sim = cdist(a, b, scorer=LCSseq.similarity, dtype=np.int64)
    rows, cols = linear_sum_assignment(-sim)
    return [(int(r), int(c)) for r, c in zip(rows, cols) if sim[r, c] > 0]


@dataclass(frozen=True)
class CER:
    edits: int
    chars: int
    matched: int
    unmatched: int

    @property
    def value(self) -> float | None:
        return self.edits / self.chars if self.chars else None


def article_cer(true_texts: Sequence[str], pred_texts: Sequence[str], cjk: bool) -> CER:
    truths = [normalise(t, cjk) for t in true_texts]
    preds = [normalise(t, cjk) for t in pred_texts]
    pairs = dict(match_texts(truths, preds, cjk))
    edits = 0
    for i, t in enumerate(truths):
        j = pairs.get(i)
        # Unmatched: every true character is missing, i.e. CER 1 for that article.
        edits += len(t) if j is None else Levenshtein.distance(t, preds[j])
    chars = sum(len(t) for t in truths)
    return CER(edits, chars, len(pairs), len(truths) - len(pairs))


def page_cer(true_texts: Sequence[str], pred_texts: Sequence[str], cjk: bool) -> CER:
    """CER of all predicted text against all true article text, each side in its order.

    Unlike article CER this does not punish a method for not splitting the page into
    articles, so baselines (one "article" per page) and pagestitch compare on the text
    a reader gets; header and folio lines a baseline keeps count as insertions.
    """
    t = normalise(" ".join(true_texts), cjk)
    p = normalise(" ".join(pred_texts), cjk)
    return CER(Levenshtein.distance(t, p), len(t), 0, 0)


# ---------------------------------------------------------------------- order


def dedupe(seq: Iterable[str | None]) -> list[str]:
    """Drop unmatched entries and later repeats (an OCR line split in two maps twice)."""
    seen: set[str] = set()
    out = []
    for x in seq:
        if x is not None and x not in seen:
            seen.add(x)
            out.append(x)
    return out


def _ngrams(seq: Sequence[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(seq[i : i + n]) for i in range(len(seq) - n + 1))


def bleu(hyp: Sequence[str], ref: Sequence[str], max_n: int = 4) -> float | None:
    """Sentence BLEU of one hypothesis against one reference, uniform weights."""
    if not ref:
        return None
    order = min(max_n, len(ref))
    if len(hyp) < order:
        return 0.0
    log_p = 0.0
    for n in range(1, order + 1):
        h, r = _ngrams(hyp, n), _ngrams(ref, n)
        clipped = sum(min(c, r[g]) for g, c in h.items())
        if clipped == 0:
            return 0.0
        log_p += math.log(clipped / sum(h.values())) / order
    bp = 1.0 if len(hyp) > len(ref) else math.exp(1 - len(ref) / len(hyp))
    return bp * math.exp(log_p)


def ard(hyp: Sequence[str], ref: Sequence[str]) -> float | None:
    """Average relative distance; an element missing from hyp costs len(ref)."""
    if not ref:
        return None
    pos = {x: i for i, x in enumerate(hyp)}
    n = len(ref)
    return sum(abs(pos[x] - k) if x in pos else n for k, x in enumerate(ref)) / n


def kendall(hyp: Sequence[str], ref: Sequence[str]) -> float | None:
    """Kendall tau between the predicted and true positions of the common elements."""
    ref_pos = {x: i for i, x in enumerate(ref)}
    common = [ref_pos[x] for x in hyp if x in ref_pos]
    if len(common) < 2:
        return None
    tau = kendalltau(np.arange(len(common)), np.asarray(common)).statistic
    return None if tau is None or math.isnan(tau) else float(tau)


# ---------------------------------------------------------------------- links


def links_from_sequences(
    sequences: Iterable[Sequence[str | None]], line_segment: Mapping[str, str]
) -> set[tuple[str, str]]:
    """Successor links between segments read off each sequence of true line ids."""
    links: set[tuple[str, str]] = set()
    for seq in sequences:
        segs = [line_segment.get(x) for x in seq if x is not None]
        collapsed = [s for k, s in enumerate(segs) if s is not None and (k == 0 or s != segs[k - 1])]
        # A segment seen again later (A B A) still yields A->B and B->A: that is a wrong
        # order and should cost precision.
        links.update((a, b) for a, b in zip(collapsed, collapsed[1:]) if a != b)
    return links


@dataclass(frozen=True)
class PRF:
    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        return f1_of(self.tp, self.tp + self.fp, self.tp + self.fn)


def f1_of(tp: float, predicted: float, actual: float) -> float | None:
    if predicted + actual == 0:
        return None
    return 2 * tp / (predicted + actual)


def prf(predicted: set[tuple[str, str]], actual: set[tuple[str, str]] | frozenset[tuple[str, str]]) -> PRF:
    tp = len(predicted & actual)
    return PRF(tp, len(predicted) - tp, len(actual) - tp)


# ------------------------------------------------------------------- grouping


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def _labels(true: Mapping[str, str], pred: Mapping[str, str]) -> tuple[list[str], list[str]]:
    items = sorted(true)
    # A line no predicted article holds is its own cluster: it pairs with nothing.
    return [true[i] for i in items], [pred.get(i, f"\0single:{i}") for i in items]


@dataclass(frozen=True)
class PairCounts:
    tp: int
    predicted: int
    actual: int

    @property
    def precision(self) -> float | None:
        return self.tp / self.predicted if self.predicted else None

    @property
    def recall(self) -> float | None:
        return self.tp / self.actual if self.actual else None

    @property
    def f1(self) -> float | None:
        return f1_of(self.tp, self.predicted, self.actual)


def pair_counts(true: Mapping[str, str], pred: Mapping[str, str]) -> PairCounts:
    """Pairs of lines in one article: shared, predicted, true (counted, not listed)."""
    t, p = _labels(true, pred)
    joint = Counter(zip(t, p))
    return PairCounts(
        sum(_pairs(c) for c in joint.values()),
        sum(_pairs(c) for c in Counter(p).values()),
        sum(_pairs(c) for c in Counter(t).values()),
    )


def adjusted_rand(true: Mapping[str, str], pred: Mapping[str, str]) -> float | None:
    t, p = _labels(true, pred)
    n = len(t)
    if n < 2:
        return None
    index = sum(_pairs(c) for c in Counter(zip(t, p)).values())
    a = sum(_pairs(c) for c in Counter(t).values())
    b = sum(_pairs(c) for c in Counter(p).values())
    expected = a * b / _pairs(n)
    top = (a + b) / 2
    if top == expected:
        # Both partitions trivial (all singletons or one cluster): agree or not.
        return 1.0 if index == a == b else 0.0
    return (index - expected) / (top - expected)


# ------------------------------------------------------------------- geometry


def map_boxes(pred: Sequence[Box], true: Sequence[Box]) -> list[int | None]:
    """Index of the true box each predicted box lands on.

    The true box containing the predicted centre wins (the best-overlapping one when
    several do); otherwise the true box of largest IoU; None when nothing overlaps.
    """
    if not pred or not true:
        return [None] * len(pred)
    p = np.asarray(pred, dtype=float)
    t = np.asarray(true, dtype=float)
    ix = np.clip(np.minimum(p[:, None, 2], t[None, :, 2]) - np.maximum(p[:, None, 0], t[None, :, 0]), 0, None)
    iy = np.clip(np.minimum(p[:, None, 3], t[None, :, 3]) - np.maximum(p[:, None, 1], t[None, :, 1]), 0, None)
    inter = ix * iy
    area_p = (p[:, 2] - p[:, 0]) * (p[:, 3] - p[:, 1])
    area_t = (t[:, 2] - t[:, 0]) * (t[:, 3] - t[:, 1])
    union = area_p[:, None] + area_t[None, :] - inter
    iou = np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)
    cx = (p[:, 0] + p[:, 2]) / 2
    cy = (p[:, 1] + p[:, 3]) / 2
    inside = (cx[:, None] >= t[None, :, 0]) & (cx[:, None] <= t[None, :, 2])
    inside &= (cy[:, None] >= t[None, :, 1]) & (cy[:, None] <= t[None, :, 3])
    out: list[int | None] = []
    for k in range(len(p)):
        # +1 lifts every containing box above every non-containing one.
        score = iou[k] + inside[k]
        best = int(np.argmax(score))
        out.append(best if score[best] > 0 else None)
    return out


# ----------------------------------------------------------- one page, one method


@dataclass
class Prediction:
    """One method's result on one page, in truth line ids.

    ``order``: true line id of each predicted line in reading order (None = matched
    nothing). ``articles``: per predicted article its lines in order, or None for a
    method that does not group (a baseline). ``link_sequences``: the sequences whose
    consecutive segments count as predicted links (the articles, or the whole page for
    a baseline). ``texts``: predicted article texts for CER.
    """

    order: list[str | None]
    texts: list[str]
    link_sequences: list[list[str | None]]
    articles: list[list[str | None]] | None = None
    timings: dict[str, float] = field(default_factory=dict)
    extra: dict[str, float | None] = field(default_factory=dict)


@dataclass(frozen=True)
class PageTruth:
    """What scoring needs from a truth page (generated or real)."""

    order: list[str]
    line_segment: Mapping[str, str]
    line_article: Mapping[str, str]
    links: frozenset[tuple[str, str]]
    article_texts: list[str]
    cjk: bool = False


def article_labels(articles: Sequence[Sequence[str | None]]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for k, lines in enumerate(articles):
        for lid in lines:
            if lid is not None:
                labels.setdefault(lid, str(k))
    return labels


def score_prediction(truth: PageTruth, pred: Prediction) -> dict[str, float | None]:
    """Per-page numbers and the counts that aggregate them."""
    hyp = dedupe(pred.order)
    ref = truth.order
    known = set(ref)
    hits = sum(1 for x in hyp if x in known)
    out: dict[str, float | None] = {
        "line_hit": hits,
        "line_total": len(ref),
        "line_recall": hits / len(ref) if ref else None,
        "bleu4": bleu(hyp, ref),
        "ard": ard(hyp, ref),
        "tau": kendall(hyp, ref),
    }
    if truth.links or truth.line_segment:
        links = prf(links_from_sequences(pred.link_sequences, truth.line_segment), set(truth.links))
        out.update(link_tp=links.tp, link_fp=links.fp, link_fn=links.fn,
                   link_p=links.precision, link_r=links.recall, link_f1=links.f1)
    if truth.article_texts:
        cer = article_cer(truth.article_texts, pred.texts, truth.cjk)
        out.update(cer_edits=cer.edits, cer_chars=cer.chars, cer=cer.value)
        page = page_cer(truth.article_texts, pred.texts, truth.cjk)
        out.update(pcer_edits=page.edits, pcer_chars=page.chars, page_cer=page.value)
    if pred.articles is not None and truth.line_article:
        labels = article_labels(pred.articles)
        pc = pair_counts(truth.line_article, labels)
        out.update(pair_tp=pc.tp, pair_pred=pc.predicted, pair_true=pc.actual,
                   pair_p=pc.precision, pair_r=pc.recall, pair_f1=pc.f1,
                   ari=adjusted_rand(truth.line_article, labels))
    for stage, seconds in pred.timings.items():
        out[f"time_{stage}"] = seconds
    out.update(pred.extra)
    return out


# --------------------------------------------------------------- accumulators


class Mean:
    """Mean of per-page values, plus the worst page."""

    def __init__(self, higher_is_better: bool = True) -> None:
        self.values: list[float] = []
        self.higher = higher_is_better

    def update(self, value: float | None) -> None:
        if value is not None and not math.isnan(value):
            self.values.append(float(value))

    def summary(self) -> dict[str, float | None]:
        if not self.values:
            return {"mean": None, "worst": None}
        worst = min(self.values) if self.higher else max(self.values)
        return {"mean": sum(self.values) / len(self.values), "worst": worst}


class Ratio:
    """Sum of numerators over sum of denominators (micro average)."""

    def __init__(self) -> None:
        self.num = 0.0
        self.den = 0.0

    def update(self, num: float | None, den: float | None) -> None:
        if num is not None and den is not None:
            self.num += num
            self.den += den

    def summary(self) -> float | None:
        return self.num / self.den if self.den else None


# Metrics averaged over pages, with their direction; "worst" is kept for these.
MEAN_METRICS: dict[str, bool] = {
    "bleu4": True, "ard": False, "tau": True, "ari": True,
    "region_tau": True, "region_bleu4": True, "gt_kept": True,
}


class Aggregate:
    """Aggregates the per-page dicts of one method on one track."""

    def __init__(self) -> None:
        self.pages = 0
        self.means: dict[str, Mean] = {}
        self.times: dict[str, Mean] = {}
        self.counts: Counter[str] = Counter()
        self.seen: set[str] = set()

    def update(self, page: Mapping[str, float | None]) -> None:
        self.pages += 1
        self.seen.update(page)
        for key, value in page.items():
            if key in MEAN_METRICS:
                self.means.setdefault(key, Mean(MEAN_METRICS[key])).update(value)
            elif key.startswith("time_"):
                self.times.setdefault(key, Mean(False)).update(value)
            elif key.endswith(("_tp", "_fp", "_fn", "_pred", "_true", "_edits", "_chars", "_hit", "_total")):
                self.counts[key] += value or 0

    def summary(self) -> dict[str, float | None]:
        c = self.counts
        out: dict[str, float | None] = {"pages": self.pages}
        if "line_total" in self.seen:
            out["line_recall"] = c["line_hit"] / c["line_total"] if c["line_total"] else None
        for key, acc in self.means.items():
            s = acc.summary()
            out[key] = s["mean"]
            out[f"{key}_worst"] = s["worst"]
        if "link_tp" in self.seen:
            links = PRF(int(c["link_tp"]), int(c["link_fp"]), int(c["link_fn"]))
            out.update(link_p=links.precision, link_r=links.recall, link_f1=links.f1)
        if "cer_chars" in self.seen:
            out["cer"] = c["cer_edits"] / c["cer_chars"] if c["cer_chars"] else None
        if "pcer_chars" in self.seen:
            out["page_cer"] = c["pcer_edits"] / c["pcer_chars"] if c["pcer_chars"] else None
        if "pair_tp" in self.seen:
            pc = PairCounts(int(c["pair_tp"]), int(c["pair_pred"]), int(c["pair_true"]))
            out.update(pair_p=pc.precision, pair_r=pc.recall, pair_f1=pc.f1)
        for key, acc in self.times.items():
            out[key] = acc.summary()["mean"]
        return out
