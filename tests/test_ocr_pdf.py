"""PDF text layers: lines from chars, gutters, vertical CJK, rules, errors, OCR fallback."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from layout.model import Line
from ocr.loaded import InputError
from ocr.pdf import DEFAULT_DPI, read_pdf

REAL = Path(__file__).resolve().parents[2] / "shared" / "real" / "pdf"  # shared/ beside the repo
DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

needs_real = pytest.mark.skipif(not REAL.is_dir(), reason="real sample PDFs not present")


def _no_ocr():
    raise AssertionError("a page with a text layer must not be OCR'd")


def _crosses(line: Line, x: float, y0: float, y1: float) -> bool:
    bx0, by0, bx1, by1 = line.bbox
    return bx0 < x < bx1 and by0 < y1 and by1 > y0


@pytest.fixture(scope="module")
def ocr_bulletin():
    return read_pdf(REAL / "la-precinct-bulletin-2014-p1.pdf", _no_ocr)


@needs_real
def test_bulletin_lines_never_cross_the_gutters(ocr_bulletin):
    [loaded] = ocr_bulletin
    page = loaded.page
    assert page.dpi == DEFAULT_DPI and page.page_number == 1
    assert (page.width, page.height) == pytest.approx((792 * 2, 612 * 2))
    assert loaded.image.shape[:2] == (round(page.height), round(page.width))
    rules = [s for s in page.separators if s.kind == "vertical"]
    assert len(rules) == 3
    assert any(s.kind == "frame" for s in page.separators)
    for rule in rules:
        x = (rule.bbox[0] + rule.bbox[2]) / 2
        crossing = [line.text for line in page.lines if _crosses(line, x, rule.bbox[1], rule.bbox[3])]
        assert crossing == []
    texts = [line.text for line in page.lines]
    assert "NEEL KASHKARI" in texts and "AJ-SUPREME CT-G. LIU" in texts
    assert all(line.height == pytest.approx(16.08, abs=0.1) for line in page.lines if line.text == "YES")


@needs_real
def test_bulletin_gutters_hold_without_the_drawn_rules(monkeypatch):
    # The 0.8 em gutters must also be found from the text alone (no rule drawn).
    import ocr.pdf as pdf_module

    monkeypatch.setattr(pdf_module, "page_rules", lambda page, chars: [])
    [loaded] = read_pdf(REAL / "la-precinct-bulletin-2014-p1.pdf", _no_ocr)
    for x in (212 * 2, 396 * 2, 580 * 2):
        assert [l.text for l in loaded.page.lines if _crosses(l, x, 152, 1166)] == []


@needs_real
def test_federal_register_three_columns():
    [loaded] = read_pdf(REAL / "federal-register-2020-17221.pdf", _no_ocr, pages=[2])
    page = loaded.page
    assert page.page_number == 2
    body = [line for line in page.lines if 100 < line.bbox[1] < 1500]  # no header/footer
    starts = sorted({round(line.bbox[0] / 20) * 20 for line in body})
    assert len(body) > 150
    # Column gutters sit between the three column starts (90, 440, 800 px).
    for x in (430, 790):
        assert [l.text for l in body if _crosses(l, x, 0, page.height)] == []
    assert {80, 440, 800} <= set(starts) or {100, 440, 800} <= set(starts)


@needs_real
def test_kampo_vertical_lines():
    [loaded] = read_pdf(REAL / "kampo.pdf", _no_ocr)
    lines = loaded.page.lines
    vertical = [line for line in lines if line.vertical]
    assert len(vertical) > 80
    chars = sum(len(line.text) for line in lines)
    assert sum(len(line.text) for line in vertical) > 0.9 * chars
    for line in vertical:
        x0, y0, x1, y1 = line.bbox
        assert (y1 - y0) > (x1 - x0)
        assert line.height == pytest.approx(16.0, abs=1.0)
    joined = "".join(line.text for line in vertical)
    assert "歩行者は、進行することができること。" in joined
    assert "道路交通法施行令の一部を改正する政令" in joined


@needs_real
def test_naacl_latin_spaces_and_two_columns():
    [loaded] = read_pdf(REAL / "naacl06-shinyama.pdf", _no_ocr, pages=[1])
    page = loaded.page
    texts = [line.text for line in page.lines]
    assert "We are trying to extend the boundary of" in texts
    assert "human effort to tune for a new scenario." in texts
    # Columns span 144-598 px and 626-1080 px: the gutter is 1.3 em wide.
    body = [line for line in page.lines if line.bbox[1] > 400]
    assert [l.text for l in body if _crosses(l, 612, 0, page.height)] == []
    assert sum(line.bbox[0] > 612 for line in body) > 20


# ------------------------------------------------------------------------- made here


def _column(text: str, cx: float, top: float, size: float, first_index: int) -> list:
    """Upright glyphs stacked down one vertical column; a comma sits in the upper right
    of its cell (0.3 em right, half an em up), as vertical typesetting places it."""
    from ocr.pdf import Char

    out = []
    for k, t in enumerate(text):
        dx, dy = (0.3 * size, -0.5 * size) if t == "，" else (0.0, 0.0)
        y = top + k * size + dy
        out.append(Char(t, cx + dx - size / 2, y, cx + dx + size / 2, y + size, size, first_index + k))
    return out


def test_vertical_comma_joins_its_own_column_not_another_tiers():
    """Three tiers, one column each, a fraction of an em apart across the page:

        tier 1   cx 10    甲甲甲甲甲
        tier 2   cx 13    乙乙乙乙乙
        tier 3   cx 11    丙丙，丙丙   (the comma's centre, 13.4, is nearer tier 2's axis)
    """
    from ocr.pdf import text_lines

    chars = _column("甲甲甲甲甲", 10, 0, 8, 0) + _column("乙乙乙乙乙", 13, 50, 8, 10) + _column("丙丙，丙丙", 11, 100, 8, 20)
    texts = sorted(line.text for line in text_lines(chars, [], 1.0))
    assert texts == ["丙丙，丙丙", "乙乙乙乙乙", "甲甲甲甲甲"]


def test_upright_latin_words_down_a_column_stay_one_line():
    """Upright Latin in a CJK column takes one cell a letter, the word space a cell too
    (wider than a line break's gap allowance when the space is left out)."""
    from ocr.pdf import text_lines

    lines = text_lines(_column("名为hard Matthew君", 10, 0, 8, 0), [], 1.0)
    assert [line.text for line in lines] == ["名为hard Matthew君"]


def test_vertical_headline_in_line_with_a_column_end_is_its_own_line():
    """A headline (size 14) starts under a body column (size 8) of the tier above,
    on the same axis, less than an em of its own size below it: two lines."""
    from ocr.pdf import text_lines

    chars = _column("正文正文正", 10, 0, 8, 0) + _column("标题", 10, 47, 14, 10)
    assert sorted(line.text for line in text_lines(chars, [], 1.0)) == ["标题", "正文正文正"]



def _latin_pdf(path: Path, with_space_chars: bool) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("DejaVu", DEJAVU))
    c = canvas.Canvas(str(path), pagesize=(400, 200))
    size = 10
    words = ["the", "council", "approved", "it"]
    for col, x in enumerate((20, 20 + 160 + 12)):  # gutter: 12 pt = 1.2 em
        y = 150
        if with_space_chars:
            c.setFont("DejaVu", size)
            c.drawString(x, y, " ".join(words) + " today")
            continue
        cursor = x
        for word in words + ["today"]:
            c.setFont("DejaVu", size)
            c.drawString(cursor, y, word)
            cursor += pdfmetrics.stringWidth(word, "DejaVu", size) + 0.3 * size
    c.save()


@pytest.mark.parametrize("with_space_chars", [True, False])
def test_word_spaces_kept_and_gutter_split(tmp_path, with_space_chars):
    path = tmp_path / "latin.pdf"
    _latin_pdf(path, with_space_chars)
    [loaded] = read_pdf(path, _no_ocr)
    assert [line.text for line in loaded.page.lines] == ["the council approved it today"] * 2
    assert all(line.height == pytest.approx(20.0) for line in loaded.page.lines)  # 10 pt at 144 dpi


def test_encrypted_pdf_is_an_input_error(tmp_path):
    from reportlab.pdfgen import canvas

    path = tmp_path / "locked.pdf"
    c = canvas.Canvas(str(path), encrypt="secret")
    c.drawString(72, 720, "hidden")
    c.save()
    with pytest.raises(InputError) as err:
        read_pdf(path, _no_ocr)
    assert err.value.problem == "encrypted PDF: a password is needed"
    assert err.value.path == str(path)


def test_broken_pdf_is_an_input_error(tmp_path):
    from reportlab.pdfgen import canvas

    whole = tmp_path / "whole.pdf"
    c = canvas.Canvas(str(whole))
    c.drawString(72, 720, "text")
    c.save()
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(whole.read_bytes()[:200])
    with pytest.raises(InputError, match="not a readable PDF"):
        read_pdf(broken, _no_ocr)
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.4\n" + b"\x00garbage" * 50)
    with pytest.raises(InputError, match="junk.pdf"):
        read_pdf(junk, _no_ocr)


def test_page_without_text_layer_is_ocred(tmp_path, ocr_render_columns, ocr_rapid_engine):
    from PIL import Image
    from reportlab.pdfgen import canvas

    image, truth = ocr_render_columns(columns=(("市政府宣布交通计划", "居民表示欢迎支持"),), width=400, height=200)
    png = tmp_path / "scan.png"
    Image.fromarray(image).save(png)
    path = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(path), pagesize=(192, 96))  # 400 x 200 px drawn at 150 dpi
    c.drawImage(str(png), 0, 0, width=192, height=96)
    c.save()
    calls = []

    def engine():
        calls.append(1)
        return ocr_rapid_engine

    [loaded] = read_pdf(path, engine, ocr_dpi=150)
    page = loaded.page
    assert calls == [1]
    assert page.dpi == 150 and page.provenance.engine == "rapidocr"
    assert "ocr" in page.provenance.timings and page.provenance.parameters["dpi"] == 150
    assert [line.text for line in page.lines] == [text for text, _ in truth]
    assert loaded.image.shape[:2] == (200, 400)
    for line, (_, box) in zip(page.lines, truth):
        assert np.allclose(line.bbox, box, atol=6)


def test_rotated_page_matches_its_raster(tmp_path):
    from reportlab.pdfgen import canvas

    path = tmp_path / "rotated.pdf"
    c = canvas.Canvas(str(path), pagesize=(400, 200))
    c.setPageRotation(90)
    c.setFont("Helvetica", 20)
    c.drawString(20, 150, "Hello rotated world")
    c.save()
    [loaded] = read_pdf(path, _no_ocr)
    page = loaded.page
    assert (page.width, page.height) == (400.0, 800.0)  # displayed: portrait
    assert loaded.image.shape[:2] == (800, 400)
    [line] = page.lines
    assert line.text == "Hello rotated world" and line.vertical
    x0, y0, x1, y1 = (int(v) for v in line.bbox)
    assert loaded.image[y0:y1, x0:x1].min() < 50  # the box sits on the drawn text


def _two_column_pdf(path: Path, gutter: float, rows: int, bold_head: bool = False) -> None:
    """Two justified-looking columns ``gutter`` pt apart, ``rows`` rows; word spaces of
    0.3 em are written as positions only (no space chars), as many typesetters do."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("DejaVu", DEJAVU))
    pdfmetrics.registerFont(TTFont("DejaVu-Bold", DEJAVU.replace("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")))
    c = canvas.Canvas(str(path), pagesize=(420, 300))
    size = 10
    if bold_head:
        c.setFont("DejaVu-Bold", size)
        c.drawString(20, 270, "Council meets")
    vocab = ["the", "council", "approved", "it", "today", "and", "more", "news"]
    for r in range(rows):
        cursor = 20.0
        for col in range(2):
            for k in range(3):
                word = vocab[(r + 3 * col + k) % len(vocab)]
                c.setFont("DejaVu", size)
                c.drawString(cursor, 250 - 13 * r, word)
                cursor += pdfmetrics.stringWidth(word, "DejaVu", size) + (0.3 * size if k < 2 else gutter)
    c.save()


def test_one_row_columns_split_where_the_gap_is_uneven(tmp_path):
    # A single row, gutter 0.8 em: no rows above or below to confirm a blank strip, but
    # the gap is well over twice the line's word spaces.
    path = tmp_path / "one-row.pdf"
    _two_column_pdf(path, gutter=8.0, rows=1)
    [loaded] = read_pdf(path, _no_ocr)
    assert [line.text for line in loaded.page.lines] == ["the council approved", "it today and"]


def test_bold_comes_from_the_font_name(tmp_path):
    path = tmp_path / "bold.pdf"
    _two_column_pdf(path, gutter=14.0, rows=3, bold_head=True)
    [loaded] = read_pdf(path, _no_ocr)
    bold = {line.text: line.bold for line in loaded.page.lines}
    assert bold.pop("Council meets") is True
    assert set(bold.values()) == {False}


def test_bold_comes_from_a_stroked_regular_face(tmp_path):
    # A font without a bold face (most CJK fonts) is set bold by stroking the glyphs'
    # outlines as well as filling them (text render mode 2); its name stays regular.
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("DejaVu", DEJAVU))
    path = tmp_path / "stroked.pdf"
    c = canvas.Canvas(str(path), pagesize=(300, 200))
    c.setFont("DejaVu", 10)
    c.setLineWidth(0.35)
    c.drawString(20, 150, "Paris, 8. Februar.", mode=2)
    c.drawString(20, 120, "Der Kaiser hat heute", mode=0)
    c.save()
    [loaded] = read_pdf(path, _no_ocr)
    assert {line.text: line.bold for line in loaded.page.lines} == {"Paris, 8. Februar.": True,
                                                                     "Der Kaiser hat heute": False}


def _chars(spec: list[tuple[str, bool]]) -> list:
    """Glyphs of 10 pt, 5 pt wide, a space between the words; (word, bold) per word."""
    from ocr.pdf import Char

    out, x = [], 0.0
    for word, bold in spec:
        for ch in word + " ":
            out.append(Char(ch, x, 0.0, x + 5.0, 10.0, 10.0, len(out), bold=bold))
            x += 5.0
    return out[:-1]


def test_run_in_head_is_split_from_its_line():
    from ocr.pdf import _row_text, split_run_in

    line = _chars([("Paris,", True), ("8.", True), ("Februar.", True), ("Der", False), ("Kaiser", False),
                   ("hat", False), ("heute", False), ("die", False), ("Kammer", False)])
    assert [_row_text(p) for p in split_run_in(line)] == ["Paris, 8. Februar.", "Der Kaiser hat heute die Kammer"]
    # In a narrow column only a word of the text may follow the head on its line.
    line = _chars([("VIENNA,", True), ("Jan.", True), ("5.", True), ("In", False)])
    assert [_row_text(p) for p in split_run_in(line)] == ["VIENNA, Jan. 5.", "In"]


def test_bracketed_dateline_is_split_from_its_line():
    from ocr.pdf import _row_text, split_run_in

    # Chinese agency copy closes its dateline with the bracket it opens with.
    line = _chars([("（天津五日电）", True), ("所谓大内档案", False)])
    assert _row_text(split_run_in(line)[0]) == "（天津五日电）"
    line = _chars([("（？）", True), ("所谓大内档案", False)])  # no letter in it: no head
    assert split_run_in(line) == [line]


def test_rows_with_no_ink_near_a_word_space_do_not_make_it_a_gutter():
    """A justified line in a narrow column, 0.7 em between its words, between the rows
    of a head in the column to its left (and text far right) and a short line under
    it: those rows are blank at every x of this column, and witness nothing about its
    word spaces (en-f-002 of flow check seed 1302 cut "To the People of the State of"
    into five lines)::

        HHHHHHHHHHHH                              xxxxxxxxxxxxxxxx
        HHHHHHHHHHHH                              xxxxxxxxxxxxxxxx
                        To   the   People   of   xxxxxxxxxxxxxxxx
                        New York:                 xxxxxxxxxxxxxxxx
        HHHHHHHHHHHH                              xxxxxxxxxxxxxxxx
    """
    from ocr.pdf import Char, _RowIndex, _row_text, _split_row

    def run(text: str, x: float, top: float, gap: float) -> list:
        out = []
        for word in text.split():
            for ch in word:
                out.append(Char(ch, x, top, x + 5.0, top + 10.0, 10.0, 0))
                x += 5.0
            x += gap
        return out

    def row(top: float, *parts: list) -> list:
        return sorted((c for part in parts for c in part), key=lambda c: c.x0)

    head, far = "Federalist No. 54", "xxxx xxxx xxxx"
    rows = [row(0, run(head, 0, 0, 3.0), run(far, 300, 0, 3.0)),
            row(14, run(head, 0, 14, 3.0), run(far, 300, 14, 3.0)),
            row(28, run("To the People of", 100, 28, 7.0), run(far, 300, 28, 3.0)),
            row(42, run("New York:", 100, 42, 3.0), run(far, 300, 42, 3.0)),
            row(56, run(head, 0, 56, 3.0), run(far, 300, 56, 3.0))]
    index = _RowIndex(rows)
    assert [_row_text(s) for s in _split_row(rows[2], [], index.is_gutter)] == ["To the People of", "xxxx xxxx xxxx"]


def test_justified_text_after_a_head_written_with_spaces_stays_one_line():
    """A bold run-in head is written with its space chars; the justified text after it
    in the regular font only positions its words, 0.7 em apart. The head's spaces tell
    nothing of that run: its wide word gaps are no tab stops (en-f-001 of flow dev seed
    1301 cut "A long time ago, cinema audiences" into six lines)."""
    from ocr.pdf import Char, _row_text, _split_row, split_run_in

    row, x = [], 0.0
    for ch in "LONDON, Oct. 5. ":
        row.append(Char(ch, x, 0.0, x + 5.0, 10.0, 10.0, len(row), bold=True, font="Serif-Bold"))
        x += 5.0
    for word in ("A", "long", "time", "ago,"):
        for ch in word:
            row.append(Char(ch, x, 0.0, x + 5.0, 10.0, 10.0, len(row), font="Serif"))
            x += 5.0
        x += 7.0
    [segment] = _split_row(row, [], lambda a, b: False)
    assert [_row_text(p) for p in split_run_in(segment)] == ["LONDON, Oct. 5.", "A long time ago,"]


@pytest.mark.parametrize("spec", [
    [("Paris,", True), ("8.", True), ("Februar", True), ("Der", False), ("Kaiser", False), ("hat", False)],  # no stop
    [("1.", True), ("Der", False), ("Kaiser", False), ("hat", False)],  # a numbered item
    [("Der", True), ("Kaiser", True), ("hat", True), ("heute.", True), ("»", False)],  # a bold line
    [("Der", False), ("Kaiser.", True), ("Es", False), ("hat", False)],  # bold inside the line
])
def test_other_bold_runs_stay_in_their_line(spec):
    from ocr.pdf import split_run_in

    line = _chars(spec)
    assert split_run_in(line) == [line]


def test_placed_images_are_pictures_and_icons_are_not(tmp_path):
    from PIL import Image
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    photo = tmp_path / "photo.png"
    Image.new("L", (64, 48), 128).save(photo)
    path = tmp_path / "picture.pdf"
    pdfmetrics.registerFont(TTFont("DejaVu", DEJAVU))
    c = canvas.Canvas(str(path), pagesize=(400, 300))
    c.drawImage(str(photo), 20, 150, width=200, height=120)  # a photo, 20 x 12 ems
    c.drawImage(str(photo), 300, 250, width=10, height=8)  # an icon, an em high
    c.setFont("DejaVu", 10)
    c.drawString(20, 135, "Caption under the photo")
    c.save()
    [loaded] = read_pdf(path, _no_ocr)
    pictures = [s.bbox for s in loaded.page.separators if s.kind == "picture"]
    scale = loaded.page.width / 400
    assert pictures == [pytest.approx((20 * scale, 30 * scale, 220 * scale, 150 * scale), abs=1)]


def test_an_ideographic_space_in_a_title_is_no_gutter():
    """"随感录五十九　“圣武”": the ideographic space sets the title's two parts a full em
    apart, and the quote's glyph leaves more white before 圣. The space is written in
    the text, so the gap is no gutter, even where a column gutter of the text below
    happens to lie under it (zh-h-026 of seed 9607 cut the title in two heads)."""
    from ocr.pdf import Char, _row_text, _split_row

    row, x = [], 0.0
    for ch in "随感录五十九\u3000“圣武”":
        w = 5.0 if ch in "“”" else 15.0
        row.append(Char(ch, x, 0.0, x + w, 15.0, 15.0, len(row), bold=True))
        x += w
    [segment] = _split_row(row, [], lambda a, b: True)
    assert _row_text(segment) == "随感录五十九\u3000“圣武”"
