"""The data model: JSON round trip, schema version, minimal input, clear errors."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from layout.model import (
    SCHEMA, Article, Block, Column, Line, Link, ModelError, Page, Provenance, Separator,
    page_from_dict, page_to_dict,
)


def full_page() -> Page:
    lines = (
        Line("l0", "标题", (0, 0, 100, 30), polygon=((0, 0), (100, 0), (100, 30), (0, 30)), confidence=0.99, height=30,
             bold=True),
        Line("l1", "正文第一行", (0, 40, 50, 55), height=15.0, vertical=False, bold=False),
        Line("l2", "縦書き", (80, 40, 95, 120), vertical=True),
    )
    blocks = (Block("b0", ("l0",), (0, 0, 100, 30), "headline"), Block("b1", ("l1", "l2"), (0, 40, 95, 120), "body", "c0"))
    return Page(
        width=200, height=300, lines=lines, source="x.png", page_number=2, dpi=300.0, direction="horizontal",
        separators=(Separator((60, 40, 61, 120), "vertical"),),
        columns=(Column("c0", (0, 40, 95, 120)),),
        blocks=blocks, reading_order=("b0", "b1"),
        articles=(Article("a0", "标题", ("b0", "b1"), "标题\n正文第一行縦書き"),),
        links=(Link("b0", "b1", "join", 2.5, ("a ends mid-sentence",)),),
        provenance=Provenance("rapidocr", "PP-OCRv5", "0.1.0", {"dpi": 300}, {"ocr": 1.5, "layout": 0.01}),
    )


def test_round_trip_through_json_text():
    page = full_page()
    text = json.dumps(page_to_dict(page), ensure_ascii=False)
    assert page_from_dict(json.loads(text)) == page


def test_weight_is_written_only_where_known():
    lines = {d["id"]: d for d in page_to_dict(full_page())["lines"]}
    assert lines["l0"]["bold"] is True and lines["l1"]["bold"] is False and "bold" not in lines["l2"]


def test_schema_version_is_written_and_checked():
    d = page_to_dict(full_page())
    assert d["schema"] == SCHEMA == "pagestitch/page@1"
    d["schema"] = "pagestitch/page@9"
    with pytest.raises(ModelError, match="schema"):
        page_from_dict(d)


def test_minimal_input_with_lines_only():
    page = page_from_dict({"schema": SCHEMA, "width": 10, "height": 20, "lines": [{"id": "l0", "text": "x", "bbox": [1, 2, 3, 4]}]})
    assert page.lines[0].bbox == (1.0, 2.0, 3.0, 4.0)
    assert page.blocks == () and page.reading_order == ()


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d["lines"][0].pop("bbox"), "missing 'bbox'"),
        (lambda d: d["lines"][0].update(bbox=[5, 5, 1, 1]), "x1 < x0"),
        (lambda d: d["lines"].append(dict(d["lines"][0])), "not unique"),
        (lambda d: d.update(reading_order=["nope"]), "unknown block"),
        (lambda d: d.pop("width"), "missing 'width'"),
    ],
)
def test_bad_page_json_names_the_field(change, message):
    d = page_to_dict(full_page())
    change(d)
    with pytest.raises(ModelError, match=message):
        page_from_dict(d)


boxes = st.tuples(st.floats(0, 1000), st.floats(0, 1000), st.floats(0, 500), st.floats(0, 500)).map(
    lambda t: (t[0], t[1], t[0] + t[2], t[1] + t[3])
)


@given(st.lists(st.tuples(st.text(max_size=20), boxes), max_size=20))
def test_round_trip_property(items):
    lines = tuple(Line(f"l{i}", text, box) for i, (text, box) in enumerate(items))
    page = Page(width=1000, height=1500, lines=lines)
    assert page_from_dict(json.loads(json.dumps(page_to_dict(page)))) == page
