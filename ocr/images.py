"""Page images: loading (PNG, JPEG, TIFF), skew estimation, deskew, and OCR on them.

Angles are in degrees, counter-clockwise positive as the page is seen on screen: a
page whose text lines rise to the right has a positive skew.
"""

from __future__ import annotations

import math
import struct
import time
import warnings
from pathlib import Path
from typing import Sequence

import cv2
import numpy as np
from PIL import Image, ImageSequence

from layout.model import Line, Page, Point, Provenance
from ocr.cache import cached_ocr
from ocr.engines.base import Engine, bbox_of
from ocr.loaded import InputError, LoadedPage

# Largest page we decode. A broadsheet at 600 dpi is ~ 8000 x 11000 = 88 Mpx, so this
# leaves room for real scans while refusing files whose header claims absurd sizes.
MAX_PIXELS = 180_000_000

# Below this the rotation would move no pixel by more than a fraction on a text line
# and resampling would only blur the glyphs.
MIN_DESKEW_DEGREES = 0.5  # smaller skews are left to the detector and the layout, which measures the residual from the line polygons

# Searched skew range (degrees). Scanned pages rarely exceed a few degrees.
SKEW_RANGE = 6.0

ImagePage = tuple[np.ndarray, float | None]


# ------------------------------------------------------------------------- loading


def load_image_pages(path: str | Path) -> list[ImagePage]:
    """Every page of an image file as (uint8 gray or BGR array, dpi or None)."""
    name = str(path)
    try:
        with warnings.catch_warnings():
            # PIL only warns between its limit and twice its limit; treat it as fatal.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(name) as im:
                return [_load_frame(frame, name) for frame in ImageSequence.Iterator(im)]
    except InputError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InputError(name, f"image too large (decompression bomb?): {exc}") from None
    except FileNotFoundError:
        raise InputError(name, "file not found") from None
    except (OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
        # struct.error: corrupt TIFF tags surface from PIL's parsers as this.
        raise InputError(name, f"unreadable or truncated image: {exc}") from None


def _load_frame(frame: Image.Image, name: str) -> ImagePage:
    width, height = frame.size
    # The header is parsed but no pixel decoded yet: refuse before allocating.
    if width * height > MAX_PIXELS:
        raise InputError(
            name,
            f"image of {width}x{height} = {width * height / 1e6:.0f} Mpx exceeds the "
            f"{MAX_PIXELS / 1e6:.0f} Mpx limit (decompression bomb?)",
        )
    if width == 0 or height == 0:
        raise InputError(name, "image has no pixels")
    frame.load()
    return _to_array(frame), _dpi_of(frame)


def _dpi_of(im: Image.Image) -> float | None:
    dpi = im.info.get("dpi")
    if not dpi:
        return None
    try:
        value = float(dpi[0] if isinstance(dpi, (tuple, list)) else dpi)
    except (TypeError, ValueError):
        return None
    # Files without a real resolution often say 1 or 72 "dpi" as an aspect ratio;
    # values below any scanner's range are not a resolution.
    return round(value, 2) if value >= 50 else None


def _to_array(im: Image.Image) -> np.ndarray:
    """Normalise any PIL mode to uint8 gray (H, W) or BGR (H, W, 3)."""
    mode = im.mode
    if mode == "1":
        return np.asarray(im.convert("L"), dtype=np.uint8)
    if mode.startswith("I") or mode == "F":
        return _high_depth_to_uint8(np.asarray(im))
    if mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    elif mode == "PA":
        im = im.convert("RGBA")
    elif mode not in ("L", "LA", "RGB", "RGBA"):
        im = im.convert("RGB")  # CMYK, YCbCr, LAB, ...
    if im.mode in ("LA", "RGBA"):
        im = _flatten_alpha(im)
    arr = np.asarray(im, dtype=np.uint8)
    if arr.ndim == 3:
        if _is_gray(arr):
            return np.ascontiguousarray(arr[:, :, 0])
        return cv2.cvtColor(arr, cv2.COLOR_RGB2BGR)
    return np.ascontiguousarray(arr)


def _flatten_alpha(im: Image.Image) -> Image.Image:
    # Transparent areas are paper, so composite over white rather than dropping alpha
    # (which would turn them black on many files).
    base = "L" if im.mode == "LA" else "RGB"
    background = Image.new(base, im.size, 255 if base == "L" else (255, 255, 255))
    background.paste(im.convert(base), mask=im.getchannel("A"))
    return background


def _is_gray(rgb: np.ndarray) -> bool:
    return bool(np.array_equal(rgb[:, :, 0], rgb[:, :, 1]) and np.array_equal(rgb[:, :, 1], rgb[:, :, 2]))


def _high_depth_to_uint8(arr: np.ndarray) -> np.ndarray:
    """16-bit / 32-bit samples to 8 bits, using the bit depth the data actually uses."""
    data = arr.astype(np.float64)
    low = min(0.0, float(data.min()))
    high = float(data.max())
    if high <= 255 and low >= 0:
        return data.astype(np.uint8)
    # 12-bit scanners store in 16-bit containers; scale to the smallest full range
    # that holds the data instead of always dividing by 65535.
    bits = max(8, math.ceil(math.log2(high - low + 1)))
    scaled = (data - low) * (255.0 / (2.0**bits - 1))
    return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)


def to_gray(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return image
    return cv2.cvtColor(image[:, :, :3], cv2.COLOR_BGR2GRAY)


# ------------------------------------------------------------------------- skew


def _text_pixels(gray: np.ndarray) -> np.ndarray | None:
    """(N, 2) x, y of ink pixels in text-sized components, or None for a blank page."""
    if gray.size == 0 or int(gray.max()) - int(gray.min()) < 32:
        return None  # no contrast: blank page or flat scan
    _, ink = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    if count <= 1:
        return None
    heights = stats[1:, cv2.CC_STAT_HEIGHT].astype(np.float64)
    widths = stats[1:, cv2.CC_STAT_WIDTH].astype(np.float64)
    areas = stats[1:, cv2.CC_STAT_AREA].astype(np.float64)
    # Speckles (a few pixels) carry no line information; the text size is the median
    # height of the remaining components.
    candidates = areas >= 4
    if candidates.sum() < 8:
        return None
    size = float(np.median(heights[candidates]))
    # Glyph-sized components only: pictures, rules and noise would blur the profile.
    keep = candidates & (heights >= 0.4 * size) & (heights <= 3.0 * size) & (widths <= 6.0 * size)
    if keep.sum() < 8:
        return None
    keep_labels = np.flatnonzero(keep) + 1
    mask = np.isin(labels, keep_labels)
    ys, xs = np.nonzero(mask)
    # Third column: the vertical strip a pixel lies in, about 20 text sizes wide. Columns
    # set their baselines independently, so profiles are taken per strip (a strip
    # narrower than most columns) and their sharpness added up.
    strip = np.floor(xs / max(8.0, 20.0 * size))
    points = np.stack([xs, ys, strip], axis=1).astype(np.float64)
    return _subsample(points, 150_000)


def _subsample(points: np.ndarray, limit: int) -> np.ndarray:
    if len(points) <= limit:
        return points
    step = int(math.ceil(len(points) / limit))
    return points[::step]


def _profile_sharpness(points: np.ndarray, degrees: float) -> float:
    """How peaked the row profile is when lines tilted by ``degrees`` are flattened."""
    theta = math.radians(degrees)
    # Projection onto the normal of lines rising to the right by theta.
    proj = points[:, 1] * math.cos(theta) + points[:, 0] * math.sin(theta)
    bins = np.rint(proj - proj.min()).astype(np.int64)
    span = int(bins.max()) + 1
    hist = np.bincount(points[:, 2].astype(np.int64) * span + bins).astype(np.float64)
    return float(np.dot(hist, hist))


def _best_angle(points: np.ndarray, angles: np.ndarray) -> tuple[float, float]:
    scores = np.array([_profile_sharpness(points, a) for a in angles])
    i = int(np.argmax(scores))
    return float(angles[i]), float(scores[i])


def estimate_skew(gray: np.ndarray) -> float:
    """Skew of the text lines in degrees (CCW positive), 0.0 for blank pages."""
    points = _text_pixels(to_gray(gray))
    if points is None:
        return 0.0
    coarse, _ = _best_angle(points, np.arange(-SKEW_RANGE, SKEW_RANGE + 1e-9, 0.25))
    fine, _ = _best_angle(points, np.arange(coarse - 0.3, coarse + 0.3 + 1e-9, 0.02))
    angle = _refine_parabola(points, fine, 0.02)
    return round(angle, 3) if abs(angle) >= 0.01 else 0.0


def _refine_parabola(points: np.ndarray, angle: float, step: float) -> float:
    """Sub-step peak from a parabola through three neighbouring scores."""
    left, mid, right = (_profile_sharpness(points, angle + d) for d in (-step, 0.0, step))
    denom = left - 2 * mid + right
    if denom >= 0:
        return angle
    return angle + step * 0.5 * (left - right) / denom


def deskew(image: np.ndarray, angle: float) -> tuple[np.ndarray, np.ndarray]:
    """Rotate by ``-angle`` on an enlarged white canvas; returns (image, 2x3 matrix).

    The matrix maps original pixel coordinates to the rotated image.
    """
    height, width = image.shape[:2]
    centre = (width / 2.0, height / 2.0)
    matrix = cv2.getRotationMatrix2D(centre, -angle, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w = int(math.ceil(width * cos + height * sin))
    new_h = int(math.ceil(width * sin + height * cos))
    # Shift so the whole rotated page fits: nothing is cut off at the corners.
    matrix[0, 2] += new_w / 2.0 - centre[0]
    matrix[1, 2] += new_h / 2.0 - centre[1]
    fill = 255 if image.ndim == 2 else (255,) * image.shape[2]
    rotated = cv2.warpAffine(
        image,
        matrix,
        (new_w, new_h),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=fill,
    )
    return rotated, matrix


def map_points(points: Sequence[Point], matrix: np.ndarray) -> tuple[Point, ...]:
    arr = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    mapped = arr @ matrix[:, :2].T + matrix[:, 2]
    return tuple((round(float(x), 2), round(float(y), 2)) for x, y in mapped)


def _map_line(line: Line, inverse: np.ndarray, width: int, height: int) -> Line:
    x0, y0, x1, y1 = line.bbox
    poly = line.polygon or ((x0, y0), (x1, y0), (x1, y1), (x0, y1))
    mapped = map_points(poly, inverse)
    bx0, by0, bx1, by1 = bbox_of(mapped)
    # Clip to the original page: the enlarged canvas has margins outside it.
    box = (max(0.0, bx0), max(0.0, by0), min(float(width), bx1), min(float(height), by1))
    # Height stays as measured in the upright frame, where it is the text size.
    return Line(
        id=line.id,
        text=line.text,
        bbox=box,
        polygon=mapped,
        confidence=line.confidence,
        height=line.height,
        vertical=line.vertical,
    )


def ocr_image(image: np.ndarray, engine: Engine, angle: float | None = None) -> list[Line]:
    """OCR a page image; lines come back in the ORIGINAL image's coordinates.

    ``angle`` is the skew if already known (estimated here otherwise).
    """
    if angle is None:
        angle = estimate_skew(to_gray(image))
    if abs(angle) < MIN_DESKEW_DEGREES:
        return engine.recognize(image)
    upright, matrix = deskew(image, angle)
    inverse = cv2.invertAffineTransform(matrix)
    height, width = image.shape[:2]
    return [_map_line(line, inverse, width, height) for line in engine.recognize(upright)]


def ocr_page(image: np.ndarray, engine: Engine, source: str, number: int, dpi: float | None) -> LoadedPage:
    """One page image -> LoadedPage, deskewed for OCR, lines in the image's frame."""
    started = time.perf_counter()

    def compute() -> tuple[float, list[Line]]:
        angle = estimate_skew(to_gray(image))
        return angle, ocr_image(image, engine, angle=angle)

    # Re-running layout on the same scan with the same engine settings costs no OCR.
    angle, lines, hit = cached_ocr(image, engine, compute)
    elapsed = time.perf_counter() - started
    info = engine.info()
    parameters = {**dict(info.get("parameters") or {}), "skew": angle, "dpi": dpi}
    page = Page(
        width=float(image.shape[1]),
        height=float(image.shape[0]),
        lines=tuple(lines),
        source=source,
        page_number=number,
        dpi=dpi,
        provenance=Provenance(
            engine=engine.name,
            model=str(info.get("model", "")),
            version=str(info.get("version", "")),
            parameters=parameters,
            timings={"ocr": max(round(elapsed, 4), 1e-4), **({"ocr_cache_hit": 1.0} if hit else {})},
        ),
    )
    return LoadedPage(page=page, image=image)
