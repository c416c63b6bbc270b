"""The layout pipeline: separators → blocks + roles → columns → order → articles → stitch.

Each stage is a pure function of the page (and image); strategies are passed in by
name. The result is a new Page; the input is never changed. Timings of every stage go
into the provenance, beside what the reader recorded (OCR, reading).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any, Sequence

from layout import geometry as g
from layout.articles import GROUPINGS, intertitles, signed_blocks, unhead_signatures
from layout.blocks import BlockParams, group_lines, make_blocks
from layout.columns import cluster_columns
from layout.frame import Frame, build_frame, measured_weights
from layout.issue import issue_row
from layout.model import Block, Box, Column, Link, Page, Provenance
from layout.order import ORDERINGS, tier_cuts
from layout.roles import assign_roles, lead_spacing, refine_in_order, split_leads
from layout.rulecut import cut_at_rules
from layout.runin import open_at, run_in_lines, split_heads
from layout.separators import find_separators, merge_separators
from layout.stitch import stitch_article


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as _v

    try:
        return _v("pagestitch")
    except PackageNotFoundError:
        return "0+unknown"


@dataclass(frozen=True)
class Options:
    order: str = "modules"
    grouping: str = "headlines"
    direction: str | None = None  # None detects; "horizontal" or "vertical" forces
    detect_rules: bool = True

    def __post_init__(self) -> None:
        if self.order not in ORDERINGS:
            raise ValueError(f"unknown order strategy {self.order!r}; choose from {sorted(ORDERINGS)}")
        if self.grouping not in GROUPINGS:
            raise ValueError(f"unknown grouping strategy {self.grouping!r}; choose from {sorted(GROUPINGS)}")
        if self.direction not in (None, "horizontal", "vertical"):
            raise ValueError(f"direction must be horizontal or vertical, not {self.direction!r}")


def reconstruct(page: Page, image: Any = None, **options: Any) -> Page:
    """Reading order and articles for one page of lines (see layout.api.reconstruct)."""
    opts = Options(**options)
    timings: dict[str, float] = {}
    t = time.perf_counter()
    frame = build_frame(page, opts.direction)
    if opts.detect_rules and image is not None:
        found = find_separators(page, image, frame.size, frame.skew)
        page = replace(page, separators=merge_separators(page.separators, found, frame.size))
        frame = build_frame(page, "vertical" if frame.vertical else "horizontal")
    if frame.vertical:
        # A column never runs over a tier's rule: a line the engine read across one is
        # cut there. Vertical pages only: on horizontal ones (the same fault: a line over
        # a column rule) it cut a real NZZ page's lines (region BLEU 1.0 -> 0.956).
        cut = cut_at_rules(page, frame, image)
        if cut is not page:
            page, frame = cut, build_frame(cut, "vertical")
    runins: set[int] = set()
    if all(line.bold is None for line in page.lines):
        # The reader knew no fonts (a scan): the ink tells which lines are heavy.
        frame = replace(frame, bold=measured_weights(page, image))
    if not any(line.bold for line in page.lines):
        # No line is known bold (a scan, or a PDF whose bold neither a font's name nor
        # a stroked glyph shows, say a glyph drawn twice over itself, which the reader
        # keeps once): the ink tells which lines open with a head run in before their text.
        runins = run_in_lines(page, image, frame)
    timings["separators"] = time.perf_counter() - t

    t = time.perf_counter()
    groups, runins = open_at(group_lines(page, frame, BlockParams()), runins, page)
    if runins:
        page, groups, runins, frame = _split_heads(page, groups, runins, frame)
    roles = assign_roles(page, frame, groups)
    groups, roles = split_leads(frame, groups, roles)
    frame_boxes = [g.union(frame.boxes[i] for i in grp) for grp in groups]
    # Signatures are known from the boxes alone; one boxed as tall as a head must not
    # be ordered as a head (it would claim the next article's lines under it).
    signed = signed_blocks(groups, frame.boxes, frame_boxes, frame.size)
    roles = unhead_signatures(roles, signed)
    order = _order(frame_boxes, roles, frame, opts)
    sizes = [g.median_or((frame.sizes[i] for i in grp), frame.size) for grp in groups]
    texts = [" ".join(page.lines[i].text for i in grp) for grp in groups]
    refined = refine_in_order(order, roles, frame_boxes, [len(grp) for grp in groups], sizes, texts,
                              lead_spacing(groups, frame, roles))
    if refined != roles:
        roles, order = refined, _order(frame_boxes, refined, frame, opts)
    tiers = _tier_breaks(order, frame_boxes, roles, frame)
    closed = {p + 1 for p, i in enumerate(order) if i in signed}  # a signed block ends its article
    roles = intertitles(order, roles, sizes, _signatures(signed, roles), tiers | closed, frame.size)
    blocks = make_blocks(page, groups, roles)
    blocks, columns = _columns(blocks, frame_boxes, roles)
    timings["layout"] = time.perf_counter() - t

    t = time.perf_counter()
    breaks = tiers | closed
    breaks |= {p for p, i in enumerate(order) if groups[i][0] in runins}  # a run-in head opens an item
    articles, links = _articles(page, blocks, order, opts, breaks)
    timings["stitch"] = time.perf_counter() - t
    return replace(
        page,
        direction="vertical" if frame.vertical else "horizontal",
        columns=columns,
        blocks=blocks,
        reading_order=tuple(blocks[i].id for i in order),
        articles=articles,
        links=links,
        provenance=_provenance(page.provenance, opts, frame, timings),
    )


def _split_heads(page: Page, groups: list[list[int]], opened: set[int], frame: Frame
                 ) -> tuple[Page, list[list[int]], set[int], Frame]:
    """Run-in heads that open an item cut off their lines (layout.runin.split_heads),
    and the frame measured again for the new lines: a head is heavy, the rest of its
    line weighs as the line did."""
    # The date on the issue's line ("Freitag. 23 Juni 1933" reads as a dateline) stays
    # whole. A line measured heavy as a whole is still cut: its lead measured heavier
    # than its rest (layout.runin.run_in_lines), so a long head in a narrow column
    # ("ROME, Dec. 7." of "ROME, Dec. 7. A day that began") only made the whole look bold.
    texts = [line.text for line in page.lines]
    whole = {i for i in opened if issue_row(i, frame.boxes, texts, frame.size)}
    page, groups, heads, origin = split_heads(page, groups, opened, whole)
    old = frame.bold
    bold = tuple(True if k in heads else (old[i] if old else None) for k, i in enumerate(origin))
    frame = build_frame(page, "vertical" if frame.vertical else "horizontal")
    return page, groups, heads, replace(frame, bold=bold)


def _signatures(signed: set[int], roles: list[str]) -> set[int]:
    """The signed blocks that an author signed. A jump line ("Continued on Page 2") is
    set flush right under the end of its article's text like a signature, and ends the
    article here as one does, but no author signs there: the heads above it in the text's
    size open items of their own (run-in datelines down a column of news), they are no
    intertitles of one signed article (see layout.articles.intertitles)."""
    return {k for k in signed if roles[k] != "jump"}


def _order(frame_boxes: list[Box], roles: list[str], frame: Frame, opts: Options) -> list[int]:
    return ORDERINGS[opts.order](frame_boxes, roles, frame.separators, frame.size)


def _columns(blocks: tuple[Block, ...], frame_boxes: Sequence[Box], roles: Sequence[str]) -> tuple[tuple[Block, ...], tuple[Column, ...]]:
    groups = cluster_columns(frame_boxes, roles)
    columns = tuple(Column(f"c{k}", g.union(blocks[i].bbox for i in grp)) for k, grp in enumerate(groups))
    of_block = {i: columns[k].id for k, grp in enumerate(groups) for i in grp}
    return tuple(replace(b, column=of_block.get(i)) for i, b in enumerate(blocks)), columns


def _tier_breaks(order: list[int], frame_boxes: Sequence[Box], roles: Sequence[str], frame: Frame) -> set[int]:
    """Positions in the order where reading crosses a band that splits the page into
    tiers, downwards (see layout.order.tier_cuts)."""
    cuts = tier_cuts(frame_boxes, roles, frame.separators, frame.size)
    return {p for p in range(1, len(order)) if any(
        frame_boxes[order[p - 1]][3] <= y <= frame_boxes[order[p]][1] for y in cuts)}


def _articles(page: Page, blocks: tuple[Block, ...], order: list[int], opts: Options,
              breaks: set[int]) -> tuple[tuple, tuple[Link, ...]]:
    lines = page.line_by_id()
    groups = GROUPINGS[opts.grouping]([blocks[i].role for i in order], breaks)
    articles, links = [], []
    for k, positions in enumerate(groups):
        article, article_links = stitch_article(f"a{k}", [blocks[order[p]] for p in positions], lines)
        articles.append(article)
        links.extend(article_links)
    return tuple(articles), tuple(links)


def _provenance(prev: Provenance, opts: Options, frame: Frame, timings: dict[str, float]) -> Provenance:
    params = dict(prev.parameters)
    params["layout"] = {
        "order": opts.order,
        "grouping": opts.grouping,
        "direction": opts.direction or "auto",
        "detect_rules": opts.detect_rules,
        "text_size": round(frame.size, 2),
        "skew_deg": round(frame.skew, 3),
    }
    merged = dict(prev.timings)
    merged.update({k: round(v, 6) for k, v in timings.items()})
    return replace(prev, version=version(), parameters=params, timings=merged)
