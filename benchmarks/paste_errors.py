"""Classify the wrong and missed stitch links of ``unscramble`` on generated pastes.

    python -m benchmarks.paste_errors DIR

For every page of DIR (generated pages with ``<id>.paste.txt``), the links the unscrambler
makes and the true links are compared segment to segment, and each hit (TP), missed link
(FN) and wrong link (FP) is counted under its class: the roles at its two ends
(head, credit, caption, body, jump), body links split into across a column or down one,
and head-group links marked when the article's headline stands beside another headline
in the paste (``[side-by-side heads]``), where what stands under which headline is
hardest to tell. No OCR: seconds for a few dozen pages.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from benchmarks.truth import Truth, TruthSegment, find_pages, load_truth, paste_pieces, piece_segments

GROUP = {"headline": "head", "subheadline": "credit", "byline": "credit", "dateline": "credit",
         "caption": "caption", "body": "body", "jump": "jump", "header": "furniture", "footer": "furniture"}
SAME_COLUMN = 5.0  # points: two body segments whose left edges differ less stand in one column


def link_class(source: TruthSegment, target: TruthSegment, side_by_side: bool) -> str:
    """The class of a link from ``source`` to ``target`` (see the module's docstring)."""
    a, b = GROUP.get(source.role, source.role), GROUP.get(target.role, target.role)
    name = f"{a}->{b}"
    if a == b == "body" and source.bbox and target.bbox:
        name += " same-col" if abs(source.bbox[0] - target.bbox[0]) < SAME_COLUMN else " across-col"
    if a in ("head", "credit") and side_by_side:
        name += " [side-by-side heads]"
    return name


def side_by_side_articles(truth: Truth, seg_of: list[str | None]) -> set[str]:
    """Articles whose headline is pasted right before or after another headline."""
    segs = {s.id: s for s in truth.segments}
    heads = {k for k, s in enumerate(seg_of) if s and segs[s].role == "headline"}
    return {segs[seg_of[k]].article or "" for k in heads if k - 1 in heads or k + 1 in heads}


def page_counts(truth: Truth, paste: str) -> tuple[Counter[str], Counter[str], Counter[str]]:
    """(TP, FN, FP) per link class on one page."""
    from layout.unscramble import unscramble  # lazy: the benchmark tools load without it

    seg_of = piece_segments(truth, paste_pieces(paste))
    segs = {s.id: s for s in truth.segments}
    side = side_by_side_articles(truth, seg_of)
    pred: set[tuple[str, str]] = set()
    for art in unscramble(paste).articles:
        ids = [s for s in (seg_of[p] for p in art.pieces) if s]
        pred.update((a, b) for a, b in zip(ids, ids[1:]) if a != b)

    def count(links: set[tuple[str, str]]) -> Counter[str]:
        return Counter(link_class(segs[a], segs[b], segs[a].article in side) for a, b in links)

    gold = set(truth.links)
    return count(gold & pred), count(gold - pred), count(pred - gold)


def main(folder: str) -> None:
    tp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    for files in find_pages(Path(folder)):
        if files.paste is None:
            continue
        t, n, p = page_counts(load_truth(files.truth), files.paste.read_text(encoding="utf-8"))
        tp, fn, fp = tp + t, fn + n, fp + p
    print(f"{'class':42s} {'TP':>4s} {'FN':>4s} {'FP':>4s}")
    for name in sorted(set(tp) | set(fn) | set(fp), key=lambda k: (-(fn[k] + fp[k]), k)):
        print(f"{name:42s} {tp[name]:4d} {fn[name]:4d} {fp[name]:4d}")
    a, b, c = sum(tp.values()), sum(fn.values()), sum(fp.values())
    print(f"{'total':42s} {a:4d} {b:4d} {c:4d}  link F1 {2 * a / max(1, 2 * a + b + c):.3f}")


if __name__ == "__main__":
    main(sys.argv[1])
