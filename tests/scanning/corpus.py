"""A corpus of hard camera frames of every format a warehouse uses, each with the text expected.

Every symbol is drawn by zxing-cpp's writer (qrcode for a Shift_JIS QR in byte mode, the way
most Japanese labels are made) at one pixel per module, then scaled onto a 1280x720 grey frame
and made hard one way: blurred, tilted, JPEG quality 40, small modules, inverted (white on
black), low contrast. Used by tests/scanning/test_corpus.py and bench/scan.py.
"""
import io
from dataclasses import dataclass
from functools import cache

import numpy as np
import qrcode
import zxingcpp
from PIL import Image, ImageFilter, ImageOps

from warehouse_app.scanning.gs1 import SYMBOLOGY_IDS

F = zxingcpp.BarcodeFormat
GS = "\x1d"
GS1_HRI = "(01)09501101530003(17)261231(10)LOT42A(21)SN0001"
GS1_RAW = "01095011015300031726123110LOT42A" + GS + "21SN0001"
FRESH_HRI = "(01)09501101530003(3103)001250(17)261231(10)LOT7"
FRESH_RAW = "0109501101530003310300125017261231" + "10LOT7"
# name: (format drawn, content given to the writer, format read, value expected)
SYMBOLS = {
    "ean13": (F.EAN13, "5901234123457", "ean13", "5901234123457"),
    "ean8": (F.EAN8, "96385074", "ean8", "96385074"),
    "upca": (F.UPCA, "036000291452", "upca", "036000291452"),
    "upce": (F.UPCE, "01234565", "upce", "01234565"),
    "itf14": (F.ITF, "15400141288763", "itf", "15400141288763"),
    "code128": (F.Code128, "A-01-02", "code128", "A-01-02"),
    "code128_fnc4": (F.Code128, "Grüße-5", "code128", "Grüße-5"),
    "code39": (F.Code39Std, "BIN-07", "code39", "BIN-07"),
    "code39_full_ascii": (F.Code39Ext, "Bin-7a", "code39", "Bin-7a"),
    "qrcode": (F.QRCode, "SKU-TSHIRT-M", "qrcode", "SKU-TSHIRT-M"),
    "qrcode_shift_jis": (None, "倉庫の棚-A1", "qrcode", "倉庫の棚-A1"),
    "datamatrix": (F.DataMatrix, "LOC-B-02-01", "datamatrix", "LOC-B-02-01"),
    "gs1_128": (F.Code128, GS1_HRI, "code128", "]C1" + GS1_RAW),
    "gs1_datamatrix": (F.DataMatrix, GS1_HRI, "datamatrix", "]d2" + GS1_RAW),
    "gs1_qrcode": (F.QRCode, GS1_HRI, "qrcode", "]Q3" + GS1_RAW),
    "databar": (F.DataBar, "0950110153000", "databar", "]e00109501101530003"),
    "databar_stacked": (F.DataBarStkOmni, "0950110153000", "databar", "]e00109501101530003"),
    "databar_limited": (F.DataBarLtd, "0950110153000", "databar_limited",
                        "]e00109501101530003"),
    "databar_expanded": (F.DataBarExp, FRESH_HRI, "databar_expanded", "]e0" + FRESH_RAW),
    "databar_expanded_stacked": (F.DataBarExpStk, GS1_HRI, "databar_expanded",
                                 "]e0" + GS1_RAW),
}
MODULE_PX = 3.2          # pixels per module in an ordinary frame
SMALL_MODULE_PX = 1.6    # a label far away, or a tiny one
FRAME = (1280, 720)
HARDSHIPS = ("blur", "tilt", "jpeg40", "small", "inverted", "low_contrast")


@dataclass(frozen=True)
class Case:
    """One frame of the corpus and what it must read as."""

    name: str       # symbol name
    hardship: str
    format: str
    expected: str
    data: bytes     # the frame as the phone would send it


def symbol(name: str) -> Image.Image:
    """The symbol at one pixel per module, with its quiet zone, black on white."""
    fmt, content, _, _ = SYMBOLS[name]
    if fmt is None:  # byte mode without ECI: the decoder has to recognise Shift_JIS itself
        code = qrcode.QRCode(border=4, box_size=1)
        code.add_data(content.encode("shift_jis"))
        return code.make_image().get_image().convert("L")
    gs1 = content.startswith("(")
    barcode = zxingcpp.create_barcode(content, fmt, gs1=gs1) if gs1 else \
        zxingcpp.create_barcode(content, fmt)
    picture = Image.fromarray(np.asarray(barcode.to_image(scale=1, add_quiet_zones=True)))
    if picture.height < 20:  # a linear code one module tall: give it bars
        picture = picture.resize((picture.width, max(40, picture.width // 5)), Image.NEAREST)
    return picture.convert("L")


def placed(picture: Image.Image, module_px: float, background: int = 200) -> Image.Image:
    """The symbol scaled to module_px pixels per module, centred on a 1280x720 frame."""
    size = (round(picture.width * module_px), round(picture.height * module_px))
    scaled = picture.resize(size, Image.BILINEAR)
    frame = Image.new("L", FRAME, background)
    frame.paste(scaled, ((FRAME[0] - size[0]) // 2, (FRAME[1] - size[1]) // 2))
    return frame


def harden(picture: Image.Image, hardship: str) -> tuple[Image.Image, int]:
    """The frame made hard one way, and the JPEG quality it is sent at."""
    if hardship == "small":
        return placed(picture, SMALL_MODULE_PX).filter(ImageFilter.GaussianBlur(0.5)), 75
    frame = placed(picture, MODULE_PX)
    if hardship == "blur":
        return frame.filter(ImageFilter.GaussianBlur(1.4)), 75
    if hardship == "tilt":
        angle = 7 if picture.width > 3 * picture.height else 25
        tilted = placed(picture, MODULE_PX, 255).rotate(angle, Image.BILINEAR, fillcolor=200)
        return tilted.filter(ImageFilter.GaussianBlur(0.6)), 75
    if hardship == "jpeg40":
        return frame.filter(ImageFilter.GaussianBlur(0.7)), 40
    if hardship == "inverted":
        return ImageOps.invert(frame), 75
    if hardship == "low_contrast":
        return frame.point(lambda v: 105 + v * 45 // 255).filter(ImageFilter.GaussianBlur(0.6)), 75
    raise ValueError(hardship)


def jpeg(image: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


@cache
def cases() -> tuple[Case, ...]:
    """Every symbol made hard every way: the whole corpus, built once per process."""
    built = []
    for name, (_, _, fmt, expected) in SYMBOLS.items():
        picture = symbol(name)
        for hardship in HARDSHIPS:
            frame, quality = harden(picture, hardship)
            built.append(Case(name, hardship, fmt, expected, jpeg(frame, quality)))
    return tuple(built)


def is_right(case: Case, code) -> bool:
    """The expected text and format; libzbar's GS1-128 comes without its ]C1 (it cannot tell)."""
    unmarked = case.expected[3:] if case.expected.startswith(SYMBOLOGY_IDS) else None
    return code.format == case.format and code.value in (case.expected, unmarked)
