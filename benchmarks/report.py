"""The HTML report: the tables of results.json, and overlays of pagestitch's worst pages.

An overlay shows one page twice, side by side: left the truth (lines filled in the
colour of their true article, true successor links as arrows between segments), right
pagestitch (lines filled in the colour of the true article that most of their predicted
article's lines belong to, so a wrong merge shows as one colour spilling over two
articles; arrows where the predicted order jumps from one true segment to another).
"""

from __future__ import annotations

import html
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

from benchmarks.metrics import map_boxes
from benchmarks.truth import Truth, truth_to_scan

if TYPE_CHECKING:
    from benchmarks.run import Overlay

Box = tuple[float, float, float, float]
Poly = list[tuple[float, float]]
RASTER_DPI = 100

PALETTE = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189), (140, 86, 75),
           (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207)]
GREY = (200, 200, 200)


def _colour(k: int | None) -> tuple[int, int, int]:
    if k is None:
        return GREY
    r, g, b = PALETTE[k % len(PALETTE)]
    return (b, g, r)  # OpenCV wants BGR


def _base_image(ov: Overlay) -> tuple[np.ndarray, Callable[[Box], Poly]]:
    """The page raster and a map from truth boxes (points) to its pixels."""
    import cv2

    if ov.track == "scan" and ov.truth.scan is not None:
        image = cv2.imread(str(ov.source), cv2.IMREAD_COLOR)
        return image, truth_to_scan(ov.truth.scan)
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(ov.source))
    try:
        pil = doc[0].render(scale=RASTER_DPI / 72).to_pil().convert("RGB")
    finally:
        doc.close()
    image = cv2.cvtColor(np.asarray(pil), cv2.COLOR_RGB2BGR)
    s = RASTER_DPI / 72

    def to_img(b: Box) -> Poly:
        return [(b[0] * s, b[1] * s), (b[2] * s, b[1] * s), (b[2] * s, b[3] * s), (b[0] * s, b[3] * s)]

    return image, to_img


def _fill(img: np.ndarray, poly: Poly, colour: tuple[int, int, int]) -> None:
    import cv2

    cv2.fillPoly(img, [np.asarray(poly, dtype=np.int32)], colour)


def _centre(poly: Poly) -> tuple[int, int]:
    return (int(sum(p[0] for p in poly) / len(poly)), int(sum(p[1] for p in poly) / len(poly)))


def _blend(base: np.ndarray, layer: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.addWeighted(layer, 0.45, base, 0.55, 0)


def _truth_panel(base: np.ndarray, truth: Truth, to_img: Callable[[Box], Poly]) -> np.ndarray:
    import cv2

    art_index = {a.id: k for k, a in enumerate(truth.articles)}
    layer = base.copy()
    for ln in truth.lines:
        _fill(layer, to_img(ln.bbox), _colour(art_index.get(ln.article or "")))
    out = _blend(base, layer)
    seg_box = {s.id: s.bbox for s in truth.segments if s.bbox}
    for src, dst in sorted(truth.links):
        if src in seg_box and dst in seg_box:
            cv2.arrowedLine(out, _centre(to_img(seg_box[src])), _centre(to_img(seg_box[dst])), (0, 0, 200), 2, tipLength=0.03)
    return out


def _pred_panel(base: np.ndarray, ov: Overlay, to_img: Callable[[Box], Poly]) -> np.ndarray:
    import cv2

    truth = ov.truth
    boxes = [ov.box_map(b) for b, _ in ov.lines]
    hits = map_boxes(boxes, [t.bbox for t in truth.lines])
    true_line = [truth.lines[h] if h is not None else None for h in hits]
    art_index = {a.id: k for k, a in enumerate(truth.articles)}
    # Colour each predicted article by the true article most of its lines belong to.
    votes: dict[int, Counter[str]] = {}
    for (_, art), tl in zip(ov.lines, true_line):
        if art is not None and tl is not None and tl.article:
            votes.setdefault(art, Counter())[tl.article] += 1
    colour_of = {art: art_index.get(c.most_common(1)[0][0]) for art, c in votes.items()}
    layer = base.copy()
    for box, (_, art) in zip(boxes, ov.lines):
        _fill(layer, to_img(box), _colour(colour_of.get(art)) if art is not None else GREY)
    out = _blend(base, layer)
    prev: tuple[Poly, str | None] | None = None
    for box, tl in zip(boxes, true_line):
        seg = tl.segment if tl else None
        poly = to_img(box)
        if prev is not None and seg != prev[1]:
            cv2.arrowedLine(out, _centre(prev[0]), _centre(poly), (0, 0, 200), 2, tipLength=0.03)
        prev = (poly, seg)
    return out


def render_overlay(ov: Overlay, path: Path) -> Path:
    import cv2

    base, to_img = _base_image(ov)
    left = _truth_panel(base, ov.truth, to_img)
    right = _pred_panel(base, ov, to_img)
    both = np.hstack([left, np.full((base.shape[0], 12, 3), 255, np.uint8), right])
    scale = min(1.0, 1400 / both.shape[1])
    if scale < 1.0:
        both = cv2.resize(both, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    cv2.imwrite(str(path), both)
    return path


def _table_html(title: str, methods: dict[str, Any], columns: Sequence[str]) -> str:
    names = sorted(methods, key=lambda m: (m != "pagestitch", m))
    cols = [c for c in columns if any(c in methods[m]["aggregate"] for m in names)]

    def cell(v: Any) -> str:
        return "n/a" if v is None else f"{v:.3f}" if isinstance(v, float) else html.escape(str(v))

    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    rows = "".join(
        f"<tr><th>{html.escape(m)}</th>" + "".join(f"<td>{cell(methods[m]['aggregate'].get(c))}</td>" for c in cols) + "</tr>"
        for m in names)
    return f"<h2>{html.escape(title)}</h2><table><tr><th>method</th>{head}</tr>{rows}</table>"


def pick_worst(overlays: Sequence[Overlay], n: int) -> list[Overlay]:
    """The n lowest-scoring pages per track (pages without a score last)."""
    out: list[Overlay] = []
    for track in sorted({o.track for o in overlays}):
        ranked = sorted((o for o in overlays if o.track == track),
                        key=lambda o: (o.score is None, o.score if o.score is not None else 0.0))
        out += ranked[:n]
    return out


def write_report(results: dict[str, Any], overlays: Sequence[Overlay], out: Path, worst: int = 3) -> Path:
    from benchmarks.run import track_columns

    out = Path(out)
    figs = out / "overlays"
    parts = [f"<h1>pagestitch benchmark</h1><p>{html.escape(results['created'])} · engine "
             f"{html.escape(results['engine'])} · set {html.escape(results['set'])}"
             f"{' (quick)' if results['quick'] else ''}</p>"]
    for name, methods in results["tracks"].items():
        if methods:
            parts.append(_table_html(name, methods, track_columns(name)))
    parts += [f"<p class=note>{html.escape(n)}</p>" for n in results["notes"]]
    chosen = pick_worst(overlays, worst)
    if chosen:
        figs.mkdir(parents=True, exist_ok=True)
        parts.append("<h2>Worst pages (left: truth, right: pagestitch)</h2>")
    for ov in chosen:
        try:
            png = render_overlay(ov, figs / f"{ov.track}-{ov.page_id}.png")
        except Exception as exc:  # one unreadable page must not sink the report
            parts.append(f"<p>{html.escape(ov.page_id)}: overlay failed ({html.escape(str(exc))})</p>")
            continue
        score = "n/a" if ov.score is None else f"{ov.score:.3f}"
        parts.append(f"<figure><img src='overlays/{png.name}' width=100%>"
                     f"<figcaption>{html.escape(ov.track)} · {html.escape(ov.page_id)} · score {score}</figcaption></figure>")
    if results["errors"]:
        items = "".join(f"<li>{html.escape(str(e))}</li>" for e in results["errors"][:50])
        parts.append(f"<h2>Errors ({len(results['errors'])})</h2><ul>{items}</ul>")
    style = ("<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
             "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}th{background:#f4f4f4}</style>")
    path = out / "report.html"
    path.write_text(f"<!doctype html><meta charset=utf-8><title>pagestitch bench</title>{style}{''.join(parts)}",
                    encoding="utf-8")
    return path

