"""Separators: column rules, horizontal rules and pictures found in the page image.

A rule is a long, thin run of ink. Morphological opening with a long, one-pixel-wide
kernel keeps only such runs; the kernel's length is a multiple of the text size, so
the same setting works at 150 and at 600 dpi. Text strokes are far shorter than
several characters, so they vanish in the opening.

Pictures (photos, drawings) are what ink is left when the text lines are painted out:
large solid areas, several text sizes on each side. They are separators of kind
``picture``: text does not run across them, and the block under one is its caption.
Long runs of ink inside a picture (its edges, its shading) are no rules.
"""

from __future__ import annotations

from typing import Any, Sequence

from layout import geometry as g
from layout.frame import gray_page
from layout.model import Box, Page, Separator

MIN_LENGTH = 4.0  # a rule is at least this many text sizes long
MAX_THICKNESS = 0.35  # and at most this thick, in text sizes


def find_separators(page: Page, image: Any, size: float, skew: float = 0.0) -> tuple[Separator, ...]:
    """Rules in the image, in page coordinates. No image: no rules found."""
    if image is None:
        return ()
    import cv2
    import numpy as np

    gray, scale = gray_page(page, image)
    s = max(2.0, size * scale)
    unturned = gray  # pictures are found on the image as scanned, their boxes unturned
    if abs(skew) > 0.2:
        center = (gray.shape[1] / 2.0, gray.shape[0] / 2.0)
        m = cv2.getRotationMatrix2D(center, skew, 1.0)  # undo the skew so rules are level
        gray = cv2.warpAffine(gray, m, (gray.shape[1], gray.shape[0]), borderValue=255)
    ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)[1]
    ink = cv2.max(ink, _faint_ink(gray, s))
    found: list[Separator] = []
    upright: dict[Separator, Box] = {}  # a found rule -> its box upright (page units)
    for kind, kernel in (("vertical", (1, int(MIN_LENGTH * s))), ("horizontal", (int(MIN_LENGTH * s), 1))):
        opened = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, kernel))
        n, _, stats, _ = cv2.connectedComponentsWithStats(opened, connectivity=8)
        for x, y, w, h, area in stats[1:n]:
            # Mean thickness: a long rule a fraction of a degree off level has a tall
            # bounding box, though it is thin all along.
            thick = area / max(h if kind == "vertical" else w, 1)
            if thick <= MAX_THICKNESS * s + 2:
                box = _back_to_page((x, y, x + w, y + h), gray.shape, skew, scale)
                found.append(Separator(box, kind))
                upright[found[-1]] = g.scale_box((x, y, x + w, y + h), 1.0 / scale)
    rules_v = [r.bbox for r in found if r.kind == "vertical"]
    pictures = [_back_to_page(b, unturned.shape, 0.0, scale) for b in find_pictures(page, unturned, s, scale, rules_v)]
    line_boxes = np.array(_upright_lines(page, skew), dtype=float).reshape(-1, 4)
    # The same for the strokes down a column of vertical text (a column of characters
    # heavy with upright strokes, blurred, runs into a bar down its middle): the lines
    # that run down, turned so that they run across.
    down = line_boxes[(line_boxes[:, 3] - line_boxes[:, 1]) > (line_boxes[:, 2] - line_boxes[:, 0])]
    columns = down[:, [1, 0, 3, 2]]
    rules = [r for r in _not_in_clusters(found, size)
             if not _inside_any(r.bbox, pictures, size)
             and not (r.kind == "horizontal" and _through_text(upright[r], line_boxes))
             and not (r.kind == "vertical" and _through_text(_turned(upright[r]), columns))]
    return tuple(rules) + tuple(Separator(b, "picture") for b in pictures)


PICTURE_SIDE = 3.0  # a picture is at least this many text sizes wide and high
PICTURE_FILL = 0.6  # and toned over at least this share of its box
PICTURE_TONE = 30  # grey levels darker than the paper: toned, not blank
LINE_MARGIN = 0.2  # text sizes of white painted around each text line


def find_pictures(page: Page, gray: Any, s: float, scale: float,
                  rules: Sequence[Box] = ()) -> list[tuple[int, int, int, int]]:
    """Boxes (image pixels) of pictures: toned areas left once the text lines are
    painted white. Works at about four pixels per text size, which is plenty for
    areas several text sizes large and makes the cost negligible. ``rules`` (column
    rules, page units) part pictures they run through (see _cut_at_rules)."""
    import cv2
    import numpy as np

    f = max(1.0, s / 4.0)
    small = cv2.resize(gray, (max(1, int(gray.shape[1] / f)), max(1, int(gray.shape[0] / f))), interpolation=cv2.INTER_AREA)
    k = scale / f  # page units -> small pixels
    pad = LINE_MARGIN * s / f
    painted = np.zeros(small.shape, np.uint8)
    for line in page.lines:
        x0, y0, x1, y1 = (v * k for v in line.bbox)
        cv2.rectangle(painted, (int(x0 - pad), int(y0 - pad)), (int(x1 + pad), int(y1 + pad)), 1, -1)
    small = cv2.medianBlur(np.where(painted > 0, 255, small).astype(np.uint8), 3)  # specks are no tone
    toned = (small < paper_level(small, painted == 0) - PICTURE_TONE).astype(np.uint8)
    # Close small gaps inside a picture, then open at more than a rule's thickness and a
    # stray letter's size: what stays is area, not strokes.
    toned = cv2.morphologyEx(toned, cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    toned = cv2.morphologyEx(toned, cv2.MORPH_OPEN, np.ones((6, 6), np.uint8))
    toned = _cut_at_rules(toned, [tuple(v * scale / f for v in r) for r in rules])
    n, _, stats, _ = cv2.connectedComponentsWithStats(toned, connectivity=8)
    side = PICTURE_SIDE * 4.0
    out = []
    for x, y, w, h, area in stats[1:n]:
        if w >= side and h >= side and area >= PICTURE_FILL * w * h:
            out.append((int(x * f), int(y * f), int((x + w) * f), int((y + h) * f)))
    return out


def _cut_at_rules(toned: Any, rules: list[tuple[float, ...]]) -> Any:
    """Toned areas (``toned``, about four pixels per text size) parted along the column
    rules (same pixels) that run through them from above their top to below their
    bottom. A column rule stands in the gutter between two pictures set side by side,
    never across one (a picture over several columns breaks the rules off at its
    edges): on a blurred scan the narrow gutter tones over and the two pictures would
    be taken for one wide picture over both columns' text::

        |            |            column rule from above to below the pictures:
        | #########  |  #######   two pictures, one in each column
        | #########  |  #######
        |            |
    """
    import cv2

    reach = 4  # pixels: one text size (see find_pictures), above and below
    n, _, stats, _ = cv2.connectedComponentsWithStats(toned, connectivity=8)
    out = toned.copy()
    for x, y, w, h, _ in stats[1:n]:
        for r in rules:
            mid = int(round((r[0] + r[2]) / 2.0))
            if x + 1 < mid < x + w - 2 and r[1] <= y - reach and r[3] >= y + h + reach:
                out[y:y + h, max(0, mid - 1):mid + 2] = 0  # three pixels: wider than the rule
    return out


RULE_TONE = 30  # grey levels under the paper's own level: ink of a faint rule


def _faint_ink(gray: Any, s: float) -> Any:
    """Pixels RULE_TONE under the paper's level around them (a blurred scan prints a thin
    rule grey, lighter than Otsu's threshold, which the page's black text sets)."""
    import cv2
    import numpy as np

    f = max(1.0, s / 4.0)
    small = cv2.resize(gray, (max(1, int(gray.shape[1] / f)), max(1, int(gray.shape[0] / f))), interpolation=cv2.INTER_AREA)
    paper = cv2.resize(cv2.dilate(small, np.ones((9, 9), np.uint8)), (gray.shape[1], gray.shape[0]))
    return cv2.compare(gray, cv2.subtract(paper, RULE_TONE), cv2.CMP_LT)  # uint8 throughout: it is cheap


PAPER_FITS = 3  # rounds of fitting the paper's level, each leaving out what is toned


def paper_level(small: Any, bare: Any) -> Any:
    """The paper's grey level at every pixel: a smooth (quadratic) surface fitted to the
    page. A scan is lit unevenly (darker corners, a page curving off the glass), so
    one level for the whole page takes a dark corner for tone and grows a picture out
    to the page's edge. Each round leaves out the pixels well under the surface (the
    pictures), so the fit follows the paper, not them; only ``bare`` pixels (no text
    line painted over them) count."""
    import numpy as np

    h, w = small.shape
    yy, xx = np.mgrid[0:h, 0:w]
    x, y = (xx.ravel() / max(w - 1, 1)) - 0.5, (yy.ravel() / max(h - 1, 1)) - 0.5
    basis = np.stack([np.ones_like(x), x, y, x * x, y * y, x * y], axis=1)
    grey = small.ravel().astype(float)
    bare = bare.ravel()
    if bare.sum() < basis.shape[1]:
        return np.full((h, w), float(np.median(grey)))
    keep = bare & (grey >= np.median(grey[bare]) - PICTURE_TONE)
    for _ in range(PAPER_FITS):
        a = basis[keep]
        coef = np.linalg.lstsq(a.T @ a, a.T @ grey[keep], rcond=None)[0]  # normal equations: 6 x 6
        level = basis @ coef
        keep = bare & (grey >= level - PICTURE_TONE / 2)
    return level.reshape(h, w)


def _upright_lines(page: Page, skew: float) -> list[Box]:
    """The lines' boxes as they stand in the image the rules were found in: turned
    upright with it where it was (find_separators). A skewed line's own box is taller
    than its letters by its slope, and a run of ink along its letters' feet would lie
    under that box's middle."""
    if abs(skew) <= 0.2:
        return [ln.bbox for ln in page.lines]
    origin = (page.width / 2.0, page.height / 2.0)
    return [g.upright_box(ln, origin, skew) for ln in page.lines]


def _through_text(box: tuple[float, float, float, float], b: Any) -> bool:
    """The run of ink lies along the middle of a text line (rows of ``b``, the lines'
    boxes upright), over most of its length: the letters of a blurred line (italics
    merge into a bar, a heavy head's feet run together along its baseline), not a rule.
    A rule under a line runs along its bottom edge or below it, never through its
    middle."""
    import numpy as np

    y = (box[1] + box[3]) / 2.0
    h = b[:, 3] - b[:, 1]
    middle = (b[:, 1] + 0.2 * h <= y) & (y <= b[:, 3] - 0.2 * h)
    covered = np.minimum(b[:, 2], box[2]) - np.maximum(b[:, 0], box[0])
    return bool(np.any(middle & (covered >= 0.8 * (box[2] - box[0]))))


def _turned(box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    """A box with x and y swapped: a vertical run tested as a horizontal one."""
    return (box[1], box[0], box[3], box[2])


def _inside_any(box: tuple[float, float, float, float], pictures: list[tuple[float, float, float, float]], size: float) -> bool:
    """The rule's centre lies inside a picture, away from its edges: shading or an edge
    within the picture. A frame drawn round the picture has its centre on the edge and
    stays a rule."""
    inset = 0.5 * size
    x, y = g.center(box)
    return any(p[0] + inset <= x <= p[2] - inset and p[1] + inset <= y <= p[3] - inset for p in pictures)


CLUSTER_GAP = 1.5  # candidates this many text sizes apart, side by side, ...
CLUSTER_COUNT = 3  # ... this many or more, are strokes of display type, not rules,
CLUSTER_LENGTH = 12.0  # ... when shorter than this many text sizes (stems of large type)


def _not_in_clusters(found: list[Separator], size: float) -> list[Separator]:
    """Drop short candidates that stand in bunches: the stems of large (blackletter)
    type pass the opening like rules do, but come several to a letter and letter after
    letter, where a rule stands alone or doubled (or broken into pieces beside its
    whole length). A bunch is a chain of side-by-side candidates, each less than
    CLUSTER_GAP sizes from the next."""
    import numpy as np
    from scipy.sparse.csgraph import connected_components

    if not found:
        return found
    b = np.asarray([s.bbox for s in found], dtype=float)
    vertical = np.array([s.kind == "vertical" for s in found])
    # Per candidate: where it stands across (x of a vertical rule, y of a horizontal one)
    # and its extent along.
    across = np.where(vertical, b[:, 0], b[:, 1])
    lo, hi = np.where(vertical, b[:, 1], b[:, 0]), np.where(vertical, b[:, 3], b[:, 2])
    length = hi - lo
    overlap = np.minimum.outer(hi, hi) - np.maximum.outer(lo, lo)
    chained = ((vertical[:, None] == vertical[None, :])
               & (np.abs(np.subtract.outer(across, across)) < CLUSTER_GAP * size)
               & (overlap > 0.5 * np.minimum.outer(length, length)))
    _, label = connected_components(chained, directed=False)
    count = np.bincount(label)
    return [s for k, s in enumerate(found) if count[label[k]] < CLUSTER_COUNT or length[k] >= CLUSTER_LENGTH * size]


def _back_to_page(box: tuple[float, float, float, float], shape: tuple[int, ...], skew: float, scale: float) -> tuple[float, float, float, float]:
    if abs(skew) > 0.2:
        origin = (shape[1] / 2.0, shape[0] / 2.0)
        box = g.polygon_box([g.rotate_point(p, origin, skew) for p in g.box_polygon(box)])
    return g.scale_box(box, 1.0 / scale)


def merge_separators(a: tuple[Separator, ...], b: tuple[Separator, ...], size: float) -> tuple[Separator, ...]:
    """Union of two sets of rules, dropping near-duplicates of what ``a`` holds."""
    out = list(a)
    for s in b:
        if not any(t.kind == s.kind and g.iou(t.bbox, s.bbox) > 0.3 for t in out):
            out.append(s)
    return tuple(out)
