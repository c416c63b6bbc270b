"""The real-pages track: annotated newspaper pages nobody on this project made.

The ground truth is parsed here (safely, with defusedxml) from PAGE XML and from METS +
ALTO. Each page's lines go to pagestitch as a page JSON in a seeded shuffled order, so
that no order leaks from the file; the predicted line order is then lifted to regions
(a region ranks by the mean position of its lines) and compared with the annotated
region order. Articles are scored as line grouping. A second part OCRs the NZZ images
with Tesseract (Fraktur), maps the OCR lines to GT lines by box, and compares
Tesseract's own order with pagestitch's order on those same OCR lines. A third part
pastes the text of the pages that have article ids and text (Luxembourg) block by block,
as a copy-paste gives it, and scores the unscrambler's articles as line grouping and
as links between blocks (the METS gives each article's blocks in order).

Lines without text in the GT (the NZZ article files) get a neutral filler of about
the right length, so pagestitch works from geometry alone there.
"""

from __future__ import annotations

import os
import random
import re
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from statistics import mean, median
from typing import TYPE_CHECKING, Any, Iterator, Sequence
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET

from benchmarks import baselines as bl
from benchmarks.metrics import PageTruth, Prediction, bleu, dedupe, kendall, map_boxes, score_prediction
from layout.model import Line, Page, Provenance

if TYPE_CHECKING:
    from benchmarks.run import Context, Track

REAL_DIR = Path(os.environ.get("PAGESTITCH_REAL_DIR", Path(__file__).resolve().parents[2] / "shared" / "real"))
REAL_COLUMNS = ["pages", "region_tau", "region_tau_worst", "region_bleu4", "bleu4", "tau",
                "line_recall", "gt_kept", "link_f1", "pair_f1", "ari", "time_total"]
# Quick runs OCR only these NZZ images (the two reading-order pages).
QUICK_OCR = ("nzz-reading-order",)
SEED = 20240601
# Region tau of two regions is +1 or -1 and says little: region scores need three.
MIN_REGIONS = 3

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class RealLine:
    id: str
    text: str
    bbox: Box
    region: str
    article: str | None = None


@dataclass
class RealPage:
    dataset: str
    id: str
    width: float
    height: float
    lines: list[RealLine]
    region_order: list[str] = field(default_factory=list)
    image: Path | None = None
    source: Path | None = None  # the archive file pagestitch reads the lines from
    # Table cells (Transkribus structure type "T<table>C<column>"): the Reichsanzeiger
    # annotators numbered them after all the page's text, as table structure rather
    # than reading order, so the region order is scored without them (and with them,
    # as region_tau_all).
    table_regions: frozenset[str] = frozenset()
    # Regions in the order the articles read them (METS: title, then paragraphs by
    # ORDER), where the truth gives articles but no page reading order (Luxembourg).
    article_order: list[str] = field(default_factory=list)

    def ordered_lines(self) -> list[str]:
        """Line ids of the annotated regions, in region order then line order."""
        by_region: dict[str, list[str]] = {}
        for ln in self.lines:
            by_region.setdefault(ln.region, []).append(ln.id)
        return [lid for r in self.region_order for lid in by_region.get(r, [])]

    def reads_in_rows(self) -> bool:
        """The annotated line order runs along the rows of the page, from one column's
        line to the line beside it in the next, rather than down the columns: the order a
        transcription tool numbers lines in, which no reader follows. Real reading orders
        step sideways on at most 4 % of their steps (a run-in head, a table's row); three
        NZZ pages of nzz-articles do so on about half of theirs, with their articles'
        lines alternating line by line, so their line order is not scored. A table's cells,
        read along their rows, do not count."""
        by_id = {ln.id: ln.bbox for ln in self.lines if ln.region not in self.table_regions}
        boxes = [by_id[lid] for lid in self.ordered_lines() if lid in by_id]
        steps = list(zip(boxes, boxes[1:]))
        return bool(steps) and sum(map(_beside, *zip(*steps))) > ROW_STEPS * len(steps)

    def truth(self) -> PageTruth:
        return PageTruth(order=self.ordered_lines(), line_segment={}, links=frozenset(), article_texts=[],
                         line_article={ln.id: ln.article for ln in self.lines if ln.article})


# Share of sideways steps (to a line beside, on the same row) over which an annotated
# line order is the rows', not a reading order (see RealPage.reads_in_rows).
ROW_STEPS = 0.2


def _beside(a: Box, b: Box) -> bool:
    """b stands beside a on its row: no common width, most of the lower height common."""
    overlap = min(a[3], b[3]) - max(a[1], b[1])
    return min(a[2], b[2]) <= max(a[0], b[0]) and overlap > 0.5 * min(a[3] - a[1], b[3] - b[1])


# ------------------------------------------------------------------- parsing


def _points_box(points: str) -> Box | None:
    nums = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", points)]
    if len(nums) < 4:
        return None
    xs, ys = nums[0::2], nums[1::2]
    return (min(xs), min(ys), max(xs), max(ys))


_ARTICLE = re.compile(r"structure\s*\{([^}]*)\}")
_TABLE_CELL = re.compile(r"structure\s*\{[^}]*type:\s*T\d+C\d+\s*;")
_INDEX = re.compile(r"readingOrder\s*\{\s*index:(\d+)")


def _custom_article(custom: str) -> str | None:
    for body in _ARTICLE.findall(custom or ""):
        fields = dict(p.split(":", 1) for p in (s.strip() for s in body.split(";")) if ":" in p)
        if fields.get("type", "article").strip() == "article" and fields.get("id"):
            return fields["id"].strip()
    return None


def _line_text(line: Element) -> str:
    # The line's own TextEquiv (a direct child), not the words'.
    for eq in line.findall("{*}TextEquiv"):
        uni = eq.find("{*}Unicode")
        if uni is not None and uni.text:
            return uni.text.strip()
    return ""


def _region_lines(region: Element) -> Iterator[RealLine]:
    lines = region.findall("{*}TextLine")
    keyed = []
    for k, tl in enumerate(lines):
        m = _INDEX.search(tl.get("custom", ""))
        keyed.append((int(m.group(1)) if m else k, k, tl))
    for _, _, tl in sorted(keyed, key=lambda t: (t[0], t[1])):
        coords = tl.find("{*}Coords")
        box = _points_box(coords.get("points", "")) if coords is not None else None
        if box is None:
            continue
        yield RealLine(tl.get("id", ""), _line_text(tl), box, region.get("id", ""), _custom_article(tl.get("custom", "")))


def parse_page_xml(path: Path, dataset: str, image_dir: Path | None = None) -> RealPage:
    root = SafeET.parse(str(path)).getroot()
    page = root.find("{*}Page")
    if page is None:
        raise ValueError(f"{path}: no Page element")
    refs = sorted(((int(r.get("index", "0")), r.get("regionRef", ""))
                   for r in page.iterfind(".//{*}RegionRefIndexed")), key=lambda t: t[0])
    lines = [ln for region in page.iterfind(".//{*}TextRegion") for ln in _region_lines(region)]
    image = None
    if image_dir is not None:
        candidate = image_dir / page.get("imageFilename", "")
        image = candidate if candidate.is_file() else None
    tables = frozenset(r.get("id", "") for r in page.iterfind(".//{*}TextRegion") if _TABLE_CELL.search(r.get("custom", "")))
    return RealPage(dataset, path.stem, float(page.get("imageWidth", 0)), float(page.get("imageHeight", 0)),
                    _unique(lines), [r for _, r in refs], image, path, tables)


def _unique(lines: list[RealLine]) -> list[RealLine]:
    """Line ids must be unique for a page JSON; suffix the rare repeat."""
    seen: dict[str, int] = {}
    out = []
    for ln in lines:
        n = seen.get(ln.id, 0)
        seen[ln.id] = n + 1
        out.append(ln if n == 0 else RealLine(f"{ln.id}~{n}", ln.text, ln.bbox, ln.region, ln.article))
    return out


def _mets_articles(mets: Path) -> tuple[dict[tuple[str, str], str], dict[str, Path]]:
    """(ALTO file id, TextBlock id) -> article div id, in the METS's order (each article's
    title, then its paragraphs by ORDER), and ALTO file id -> path."""
    root = SafeET.parse(str(mets)).getroot()
    files = {}
    for f in root.iterfind(".//{*}file"):
        loc = f.find("{*}FLocat")
        href = loc.get("{http://www.w3.org/1999/xlink}href", "") if loc is not None else ""
        if href.startswith("file://"):
            href = href[len("file://"):]
        files[f.get("ID", "")] = (mets.parent / href).resolve()
    blocks: dict[tuple[str, str], str] = {}

    def walk(el: Element, article: str | None) -> None:
        # An area belongs to its nearest ARTICLE ancestor.
        if el.get("TYPE") == "ARTICLE":
            article = el.get("ID")
        if el.tag.endswith("}area") and article and el.get("BEGIN"):
            blocks.setdefault((el.get("FILEID", ""), el.get("BEGIN", "")), article)
        for child in el:
            walk(child, article)

    for smap in root.iterfind(".//{*}structMap"):
        if smap.get("TYPE") == "LOGICAL":
            walk(smap, None)
    return blocks, files


def _alto_page(path: Path, file_id: str, block_article: dict[tuple[str, str], str]) -> RealPage:
    root = SafeET.parse(str(path)).getroot()
    page = root.find(".//{*}Page")
    lines = []
    for block in root.iterfind(".//{*}TextBlock"):
        bid = block.get("ID", "")
        for tl in block.iterfind(".//{*}TextLine"):
            x, y = float(tl.get("HPOS", 0)), float(tl.get("VPOS", 0))
            w, h = float(tl.get("WIDTH", 0)), float(tl.get("HEIGHT", 0))
            text = " ".join(s.get("CONTENT", "") for s in tl.findall("{*}String"))
            lines.append(RealLine(tl.get("ID", ""), text, (x, y, x + w, y + h), bid, block_article.get((file_id, bid))))
    width = float(page.get("WIDTH", 0)) if page is not None else 0.0
    height = float(page.get("HEIGHT", 0)) if page is not None else 0.0
    # the METS areas come in each article's reading order (kept by the dict's insertion)
    order = [bid for fid, bid in block_article if fid == file_id]
    return RealPage("luxzeit1858", path.stem, width, height, _unique(lines), source=path, article_order=order)


def load_luxembourg(folder: Path) -> list[RealPage]:
    mets = sorted(folder.glob("*mets.xml"))
    if not mets:
        return []
    blocks, files = _mets_articles(mets[0])
    alto_ids = sorted({fid for fid, _ in blocks} | {f for f in files if f.startswith("ALTO")})
    return [_alto_page(files[fid], fid, blocks) for fid in alto_ids if fid in files and files[fid].is_file()]


def load_real(root: Path = REAL_DIR) -> dict[str, list[RealPage]]:
    """Every GT page by dataset (datasets whose folder is missing are left out)."""
    sets: dict[str, list[RealPage]] = {}
    for name, sub, img in (("nzz-reading-order", "page", "img"), ("nzz-articles", "page", "img")):
        folder = root / name / sub
        if folder.is_dir():
            sets[name] = [parse_page_xml(p, name, root / name / img) for p in sorted(folder.glob("*.xml"))]
    if (root / "reichsanzeiger").is_dir():
        sets["reichsanzeiger"] = [parse_page_xml(p, "reichsanzeiger") for p in sorted((root / "reichsanzeiger").glob("*.xml"))]
    if (root / "luxzeit1858").is_dir():
        sets["luxzeit1858"] = load_luxembourg(root / "luxzeit1858")
    return sets


# --------------------------------------------------------------- page JSON


def _filler(box: Box) -> str:
    """Neutral text for a line the GT gives no text: "words" of five middle dots, as
    many signs as the box holds (layout.frame counts a dot about a third of an em), so
    that the character advance reads the box's height and nothing else, and no letter
    case or sentence mark says where a line stands in its paragraph."""
    w, h = box[2] - box[0], max(1.0, box[3] - box[1])
    n = max(1, int(round(w / (0.35 * h))))
    return "".join("·" if k % 6 != 5 else " " for k in range(n)).strip() or "·"


def shuffled_page(rp: RealPage, seed: int = SEED) -> Page:
    """The page's lines in a seeded shuffle, as pagestitch's own reader gives them from
    the archive file (its ids, boxes, measured heights and the rules the file records),
    or built from the ground truth where the reader cannot match it line for line."""
    rng = random.Random(seed ^ zlib.crc32(f"{rp.dataset}/{rp.id}".encode()))
    read = _reader_page(rp)
    lines = list(read.lines) if read is not None else [Line(ln.id, ln.text, ln.bbox) for ln in rp.lines]
    lines = [ln if ln.text.strip() else replace(ln, text=_filler(ln.bbox)) for ln in lines]
    rng.shuffle(lines)
    separators = read.separators if read is not None else ()
    return Page(width=rp.width, height=rp.height, lines=tuple(lines), separators=separators,
                source=f"{rp.dataset}/{rp.id}")


def _reader_page(rp: RealPage) -> Page | None:
    if rp.source is None:
        return None
    from layout.api import InputError, read_pages

    try:
        [loaded] = read_pages(rp.source)
    except (InputError, ValueError):
        return None
    wanted = {ln.id for ln in rp.lines}
    got = [ln for ln in loaded.page.lines if ln.id in wanted]
    return replace(loaded.page, lines=tuple(got)) if len(got) == len(wanted) else None


# ------------------------------------------------------------------ scoring


def region_order(order: Sequence[str], line_region: dict[str, str]) -> list[str]:
    """Regions ranked by the mean predicted position of their lines."""
    positions: dict[str, list[int]] = {}
    for k, lid in enumerate(order):
        if lid in line_region:
            positions.setdefault(line_region[lid], []).append(k)
    return sorted(positions, key=lambda r: mean(positions[r]))


def score_real(rp: RealPage, pred: Prediction) -> dict[str, Any]:
    """Line-level order and grouping, plus region-level tau/BLEU of the predicted order.
    Table cells, numbered after the page's text (see ``RealPage.table_regions``), are
    left out of the order at line level as at region level; ``tau_all`` keeps them."""
    truth = rp.truth()
    cells = {ln.id for ln in rp.lines if ln.region in rp.table_regions}
    scores = score_prediction(replace(truth, order=[x for x in truth.order if x not in cells]),
                              replace(pred, order=[x for x in pred.order if x not in cells]))
    if cells:
        scores["tau_all"] = kendall(dedupe(pred.order), truth.order)
    if len(rp.region_order) >= MIN_REGIONS:
        line_region = {ln.id: ln.region for ln in rp.lines}
        ref_all = [r for r in rp.region_order if any(ln.region == r for ln in rp.lines)]
        hyp_all = [r for r in region_order(dedupe(pred.order), line_region) if r in set(ref_all)]
        ref = [r for r in ref_all if r not in rp.table_regions]
        hyp = [r for r in hyp_all if r not in rp.table_regions]
        scores["region_tau"] = kendall(hyp, ref)
        scores["region_bleu4"] = bleu(hyp, ref)
        if rp.table_regions:
            scores["region_tau_all"] = kendall(hyp_all, ref_all)
    return scores if rp.region_order and not rp.reads_in_rows() else _grouping_only(scores)


def _page_prediction(page: Page, mapping: dict[str, str | None] | None, seconds: float) -> Prediction:
    def m(lid: str) -> str | None:
        return lid if mapping is None else mapping.get(lid)

    blocks = page.block_by_id()
    arts = [[m(lid) for bid in a.block_ids if bid in blocks for lid in blocks[bid].line_ids] for a in page.articles]
    return Prediction(order=[m(lid) for lid in page.ordered_line_ids()], texts=[], link_sequences=arts,
                      articles=arts, timings={**dict(page.provenance.timings), "total": seconds})


def _order_prediction(ordered: Sequence[Line], mapping: dict[str, str | None] | None, seconds: float) -> Prediction:
    order = [ln.id if mapping is None else mapping.get(ln.id) for ln in ordered]
    return Prediction(order=order, texts=[], link_sequences=[order], timings={"total": seconds})


def run_gt_page(ctx: Context, track: Track, rp: RealPage) -> None:
    from benchmarks.run import _timed

    from ocr.loaded import LoadedPage

    page = shuffled_page(rp)
    # The page image, where the dataset has one, goes in as it would from a scan: rules
    # drawn on the page are evidence pagestitch is built to use.
    loaded = LoadedPage(page, _gray(rp.image)) if rp.image is not None else page
    try:
        result, seconds = _timed(lambda: ctx.pipeline.reconstruct(loaded))
    except Exception as exc:
        ctx.fail(f"real/{rp.dataset}", rp.id, "pagestitch", exc)
    else:
        track.add("pagestitch", rp.id, score_real(rp, _page_prediction(result, None, seconds)))
    lines = list(page.lines)
    for method, fn in (("shuffled-input", lambda: lines), ("sort-tblr", lambda: bl.sort_tblr(lines)),
                       ("xy-cut", lambda: bl.xy_cut_lines(lines))):
        ordered, seconds = _timed(fn)
        track.add(method, rp.id, score_real(rp, _order_prediction(ordered, None, seconds)))


def run_ocr_page(ctx: Context, track: Track, rp: RealPage) -> None:
    """Tesseract (Fraktur) on the NZZ image: its order vs pagestitch on its lines."""
    from benchmarks.run import _timed
    from ocr.loaded import LoadedPage

    assert rp.image is not None
    name = f"{rp.dataset}/{rp.id}"
    try:
        res = bl.tesseract_lines(rp.image, "Fraktur", ctx.cache_dir)
    except Exception as exc:
        ctx.fail("real/nzz-ocr", name, "tesseract", exc)
        return
    gt = [ln for ln in rp.lines]
    hits = map_boxes([ln.bbox for ln in res.lines], [g.bbox for g in gt])
    mapping = {ln.id: (gt[h].id if h is not None else None) for ln, h in zip(res.lines, hits)}
    kept = len({v for v in mapping.values() if v}) / len(gt) if gt else None
    scores = score_real(rp, _order_prediction(res.lines, mapping, res.seconds))
    track.add("tesseract", name, {**scores, "gt_kept": kept})
    # Tesseract's lines, as `--engine tesseract` would give them (its provenance too).
    page = Page(width=rp.width, height=rp.height, lines=tuple(res.lines), source=name,
                provenance=Provenance(engine="tesseract"))
    try:
        result, seconds = _timed(lambda: ctx.pipeline.reconstruct(LoadedPage(page, _gray(rp.image))))
    except Exception as exc:
        ctx.fail("real/nzz-ocr", name, "pagestitch", exc)
        return
    track.add("pagestitch", name, {**score_real(rp, _page_prediction(result, mapping, seconds)), "gt_kept": kept})


def _gray(path: Path) -> Any:
    """The page image as 8-bit grayscale; PIL, because OpenCV rejects 4-bit TIFFs."""
    import numpy as np
    from PIL import Image

    with Image.open(path) as im:
        return np.asarray(im.convert("L"))


# ------------------------------------------------------------------ pasted


def pasted_blocks(rp: RealPage) -> list[list[RealLine]]:
    """The page's text regions as a copy-paste gives them, one piece each: by top edge,
    then left edge, as the generated pages' paste (benchmarks/TRUTH.md). Tops within
    half a line height of each other are one row: scanned columns never start level."""
    by_region: dict[str, list[RealLine]] = {}
    for ln in rp.lines:
        if ln.text.strip():
            by_region.setdefault(ln.region, []).append(ln)
    if not by_region:
        return []
    half = 0.5 * median(ln.bbox[3] - ln.bbox[1] for lines in by_region.values() for ln in lines)
    tops = sorted(min(ln.bbox[1] for ln in lines) for lines in by_region.values())
    row_top: dict[float, float] = {}
    current: float | None = None
    for t in tops:  # ascending: a row starts at the first top more than half a line below the row's
        if current is None or t - current > half:
            current = t
        row_top[t] = current
    def key(lines: list[RealLine]) -> tuple[float, float]:
        return row_top[min(ln.bbox[1] for ln in lines)], min(ln.bbox[0] for ln in lines)
    return sorted(by_region.values(), key=key)


def paste_truth(rp: RealPage, blocks: list[list[RealLine]]) -> PageTruth:
    """Grouping, and the links between the blocks of each article in the order the truth
    reads them (``article_order``). No page order, and no article texts: the truth has
    no joined text to hold them to."""
    article = {ln.region: ln.article for b in blocks for ln in b if ln.article}
    seq = [r for r in rp.article_order if r in article]
    links = frozenset((a, b) for a, b in zip(seq, seq[1:]) if article[a] == article[b])
    # without an article order there are no links to score (not zero of them)
    segment = {ln.id: ln.region for b in blocks for ln in b if ln.article} if seq else {}
    return PageTruth(order=[], line_segment=segment, links=links, article_texts=[],
                     line_article={ln.id: ln.article for b in blocks for ln in b if ln.article})


def run_paste_real(ctx: Context, track: Track, rp: RealPage) -> None:
    """The unscrambler on a real page's text pasted block by block: are the articles' lines
    kept together (pair F1 of lines to articles)?"""
    from benchmarks.run import _field, _timed

    blocks = pasted_blocks(rp)
    if not any(ln.article for b in blocks for ln in b):
        return
    text = "\n\n".join("\n".join(ln.text for ln in b) for b in blocks) + "\n"
    truth = paste_truth(rp, blocks)
    ids = [[ln.id for ln in b] for b in blocks]
    everything: list[str | None] = [lid for b in ids for lid in b]
    track.add("paste-as-is", rp.id, _grouping_only(score_prediction(
        truth, Prediction(order=everything, texts=[], link_sequences=[everything], articles=[everything],
                          timings={"total": 0.0}))))
    try:
        result, seconds = _timed(lambda: ctx.pipeline.unscramble(text))
    except Exception as exc:
        ctx.fail(f"real-paste/{rp.dataset}", rp.id, "pagestitch", exc)
        return
    arts: list[list[str | None]] = [[lid for p in _field(a, "pieces", []) for lid in ids[int(p)]]
                                    for a in _field(result, "articles", []) or []]
    pred = Prediction(order=[x for a in arts for x in a], texts=[], link_sequences=arts, articles=arts,
                      timings={"total": seconds})
    track.add("pagestitch", rp.id, _grouping_only(score_prediction(truth, pred)))


def _grouping_only(scores: dict[str, Any]) -> dict[str, Any]:
    """Scores without the line-order ones, for a truth with no annotated order."""
    for key in ("line_hit", "line_total", "line_recall", "bleu4", "ard", "tau"):
        scores.pop(key, None)  # no annotated order: only grouping is meaningful
    return scores


def run_real(ctx: Context, quick: bool, tesseract: bool, root: Path = REAL_DIR) -> dict[str, Track]:
    from benchmarks.run import Track

    if not root.is_dir():
        ctx.notes.append(f"real pages folder {root} is missing: no real track")
        return {}
    sets = load_real(root)
    tracks: dict[str, Track] = {}
    for name, pages in sets.items():
        track = tracks.setdefault(f"real/{name}", Track())
        for rp in pages:
            run_gt_page(ctx, track, rp)
        rows = [rp.id for rp in pages if rp.region_order and rp.reads_in_rows()]
        if rows:
            ctx.notes.append(f"real/{name}: line order not scored on {', '.join(rows)} (annotated by rows)")
        for rp in pages:
            if any(ln.article and ln.text.strip() for ln in rp.lines):
                run_paste_real(ctx, tracks.setdefault(f"real-paste/{name}", Track()), rp)
    if not tesseract:
        ctx.notes.append("real/nzz-ocr skipped: tesseract is not available")
        return tracks
    ocr = tracks.setdefault("real/nzz-ocr", Track())
    for name, pages in sets.items():
        if not name.startswith("nzz") or (quick and name not in QUICK_OCR):
            continue
        for rp in pages:
            if rp.image is not None:
                run_ocr_page(ctx, ocr, rp)
    if quick:
        ctx.notes.append(f"real/nzz-ocr (quick): only {', '.join(QUICK_OCR)} images")
    return tracks
