"""Rasterise label PDFs with pdftoppm and read their symbols back (pyzbar, then zxing-cpp)."""
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pyzbar import pyzbar

MM_PER_INCH = 25.4


@dataclass(frozen=True)
class Read:
    """One decoded symbol: its text and its centre on the page in mm."""

    text: str
    page: int
    x: float
    y: float


def rasterise(pdf: bytes, folder: Path, dpi: float, smooth: bool = True) -> list[Image.Image]:
    """Every page of a PDF as a greyscale image at dpi (smooth=False: no anti-aliasing)."""
    if shutil.which("pdftoppm") is None:
        pytest.fail("pdftoppm is missing: install poppler-utils (make test does)")
    source = folder / "labels.pdf"
    source.write_bytes(pdf)
    flags = [] if smooth else ["-aa", "no", "-aaVector", "no"]
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", *flags, str(source),
                    str(folder / "page")], check=True, capture_output=True)
    return [Image.open(path).convert("L") for path in sorted(folder.glob("page-*.png"),
                                                key=lambda p: int(p.stem.split("-")[-1]))]


def read(images: list[Image.Image], dpi: int) -> list[Read]:
    """Every symbol found: pyzbar's reads, plus zxing-cpp's for anything pyzbar missed."""
    scale = MM_PER_INCH / dpi
    found: list[Read] = []
    for page, image in enumerate(images):
        image.load()
        mine = [Read(r.data.decode("utf-8"), page, (r.rect.left + r.rect.width / 2) * scale,
                     (r.rect.top + r.rect.height / 2) * scale) for r in pyzbar.decode(image)]
        formats = [zxingcpp.BarcodeFormat.Code128, zxingcpp.BarcodeFormat.EAN13,
                   zxingcpp.BarcodeFormat.EAN8, zxingcpp.BarcodeFormat.QRCode]
        for r in zxingcpp.read_barcodes(image, formats=formats,
                                        text_mode=zxingcpp.TextMode.Plain):
            corners = [r.position.top_left, r.position.top_right, r.position.bottom_left,
                       r.position.bottom_right]
            x = sum(c.x for c in corners) / 4 * scale
            y = sum(c.y for c in corners) / 4 * scale
            text = r.text.removeprefix("\x1d")
            if not any(m.text == text and abs(m.x - x) < 8 and abs(m.y - y) < 8 for m in mine):
                mine.append(Read(text, page, x, y))
        found += mine
    return found


def pdf_text(pdf: bytes, folder: Path) -> str:
    """The text a PDF prints (pdftotext), to check accents and printed lines."""
    source = folder / "text.pdf"
    source.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(source), "-"], check=True,
                          capture_output=True, text=True).stdout
