"""read(path): type by content, page JSON, errors naming the file, provenance."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from layout.model import SCHEMA, Line, Page
from ocr.loaded import InputError, LoadedPage
from ocr.readers import read, sniff

REAL = Path(__file__).resolve().parents[2] / "shared" / "real" / "pdf"  # shared/ beside the repo


def _page_json(lines, **extra):
    return {"schema": SCHEMA, "width": 800, "height": 600, "lines": lines, **extra}


LINES = [
    {"id": "a", "text": "市政府宣布交通计划", "bbox": [30, 60, 250, 90]},
    {"id": "b", "text": "居民表示欢迎支持", "bbox": [30, 100, 230, 130]},
]


def test_page_json_with_only_lines(tmp_path):
    path = tmp_path / "page"  # no extension: the content decides
    path.write_text(json.dumps(_page_json(LINES)), encoding="utf-8")
    [loaded] = read(path)
    page = loaded.page
    assert loaded.image is None
    assert [line.text for line in page.lines] == ["市政府宣布交通计划", "居民表示欢迎支持"]
    assert page.source == str(path) and page.page_number == 1
    assert "read" in page.provenance.timings


def test_page_json_container_with_several_pages(tmp_path):
    path = tmp_path / "issue.json"
    pages = [_page_json(LINES, source="scan-1.png"), _page_json(LINES[:1], page_number=7)]
    path.write_text(json.dumps({"pages": pages}), encoding="utf-8")
    first, second = read(path)
    assert first.page.page_number == 1 and second.page.page_number == 7
    assert len(second.page.lines) == 1
    assert first.page.provenance.parameters["original_source"] == "scan-1.png"


@pytest.mark.parametrize(
    "content, problem",
    [
        ('{"schema": "other@1", "lines": []}', "not a pagestitch page"),
        ('{"schema": "pagestitch/page@1", "width": 10, "height": 10}', "missing 'lines'"),
        ('{"broken": ', "not valid JSON"),
        ('"just a string"', "unknown file type"),
        ("[]", "holds no pages"),
    ],
)
def test_json_that_is_not_a_page(tmp_path, content, problem):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read(path)
    assert err.value.path == str(path)
    assert problem in err.value.problem


def test_missing_directory_empty_and_unknown(tmp_path):
    cases = {
        tmp_path / "nope.png": "file not found",
        tmp_path: "is a directory",
    }
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    cases[empty] = "empty file"
    unknown = tmp_path / "thing.png"
    unknown.write_bytes(b"GIF-ish but not really\x00\x01")
    cases[unknown] = "unknown file type"
    for path, problem in cases.items():
        with pytest.raises(InputError) as err:
            read(path)
        assert err.value.path == str(path) and problem in err.value.problem


def test_sniff_uses_content_not_extension(tmp_path):
    png = tmp_path / "looks-like.pdf"
    Image.fromarray(np.zeros((4, 4), np.uint8)).save(png, format="PNG")
    assert sniff(png) == "png"
    tif = tmp_path / "x.jpg"
    Image.fromarray(np.zeros((4, 4), np.uint8)).save(tif, format="TIFF")
    assert sniff(tif) == "tiff"
    pdf = tmp_path / "x.bin"
    pdf.write_bytes(b"\n\n%PDF-1.7\n...")
    assert sniff(pdf) == "pdf"
    xml = tmp_path / "x.txt"
    xml.write_bytes(b"\xef\xbb\xbf<?xml version='1.0'?><alto/>")
    assert sniff(xml) == "xml"


def test_image_is_ocred_with_provenance(tmp_path, ocr_render_columns):
    image, truth = ocr_render_columns()
    path = tmp_path / "scan.data"
    Image.fromarray(image).save(path, format="PNG", dpi=(200, 200))
    [loaded] = read(path)
    page = loaded.page
    assert loaded.image.shape == image.shape
    assert (page.width, page.height) == (800.0, 600.0) and page.dpi == pytest.approx(200)
    assert page.source == str(path) and page.page_number == 1
    assert [line.id for line in page.lines] == [f"l{i}" for i in range(len(truth))]
    assert sorted(line.text for line in page.lines) == sorted(text for text, _ in truth)
    prov = page.provenance
    assert prov.engine == "rapidocr" and "PP-OCRv6" in prov.model and prov.version
    assert prov.parameters["dpi"] == pytest.approx(200) and "skew" in prov.parameters
    assert prov.timings["ocr"] > 0


def test_multipage_tiff_through_read(tmp_path, ocr_render_columns):
    a, _ = ocr_render_columns(columns=(("市政府宣布交通计划",),), width=300, height=120)
    b, _ = ocr_render_columns(columns=(("天气预报明天下雨",),), width=300, height=120)
    path = tmp_path / "two.tiff"
    Image.fromarray(a).save(path, save_all=True, append_images=[Image.fromarray(b)])
    first, second = read(path)
    assert [p.page.page_number for p in (first, second)] == [1, 2]
    assert [line.text for line in first.page.lines] == ["市政府宣布交通计划"]
    assert [line.text for line in second.page.lines] == ["天气预报明天下雨"]


@pytest.mark.skipif(not REAL.is_dir(), reason="real sample PDFs not present")
def test_pdf_through_read_has_provenance():
    [loaded] = read(REAL / "la-precinct-bulletin-2014-p1.pdf", engine="tesseract")
    page = loaded.page
    assert page.source == str(REAL / "la-precinct-bulletin-2014-p1.pdf")
    assert page.provenance.engine == "pdf" and page.provenance.parameters["dpi"] == 144
    assert "read" in page.provenance.timings
    assert [line.id for line in page.lines] == [f"l{i}" for i in range(len(page.lines))]


def test_xml_goes_to_the_archive_reader(tmp_path, monkeypatch):
    import ocr.formats

    calls = []

    def fake_read_xml(path, **kwargs):
        calls.append(path)
        line = Line("l0", "text", (0.0, 0.0, 10.0, 10.0))
        return [LoadedPage(Page(width=100, height=100, lines=(line,)))]

    monkeypatch.setattr(ocr.formats, "read_xml", fake_read_xml)
    path = tmp_path / "page.alto"
    path.write_text("<?xml version='1.0'?><alto/>", encoding="utf-8")
    [loaded] = read(path)
    assert calls == [path]
    assert loaded.page.source == str(path) and "read" in loaded.page.provenance.timings


def test_engine_unavailable_propagates_for_images(tmp_path):
    from ocr.engines import EngineUnavailable

    path = tmp_path / "x.png"
    Image.fromarray(np.full((10, 10), 255, np.uint8)).save(path)
    with pytest.raises(EngineUnavailable):
        read(path, engine="paddleocr")
