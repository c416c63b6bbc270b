"""Fit the weights of the unscrambler's cues (``layout.unscramble.WEIGHTS``) on generated pages.

    python -m benchmarks.fit_unscramble DEV_DIR... [--epochs 3] [--rate 0.03]

A structured perceptron: for every page with a paste and ground truth, the unscrambler
solves with the current weights; the cues of the solution it found
(``ChainSearch.features``) are compared with those of the true solution (the true
successors of the paste pieces, from ``<id>.truth.json``, less the links the piece kinds
forbid), and where the truth scores no better than what was found, every weight steps
toward the truth by ``--rate`` times the difference. The weights averaged over all
steps are scored by piece link F1 at the end against the starting weights, and the
better of the two is printed as a table to put into ``layout/unscramble.py``. No OCR:
about a minute an epoch for 50 pages.
"""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from benchmarks.truth import find_pages, load_truth, paste_pieces, piece_segments
from layout import unscramble as u


@dataclass
class Page:
    pieces: list[u.Piece]
    vocab: u.Vocabulary
    truth: dict[int, int]  # true successor of each paste piece


def true_successors(truth_links: frozenset[tuple[str, str]], seg_of: list[str | None]) -> dict[int, int]:
    """Successor of each paste piece in the truth: the next piece of the same segment (a
    segment pasted in parts), else the first piece of the segment its segment links to."""
    first: dict[str, int] = {}
    for k, s in enumerate(seg_of):
        if s is not None:
            first.setdefault(s, k)
    nxt = {a: b for a, b in truth_links}
    out: dict[int, int] = {}
    for k, s in enumerate(seg_of):
        if s is None:
            continue
        later = next((q for q in range(k + 1, len(seg_of)) if seg_of[q] == s), None)
        if later is not None:
            out[k] = later
        elif s in nxt and nxt[s] in first:
            out[k] = first[nxt[s]]
    has_pred: set[int] = set()
    for k in sorted(out):  # one predecessor each: the first claim wins
        if out[k] in has_pred:
            del out[k]
        else:
            has_pred.add(out[k])
    return out


def load_pages(folders: list[str]) -> list[Page]:
    pages = []
    for folder in folders:
        for files in find_pages(Path(folder)):
            if files.paste is None:
                continue
            paste = files.paste.read_text(encoding="utf-8")
            pieces = u.split_pieces(paste)
            seg_of = piece_segments(load_truth(files.truth), paste_pieces(paste))
            if pieces and len(seg_of) == len(pieces):
                pages.append(Page(pieces, u.Vocabulary(pieces), true_successors(load_truth(files.truth).links, seg_of)))
    return pages


def solve(page: Page) -> tuple[dict[int, int], u.ChainSearch]:
    """The unscrambler's successors under the current weights, and the search that
    judges them (as the last one in ``choose_links``)."""
    _, kinds = u.type_pieces(page.pieces, page.vocab)
    succ, _ = u.choose_links(page.pieces, kinds, page.vocab)
    return succ, u.ChainSearch(page.pieces, kinds, page.vocab, u.article_widths(succ, kinds))


def reachable(truth: dict[int, int], search: u.ChainSearch) -> dict[int, int]:
    """The true links the unscrambler may make at all with these piece kinds."""
    return {a: b for a, b in truth.items() if u.pair_features(a, b, search.pieces, search.kinds, search.vocab)[0] is not None}


def counts(page: Page, succ: dict[int, int]) -> tuple[int, int, int]:
    """(hit, missed, wrong) links of a solution against the truth."""
    gold, pred = set(page.truth.items()), set(succ.items())
    return len(gold & pred), len(gold - pred), len(pred - gold)


def f1(tp: int, fn: int, fp: int) -> float:
    return 2 * tp / max(1, 2 * tp + fn + fp)


def link_f1(pages: list[Page], weights: dict[str, float]) -> float:
    """Piece link F1 of the unscrambler under ``weights``."""
    u.WEIGHTS.update(weights)
    tp = fn = fp = 0
    for page in pages:
        t, n, p = counts(page, solve(page)[0])
        tp, fn, fp = tp + t, fn + n, fp + p
    return f1(tp, fn, fp)


def fit(pages: list[Page], epochs: int, rate: float) -> dict[str, float]:
    """Averaged perceptron; returns the averaged weights, or the starting ones if the
    average does not raise link F1 on ``pages``. Each epoch prints the F1 of the weights
    as they were while it ran (epoch 1: the starting weights)."""
    start = dict(u.WEIGHTS)
    current, summed, steps = dict(start), Counter(start), 1
    for epoch in range(1, epochs + 1):
        tp = fn = fp = 0
        for page in pages:
            u.WEIGHTS.update(current)
            found, search = solve(page)
            t, n, p = counts(page, found)
            tp, fn, fp = tp + t, fn + n, fp + p
            gold = reachable(page.truth, search)
            diff = search.features(gold)
            diff.subtract(search.features(found))
            if found != gold and u.weigh(diff) <= 0:
                # the truth scores no better than what was found: the weights are wrong
                # (when it scores better, the search missed it, and the weights are not
                # to blame)
                for k, v in diff.items():
                    if k in current and k != "never":
                        current[k] += rate * v
            summed.update(current)
            steps += 1
        print(f"epoch {epoch}: link F1 while training {f1(tp, fn, fp):.4f}", flush=True)
    average = {k: summed[k] / steps for k in start}
    before, after = link_f1(pages, start), link_f1(pages, average)
    print(f"link F1 starting weights {before:.4f}, averaged {after:.4f}")
    print("averaged:", {k: round(v, 2) for k, v in average.items() if k != "never"})
    u.WEIGHTS.update(start)
    return average if after > before else start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folders", nargs="+")
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--rate", type=float, default=0.03)
    args = ap.parse_args()
    best = fit(load_pages(args.folders), args.epochs, args.rate)
    print("WEIGHTS = {")
    for k, v in best.items():
        print(f'    "{k}": {v:.2f},')
    print("}")


if __name__ == "__main__":
    main()
