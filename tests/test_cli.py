"""End to end through the command line: the sample page as image, PDF and shuffled page
JSON gives every article whole and in order; bad input gives a clear error and no file."""

import json
from pathlib import Path

import pytest
from rapidfuzz.distance import Levenshtein

from layout.cli import main

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
TRUTH = json.loads((SAMPLES / "zh-4col.truth.json").read_text(encoding="utf-8"))


def _norm(text: str) -> str:
    return "".join(text.split())


def _true_articles() -> list[tuple[str, str]]:
    """(title, text) of the sample's articles in true reading order."""
    order: list[str] = []
    for line in TRUTH["lines"]:
        if line["article"] and line["article"] not in order:
            order.append(line["article"])
    by_id = {a["id"]: a for a in TRUTH["articles"]}
    return [(by_id[a]["title"], by_id[a]["text"]) for a in order]


def _check_articles(result: dict, max_cer: float) -> None:
    got = result["articles"]
    want = _true_articles()
    # OCR cannot tell an ideographic space from a plain one: titles compare without spaces.
    assert [_norm(a["title"]) for a in got] == [_norm(t) for t, _ in want]
    for a, (_, text) in zip(got, want):
        cer = Levenshtein.distance(_norm(a["text"]), _norm(text)) / len(_norm(text))
        assert cer <= max_cer, (a["title"], cer)


def _run_json(path: Path, capsys) -> dict:
    assert main(["run", str(path), "--stdout", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_shuffled_page_json(capsys):
    _check_articles(_run_json(SAMPLES / "zh-4col.lines.json", capsys), max_cer=0.0)


def test_born_digital_pdf(capsys):
    result = _run_json(SAMPLES / "zh-4col.pdf", capsys)
    _check_articles(result, max_cer=0.0)
    assert result["provenance"]["engine"] != "rapidocr"  # characters, no OCR


def test_page_image_through_ocr(capsys):
    result = _run_json(SAMPLES / "zh-4col.png", capsys)
    _check_articles(result, max_cer=0.02)
    timings = result["provenance"]["timings"]
    assert {"ocr", "layout", "stitch"} <= set(timings)


def test_writes_json_and_markdown(tmp_path):
    assert main(["run", str(SAMPLES / "zh-4col.lines.json"), "-o", str(tmp_path)]) == 0
    page = json.loads((tmp_path / "zh-4col.json").read_text(encoding="utf-8"))
    assert page["schema"] == "pagestitch/page@1" and page["reading_order"]
    md = (tmp_path / "zh-4col.md").read_text(encoding="utf-8")
    assert md.startswith("## 记“发薪”")


def test_inputs_sharing_a_stem_keep_their_extension(tmp_path):
    inputs = [SAMPLES / "zh-4col.lines.json", SAMPLES / "zh-4col.pdf"]
    assert main(["run", *map(str, inputs), "-o", str(tmp_path), "--format", "json"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["zh-4col.lines.json.json", "zh-4col.pdf.json"]


def test_bad_inputs_fail_clearly_and_others_finish(tmp_path, capsys):
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n1 0 obj <<")
    out = tmp_path / "out"
    code = main(["run", str(empty), str(SAMPLES / "zh-4col.lines.json"), str(broken), str(tmp_path / "missing.jpg"), "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 1
    for name in ("empty.png", "broken.pdf", "missing.jpg"):
        assert name in err
    assert sorted(p.name for p in out.iterdir()) == ["zh-4col.json", "zh-4col.md"]


def test_failed_render_leaves_no_partial_file(tmp_path, monkeypatch):
    import layout.writers as writers

    def boom(page):
        raise ValueError("cannot render")

    monkeypatch.setattr(writers, "render_markdown", boom)
    code = main(["run", str(SAMPLES / "zh-4col.lines.json"), "-o", str(tmp_path)])
    assert code == 1
    assert list(tmp_path.iterdir()) == []


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["run", str(SAMPLES / "zh-4col.lines.json")])
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["run", "x.png", "-o", "out", "--format", "docx"])
    assert exc.value.code == 2


def test_show_draws_an_overlay(tmp_path):
    out = tmp_path / "overlay.png"
    assert main(["show", str(SAMPLES / "zh-4col.pdf"), "-o", str(out)]) == 0
    assert out.stat().st_size > 10_000
