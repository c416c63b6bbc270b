"""Archive formats: reading ALTO/PAGE/hOCR/METS, writing schema-valid files, round trips."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from layout.model import ROLES, Article, Block, Line, Link, Page, Separator
from ocr.formats import FORMATS, read_mets_articles, read_xml, write
from ocr.formats.validate import errors as schema_errors
from ocr.loaded import LoadedPage

DATA = Path(__file__).parent / "data" / "formats"
REAL = Path(__file__).resolve().parents[2] / "shared" / "real"  # shared/ beside the repo
LUX_METS = DATA / "luxzeit1858" / "luxzeit1858-crop-mets.xml"
SAMPLES = {
    "alto2": DATA / "alto-v2-inch1200.xml",
    "alto4": DATA / "alto-v4-readingorder.xml",
    "page2013": DATA / "reichsanzeiger-1870-crop.page2013.xml",
    "page2019": DATA / "page2019-articles.xml",
    "hocr": DATA / "tesseract-two-columns.hocr",
    "mets": LUX_METS,
}


def pages_of(name: str, order: bool = True) -> list[Page]:
    return [lp.page for lp in read_xml(SAMPLES[name], use_existing_order=order)]


def reread(page: Page, fmt: str, tmp_path: Path, order: bool = True) -> Page:
    out = tmp_path / f"again.{fmt}.xml"
    out.write_text(write(page, fmt), encoding="utf-8")
    (result,) = read_xml(out, use_existing_order=order)
    return result.page


def essence(page: Page) -> dict:
    """What a round trip must keep (source, dpi and provenance legitimately change)."""
    return {
        "size": (page.width, page.height),
        "number": page.page_number,
        "lines": {ln.id: ln for ln in page.lines},
        "blocks": {b.id: b for b in page.blocks},
        "order": page.reading_order,
        "articles": page.articles,
    }


# ======================================================================= reading


def test_api_constants_and_unknown_format() -> None:
    assert FORMATS == ("alto", "page", "hocr", "mets")
    with pytest.raises(ValueError):
        write(pages_of("page2019")[0], "docx")


def test_detected_by_content_not_extension(tmp_path: Path) -> None:
    for name in ("page2019", "hocr", "alto4"):
        disguised = tmp_path / f"{name}.txt"
        shutil.copy(SAMPLES[name], disguised)
        loaded = read_xml(disguised)
        assert isinstance(loaded[0], LoadedPage) and loaded[0].page.lines
        assert loaded[0].page.source == str(disguised)


def test_alto_v2_inch1200_units_ids_and_hyphen() -> None:
    (page,) = pages_of("alto2")
    # 10200 x 13200 inch1200 = 8.5 x 11 in = 2550 x 3300 px at the default 300 dpi.
    assert (page.width, page.height, page.dpi, page.page_number) == (2550, 3300, 300, 3)
    texts = [ln.text for ln in page.lines]
    assert texts == ["Harbour news", "The bridge was fin-", "ished & opened.", "Crowds cheered."]
    ids = [ln.id for ln in page.lines]
    assert ids[0] == "TL1" and len(set(ids)) == 4  # duplicated and missing ids replaced
    first = page.lines[0]
    assert first.bbox == (300, 300, 1300, 400) and first.height == 100
    assert first.confidence == pytest.approx(0.85)
    # The TextBlock inside a ComposedBlock is a block of its own, lines together.
    assert [b.id for b in page.blocks] == ["TB1", "TB2"]
    assert page.blocks[1].line_ids == tuple(ids[1:])


def test_alto_dpi_option_changes_conversion() -> None:
    (loaded,) = read_xml(SAMPLES["alto2"], dpi=600)
    assert loaded.page.width == 5100 and loaded.page.dpi == 600


def test_alto_v4_reading_order_maps_line_refs_to_blocks() -> None:
    (page,) = pages_of("alto4")
    assert page.reading_order == ("B_head", "B_right", "B_left")
    left = page.line_by_id()["L_left1"]
    assert left.polygon == ((50, 202), (450, 200), (450, 238), (50, 240))
    assert left.confidence == 0.75
    (plain,) = pages_of("alto4", order=False)
    assert plain.blocks == () and plain.reading_order == () and plain.lines == page.lines


def test_page2013_regions_roles_and_order() -> None:
    (page,) = pages_of("page2013")
    assert (page.width, page.height) == (9640, 6584)
    roles = {b.id: b.role for b in page.blocks}
    assert roles["r1"] == "header"  # page-number at the top
    assert roles["r2"] == "body" and roles["r3"] == "headline" and roles["r6"] == "header"
    assert page.reading_order == tuple(f"r{i}" for i in range(1, 9))
    line = page.line_by_id()["r2l1"]
    assert line.text.startswith("punkte zu Studien")
    assert line.polygon is not None and line.bbox == (1073, 553, 2946, 629)
    assert 50 < line.height < 76  # polygon area / width, less than the skewed box height
    # Without use_existing_order: no blocks, but the lines of a region stay together.
    (plain,) = pages_of("page2013", order=False)
    assert plain.blocks == () and [ln.id for ln in plain.lines] == [ln.id for ln in page.lines]


def test_page_separator_regions_come_as_rules_with_or_without_the_layout() -> None:
    for order in (True, False):
        (page,) = pages_of("page2019", order=order)
        assert [(sep.bbox, sep.kind) for sep in page.separators] == [((575.0, 150.0, 577.0, 400.0), "vertical")]


def test_page_writer_keeps_the_rules(tmp_path: Path) -> None:
    (page,) = pages_of("page2019")
    assert reread(page, "page", tmp_path).separators == page.separators


def test_page_writer_keeps_pictures_as_image_regions(tmp_path: Path) -> None:
    (page,) = pages_of("page2019")
    with_picture = replace(page, separators=page.separators + (Separator((100.0, 500.0, 500.0, 800.0), "picture"),))
    text = write(with_picture, "page")
    assert text.count("<ImageRegion") == 1 and schema_errors(text, "page") == []
    assert reread(with_picture, "page", tmp_path).separators == with_picture.separators


def test_page2019_articles_continuation_join_and_words() -> None:
    (page,) = pages_of("page2019")
    arts = {a.id: a for a in page.articles}
    assert arts["art1"].block_ids == ("head", "p1", "p2")  # continuation merged
    assert arts["art1"].title == "Bridge opens" and arts["art2"].block_ids == ("p3",)
    assert page.links == (Link("p1", "p2", "join"),)
    lines = page.line_by_id()
    assert lines["l1"].text == "The new bridge across the har-"  # lowest TextEquiv index
    assert lines["l_cap"].text == "Photo: archive"  # from Words
    assert lines["l3"].text == "The council met <Friday> & agreed."
    assert lines["l_head"].confidence == 0.75
    roles = {b.id: b.role for b in page.blocks}
    assert roles == {"head": "headline", "p1": "body", "cap": "caption", "p2": "body", "p3": "byline"}
    assert "sep1" not in page.reading_order


def test_hocr_from_tesseract() -> None:
    (page,) = pages_of("hocr")
    assert (page.width, page.height) == (1000, 700)
    first = page.lines[0]
    assert first.text == "Harbour bridge opens" and first.bbox == (62, 49, 602, 91)
    assert first.height == 42 and first.confidence == pytest.approx(0.9567, abs=1e-4)
    assert page.blocks[0].role == "headline"  # ocr_header line
    assert page.reading_order == tuple(b.id for b in page.blocks)
    assert all(b.id.startswith("par_") for b in page.blocks)


def test_mets_reads_every_alto_page_in_order() -> None:
    pages = pages_of("mets")
    assert [p.page_number for p in pages] == [1, 2]
    assert pages[0].source.endswith("text/1858-12-07_01-00001.xml")
    # mm10: Page WIDTH 2590 = 259 mm = 3059.055 px at 300 dpi.
    assert pages[0].width == pytest.approx(3059.055) and pages[0].dpi == 300
    assert pages[0].lines[0].text.startswith("Nr. 288")
    arts = {a.id: a for a in pages[0].articles}
    assert arts["DTL48"].title == "Revue politique."
    assert arts["DTL48"].block_ids == tuple(f"P1_TB{n:05d}" for n in range(9, 15))
    # An article that goes on on the next page appears on both pages.
    assert "DTL65" in {a.id for a in pages[1].articles}
    # No ALTO ReadingOrder: the logical structMap's order is used.
    assert pages[0].reading_order[:4] == ("P1_TB00001", "P1_TB00002", "P1_TB00003", "P1_TB00009")


def test_read_mets_articles() -> None:
    arts = read_mets_articles(LUX_METS)
    by_label = {a["label"]: a for a in arts}
    koeln = by_label["Kölnische Zeitung."]
    assert koeln["block_ids"] == ["P1_TB00017", "P1_TB00018", "P2_TB00001"]
    assert [a["page"] for a in koeln["areas"]] == [1, 1, 2]
    assert koeln["areas"][0]["href"].endswith("1858-12-07_01-00001.xml")
    assert by_label["Revue politique."]["id"] == "DTL48"


@pytest.mark.skipif(not (REAL / "luxzeit1858").is_dir(), reason="real data not present")
def test_read_mets_articles_full_issue() -> None:
    mets = next((REAL / "luxzeit1858").glob("*-mets.xml"))
    arts = read_mets_articles(mets)
    assert len(arts) == 12
    assert {a["page"] for art in arts for a in art["areas"]} == {1, 2, 3}  # page 4: ads
    assert len(read_xml(mets)) == 4


# ======================================================================= writing

ALL_SAMPLES = list(SAMPLES)


@pytest.mark.parametrize("name", ALL_SAMPLES)
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("order", [True, False])
def test_every_writer_output_is_schema_valid(name: str, fmt: str, order: bool) -> None:
    for page in pages_of(name, order):
        problems = schema_errors(write(page, fmt), fmt)
        assert problems == [], problems[:5]


@pytest.mark.parametrize("name", ALL_SAMPLES)
@pytest.mark.parametrize("fmt", ["alto", "page", "hocr"])
def test_round_trip_is_stable(name: str, fmt: str, tmp_path: Path) -> None:
    """read -> write -> read gives the same page, and again gives the same again."""
    for page in pages_of(name):
        once = reread(page, fmt, tmp_path)
        twice = reread(once, fmt, tmp_path)
        assert essence(twice) == essence(once)
        # Text, ids and boxes survive any format (these samples have integer pixels
        # or, for mm10/inch1200, values PAGE/hOCR round to whole pixels).
        before, after = page.line_by_id(), once.line_by_id()
        assert before.keys() == after.keys()
        for lid, line in before.items():
            assert " ".join(after[lid].text.split()) == " ".join(line.text.split())
            assert after[lid].bbox == pytest.approx(line.bbox, abs=0.5)
        # hOCR has no explicit order: its area order is the order it states.
        assert once.reading_order == page.reading_order or (fmt == "hocr" and not page.reading_order)
        assert [(a.id, a.title, a.block_ids) for a in once.articles] == [
            (a.id, a.title, a.block_ids) for a in page.articles
        ] or fmt == "hocr"


@pytest.mark.parametrize("name,fmt", [("alto2", "alto"), ("alto4", "alto"), ("page2013", "page"), ("page2019", "page"), ("hocr", "hocr")])
def test_same_format_round_trip_is_exact(name: str, fmt: str, tmp_path: Path) -> None:
    (page,) = pages_of(name)
    again = reread(page, fmt, tmp_path)
    assert essence(again) == essence(page)
    if fmt == "page":
        assert again.links == page.links


def test_mets_and_alto_written_together_read_back(tmp_path: Path) -> None:
    page = pages_of("page2019")[0]
    (tmp_path / "issue.alto.xml").write_text(write(page, "alto"), encoding="utf-8")
    mets_text = write(page, "mets", alto_href="issue.alto.xml")
    (tmp_path / "issue.mets.xml").write_text(mets_text, encoding="utf-8")
    (again,) = [lp.page for lp in read_xml(tmp_path / "issue.mets.xml", use_existing_order=True)]
    assert {a.id: a.block_ids for a in again.articles} == {a.id: a.block_ids for a in page.articles}
    assert {ln.id: ln.text for ln in again.lines} == {ln.id: ln.text for ln in page.lines}
    arts = read_mets_articles(tmp_path / "issue.mets.xml")
    assert [(a["id"], a["label"]) for a in arts] == [("art1", "Bridge opens"), ("art2", "Council")]
    assert 'xlink:href="issue.alto.xml"' in mets_text


def test_default_mets_href_uses_stem() -> None:
    page = Page(width=10, height=10, lines=(), source="/x/scan-01.png")
    assert 'href="scan-01.alto.xml"' in write(page, "mets")


def _pipeline_page() -> Page:
    """A page as the layout stages make it: floats, all roles, an interleaved article."""
    lines, blocks = [], []
    for i, role in enumerate(ROLES):
        y = 20.0 + 40 * i
        lid = f"l{i}" if i % 3 else str(i)  # some ids are not valid XML ids
        lines.append(Line(lid, f"text {i} <&> \x0c{'-' if i == 2 else ''}", (10.5, y, 300.25, y + 30.5), height=22.5, confidence=0.61))
        blocks.append(Block(f"b {i}" if i == 4 else f"b{i}", (lid,), (10.5, y, 300.25, y + 30.5), role=role))
    ids = [b.id for b in blocks]
    order = tuple(ids)
    articles = (
        Article("a1", "First & best", (ids[0], ids[1], ids[5]), ""),  # interrupted by b2-b4
        Article("a2", "", (ids[2], ids[3]), ""),
    )
    links = (Link(ids[1], ids[5], "join", 0.8, ("hyphen",)), Link(ids[2], ids[3], "continue"))
    return Page(1000.0, 800.0, tuple(lines), "in.png", 2, None, "horizontal", blocks=tuple(blocks), reading_order=order, articles=articles, links=links)


@pytest.mark.parametrize("fmt", FORMATS)
def test_pipeline_page_writes_valid_files(fmt: str) -> None:
    text = write(_pipeline_page(), fmt)
    assert schema_errors(text, fmt) == []


@pytest.mark.parametrize("fmt", ["alto", "page", "hocr"])
def test_pipeline_page_roles_order_and_articles_survive(fmt: str, tmp_path: Path) -> None:
    page = _pipeline_page()
    again = reread(page, fmt, tmp_path)
    assert [b.role for b in again.blocks] == list(ROLES)
    assert len(again.reading_order) == len(page.reading_order)
    # The form feed cannot be written in XML; PAGE keeps the space before it.
    assert [ln.text.strip() for ln in again.lines][:2] == ["text 0 <&>", "text 1 <&>"]
    assert again.lines[2].text.replace(" ", "") == "text2<&>-"
    assert again.line_by_id()["l1"].bbox == pytest.approx(page.lines[1].bbox, abs=0.5)
    if fmt != "hocr":
        arts = [(a.title, len(a.block_ids)) for a in again.articles]
        assert arts == [("First & best", 3), ("", 2)]
    if fmt == "page":
        assert [(k.kind) for k in again.links] == ["join", "continue"]
        written = write(page, "page")
        assert written.count('continuation="true"') == 1
        assert 'type="join"' in written


def test_page_without_blocks_gets_one_block_per_line(tmp_path: Path) -> None:
    (plain,) = pages_of("hocr", order=False)
    for fmt in ("alto", "page", "hocr"):
        assert schema_errors(write(plain, fmt), fmt) == []
        again = reread(plain, fmt, tmp_path)
        assert [ln.id for ln in again.lines] == [ln.id for ln in plain.lines]


def test_empty_page_writes_valid_files() -> None:
    page = Page(width=100, height=50, lines=())
    for fmt in FORMATS:
        assert schema_errors(write(page, fmt), fmt) == []


def test_alto_output_has_blocks_in_reading_order_and_groups() -> None:
    (page,) = pages_of("alto4")
    text = write(page, "alto")
    positions = [text.index(f'<TextBlock ID="{bid}"') for bid in page.reading_order]
    assert positions == sorted(positions)
    assert "<ReadingOrder>" in text and "<ElementRef" in text


def test_hocr_areas_in_reading_order() -> None:
    (page,) = pages_of("alto4")
    text = write(page, "hocr")
    positions = [text.index(f'id="{bid}"') for bid in page.reading_order]
    assert positions == sorted(positions)
    assert text.count('class="ocr_carea"') == 3


def test_xmlschema_agrees_offline() -> None:
    """The same check with xmlschema, XLink mapped to the local copy (nothing fetched)."""
    import xmlschema

    from ocr.formats.validate import SCHEMA_DIR

    schema = xmlschema.XMLSchema(
        str(SCHEMA_DIR / "alto-4-4.xsd"),
        locations=[("http://www.w3.org/1999/xlink", str(SCHEMA_DIR / "xlink.xsd"))],
        allow="sandbox",
    )
    # The document itself is a string in memory: it may not load anything either.
    document = xmlschema.XMLResource(write(pages_of("alto4")[0], "alto"), allow="none")
    schema.validate(document)


# ================================================================ property test

_WORD = st.text(st.characters(categories=["L", "N", "P", "S"], exclude_characters="\ufffe\uffff"), min_size=1, max_size=8)


@st.composite
def _pages(draw: st.DrawFn) -> Page:
    n = draw(st.integers(1, 6))
    lines = []
    for i in range(n):
        x0, y0 = draw(st.integers(0, 500)), draw(st.integers(0, 500))
        w, h = draw(st.integers(1, 300)), draw(st.integers(1, 60))
        text = " ".join(draw(st.lists(_WORD, min_size=0, max_size=5)))
        lines.append(Line(f"line{i}", text, (x0, y0, x0 + w, y0 + h)))
    return Page(width=1000, height=1000, lines=tuple(lines))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(page=_pages())
def test_property_text_ids_boxes_round_trip(page: Page, tmp_path: Path) -> None:
    for fmt in ("alto", "page", "hocr"):
        again = reread(page, fmt, tmp_path, order=False)
        got = [(ln.id, ln.text, ln.bbox) for ln in again.lines]
        assert got == [(ln.id, ln.text, ln.bbox) for ln in page.lines], fmt


# ============================================================ real files (read-only)

REAL_FILES = sorted(
    [*REAL.glob("nzz-*/page/*.xml"), *REAL.glob("reichsanzeiger/*.xml")] if REAL.is_dir() else []
)


@pytest.mark.skipif(not REAL_FILES, reason="real data not present")
def test_real_files_read_and_write_valid() -> None:
    for path in REAL_FILES:
        (loaded,) = read_xml(path, use_existing_order=True)
        page = loaded.page
        assert page.lines and page.blocks
        for fmt in ("alto", "page", "mets"):
            assert schema_errors(write(page, fmt), fmt) == [], (path, fmt)


def test_hocr_that_is_html_not_xml(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<!DOCTYPE html><html><head><meta charset=utf-8><title>x</title></head><body>"
        "<div class='ocr_page' title='bbox 0 0 500 400'><div class='ocr_carea' id='a1' title='bbox 0 0 200 40'>"
        "<span class='ocr_line' id='l1' title='bbox 10 10 200 40'>Caf&eacute;&nbsp;news<br>"
        "</span></div></div></body></html>",
        encoding="utf-8",
    )
    (loaded,) = read_xml(path, use_existing_order=True)
    assert loaded.page.lines[0].text == "Café news"
    assert loaded.page.blocks[0].id == "a1"
