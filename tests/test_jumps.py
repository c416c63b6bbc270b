"""Articles that jump from page to page ("Continued on Page 2") joined across pages."""

from __future__ import annotations

import json
from pathlib import Path

from layout.api import reconstruct
from layout.cli import main
from layout.jumps import cn_number, issue_dict, link_pages, parse_jump, Jump
from layout.model import Line, Page, page_to_dict

W = 400


def _story(top: int, head: str, lines: list[str], jump: str | None = None, jump_first: bool = False) -> list[Line]:
    """A headline (20 px type), optionally a jump line under it, then 12 px text lines."""
    out = [Line(f"h{top}", head, (0, top, 14 * len(head), top + 24), height=24.0)]
    y = top + 34
    if jump and jump_first:
        out.append(Line(f"j{top}", jump, (0, y, 7 * len(jump), y + 14), height=14.0))
        y += 20
    for k, text in enumerate(lines):
        out.append(Line(f"t{top}-{k}", text, (0, y, min(W, 7 * len(text)), y + 14), height=14.0))
        y += 18
    if jump and not jump_first:
        out.append(Line(f"j{top}", jump, (W - 7 * len(jump), y + 4, W, y + 18), height=14.0))
    return out


def _page(lines: list[Line], source: str) -> Page:
    return reconstruct(Page(width=W, height=1000, lines=tuple(lines), source=source))


PAGE_1 = _page(
    _story(0, "Council passes the budget", [
        "The city council passed the budget for next year",
        "on Monday after a long debate about the schools,",
        "the harbour and the new bridge across the river,",
        "which the mayor had promised to finish before"], "Continued on Page 2")
    + _story(300, "Weather turns cold", [
        "Snow is expected in the hills tonight and the",
        "temperature will fall below freezing by morning."]),
    "p1.json")
PAGE_2 = _page(
    _story(0, "Harbour festival draws crowds", [
        "Thousands of visitors came to the harbour on",
        "Sunday to watch the boats and listen to music."])
    + _story(300, "Budget", [
        "the winter. The schools will get new teachers",
        "and the harbour a new quay, the council said."], "Continued from Page 1", jump_first=True),
    "p2.json")


def test_jump_lines_are_read_with_their_direction_and_page():
    assert parse_jump("下转第2版") == Jump("to", 2)
    assert parse_jump("（上接第十二版）") == Jump("from", 12)
    assert parse_jump("Continued on Page 5") == Jump("to", 5)
    assert parse_jump("Continued from page 1") == Jump("from", 1)
    assert parse_jump("Fortsetzung auf Seite 3") == Jump("to", 3)
    assert parse_jump("Schluss von Seite 2") == Jump("from", 2)
    assert parse_jump("The page turned") is None
    assert [cn_number(t) for t in ("三", "十", "十二", "二十", "二十三", "7")] == [3, 10, 12, 20, 23, 7]


def test_a_story_continued_on_the_next_page_is_joined_to_its_rest():
    jumps = link_pages([PAGE_1, PAGE_2])
    assert len(jumps) == 1
    (jump,) = jumps
    title = lambda page, aid: next(a.title for a in page.articles if a.id == aid)  # noqa: E731
    assert title(PAGE_1, jump.source) == "Council passes the budget"
    assert (jump.source_page, jump.target_page) == (0, 1) and title(PAGE_2, jump.target) == "Budget"
    assert "continuation says it comes from page 1" in jump.reasons
    (joined,) = issue_dict([PAGE_1, PAGE_2], jumps)["articles"]
    assert "promised to finish before the winter. The schools" in joined["text"]
    assert [p["page"] for p in joined["pieces"]] == [0, 1]


def test_without_a_from_line_the_words_and_the_cut_find_the_continuation():
    plain = _page([ln for ln in PAGE_2.lines if not ln.text.startswith("Continued")], "p2.json")
    (jump,) = link_pages([PAGE_1, plain])
    assert next(a.title for a in plain.articles if a.id == jump.target) == "Budget"


def test_a_jump_to_a_page_not_given_links_nothing():
    assert link_pages([PAGE_1]) == ()
    assert link_pages([PAGE_2, PAGE_1]) == ()  # by order given, PAGE_1 is page 2: its own


def test_run_writes_the_issue_with_its_jumps(tmp_path: Path):
    inputs = []
    for k, page in enumerate((PAGE_1, PAGE_2), 1):
        path = tmp_path / f"p{k}.json"
        path.write_text(json.dumps(page_to_dict(Page(page.width, page.height, page.lines, source=path.name))), encoding="utf-8")
        inputs.append(str(path))
    assert main(["run", *inputs, "-o", str(tmp_path / "out"), "--no-progress"]) == 0
    issue = json.loads((tmp_path / "out" / "_issue.json").read_text(encoding="utf-8"))
    assert issue["schema"] == "pagestitch/issue@1"
    assert len(issue["jumps"]) == 1 and issue["articles"][0]["title"] == "Council passes the budget"
