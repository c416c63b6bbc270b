"""Rules found in the page image (layout.separators)."""

from __future__ import annotations

import numpy as np

from layout.model import Line, Page
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
