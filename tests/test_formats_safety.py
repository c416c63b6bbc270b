"""Hostile and broken XML: every case ends in one clear InputError and nothing else."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from ocr.formats import read_mets_articles, read_xml, read_xml_batch
from ocr.loaded import InputError

DATA = Path(__file__).parent / "data" / "formats"
ALTO_NS = "http://www.loc.gov/standards/alto/ns-v4#"
PAGE_NS = "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"


def alto(body: str, prolog: str = "", ns: str = ALTO_NS) -> str:
    return (
        f'<?xml version="1.0"?>{prolog}<alto xmlns="{ns}"><Layout><Page ID="p" PHYSICAL_IMG_NR="1"'
        f' WIDTH="100" HEIGHT="100"><PrintSpace><TextBlock ID="b">{body}</TextBlock>'
        "</PrintSpace></Page></Layout></alto>"
    )


GOOD_LINE = '<TextLine ID="l" HPOS="1" VPOS="2" WIDTH="3" HEIGHT="4"><String CONTENT="ok"/></TextLine>'


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def expect_error(path: Path, *words: str, named: Path | None = None) -> InputError:
    with pytest.raises(InputError) as info:
        read_xml(path)
    err = info.value
    named = named or path
    assert type(err) is InputError and err.path == str(named)
    assert str(named) in str(err)
    for word in words:
        assert word.lower() in str(err).lower(), str(err)
    return err


def test_control_good_file_reads(tmp_path: Path) -> None:
    (page,) = read_xml(write(tmp_path, "good.xml", alto(GOOD_LINE)))
    assert page.page.lines[0].text == "ok"


def test_external_entity_is_refused(tmp_path: Path) -> None:
    secret = write(tmp_path, "secret.txt", "TOPSECRET")
    prolog = f'<!DOCTYPE alto [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
    body = '<TextLine ID="l" HPOS="1" VPOS="2" WIDTH="3" HEIGHT="4"><String CONTENT="&xxe;"/></TextLine>'
    err = expect_error(write(tmp_path, "xxe.xml", alto(body, prolog)), "entit")
    assert "TOPSECRET" not in str(err)


def test_external_entity_in_text_is_refused(tmp_path: Path) -> None:
    secret = write(tmp_path, "secret.txt", "TOPSECRET")
    text = (
        f'<?xml version="1.0"?><!DOCTYPE PcGts [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
        f'<PcGts xmlns="{PAGE_NS}"><Metadata/><Page imageFilename="x" imageWidth="9" imageHeight="9">'
        '<TextRegion id="r"><Coords points="0,0 1,0 1,1"/><TextLine id="l"><Coords points="0,0 1,0 1,1"/>'
        "<TextEquiv><Unicode>&xxe;</Unicode></TextEquiv></TextLine></TextRegion></Page></PcGts>"
    )
    expect_error(write(tmp_path, "xxe-page.xml", text), "entit")


def test_parameter_entity_is_refused(tmp_path: Path) -> None:
    dtd = write(tmp_path, "evil.dtd", '<!ENTITY leaked "SECRET">')
    prolog = f'<!DOCTYPE alto [<!ENTITY % ext SYSTEM "{dtd.as_uri()}"> %ext;]>'
    expect_error(write(tmp_path, "pe.xml", alto(GOOD_LINE, prolog)), "entit")


def test_billion_laughs_is_refused_quickly(tmp_path: Path) -> None:
    levels = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10)
    ]
    prolog = f"<!DOCTYPE alto [{''.join(levels)}]>"
    body = '<TextLine ID="l" HPOS="1" VPOS="2" WIDTH="3" HEIGHT="4"><String CONTENT="&lol9;"/></TextLine>'
    start = time.monotonic()
    expect_error(write(tmp_path, "lol.xml", alto(body, prolog)), "entit")
    assert time.monotonic() - start < 5


def test_external_dtd_is_not_fetched(tmp_path: Path) -> None:
    # A DOCTYPE pointing at a server that does not exist: nothing is loaded, the file
    # reads normally (tesseract's hOCR carries such a DOCTYPE too).
    prolog = '<!DOCTYPE alto SYSTEM "http://192.0.2.1/never.dtd">'
    start = time.monotonic()
    (page,) = read_xml(write(tmp_path, "dtd.xml", alto(GOOD_LINE, prolog)))
    assert page.page.lines[0].text == "ok" and time.monotonic() - start < 5


def test_200_mb_text_node_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.xml"
    chunk = b"x" * (1 << 20)
    with open(path, "wb") as handle:
        handle.write(f'<?xml version="1.0"?><alto xmlns="{ALTO_NS}"><Description>'.encode())
        for _ in range(200):
            handle.write(chunk)
        handle.write(b"</Description></alto>")
    try:
        start = time.monotonic()
        expect_error(path, "not well-formed")
        assert time.monotonic() - start < 20
    finally:
        path.unlink()


def test_wrong_namespace(tmp_path: Path) -> None:
    err = expect_error(write(tmp_path, "ns.xml", alto(GOOD_LINE, ns="http://example.com/not-alto")), "namespace")
    assert "not-alto" in str(err)


def test_unknown_root(tmp_path: Path) -> None:
    expect_error(write(tmp_path, "other.xml", "<?xml version='1.0'?><svg/>"), "<svg>")


def test_alto_line_without_coordinates(tmp_path: Path) -> None:
    body = '<TextLine ID="nocoords"><String CONTENT="lost"/></TextLine>'
    err = expect_error(write(tmp_path, "nocoords.xml", alto(body)), "TextLine", "nocoords", "missing coordinates")
    assert "line 1" in str(err)


def test_page_line_without_coords(tmp_path: Path) -> None:
    text = (
        f'<?xml version="1.0"?>\n<PcGts xmlns="{PAGE_NS}"><Metadata/>\n'
        '<Page imageFilename="x" imageWidth="9" imageHeight="9"><TextRegion id="r">\n'
        '<Coords points="0,0 1,0 1,1"/>\n<TextLine id="bare"><TextEquiv><Unicode>x</Unicode></TextEquiv>'
        "</TextLine></TextRegion></Page></PcGts>"
    )
    err = expect_error(write(tmp_path, "bare.xml", text), "TextLine", "bare", "Coords")
    assert "line 5" in str(err)


def test_page_bad_points_and_missing_size(tmp_path: Path) -> None:
    bad_points = (
        f'<PcGts xmlns="{PAGE_NS}"><Page imageFilename="x" imageWidth="9" imageHeight="9">'
        '<TextRegion id="r"><Coords points="zero,zero"/></TextRegion></Page></PcGts>'
    )
    expect_error(write(tmp_path, "points.xml", bad_points), "Coords", "points")
    no_size = f'<PcGts xmlns="{PAGE_NS}"><Page imageFilename="x"/></PcGts>'
    expect_error(write(tmp_path, "nosize.xml", no_size), "imageWidth")


def test_non_numeric_attribute(tmp_path: Path) -> None:
    body = '<TextLine ID="l" HPOS="left" VPOS="2" WIDTH="3" HEIGHT="4"><String CONTENT="x"/></TextLine>'
    expect_error(write(tmp_path, "nan.xml", alto(body)), "HPOS", "not a number")


def test_unknown_measurement_unit(tmp_path: Path) -> None:
    text = alto(GOOD_LINE).replace("<Layout>", "<Description><MeasurementUnit>furlong</MeasurementUnit></Description><Layout>")
    expect_error(write(tmp_path, "unit.xml", text), "MeasurementUnit", "furlong")


def test_malformed_xml(tmp_path: Path) -> None:
    expect_error(write(tmp_path, "cut.xml", alto(GOOD_LINE)[:-20]), "not well-formed", "line")


def test_missing_and_empty_files(tmp_path: Path) -> None:
    expect_error(tmp_path / "absent.xml", "cannot read")
    expect_error(write(tmp_path, "empty.xml", ""), "not well-formed")


def test_hocr_line_without_bbox(tmp_path: Path) -> None:
    text = (
        '<html xmlns="http://www.w3.org/1999/xhtml"><body><div class="ocr_page" title="bbox 0 0 9 9">'
        '<span class="ocr_line" id="nobox">x</span></div></body></html>'
    )
    expect_error(write(tmp_path, "nobox.hocr", text), "span", "nobox", "bbox")


def test_mets_remote_and_missing_files(tmp_path: Path) -> None:
    def mets(href: str) -> str:
        return (
            '<mets xmlns="http://www.loc.gov/METS/" xmlns:xlink="http://www.w3.org/1999/xlink">'
            '<fileSec><fileGrp USE="FULLTEXT"><file ID="f1" MIMETYPE="text/xml">'
            f'<FLocat LOCTYPE="URL" xlink:href="{href}"/></file></fileGrp></fileSec>'
            '<structMap TYPE="LOGICAL"><div TYPE="ARTICLE" ID="a" LABEL="A"><fptr><area FILEID="f1" BETYPE="IDREF" BEGIN="b"/></fptr></div></structMap></mets>'
        )

    expect_error(write(tmp_path, "remote.xml", mets("http://192.0.2.1/alto.xml")), "FLocat", "remote")
    expect_error(write(tmp_path, "missing.xml", mets("text/absent.xml")), "<file> id='f1'", "absent.xml", "does not exist")
    # A METS whose ALTO is hostile fails on that ALTO, with its name.
    (tmp_path / "text").mkdir()
    write(tmp_path, "text/evil.xml", alto(GOOD_LINE, '<!DOCTYPE alto [<!ENTITY e "x">]>'))
    mets_path = write(tmp_path, "evil-mets.xml", mets("file://./text/evil.xml"))
    expect_error(mets_path, "entit", named=tmp_path / "text" / "evil.xml")
    # read_mets_articles only reads the METS itself.
    assert read_mets_articles(tmp_path / "evil-mets.xml")[0]["block_ids"] == ["b"]


def test_batch_goes_on_after_a_bad_file(tmp_path: Path) -> None:
    good = write(tmp_path, "good.xml", alto(GOOD_LINE))
    bad = write(tmp_path, "bad.xml", alto('<TextLine ID="x"><String CONTENT="y"/></TextLine>'))
    hostile = write(tmp_path, "lol.xml", alto(GOOD_LINE, '<!DOCTYPE alto [<!ENTITY a "b">]>'))
    pages, errors = read_xml_batch([bad, good, hostile, DATA / "page2019-articles.xml"])
    assert [Path(p.page.source).name for p in pages] == ["good.xml", "page2019-articles.xml"]
    assert [Path(e.path).name for e in errors] == ["bad.xml", "lol.xml"]
