# --- OCR test helpers (fixtures prefixed ocr_) --------------------------------------

import pytest as _ocr_pytest

OCR_CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
OCR_LATIN_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
OCR_COLUMN_TEXT = (
    ("市政府宣布交通计划", "居民表示欢迎支持", "专家认为措施有效", "明年开始全面实施"),
    ("学校今年招收新生", "图书馆延长开放时间", "学生可以借阅更多", "老师鼓励大家读书"),
    ("天气预报明天下雨", "气温将会明显下降", "请市民注意保暖", "出门记得带雨伞"),
)


def _ocr_render_columns(columns=OCR_COLUMN_TEXT, size=24, width=800, height=600):
    """White page with ``columns`` of CJK lines; returns (gray array, line boxes).

    Boxes are ``(text, (x0, y0, x1, y1))`` in pixels, measured from the drawn glyphs.
    """
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(OCR_CJK_FONT, size)
    img = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(img)
    col_width = (width - 40) // len(columns)
    truth = []
    for c, lines in enumerate(columns):
        for i, text in enumerate(lines):
            x, y = 30 + c * col_width, 60 + i * int(size * 1.8)
            draw.text((x, y), text, font=font, fill=0)
            truth.append((text, tuple(float(v) for v in draw.textbbox((x, y), text, font=font))))
    return np.array(img), truth


@_ocr_pytest.fixture(scope="session")
def ocr_render_columns():
    return _ocr_render_columns


@_ocr_pytest.fixture(scope="session")
def ocr_rapid_engine():
    from ocr.readers import cached_engine

    return cached_engine("rapidocr")


# --- the whole suite: OCR cache and derived models in a temporary folder -------------

import pytest as _env_pytest


@_env_pytest.fixture(autouse=True, scope="session")
def _pagestitch_tmp_cache(tmp_path_factory):
    """Keep the OCR cache and built model folders out of the user's home."""
    import os

    root = tmp_path_factory.mktemp("pagestitch-home")
    old = {k: os.environ.get(k) for k in ("PAGESTITCH_CACHE", "PAGESTITCH_MODELS")}
    os.environ["PAGESTITCH_CACHE"] = str(root / "cache")
    os.environ["PAGESTITCH_MODELS"] = str(root / "models")
    yield
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
