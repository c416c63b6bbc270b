"""Image loading (formats, bombs, corruption), skew, deskew and OCR mapped back."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from layout.model import Line
from ocr.images import deskew, estimate_skew, load_image_pages, map_points, ocr_image
from ocr.loaded import InputError


def _rotated(image: np.ndarray, degrees: float) -> np.ndarray:
    # PIL rotates counter-clockwise for positive angles, the skew sign convention.
    pil = Image.fromarray(image).rotate(degrees, resample=Image.BICUBIC, expand=True, fillcolor=255)
    return np.array(pil)


# ------------------------------------------------------------------------- loading


def test_grayscale_png_with_dpi(tmp_path, ocr_render_columns):
    image, _ = ocr_render_columns()
    path = tmp_path / "gray.png"
    Image.fromarray(image).save(path, dpi=(300, 300))
    [(loaded, dpi)] = load_image_pages(path)
    assert loaded.dtype == np.uint8 and loaded.ndim == 2
    assert np.array_equal(loaded, image)
    assert dpi == pytest.approx(300, abs=0.1)


def test_colour_becomes_bgr_and_jpeg_reads(tmp_path):
    rgb = np.zeros((20, 30, 3), np.uint8)
    rgb[:, :, 0] = 255  # pure red
    Image.fromarray(rgb).save(tmp_path / "red.png")
    [(loaded, dpi)] = load_image_pages(tmp_path / "red.png")
    assert loaded.shape == (20, 30, 3) and dpi is None
    assert tuple(loaded[5, 5]) == (0, 0, 255)
    Image.fromarray(rgb).save(tmp_path / "red.jpg", quality=95)
    [(jpeg, _)] = load_image_pages(tmp_path / "red.jpg")
    assert jpeg.shape == (20, 30, 3) and jpeg[5, 5, 2] > 200 and jpeg[5, 5, 0] < 60


def test_sixteen_bit_is_scaled_to_eight(tmp_path):
    ramp = np.tile(np.linspace(0, 65535, 64).astype(np.uint16), (8, 1))
    Image.fromarray(ramp).save(tmp_path / "deep.png")
    [(loaded, _)] = load_image_pages(tmp_path / "deep.png")
    assert loaded.dtype == np.uint8 and loaded.shape == (8, 64)
    assert loaded[0, 0] == 0 and loaded[0, -1] == 255
    assert np.all(np.diff(loaded[0].astype(int)) >= 0)


def test_alpha_palette_and_bilevel(tmp_path):
    rgba = np.zeros((10, 10, 4), np.uint8)
    rgba[:5, :, 3] = 255  # top half opaque black, bottom half fully transparent
    Image.fromarray(rgba).save(tmp_path / "alpha.png")
    [(loaded, _)] = load_image_pages(tmp_path / "alpha.png")
    assert loaded.ndim == 2 and loaded[0, 0] == 0 and loaded[9, 9] == 255
    Image.fromarray(np.full((10, 10, 3), (10, 200, 30), np.uint8)).convert("P").save(tmp_path / "pal.png")
    [(pal, _)] = load_image_pages(tmp_path / "pal.png")
    assert pal.shape == (10, 10, 3) and pal[0, 0, 1] > 150
    Image.fromarray(np.eye(10, dtype=bool)).save(tmp_path / "bw.png")
    [(bw, _)] = load_image_pages(tmp_path / "bw.png")
    assert bw.dtype == np.uint8 and bw[3, 3] == 255 and bw[3, 4] == 0


def test_multipage_tiff_gives_every_page(tmp_path):
    first = Image.fromarray(np.full((40, 50), 200, np.uint8))
    second = Image.fromarray(np.full((60, 30, 3), 90, np.uint8))
    path = tmp_path / "two.tif"
    first.save(path, save_all=True, append_images=[second], compression="tiff_deflate", dpi=(200, 200))
    pages = load_image_pages(path)
    assert [p.shape[:2] for p, _ in pages] == [(40, 50), (60, 30)]
    assert pages[0][1] == pytest.approx(200)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def _bomb_png(side: int) -> bytes:
    """A genuine 1-bit PNG of side x side white pixels; compresses to a few kB."""
    row = b"\x00" + b"\xff" * ((side + 7) // 8)
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", data) + _png_chunk(b"IEND", b"")


def test_decompression_bomb_is_refused_before_decoding(tmp_path):
    path = tmp_path / "bomb.png"
    path.write_bytes(_bomb_png(20000))
    assert path.stat().st_size < 200_000  # tiny file, 400 Mpx claimed
    with pytest.raises(InputError) as err:
        load_image_pages(path)
    assert str(path) in str(err.value)
    assert "Mpx" in err.value.problem or "bomb" in err.value.problem


def test_truncated_and_garbage_images(tmp_path, ocr_render_columns):
    image, _ = ocr_render_columns()
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    cut = tmp_path / "cut.png"
    cut.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    with pytest.raises(InputError, match="cut.png"):
        load_image_pages(cut)
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n" + b"nonsense" * 10)
    with pytest.raises(InputError, match="junk.png"):
        load_image_pages(junk)
    with pytest.raises(InputError, match="not found"):
        load_image_pages(tmp_path / "missing.png")


# ------------------------------------------------------------------------- skew


@pytest.mark.parametrize("degrees", [1.5, -0.8, 3.0, -4.5])
def test_skew_estimate_within_a_fifth_of_a_degree(degrees, ocr_render_columns):
    # The image is only deskewed beyond half a degree; what is left, the layout
    # measures from the line polygons, so a fifth of a degree is close enough here.
    image, _ = ocr_render_columns()
    assert estimate_skew(_rotated(image, degrees)) == pytest.approx(degrees, abs=0.2)


def test_skew_of_upright_and_blank_pages(ocr_render_columns):
    image, _ = ocr_render_columns()
    assert abs(estimate_skew(image)) < 0.1
    assert estimate_skew(np.full((300, 400), 255, np.uint8)) == 0.0
    assert estimate_skew(np.full((300, 400, 3), 240, np.uint8)) == 0.0


def test_deskew_matrix_round_trips():
    image = np.full((100, 200), 255, np.uint8)
    rotated, matrix = deskew(image, 2.0)
    assert rotated.shape[0] > 100 and rotated.shape[1] > 200  # canvas grows, nothing cut
    import cv2

    inverse = cv2.invertAffineTransform(matrix)
    points = ((0.0, 0.0), (200.0, 100.0), (37.5, 81.25))
    back = map_points(map_points(points, matrix), inverse)
    assert np.allclose(back, points, atol=0.02)


class _FixedEngine:
    """Reports one line at a fixed upright box and remembers the image it saw."""

    name = "fixed"

    def __init__(self) -> None:
        self.seen: list[np.ndarray] = []

    def recognize(self, image: np.ndarray) -> list[Line]:
        self.seen.append(image)
        box = (10.0, 20.0, 110.0, 40.0)
        poly = ((10.0, 20.0), (110.0, 20.0), (110.0, 40.0), (10.0, 40.0))
        return [Line("l0", "x", box, poly, 1.0, 20.0)]

    def info(self) -> dict:
        return {"model": "fixed", "version": "0", "parameters": {}}


def test_small_skew_is_not_rotated():
    engine = _FixedEngine()
    image = np.full((80, 120), 255, np.uint8)
    [line] = ocr_image(image, engine, angle=0.05)
    assert engine.seen[0] is image
    assert line.bbox == (10.0, 20.0, 110.0, 40.0)


def test_ocr_on_skewed_page_maps_boxes_back(ocr_rapid_engine, ocr_render_columns):
    image, truth = ocr_render_columns()
    skewed = _rotated(image, 1.5)
    lines = ocr_image(skewed, ocr_rapid_engine)
    assert len(lines) == len(truth)
    # Expected positions: the rendered boxes' centres carried through PIL's rotation.
    h, w = image.shape
    H, W = skewed.shape
    theta = np.radians(1.5)
    found = {line.text: line for line in lines}
    for text, (x0, y0, x1, y1) in truth:
        line = found[text]
        cx, cy = (x0 + x1) / 2 - w / 2, (y0 + y1) / 2 - h / 2
        ex = W / 2 + cx * np.cos(theta) + cy * np.sin(theta)
        ey = H / 2 - cx * np.sin(theta) + cy * np.cos(theta)
        bx0, by0, bx1, by1 = line.bbox
        # The detector's box can run a little wide on resampled pixels, so the
        # horizontal check is containment; vertically the centre must match closely.
        assert bx0 <= ex <= bx1 and abs((by0 + by1) / 2 - ey) < 6, text
        # Height measured upright: the font size, not the tilted box's extent.
        assert 18 <= (line.height or 0) <= 34
        assert (by1 - by0) > (line.height or 0)  # the mapped box itself is tilted
        # The box is on ink in the skewed image.
        assert skewed[int(by0):int(by1) + 1, int(bx0):int(bx1) + 1].min() < 100
