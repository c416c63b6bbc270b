"""Rules found in the page image (layout.separators)."""

from __future__ import annotations

import numpy as np

from layout.model import Line, Page, Separator
from layout.frame import build_frame
from layout.rulecut import cut_at_rules
from layout.separators import find_separators

SIZE = 20.0  # text size in pixels of the drawn pages


def _page(image: np.ndarray) -> Page:
    return Page(width=image.shape[1], height=image.shape[0], lines=())


def test_a_thick_rule_a_little_off_level_is_one_rule():
    # A bar 8 px thick across 1200 px, falling 14 px from end to end (a warped scan):
    # its bounding box is 22 px tall, more than a thin rule's, but it is thin all along.
    img = np.full((300, 1300), 255, np.uint8)
    for x in range(50, 1250):
        y = 140 + (x - 50) * 14 // 1200
        img[y:y + 8, x] = 0
    rules = [s for s in find_separators(_page(img), img, SIZE) if s.kind == "horizontal"]
    assert len(rules) == 1
    x0, y0, x1, y1 = rules[0].bbox
    assert x0 <= 60 and x1 >= 1240 and y1 - y0 >= 20


def test_stems_of_large_type_are_no_column_rules():
    #  |  ||| |||  |         a column rule alone (left) is found; the stems of a line of
    #  |  ||| |||  |         blackletter type (bunches of short strokes) are not
    img = np.full((800, 1000), 255, np.uint8)
    img[50:750, 100:103] = 0  # a column rule, 35 sizes long
    for x in (400, 412, 424, 450, 462, 490, 502, 514):  # letter stems, 6 sizes tall
        img[300:420, x:x + 4] = 0
    rules = [s for s in find_separators(_page(img), img, SIZE) if s.kind == "vertical"]
    assert [round(s.bbox[0]) for s in rules] == [100]


def test_a_double_rule_stays():
    img = np.full((400, 600), 255, np.uint8)
    img[50:350, 200:202] = 0
    img[50:350, 208:210] = 0
    rules = [s for s in find_separators(_page(img), img, SIZE) if s.kind == "vertical"]
    assert len(rules) == 2


def _text_lines(img: np.ndarray, top: int, count: int) -> tuple[Line, ...]:
    """``count`` lines of glyph-like strokes drawn from ``top`` down, 30 px apart, and
    their boxes as OCR gives them."""
    lines = []
    for k in range(count):
        x0, y0, x1, y1 = box = (100, top + 30 * k, 800, top + 30 * k + 22)
        for x in range(x0, x1, 9):
            img[y0 + 3:y1 - 3, x:x + 3] = 0
        lines.append(Line(f"l{k}", "text", box))
    return tuple(lines)


def test_a_toned_area_is_a_picture_and_its_shading_no_rule():
    #   +----------------+      a grey photo with a darker bar across it (an edge in the
    #   |  ~~~~~~~~~~~~  |      photo, long and thin: it passes the rule filter) and lines
    #   +----------------+      of text under it. The photo is one picture; the bar in it
    #   ttttttttttttttttt       is no rule; the text is no picture.
    img = np.full((700, 900), 255, np.uint8)
    img[60:360, 100:800] = 170
    img[200:203, 200:700] = 40
    page = Page(width=900, height=700, lines=_text_lines(img, 400, 8))
    found = find_separators(page, img, SIZE)
    pictures = [s.bbox for s in found if s.kind == "picture"]
    assert len(pictures) == 1
    x0, y0, x1, y1 = pictures[0]
    assert abs(x0 - 100) <= 10 and abs(y0 - 60) <= 10 and abs(x1 - 800) <= 10 and abs(y1 - 360) <= 10
    assert not [s for s in found if s.kind == "horizontal" and 60 < s.bbox[1] < 360]


def test_a_scan_darker_at_the_top_holds_the_picture_alone():
    # Lit unevenly, the paper darkens from 245 in the middle to 205 at the top edge, and
    # most of the page is text (painted over before the paper is measured). The photo
    # is found as it is printed, not grown up into the dark top edge.
    img = np.full((900, 900), 245, np.uint8)
    img[:300] = np.linspace(205, 245, 300).astype(np.uint8)[:, None]
    img[120:420, 100:800] = 150
    page = Page(width=900, height=900, lines=_text_lines(img, 440, 15))
    pictures = [s.bbox for s in find_separators(page, img, SIZE) if s.kind == "picture"]
    assert len(pictures) == 1
    x0, y0, x1, y1 = pictures[0]
    assert abs(x0 - 100) <= 10 and abs(y0 - 120) <= 10 and abs(x1 - 800) <= 10 and abs(y1 - 420) <= 10


def test_a_column_rule_parts_two_pictures_whose_gutter_toned_over():
    #   |          |          a column rule from above to below two grey photos set in
    #   | ######## | ######   neighbouring columns; the blurred gutter between them is
    #   | ######## | ######   as grey as they are. Two pictures, one on each side.
    img = np.full((800, 1000), 255, np.uint8)
    img[200:500, 100:800] = 200
    img[200:380, 510:800] = 190
    img[40:530, 488:491] = 0
    page = Page(width=1000, height=800, lines=_text_lines(img, 560, 7))
    found = find_separators(page, img, SIZE)
    pictures = sorted(s.bbox for s in found if s.kind == "picture")
    assert len(pictures) == 2
    assert pictures[0][2] <= 492 and pictures[1][0] >= 486
    assert any(s.kind == "vertical" and 480 <= s.bbox[0] <= 495 for s in found)


def test_a_faint_grey_rule_between_black_text_is_a_rule():
    # A blurred scan prints a thin rule grey (190 on paper of 235): lighter than the
    # threshold the black text sets for the page, but well under the paper around it.
    img = np.full((700, 900), 235, np.uint8)
    lines = _text_lines(img, 40, 8) + _text_lines(img, 330, 8)
    img[292:295, 100:800] = 190
    page = Page(width=900, height=700, lines=lines)
    rules = [s for s in find_separators(page, img, SIZE) if s.kind == "horizontal"]
    assert len(rules) == 1 and 288 <= rules[0].bbox[1] <= 296


def test_a_frame_round_a_picture_stays_a_rule():
    img = np.full((700, 900), 255, np.uint8)
    img[60:360, 100:800] = 170
    img[370:373, 100:800] = 0  # a rule just under the picture
    found = find_separators(_page(img), img, SIZE)
    assert [s.kind for s in found].count("picture") == 1
    assert any(s.kind == "horizontal" and 365 <= s.bbox[1] <= 375 for s in found)


def test_text_and_blank_paper_hold_no_picture():
    img = np.full((700, 900), 250, np.uint8)
    page = Page(width=900, height=700, lines=_text_lines(img, 40, 15))
    assert not [s for s in find_separators(page, img, SIZE) if s.kind == "picture"]


def test_a_bar_through_the_middle_of_a_text_line_is_blurred_letters_not_a_rule():
    # Heavily blurred italics merge into a bar along the middle of their line; a rule
    # drawn under a line (here just below its box) stays a rule.
    img = np.full((400, 900), 255, np.uint8)
    img[108:111, 100:300] = 0  # through the middle of the line boxed 95..125
    img[132:135, 100:800] = 0  # under the line
    page = Page(width=900, height=400, lines=(Line("l0", "onestopenglish.com", (95, 95, 310, 125)),))
    rules = [s.bbox for s in find_separators(page, img, SIZE) if s.kind == "horizontal"]
    assert len(rules) == 1 and 130 <= rules[0][1] <= 136


def test_the_run_together_feet_of_a_heavy_head_on_a_skewed_scan_are_no_rule():
    # A heavy head's letters, blurred, run together along their baseline: a bar low in
    # the line, inside its box. The scan is turned 1.5 degrees (its right end up), so
    # the line's own box is taller by its slope and the bar, at the low end, stands
    # under that box's middle; set upright with the image, it lies inside the line. A
    # rule set under the line stays a rule.
    import cv2

    from layout import geometry as g

    skew, origin = -1.5, (450.0, 200.0)
    img = np.full((400, 900), 255, np.uint8)
    img[222:225, 100:200] = 0  # the letters' feet, in the line boxed 200..230 upright
    img[240:243, 100:800] = 0  # a rule under the line
    m = cv2.getRotationMatrix2D(origin, -skew, 1.0)  # turn the page by skew
    img = cv2.warpAffine(img, m, (900, 400), borderValue=255)
    poly = tuple(g.rotate_point(p, origin, skew) for p in g.box_polygon((100, 200, 800, 230)))
    line = Line("l0", "Handel und Gewerbe und Verkehr.", g.polygon_box(poly), polygon=poly)
    page = Page(width=900, height=400, lines=(line,))
    rules = [s.bbox for s in find_separators(page, img, SIZE, skew) if s.kind == "horizontal"]
    assert len(rules) == 1 and g.width(rules[0]) > 600


def _column(text: str, x: float, y0: float, y1: float, lid: str = "c") -> Line:
    return Line(id=lid, text=text, bbox=(x, y0, x + SIZE, y1), vertical=True)


def test_a_vertical_line_read_across_a_tier_rule_is_cut_at_the_rule():
    #   甲            the engine read one column from the upper tier on into the
    #   乙            lower one (甲乙丙丁 above the rule, 戊己庚辛 under it):
    # --丙丁---       the line is cut where the rule crosses it, each piece's box
    #   戊            ending at the rule
    line = _column("甲乙丙丁戊己庚辛", 100, 0, 170)
    rule = Separator((0, 84, 400, 86), "horizontal")
    page = Page(width=400, height=200, lines=(line,), separators=(rule,))
    cut = cut_at_rules(page, build_frame(page, "vertical"))
    assert [ln.text for ln in cut.lines] == ["甲乙丙丁", "戊己庚辛"]
    assert cut.lines[0].bbox[3] <= 84 and cut.lines[1].bbox[1] >= 86
    assert len({ln.id for ln in cut.lines}) == 2


def test_the_cut_point_follows_the_ink_not_the_white_round_the_rule():
    # Three characters above the rule, five under it, a wide white band round the
    # rule: the box's halves would put the cut after four characters, the ink counted
    # in the pitch of the page's other columns (20 px) after three.
    img = np.full((260, 200), 255, np.uint8)
    for k in range(3):
        img[k * 20 + 2:k * 20 + 18, 102:118] = 0
    img[119:121, 0:200] = 0  # the rule, with 60 px of white above and under it
    for k in range(5):
        img[160 + k * 20 + 2:160 + k * 20 + 18, 102:118] = 0
    line = _column("甲乙丙戊己庚辛壬", 100, 0, 260)
    others = tuple(_column("子丑寅卯辰巳午未", x, 0, 160, f"o{x}") for x in (10, 40, 70))
    page = Page(width=200, height=260, lines=(line,) + others, separators=(Separator((0, 119, 200, 121), "horizontal"),))
    assert [ln.text for ln in cut_at_rules(page, build_frame(page, "vertical"), img).lines][:2] == ["甲乙丙", "戊己庚辛壬"]


def test_a_rule_at_a_lines_end_or_beside_it_cuts_nothing():
    line = _column("甲乙丙丁戊己庚辛", 100, 0, 170)
    touching = Separator((0, 165, 400, 167), "horizontal")  # under its last character
    beside = Separator((200, 84, 400, 86), "horizontal")  # a rule of the next columns only
    page = Page(width=400, height=200, lines=(line,), separators=(touching, beside))
    assert cut_at_rules(page, build_frame(page, "vertical")) is page


def test_a_horizontal_line_read_across_a_column_rule_is_cut_at_the_rule():
    # aaaa | bbbb      the engine read a line of the left column on over the column
    # aaaa | bbbb      rule into the right one: cut at the rule
    def row(text: str, y: float, x0: float, x1: float, lid: str) -> Line:
        return Line(id=lid, text=text, bbox=(x0, y, x1, y + SIZE))

    lines = (row("甲乙丙丁戊己庚辛", 0, 0, 170, "a"),) + tuple(
        row("子丑寅卯", 30 * k, 0, 80, f"l{k}") for k in range(1, 4))
    page = Page(width=200, height=200, lines=lines, separators=(Separator((84, 0, 86, 200), "vertical"),))
    cut = cut_at_rules(page, build_frame(page, "horizontal"))
    assert [ln.text for ln in cut.lines][:2] == ["甲乙丙丁", "戊己庚辛"]


def test_a_vertical_line_read_across_a_tiers_white_foot_is_cut_there():
    #  a a x a a      two tiers of one article parted by white and no rule: the
    #  a a x a a      columns beside x end at 84 and the next tier's start at 96;
    #                 the engine read x on across the white. It is cut there, by
    #  b b x b b      the share of its box, as at a rule
    cols = [_column("子丑寅卯", x, 0, 84, f"a{x}") for x in (10, 40, 130, 160)]
    cols += [_column("辰巳午未", x, 96, 180, f"b{x}") for x in (10, 40, 130, 160)]
    line = _column("甲乙丙丁戊己庚辛", 100, 0, 180)
    page = Page(width=200, height=200, lines=(line, *cols))
    cut = cut_at_rules(page, build_frame(page, "vertical"))
    assert [ln.text for ln in cut.lines][:2] == ["甲乙丙丁", "戊己庚辛"]


def test_a_column_beside_short_paragraph_ends_is_not_cut():
    # Two short last columns of paragraphs end side by side: no tier's foot (a foot
    # has most columns beside the line end there, and the next tier start after it).
    cols = [_column("子丑", x, 0, 40, f"a{x}") for x in (70, 130)]
    cols += [_column("子丑寅卯辰巳午未", x, 0, 180, f"c{x}") for x in (10, 40, 160)]
    line = _column("甲乙丙丁戊己庚辛", 100, 0, 180)
    page = Page(width=200, height=200, lines=(line, *cols))
    assert cut_at_rules(page, build_frame(page, "vertical")) is page


def test_a_head_in_large_type_beside_a_tiers_foot_is_not_cut():
    # A headline column in type twice the text's, beside the columns of two tiers:
    # their ends and starts are no foot of the head's.
    cols = [_column("子丑寅卯", x, 0, 84, f"a{x}") for x in (10, 40, 160, 190)]
    cols += [_column("辰巳午未", x, 96, 180, f"b{x}") for x in (10, 40, 160, 190)]
    head = Line(id="h", text="并非闲话", bbox=(100, 0, 140, 180), vertical=True)
    page = Page(width=240, height=200, lines=(head, *cols))
    assert cut_at_rules(page, build_frame(page, "vertical")) is page


def test_a_bar_down_the_middle_of_a_vertical_column_is_its_strokes_not_a_rule():
    # A column of characters heavy with upright strokes, blurred, runs into a bar down
    # its middle; a rule in the gutter beside the column stays a rule.
    img = np.full((400, 300), 255, np.uint8)
    img[60:260, 108:111] = 0  # down the middle of the column boxed 95..125
    img[40:360, 140:143] = 0  # in the gutter
    column = Line("c0", "用来指以洛阳盆地为中心的中原地区", (95, 40, 125, 360), vertical=True)
    page = Page(width=300, height=400, lines=(column,))
    rules = [s.bbox for s in find_separators(page, img, SIZE) if s.kind == "vertical"]
    assert len(rules) == 1 and 138 <= rules[0][0] <= 144
