"""Synthetic newspaper pages with ground truth for the pagestitch benchmark.

Pages are set from real article texts (../shared/corpus) in 3-8 columns of unequal
widths, horizontally or (Chinese) vertically, as a born-digital PDF plus a degraded
scan-like image, with a `pagestitch/truth@1` file and the page's paste text
(see benchmarks/TRUTH.md). With --flow-rate R a share R of the pages is set in
continuous flow instead of modules (flow.py: articles poured down 2-6 equal columns).

    python -m benchmarks.generator --out DIR --pages N --seed S [--langs zh,en,de] [--flow-rate R]
"""

from benchmarks.generator.compose import PageSpec
from benchmarks.generator.pages import generate_issue, generate_page, generate_set, spec_for

__all__ = ["PageSpec", "generate_page", "generate_issue", "generate_set", "spec_for"]
