"""Rebuild the cropped real-data fixtures in this folder from /work/shared/real.

    .venv/bin/python tests/data/formats/make_fixtures.py

Crops keep the files' own structure, ids, coordinates and text; they only drop
regions/blocks and lines so that the fixtures stay small. See README.md for sources.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from lxml import etree

REAL = Path(__file__).resolve().parents[4] / "shared" / "real"
HERE = Path(__file__).parent
LINES_PER_BLOCK = 3


def _local(el: etree._Element) -> str:
    return el.tag.rsplit("}", 1)[-1] if isinstance(el.tag, str) else ""


def _drop(el: etree._Element) -> None:
    el.getparent().remove(el)


def crop_page(src: Path, dst: Path, keep_regions: int) -> None:
    tree = etree.parse(str(src))
    page = next(el for el in tree.getroot() if _local(el) == "Page")
    regions = [el for el in page if _local(el).endswith("Region")]
    kept = {r.get("id") for r in regions[:keep_regions]}
    for region in regions[keep_regions:]:
        _drop(region)
    for region in regions[:keep_regions]:
        for line in [el for el in region if _local(el) == "TextLine"][LINES_PER_BLOCK + 1:]:
            _drop(line)
    for ref in [el for el in page.iter() if _local(el) == "RegionRefIndexed"]:
        if ref.get("regionRef") not in kept:
            _drop(ref)
    tree.write(str(dst), xml_declaration=True, encoding="UTF-8")


def crop_alto(src: Path, dst: Path, keep: set[str]) -> None:
    tree = etree.parse(str(src))
    for block in [el for el in tree.iter() if _local(el) in ("TextBlock", "ComposedBlock", "Illustration", "GraphicalElement")]:
        if block.getparent() is None or _local(block.getparent()) == "ComposedBlock":
            continue
        if block.get("ID") not in keep:
            _drop(block)
            continue
        for line in [el for el in block if _local(el) == "TextLine"][LINES_PER_BLOCK:]:
            _drop(line)
    tree.write(str(dst), xml_declaration=True, encoding="UTF-8")


def crop_mets(src: Path, dst: Path, files: set[str], blocks: set[str]) -> None:
    tree = etree.parse(str(src))
    root = tree.getroot()
    for file_el in [el for el in root.iter() if _local(el) == "file"]:
        if file_el.get("ID") not in files:
            _drop(file_el)
    for area in [el for el in root.iter() if _local(el) == "area"]:
        if area.get("FILEID") not in files or (area.get("BEGIN") and area.get("BEGIN") not in blocks and area.get("BETYPE")):
            _drop(area)
    # Drop what became empty: seq/par, then fptr, then divs (innermost first).
    for name in ("seq", "par", "fptr", "div", "div", "div", "div", "div", "div", "fileGrp"):
        for el in [e for e in root.iter() if _local(e) == name]:
            if len(el) == 0:
                _drop(el)
    for dmd in [el for el in root if _local(el) in ("dmdSec", "amdSec")]:
        _drop(dmd)
    for el in root.iter():
        if isinstance(el.tag, str):
            for attr in ("DMDID", "ADMID"):
                el.attrib.pop(attr, None)
    tree.write(str(dst), xml_declaration=True, encoding="UTF-8")


def main() -> None:
    crop_page(REAL / "reichsanzeiger/1870_244_0431.xml", HERE / "reichsanzeiger-1870-crop.page2013.xml", 8)
    lux = REAL / "luxzeit1858"
    out = HERE / "luxzeit1858"
    shutil.rmtree(out, ignore_errors=True)
    (out / "text").mkdir(parents=True)
    page1 = {f"P1_TB{n:05d}" for n in (1, 2, 3, 9, 10, 11, 12, 13, 14, 17, 18)}
    page2 = {f"P2_TB{n:05d}" for n in (1, 2, 3, 4)}
    crop_alto(lux / "text/1858-12-07_01-00001.xml", out / "text/1858-12-07_01-00001.xml", page1)
    crop_alto(lux / "text/1858-12-07_01-00002.xml", out / "text/1858-12-07_01-00002.xml", page2)
    files = {"ALTO00001", "ALTO00002"}
    crop_mets(lux / "2385348_newspaper_luxzeit1858_1858-12-07_01-mets.xml", out / "luxzeit1858-crop-mets.xml", files, page1 | page2 | {"P1", "P2"})


if __name__ == "__main__":
    main()
