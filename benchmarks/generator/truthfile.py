"""The truth JSON (`pagestitch/truth@1`, benchmarks/TRUTH.md) and paste text of a composed page."""

from __future__ import annotations

from typing import Any

from benchmarks.generator.compose import Layout, Seg, cjk_midword
from benchmarks.generator.render import to_page

SCHEMA = "pagestitch/truth@1"
SHORT_ROLES = ("headline", "subheadline", "byline", "dateline", "caption", "jump")


def _rbox(box: tuple[float, ...]) -> list[float]:
    return [round(v, 2) for v in box]


def _union(boxes: list[tuple[float, ...]]) -> tuple[float, ...]:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def seg_text(seg: Seg, cjk: bool) -> str:
    """Body: the source text the segment covers, paragraphs split by "\\n", no typesetter hyphens.
    Short texts (headline, byline, ...): their lines rejoined; header/footer items: space-joined."""
    if seg.role == "body":
        parts: list[tuple[int, int, int]] = []
        for t in seg.pieces:
            if parts and parts[-1][0] == t.para:
                parts[-1] = (t.para, parts[-1][1], t.end)
            else:
                parts.append((t.para, t.start, t.end))
        return "\n".join(seg.paras[p][s:e] for p, s, e in parts)
    sep = "" if cjk and seg.role in SHORT_ROLES else " "
    return sep.join(line.text for line in seg.lines)


def _before(a: tuple[float, ...], b: tuple[float, ...], others: list[tuple[float, ...]]) -> bool:
    """The convention for the order of articles (modules) on a page, stated in TRUTH.md."""
    x_overlap = min(a[2], b[2]) - max(a[0], b[0]) > 1.0
    if x_overlap:
        return (a[1] + a[3]) < (b[1] + b[3])
    if a[2] > b[0] + 1.0:
        return False
    upper, lower = (a, b) if a[3] <= b[1] else (b, a)
    if upper[3] > lower[1]:
        return True  # side by side
    return not any(c[1] >= upper[3] - 1.0 and c[3] <= lower[1] + 1.0
                   and c[0] < a[2] and c[2] > a[0] and c[0] < b[2] and c[2] > b[0] for c in others)


def article_order(modules: list[tuple[float, ...]], rules: list[tuple[float, ...]]) -> list[int]:
    """Articles read column by column within sections: A before B when A is above B in
    the same columns, or A is left of B and nothing spanning both (another article, a
    horizontal rule) lies between them; ties go to the higher, then the more left one."""
    n = len(modules)
    blockers = modules + rules
    pred = {j: {i for i in range(n) if i != j and _before(modules[i], modules[j],
                                                          [c for k, c in enumerate(blockers) if k not in (i, j)])}
            for j in range(n)}
    done: list[int] = []
    while len(done) < n:
        ready = [j for j in range(n) if j not in done and pred[j] <= set(done)]
        pool = ready or [j for j in range(n) if j not in done]  # a cycle: take the top-most
        done.append(min(pool, key=lambda j: (modules[j][1], modules[j][0])))
    return done


def _line_order(layout: Layout) -> list[Any]:
    """Header, then the articles in reading order (each segment by segment), then the rest."""
    # Line boxes are in the composer's abstract (u, v) frame: u along the lines, v across
    # them, which is the frame a vertical page reads in once turned a quarter turn.
    arts = [i for i, art in enumerate(layout.arts) if any(layout.segs[k].lines for k in art.segs)]
    boxes = [_union([ln.box for k in layout.arts[i].segs for ln in layout.segs[k].lines]) for i in arts]
    rules = [r for r in layout.rules if (r[2] - r[0]) > (r[3] - r[1])]  # rules across the columns
    ordered = [ln for ln in layout.lines if layout.segs[ln.seg].role == "header"]
    # A flow page is read in the order its articles were poured; their boxes overlap.
    order = range(len(arts)) if layout.spec.layout == "flow" else article_order(boxes, rules)
    for k in order:
        for seg in layout.arts[arts[k]].segs:
            ordered.extend(layout.segs[seg].lines)
    seen = {id(ln) for ln in ordered}
    ordered.extend(ln for ln in layout.lines if id(ln) not in seen)
    return ordered


def build(layout: Layout, scan: dict | None, prev_id: str | None = None) -> dict[str, Any]:
    spec, cjk = layout.spec, layout.spec.lang == "zh"
    ordered = _line_order(layout)
    position = {id(ln): n for n, ln in enumerate(ordered)}
    seg_order = sorted((i for i, s in enumerate(layout.segs) if s.lines),
                       key=lambda i: position[id(layout.segs[i].lines[0])])
    sid = {i: f"s{n}" for n, i in enumerate(seg_order)}
    aid = {i: f"a{i}" for i in range(len(layout.arts))}
    lid = {id(line): f"t{n}" for n, line in enumerate(ordered)}
    lines = [{"id": lid[id(ln)], "text": ln.text, "bbox": _rbox(to_page(layout, ln.box)),
              "segment": sid[ln.seg], "article": _art(layout, ln.seg, aid), "role": ln.role}
             for ln in ordered]
    segments = []
    for i in seg_order:
        s = layout.segs[i]
        segments.append({"id": sid[i], "article": aid.get(s.article) if s.article is not None else None,
                         "role": s.role, "bbox": _rbox(_union([to_page(layout, ln.box) for ln in s.lines])),
                         "text": seg_text(s, cjk), "line_ids": [lid[id(ln)] for ln in s.lines]})
    articles, links, jumps = [], [], []
    for ai, art in enumerate(layout.arts):
        segs = [i for i in art.segs if layout.segs[i].lines]
        articles.append({"id": aid[ai], "title": art.title, "text": "\n".join([art.title] + art.paras),
                         "segments": [sid[i] for i in segs], "source": art.story.id})
        for a, b in zip(segs, segs[1:]):
            links.append({"source": sid[a], "target": sid[b], **_join(layout.segs[a], layout.segs[b], cjk)})
        if art.jump:
            jumps.append(_jump(art.jump, aid[ai], sid, prev_id))
    out = {"schema": SCHEMA, "id": spec.id, "lang": spec.lang,
           "direction": "vertical" if spec.vertical else "horizontal",
           "issue": spec.issue, "page_in_issue": spec.page_in_issue,
           "pdf": {"width": round(layout.width, 2), "height": round(layout.height, 2)},
           "scan": scan, "columns": spec.columns, "seed": spec.seed}
    if spec.layout != "modules":  # only then: module pages stay byte for byte as they were
        out["layout"] = spec.layout
    return {**out, "lines": lines, "segments": segments, "articles": articles, "links": links, "jumps": jumps}


def _art(layout: Layout, seg: int, aid: dict[int, str]) -> str | None:
    a = layout.segs[seg].article
    return None if a is None else aid[a]


def _join(a: Seg, b: Seg, cjk: bool) -> dict[str, bool]:
    """A cut inside a paragraph joins; it is mid-word when hyphenated (Latin) or inside a jieba word."""
    if a.role != "body" or b.role != "body" or not a.pieces or not b.pieces:
        return {"join": False, "midword": False}
    last, first = a.pieces[-1], b.pieces[0]
    join = first.para == last.para and first.start > 0 and not last.para_end
    mid = join and (a.hyphen_end or (cjk and cjk_midword(a.paras[last.para], last.end)))
    return {"join": join, "midword": bool(mid)}


def _jump(j: dict, art: str, sid: dict[int, str], prev_id: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"article": art, "segment": sid[j["segment"]], "text": j["text"]}
    if "to_page" in j:
        out.update(to_page=j["to_page"], join=j["join"], midword=j["midword"])
    else:
        out.update(from_page=j["from_page"], from_article=f"a{j['from_article']}", from_id=prev_id)
    return out


def paste_text(truth: dict[str, Any]) -> str:
    """Segments in top-to-bottom order (vertical pages: right to left), blank line between."""
    by_id = {ln["id"]: ln for ln in truth["lines"]}
    if truth["direction"] == "vertical":
        key = lambda s: (-s["bbox"][2], s["bbox"][1])  # noqa: E731
    else:
        key = lambda s: (s["bbox"][1], s["bbox"][0])  # noqa: E731
    pieces = ["\n".join(by_id[i]["text"] for i in s["line_ids"]) for s in sorted(truth["segments"], key=key)]
    return "\n\n".join(pieces) + "\n"


def article_from_segments(truth: dict[str, Any], article: dict[str, Any]) -> str:
    """Rebuild an article's text from its headline and body segments and the links (test helper)."""
    segs = {s["id"]: s for s in truth["segments"]}
    links = {(ln["source"], ln["target"]): ln for ln in truth["links"]}
    chain = [s for s in article["segments"] if segs[s]["role"] in ("headline", "body")]
    cjk = truth["lang"] == "zh"
    text = ""
    for prev, cur in zip([None] + chain, chain):
        if prev is None:
            text = segs[cur]["text"]
            continue
        link = links.get((prev, cur)) or {"join": False, "midword": False}
        sep = "\n" if not link["join"] else ("" if cjk or link["midword"] else " ")
        text += sep + segs[cur]["text"]
    return text
