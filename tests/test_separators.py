"""Rules found in the page image (layout.separators)."""

from __future__ import annotations

import numpy as np

from layout.model import Page
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
