"""Loading the ground truth of generated pages (``pagestitch/truth@1``, see TRUTH.md).

Also holds the two small geometric helpers every track needs: mapping a box from
pagestitch page coordinates back to truth coordinates (PDF points), and mapping the
pieces of a paste file back to truth segments.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

TRUTH_SCHEMA = "pagestitch/truth@1"

Box = tuple[float, float, float, float]
BoxMap = Callable[[Box], Box]


class TruthError(ValueError):
    """A truth file that does not follow TRUTH.md; the message names the file and field."""


@dataclass(frozen=True)
class TruthLine:
    id: str
    text: str
    bbox: Box
    segment: str | None
    article: str | None
    role: str = "body"


@dataclass(frozen=True)
class TruthSegment:
    id: str
    article: str | None
    text: str
    line_ids: tuple[str, ...]
    bbox: Box | None = None
    role: str = "body"


@dataclass(frozen=True)
class TruthArticle:
    id: str
    title: str
    text: str
    segments: tuple[str, ...]


@dataclass(frozen=True)
class ScanInfo:
    file: str
    dpi: float
    width: int
    height: int
    matrix: tuple[tuple[float, float, float], tuple[float, float, float]]
    skew_deg: float = 0.0
    degradation: str = "clean"


@dataclass(frozen=True)
class Truth:
    id: str
    lang: str
    direction: str
    pdf_size: tuple[float, float]
    lines: tuple[TruthLine, ...]
    segments: tuple[TruthSegment, ...]
    articles: tuple[TruthArticle, ...]
    links: frozenset[tuple[str, str]]
    scan: ScanInfo | None = None
    issue: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def cjk(self) -> bool:
        return self.lang == "zh"

    def line_order(self) -> list[str]:
        return [line.id for line in self.lines]

    def line_segment(self) -> dict[str, str]:
        return {line.id: line.segment for line in self.lines if line.segment is not None}

    def line_article(self) -> dict[str, str]:
        return {line.id: line.article for line in self.lines if line.article is not None}


@dataclass(frozen=True)
class PageFiles:
    """The files of one generated page; absent files are None."""

    id: str
    truth: Path
    pdf: Path | None
    scan: Path | None
    paste: Path | None


def _box(value: Any, where: str) -> Box:
    try:
        x0, y0, x1, y1 = (float(v) for v in value)
    except (TypeError, ValueError):
        raise TruthError(f"{where}: bbox must be four numbers, got {value!r}") from None
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def _get(d: dict[str, Any], key: str, where: str) -> Any:
    if key not in d:
        raise TruthError(f"{where}: missing '{key}'")
    return d[key]


def _scan(d: dict[str, Any] | None, where: str) -> ScanInfo | None:
    if not d:
        return None
    m = _get(d, "matrix", where)
    matrix = (tuple(float(v) for v in m[0]), tuple(float(v) for v in m[1]))
    return ScanInfo(
        file=str(_get(d, "file", where)),
        dpi=float(d.get("dpi") or 0),
        width=int(_get(d, "width", where)),
        height=int(_get(d, "height", where)),
        matrix=matrix,  # type: ignore[arg-type]
        skew_deg=float(d.get("skew_deg") or 0.0),
        degradation=str(d.get("degradation") or "clean"),
    )


def truth_from_dict(data: dict[str, Any], where: str = "truth") -> Truth:
    if data.get("schema") != TRUTH_SCHEMA:
        raise TruthError(f"{where}: schema is {data.get('schema')!r}, expected {TRUTH_SCHEMA!r}")
    lines = tuple(
        TruthLine(
            id=str(_get(d, "id", f"{where}: lines[{i}]")),
            text=str(d.get("text", "")),
            bbox=_box(_get(d, "bbox", f"{where}: lines[{i}]"), f"{where}: lines[{i}]"),
            segment=d.get("segment"),
            article=d.get("article"),
            role=str(d.get("role") or "body"),
        )
        for i, d in enumerate(_get(data, "lines", where))
    )
    segments = tuple(
        TruthSegment(
            id=str(d["id"]),
            article=d.get("article"),
            text=str(d.get("text", "")),
            line_ids=tuple(str(x) for x in d.get("line_ids", ())),
            bbox=_box(d["bbox"], f"{where}: segments[{i}]") if d.get("bbox") else None,
            role=str(d.get("role") or "body"),
        )
        for i, d in enumerate(data.get("segments") or [])
    )
    articles = tuple(
        TruthArticle(str(d["id"]), str(d.get("title", "")), str(d.get("text", "")),
                     tuple(str(s) for s in d.get("segments", ())))
        for d in data.get("articles") or []
    )
    pdf = data.get("pdf") or {}
    return Truth(
        id=str(_get(data, "id", where)),
        lang=str(data.get("lang") or "en"),
        direction=str(data.get("direction") or "horizontal"),
        pdf_size=(float(pdf.get("width") or 0.0), float(pdf.get("height") or 0.0)),
        lines=lines,
        segments=segments,
        articles=articles,
        links=frozenset((str(k["source"]), str(k["target"])) for k in data.get("links") or []),
        scan=_scan(data.get("scan"), f"{where}: scan"),
        issue=data.get("issue"),
        extra={k: data[k] for k in ("jumps", "page_in_issue") if k in data},
    )


def load_truth(path: Path) -> Truth:
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise TruthError(f"{path}: cannot read truth ({exc})") from None
    return truth_from_dict(data, str(path))


def find_pages(folder: Path) -> list[PageFiles]:
    """Every ``<id>.truth.json`` in folder with its sibling files, sorted by id."""
    pages = []
    for truth in sorted(Path(folder).glob("*.truth.json")):
        pid = truth.name[: -len(".truth.json")]

        def sibling(*exts: str, _pid: str = pid) -> Path | None:
            for ext in exts:
                p = truth.with_name(_pid + ext)
                if p.exists():
                    return p
            return None

        pages.append(PageFiles(pid, truth, sibling(".pdf"), sibling(".png", ".jpg", ".jpeg"),
                               sibling(".paste.txt")))
    return pages


# ------------------------------------------------------------------ coordinate maps


def pdf_box_map(page_width: float, truth: Truth, dpi: float | None) -> BoxMap:
    """Page pixels -> PDF points for pages read from the PDF.

    The model says PDF pages are points scaled by dpi/72; when dpi is missing we fall
    back to the ratio of page width to PDF width, which is the same number.
    """
    if dpi:
        scale = 72.0 / dpi
    elif truth.pdf_size[0] > 0 and page_width > 0:
        scale = truth.pdf_size[0] / page_width
    else:
        scale = 1.0
    return lambda b: (b[0] * scale, b[1] * scale, b[2] * scale, b[3] * scale)


def scan_box_map(page_width: float, page_height: float, scan: ScanInfo) -> BoxMap:
    """Page pixels -> PDF points for pages read from the scan, through the inverse affine.

    A reader may resample the image; page coordinates are rescaled to the scan's
    pixel size first, then the four corners go through the inverse of ``scan.matrix``.
    """
    sx = scan.width / page_width if page_width else 1.0
    sy = scan.height / page_height if page_height else 1.0
    full = np.vstack([np.asarray(scan.matrix, dtype=float), [0.0, 0.0, 1.0]])
    inv = np.linalg.inv(full)

    def apply(b: Box) -> Box:
        xs = np.array([b[0], b[2], b[2], b[0]]) * sx
        ys = np.array([b[1], b[1], b[3], b[3]]) * sy
        pts = inv @ np.vstack([xs, ys, np.ones(4)])
        return (float(pts[0].min()), float(pts[1].min()), float(pts[0].max()), float(pts[1].max()))

    return apply


def truth_to_scan(scan: ScanInfo) -> Callable[[Box], list[tuple[float, float]]]:
    """Truth box (points) -> its four corners in scan pixels (for drawing overlays)."""
    m = np.asarray(scan.matrix, dtype=float)

    def apply(b: Box) -> list[tuple[float, float]]:
        pts = np.array([[b[0], b[1], 1], [b[2], b[1], 1], [b[2], b[3], 1], [b[0], b[3], 1]], float)
        out = pts @ m.T
        return [(float(x), float(y)) for x, y in out]

    return apply


# ------------------------------------------------------------------ paste pieces


def paste_pieces(text: str) -> list[str]:
    """Runs of non-blank lines, in order (the unscrambler's piece indices)."""
    pieces: list[str] = []
    current: list[str] = []
    for line in text.splitlines():
        if line.strip():
            current.append(line)
        elif current:
            pieces.append("\n".join(current))
            current = []
    if current:
        pieces.append("\n".join(current))
    return pieces


def segment_text(truth: Truth, seg: TruthSegment) -> str:
    """A segment's lines joined as the paste file joins them."""
    by_id = {line.id: line for line in truth.lines}
    if seg.line_ids:
        return "\n".join(by_id[i].text for i in seg.line_ids if i in by_id)
    return seg.text


def piece_segments(truth: Truth, pieces: Sequence[str]) -> list[str | None]:
    """Segment id of each paste piece.

    TRUTH.md says pieces are the segments in paste order, but we match by text
    (Hungarian on common characters) rather than trusting the order, so that a
    generator change in the sort rule cannot silently misalign the scoring.
    """
    from benchmarks.metrics import match_texts  # local: metrics imports nothing from here

    segs = list(truth.segments)
    seg_texts = [segment_text(truth, s) for s in segs]
    pairs = match_texts(list(pieces), seg_texts, cjk=truth.cjk)
    out: list[str | None] = [None] * len(pieces)
    for i, j in pairs:
        out[i] = segs[j].id
    return _identical_in_paste_order(truth, pieces, out)


def _identical_in_paste_order(truth: Truth, pieces: Sequence[str], out: list[str | None]) -> list[str | None]:
    """Pieces with the same text (a byline under every article), however their lines
    are wrapped, match any of their segments equally well by text: pair them in paste
    order, the order the paste was made in, instead of the matcher's arbitrary choice."""
    segs = {s.id: s for s in truth.segments}
    if truth.direction == "vertical":
        key = lambda sid: (-segs[sid].bbox[2], segs[sid].bbox[1])  # noqa: E731
    else:
        key = lambda sid: (segs[sid].bbox[1], segs[sid].bbox[0])  # noqa: E731
    same: dict[str, list[int]] = {}
    for k, piece in enumerate(pieces):
        if out[k] is not None:
            # the same words wrapped differently ("Reichsanzeiger,\n1914" in a narrower
            # column) are the same text to the matcher too
            same.setdefault("".join(piece.split()), []).append(k)
    fixed = list(out)
    for ks in same.values():
        if len(ks) > 1:
            for k, sid in zip(ks, sorted((out[k] for k in ks), key=key)):  # type: ignore[arg-type]
                fixed[k] = sid
    return fixed
