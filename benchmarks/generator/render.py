"""Drawing a composed page into a born-digital PDF, and rasterising it into a scan-like image."""

from __future__ import annotations

import random
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image
from reportlab import rl_config
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from benchmarks.generator.compose import Box, Layout, PLine
from benchmarks.generator.typeset import register_fonts

BASELINE = 0.8  # baseline sits 0.8 em below the top of a line box (DejaVu and WQY alike)
# Vertical setting: these marks sit in the upper right of their cell, not the lower left.
CORNER_MARKS = set("，。、．")

LEVELS = {
    # skew, blur sigma, noise sigma, lighting amplitude, bleed-through alpha, JPEG quality
    "clean": (0.0, 0.0, 0.0, 0.0, 0.0, 88),
    "light": (0.8, 0.45, 3.0, 0.06, 0.0, 78),
    "medium": (1.4, 0.8, 7.0, 0.12, 0.07, 62),
    "heavy": (2.0, 1.15, 12.0, 0.2, 0.12, 45),
}


def to_page(layout: Layout, box: Box) -> Box:
    """Abstract (u, v) box -> PDF box in points, top-left origin."""
    u0, v0, u1, v1 = box
    if layout.spec.vertical:
        return (layout.width - v1, u0, layout.width - v0, u1)
    return box


def draw_pdf(layout: Layout, path: Path) -> None:
    register_fonts()
    rl_config.useA85 = 0  # binary streams: ASCII85 would add a quarter to every picture
    c = canvas.Canvas(str(path), pagesize=(layout.width, layout.height), pageCompression=1, invariant=1)
    c.setTitle(layout.spec.id)
    _draw_pictures(c, layout)
    _draw_rules(c, layout)
    for line in stream_order(layout):
        _draw_line(c, layout, line)
    c.showPage()
    c.save()


def stream_order(layout: Layout) -> list:
    """The order lines are written into the PDF's content stream.

    Layout programs write text frames in the order they were made, not the order they
    are read, so a PDF's own text order is no reading order: segments (each a frame's
    piece of an article) go in a seeded shuffle, lines in order within each."""
    rng = random.Random(layout.spec.seed * 7919 + 1)
    by_seg: dict[int, list] = {}
    for line in layout.lines:
        by_seg.setdefault(line.seg, []).append(line)
    segs = list(by_seg)
    rng.shuffle(segs)
    return [line for s in segs for line in by_seg[s]]


def _draw_rules(c: canvas.Canvas, layout: Layout) -> None:
    h = layout.height
    c.setStrokeGray(0.15)
    for r in layout.rules:
        x0, y0, x1, y1 = to_page(layout, r)
        c.setLineWidth(0.5)
        c.line(x0, h - y0, x1, h - y1)
    c.setLineWidth(0.8)
    for f in layout.frames:
        x0, y0, x1, y1 = to_page(layout, f)
        c.rect(x0, h - y1, x1 - x0, y1 - y0, stroke=1, fill=0)


def _draw_pictures(c: canvas.Canvas, layout: Layout) -> None:
    rng = np.random.default_rng(layout.spec.seed)
    for box in layout.pictures:
        x0, y0, x1, y1 = to_page(layout, box)
        w, h = max(8, int((x1 - x0) / 2.5)), max(8, int((y1 - y0) / 2.5))
        c.drawImage(ImageReader(_texture(rng, w, h)), x0, layout.height - y1, x1 - x0, y1 - y0)


def _texture(rng: np.random.Generator, w: int, h: int) -> Image.Image:
    """Grey photo stand-in: smooth blobs, a horizon and film grain."""
    coarse = rng.uniform(70, 210, size=(5, 7)).astype(np.float32)
    img = cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC)
    horizon = int(h * rng.uniform(0.3, 0.7))
    img[horizon:] *= 0.75
    cx, cy, r = rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h, rng.uniform(0.1, 0.3) * min(w, h)
    yy, xx = np.mgrid[0:h, 0:w]
    img[(xx - cx) ** 2 + (yy - cy) ** 2 < r * r] *= 0.6
    img += rng.normal(0, 5, size=img.shape)
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "L")


def _draw_line(c: canvas.Canvas, layout: Layout, line: PLine) -> None:
    h = layout.height
    mode = 0
    if line.bold and line.font == "WQY":
        mode = 2  # fill + stroke: WQY has no bold face, a thin outline stroke thickens it
        c.setLineWidth(line.size * 0.035)
    c.setFillGray(0.0)
    c.setStrokeGray(0.0)
    c.setFont(line.font, line.size)
    x0, y0, x1, _ = to_page(layout, line.box)
    if layout.spec.vertical:
        xc = (x0 + x1) / 2
        for ch, off in line.runs:
            y = y0 + off  # u offsets run down the page from the top of the box
            dx = line.size * 0.3 if ch in CORNER_MARKS else 0.0
            dy = -line.size * 0.45 if ch in CORNER_MARKS else 0.0
            c.drawCentredString(xc + dx, h - (y + dy + BASELINE * line.size), ch, mode=mode)
        return
    base = h - (y0 + BASELINE * line.size)
    for text, off in line.runs:
        c.drawString(x0 + off, base, text, mode=mode, charSpace=line.char_space)


def scan_params(layout: Layout) -> dict:
    """DPI, skew and degradation knobs for the page, from its seed."""
    spec = layout.spec
    rng = random.Random(spec.seed * 31 + 7)
    skew_max, blur, noise, light, bleed, quality = LEVELS[spec.degradation]
    long_side = max(layout.width, layout.height)
    dpi = spec.dpi or rng.uniform(150, 300)
    dpi = round(min(dpi, spec.max_px * 72 / long_side), 2)
    skew = spec.skew_deg if spec.skew_deg is not None else round(rng.uniform(-skew_max, skew_max), 3)
    quality = spec.quality or quality
    return dict(dpi=dpi, skew=skew, blur=blur, noise=noise, light=light, bleed=bleed, quality=quality,
                seed=rng.randrange(2**31))


def rasterise(pdf: Path, out: Path, layout: Layout) -> dict:
    """Render the PDF, degrade it and save; returns the truth's `scan` record."""
    p = scan_params(layout)
    scale = p["dpi"] / 72
    doc = pdfium.PdfDocument(str(pdf))
    img = doc[0].render(scale=scale, grayscale=True).to_numpy()
    doc.close()
    gray = img[..., 0] if img.ndim == 3 else img
    gray = gray.astype(np.float32)
    h, w = gray.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), p["skew"], 1.0)
    gray = _degrade(gray, m, p)
    _save(gray, out, p["quality"])
    matrix = [[m[0, 0] * scale, m[0, 1] * scale, m[0, 2]], [m[1, 0] * scale, m[1, 1] * scale, m[1, 2]]]
    return {"file": out.name, "dpi": p["dpi"], "width": w, "height": h, "skew_deg": p["skew"],
            "degradation": layout.spec.degradation, "matrix": [[round(v, 6) for v in r] for r in matrix]}


def _degrade(gray: np.ndarray, m: np.ndarray, p: dict) -> np.ndarray:
    rng = np.random.default_rng(p["seed"])
    h, w = gray.shape
    if p["bleed"]:
        # The verso shows through: a mirrored, blurred, faint copy of the page.
        back = cv2.GaussianBlur(gray[:, ::-1], (0, 0), 2.0)
        gray = gray * (1 - p["bleed"] * (1 - back / 255.0))
    if p["light"]:
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        angle = rng.uniform(0, 2 * np.pi)
        ramp = (np.cos(angle) * xx / w + np.sin(angle) * yy / h)
        radial = ((xx / w - 0.5) ** 2 + (yy / h - 0.5) ** 2)
        field = 1 - p["light"] * (0.6 * (ramp - ramp.min()) / (np.ptp(ramp) + 1e-6) + 0.8 * radial)
        gray = gray * field
    if p["light"] or p["noise"]:
        gray = 30 + gray * 0.9  # paper is never white nor ink black once scanned
    if p["skew"]:
        gray = cv2.warpAffine(gray, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    if p["blur"]:
        gray = cv2.GaussianBlur(gray, (0, 0), p["blur"])
    if p["noise"]:
        gray = gray + rng.normal(0, p["noise"], size=gray.shape).astype(np.float32)
    return np.clip(gray, 0, 255).astype(np.uint8)


def _save(gray: np.ndarray, out: Path, quality: int) -> None:
    img = Image.fromarray(gray, "L")
    if out.suffix.lower() == ".png":
        img.save(out, optimize=True)
    else:
        img.save(out, quality=quality, optimize=True)
