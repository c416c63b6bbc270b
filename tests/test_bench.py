"""The benchmark runner end to end on a hand-made page, with a fake pipeline (no OCR)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from benchmarks import check_floors
from benchmarks.run import main as bench_main
from benchmarks.run import run_bench, tables
from benchmarks.truth import Truth, load_truth, paste_pieces, piece_segments
from layout.model import Article, Block, Line, Page, Provenance
from ocr.loaded import LoadedPage

DATA = Path(__file__).parent / "data" / "bench"


class FakePipeline:
    """Reads lines straight from the truth and reconstructs them perfectly.

    PDF pages come at 144 dpi (points x 2) and scans through the truth's affine, so
    the benchmark's coordinate mapping is exercised; line ids differ from truth ids.
    """

    def __init__(self) -> None:
        self.truths: dict[str, Truth] = {}

    def _truth(self, path: Path) -> Truth:
        stem = path.name.split(".")[0]
        if stem not in self.truths:
            self.truths[stem] = load_truth(path.with_name(stem + ".truth.json"))
        return self.truths[stem]

    def read(self, path: Path, engine: str) -> list[Any]:
        truth = self._truth(Path(path))
        if Path(path).suffix == ".pdf":
            s, w, h, dpi = 2.0, truth.pdf_size[0] * 2, truth.pdf_size[1] * 2, 144.0
        else:
            assert truth.scan is not None
            s, w, h, dpi = truth.scan.matrix[0][0], truth.scan.width, truth.scan.height, truth.scan.dpi
        # Engine order: bottom line first, so it is a poor order to beat.
        lines = tuple(Line(f"L{t.id}", t.text, tuple(v * s for v in t.bbox)) for t in reversed(truth.lines))
        page = Page(w, h, lines, source=str(path), dpi=dpi, provenance=Provenance(timings={"ocr": 0.01}))
        return [LoadedPage(page, np.zeros((int(h), int(w)), np.uint8))]

    def reconstruct(self, loaded: Any) -> Page:
        page = loaded.page if isinstance(loaded, LoadedPage) else loaded
        truth = self._truth(Path(page.source))
        blocks = tuple(Block(s.id, tuple(f"L{x}" for x in s.line_ids), (0, 0, 1, 1)) for s in truth.segments)
        arts = tuple(Article(a.id, a.title, a.segments, a.text) for a in truth.articles)
        timings = {**dict(page.provenance.timings), "layout": 0.001}
        return page.with_(blocks=blocks, reading_order=tuple(b.id for b in blocks), articles=arts,
                          provenance=Provenance(timings=timings))

    def unscramble(self, text: str) -> Any:
        truth = next(iter(self.truths.values()))
        seg_of = piece_segments(truth, paste_pieces(text))
        return {"articles": [{"title": a.title, "text": a.text,
                              "pieces": [seg_of.index(s) for s in a.segments]} for a in truth.articles]}


def _run(tmp_path: Path) -> dict[str, Any]:
    return run_bench(True, "generated", tmp_path / "out", data=DATA, pipeline=FakePipeline(),
                     tesseract=False, cache_dir=tmp_path / "cache")


def test_runner_end_to_end(tmp_path: Path) -> None:
    results = _run(tmp_path)
    assert results["errors"] == []
    saved = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    for key in ("schema", "created", "quick", "set", "engine", "environment", "tracks", "notes", "errors"):
        assert key in saved
    assert set(saved["tracks"]) == {"pdf", "scan", "paste"}
    pdf = saved["tracks"]["pdf"]
    assert set(pdf) == {"pagestitch", "engine-order", "sort-tblr", "xy-cut", "pdfplumber"}
    ps = pdf["pagestitch"]["aggregate"]
    assert ps["link_f1"] == 1.0 and ps["cer"] == 0.0 and ps["pair_f1"] == 1.0
    assert ps["tau"] == pytest.approx(1.0) and ps["bleu4"] == pytest.approx(1.0)
    assert "en-t-001" in pdf["pagestitch"]["pages"]
    assert pdf["engine-order"]["aggregate"]["tau"] == pytest.approx(-1.0)
    assert pdf["engine-order"]["aggregate"].get("pair_f1") is None  # baselines do not group
    assert pdf["xy-cut"]["aggregate"]["tau"] == pytest.approx(1.0)  # this page is easy for XY-cut
    assert pdf["pdfplumber"]["aggregate"]["line_recall"] == 1.0
    assert pdf["pdfplumber"]["aggregate"]["tau"] < 1.0  # it reads across the gutter
    scan = saved["tracks"]["scan"]["pagestitch"]["aggregate"]
    assert scan["link_f1"] == 1.0 and scan["line_recall"] == 1.0
    paste = saved["tracks"]["paste"]
    assert paste["pagestitch"]["aggregate"]["link_f1"] == 1.0
    assert paste["paste-as-is"]["aggregate"]["link_p"] < 1.0
    assert (tmp_path / "out" / "report.html").exists()
    assert list((tmp_path / "out" / "overlays").glob("*.png"))
    assert list((tmp_path / "cache" / "ocr").glob("*.json"))  # scan OCR cached
    assert "pagestitch" in tables(results)
    # A second run reads the scan from the cache and scores the same.
    again = _run(tmp_path)
    assert again["tracks"]["scan"]["pagestitch"]["pages"]["en-t-001"]["time_read"] == \
        results["tracks"]["scan"]["pagestitch"]["pages"]["en-t-001"]["time_read"]


def test_floor_check(tmp_path: Path) -> None:
    _run(tmp_path)
    results = tmp_path / "out" / "results.json"
    ok = tmp_path / "ok.json"
    ok.write_text(json.dumps({"floors": {"pdf.pagestitch.link_f1": {"min": 0.9},
                                         "pdf.pagestitch.cer": {"max": 0.1}}}))
    assert check_floors.main([str(results), "--floors", str(ok)]) == 0
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"floors": {"pdf.sort-tblr.tau": {"min": 0.99}}}))
    assert check_floors.main([str(results), "--floors", str(bad)]) == 1
    missing = tmp_path / "missing.json"
    missing.write_text(json.dumps({"floors": {"real/nzz-reading-order.pagestitch.region_tau": 0.5}}))
    assert check_floors.main([str(results), "--floors", str(missing)]) == 1
    assert check_floors.main([str(results), "--floors", str(missing), "--allow-missing"]) == 0


def test_shipped_floors_parse() -> None:
    floors = json.loads((Path(__file__).parent.parent / "benchmarks" / "floors.json").read_text())["floors"]
    assert floors and all("." in k for k in floors)


def test_main_rejects_bad_set(tmp_path: Path) -> None:
    try:
        bench_main(["--set", "nope", "--out", str(tmp_path)])
    except SystemExit as exc:
        assert exc.code != 0
    else:
        raise AssertionError("argparse should reject --set nope")


def test_identical_paste_pieces_pair_with_segments_in_paste_order() -> None:
    """A byline that stands under every article matches each of its segments equally
    well by text; the pieces take them in paste order (top to bottom, then left)."""
    truth = load_truth(Path(__file__).parent / "data" / "bench" / "en-t-001.truth.json")
    segs = sorted(truth.segments, key=lambda s: (s.bbox[1], s.bbox[0]))
    a, b = segs[0], segs[1]
    same = "same text"
    patched = Truth(**{**truth.__dict__, "segments": tuple(
        type(s)(**{**s.__dict__, "text": same}) if s.id in (a.id, b.id) else s for s in truth.segments)})
    pieces = [same if s.id in (a.id, b.id) else s.text for s in segs]
    out = piece_segments(patched, pieces)
    assert out[0] == a.id and out[1] == b.id


def test_identical_paste_pieces_wrapped_differently_still_pair_in_paste_order() -> None:
    """The same credit wrapped onto two lines in a narrower column ("Reichsanzeiger,\\n1914")
    is the same text: the pieces still take their segments in paste order."""
    truth = load_truth(Path(__file__).parent / "data" / "bench" / "en-t-001.truth.json")
    segs = sorted(truth.segments, key=lambda s: (s.bbox[1], s.bbox[0]))
    a, b = segs[0], segs[1]
    patched = Truth(**{**truth.__dict__, "segments": tuple(
        type(s)(**{**s.__dict__, "text": "Staff, 1914"}) if s.id in (a.id, b.id) else s for s in truth.segments)})
    wrapped = ["Staff,\n1914" if s.id == a.id else "Staff, 1914" if s.id == b.id else s.text for s in segs]
    for pieces in (wrapped, [wrapped[1], wrapped[0], *wrapped[2:]]):
        assert piece_segments(patched, pieces)[:2] == [a.id, b.id]


def _real_line(lid: str, text: str, x: float, y: float, region: str, article: str | None) -> Any:
    from benchmarks.real import RealLine

    return RealLine(lid, text, (x, y, x + 100, y + 10), region, article)


def test_real_paste_takes_blocks_by_row_then_left_and_scores_grouping() -> None:
    """
        a1  b1      two columns whose tops differ by less than half a line are one row,
        a2  b2      so the paste gives a1, b1 (left first), then a2, b2
    """
    from dataclasses import replace

    from benchmarks.real import RealPage, pasted_blocks, run_paste_real
    from benchmarks.run import Context, Track

    lines = [_real_line("l1", "Erste Zeile", 0, 3, "a1", "A"), _real_line("l2", "geht weiter", 0, 14, "a1", "A"),
             _real_line("l3", "Andere Sache", 200, 0, "b1", "B"), _real_line("l4", "", 200, 11, "b1", "B"),
             _real_line("l5", "noch A", 0, 100, "a2", "A"), _real_line("l6", "noch B", 200, 100, "b2", "B")]
    rp = RealPage("lux", "p1", 400, 200, lines, article_order=["a1", "a2", "b1", "b2"])
    assert [[ln.id for ln in b] for b in pasted_blocks(rp)] == [["l1", "l2"], ["l3"], ["l5"], ["l6"]]

    class Perfect:
        def unscramble(self, text: str) -> Any:
            assert text.split("\n\n")[1] == "Andere Sache"  # the blank line is not pasted
            return {"articles": [{"pieces": [0, 2]}, {"pieces": [1, 3]}]}

    ctx, track = Context(Perfect(), "none", None, 0), Track()  # type: ignore[arg-type]
    run_paste_real(ctx, track, rp)
    got = track.to_json()
    assert got["pagestitch"]["pages"]["p1"]["pair_f1"] == 1.0
    assert got["pagestitch"]["pages"]["p1"]["link_f1"] == 1.0  # a1 -> a2 and b1 -> b2
    assert got["paste-as-is"]["pages"]["p1"]["link_f1"] == 0.0  # a1 -> b1 -> a2 -> b2
    assert got["paste-as-is"]["pages"]["p1"]["pair_f1"] < 1.0
    assert "tau" not in got["pagestitch"]["pages"]["p1"]  # no annotated order to score
    unordered, track = replace(rp, id="p2", article_order=[]), Track()
    run_paste_real(ctx, track, unordered)
    assert "link_f1" not in track.to_json()["pagestitch"]["pages"]["p2"]  # no links known, none scored


def test_paste_errors_classify_links_by_roles_column_and_side_by_side_heads() -> None:
    from benchmarks.paste_errors import link_class
    from benchmarks.truth import TruthSegment

    def seg(role: str, x0: float) -> TruthSegment:
        return TruthSegment(id=role, article="a0", text="", line_ids=(), bbox=(x0, 0.0, x0 + 50.0, 10.0), role=role)

    assert link_class(seg("body", 10), seg("body", 70), False) == "body->body across-col"
    assert link_class(seg("body", 10), seg("body", 11), True) == "body->body same-col"
    assert link_class(seg("headline", 10), seg("byline", 10), True) == "head->credit [side-by-side heads]"
    assert link_class(seg("dateline", 10), seg("caption", 10), False) == "credit->caption"


def test_a_line_order_annotated_by_rows_is_not_scored_as_reading_order() -> None:
    """
        1 2      numbered along the rows (a transcription tool's order): every step goes to
        3 4      the line beside; numbered down the columns (1 3 / 2 4), none does
    """
    from benchmarks.metrics import Prediction
    from benchmarks.real import RealPage, score_real

    lines = [_real_line(f"l{k}", "", x, y, "r1", None) for k, (x, y) in
             enumerate([(0, 0), (200, 0), (0, 20), (200, 20), (0, 40), (200, 40)])]
    by_rows = RealPage("nzz", "rows", 400, 100, lines, region_order=["r1"])
    by_columns = RealPage("nzz", "cols", 400, 100, [lines[k] for k in (0, 2, 4, 1, 3, 5)], region_order=["r1"])
    assert by_rows.reads_in_rows() and not by_columns.reads_in_rows()
    down = [ln.id for ln in by_columns.lines]
    pred = Prediction(order=down, texts=[], link_sequences=[down], timings={"total": 0.0})
    assert score_real(by_columns, pred)["tau"] == pytest.approx(1.0)
    assert "tau" not in score_real(by_rows, pred) and "bleu4" not in score_real(by_rows, pred)


def test_table_cells_are_left_out_of_the_line_order_as_of_the_region_order() -> None:
    """
        t1 t2 t3     text lines t1-t3, then a table's cells c1 c2 numbered after them by
        c1 c2        the annotators: the prediction reads the table where it stands
        t4
    """
    from benchmarks.metrics import Prediction
    from benchmarks.real import RealPage, score_real

    text = [_real_line(f"t{k}", "", 0, 20 * k, "r1" if k < 4 else "r2", None) for k in (1, 2, 3, 4)]
    cells = [_real_line("c1", "", 0, 65, "tab", None), _real_line("c2", "", 200, 65, "tab", None)]
    rp = RealPage("reichsanzeiger", "p", 400, 200, text + cells, region_order=["r1", "r2", "tab"],
                  table_regions=frozenset({"tab"}))
    read = ["t1", "t2", "t3", "c1", "c2", "t4"]
    scores = score_real(rp, Prediction(order=read, texts=[], link_sequences=[read], timings={"total": 0.0}))
    assert scores["tau"] == pytest.approx(1.0) and scores["bleu4"] == pytest.approx(1.0)
    assert scores["tau_all"] < 1.0  # with the cells, in the annotators' numbering
