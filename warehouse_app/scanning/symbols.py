"""What each decoder read in one frame, in one shape, and which of it can be trusted.

zxing-cpp reads first and speaks for the text (full ASCII Code 39, Code 128 FNC4, QR text in its
declared character set, GS1 with its symbology identifier). libzbar is the second opinion for
the numbers a wrong read would turn into a wrong product: EAN/UPC and ITF. Every number must pass
its check digit; where the two decoders read different numbers in the same place, neither is
returned (the phone asks for another frame: no read is better than a wrong product).
"""
from ctypes import c_void_p, cast
from dataclasses import dataclass

import zxingcpp
from PIL import Image
from pyzbar import pyzbar
from pyzbar.pyzbar import ZBarSymbol
from pyzbar.wrapper import (
    ZBarConfig,
    zbar_image_scanner_set_config,
    zbar_image_set_data,
    zbar_image_set_format,
    zbar_image_set_size,
    zbar_scan_image,
)

F = zxingcpp.BarcodeFormat
# Every format a warehouse uses, and no other: an open list invites false reads (a Codabar
# "found" inside a Code 128 label).
ZXING_NAMES = {
    F.EAN13: "ean13", F.EAN8: "ean8", F.UPCA: "upca", F.UPCE: "upce",
    F.Code128: "code128", F.Code39: "code39", F.Code39Ext: "code39", F.Code39Std: "code39",
    F.ITF: "itf", F.ITF14: "itf", F.QRCode: "qrcode", F.QRCodeModel2: "qrcode",
    F.DataMatrix: "datamatrix", F.DataBar: "databar", F.DataBarOmni: "databar",
    F.DataBarStk: "databar", F.DataBarStkOmni: "databar", F.DataBarLtd: "databar_limited",
    F.DataBarExp: "databar_expanded", F.DataBarExpStk: "databar_expanded",
}
ZXING_FORMATS = (F.EAN13, F.EAN8, F.UPCA, F.UPCE, F.Code128, F.Code39, F.ITF, F.QRCode,
                 F.DataMatrix, F.DataBar, F.DataBarLtd, F.DataBarExp)
# The 1D ones: what turning a frame a little can help (2D detectors find a symbol at any angle).
LINEAR_FORMATS = tuple(f for f in ZXING_FORMATS if f not in (F.QRCode, F.DataMatrix))
ZBAR_NAMES = {"EAN13": "ean13", "EAN8": "ean8", "UPCA": "upca", "UPCE": "upce",
              "CODE128": "code128", "CODE39": "code39", "I25": "itf", "QRCODE": "qrcode"}
ZBAR_NUMBERS = [ZBarSymbol.EAN13, ZBarSymbol.EAN8, ZBarSymbol.UPCA, ZBarSymbol.UPCE,
                ZBarSymbol.I25]
ZBAR_TEXT = [ZBarSymbol.CODE128, ZBarSymbol.CODE39, ZBarSymbol.QRCODE]
ZBAR_ALL = ZBAR_NUMBERS + ZBAR_TEXT
RETAIL = ("ean13", "ean8", "upca", "upce")
NUMBERS = (*RETAIL, "itf")
GS1_CONTENT = zxingcpp.ContentType.GS1


@dataclass(frozen=True)
class Read:
    """One symbol as one decoder read it: what it says, where, and whether its check held."""

    format: str
    value: str
    box: tuple[float, float, float, float]  # left, top, right, bottom in the frame's pixels
    checked: bool = True

    @property
    def is_number(self) -> bool:
        return self.format in NUMBERS

    @property
    def alone_ok(self) -> bool:
        """Trusted from one decoder (on an unaltered frame): it carries a check digit. An ITF
        of another length than 14 carries none, so it needs both decoders."""
        return self.format != "itf" or len(self.value) == 14

    @property
    def key(self) -> str:
        """What two reads of one symbol share: the GTIN-14 of any EAN/UPC, else the text."""
        if self.format == "upce":
            return upce_to_upca(self.value).zfill(14)
        return self.value.zfill(14) if self.format in RETAIL else self.value

    def near(self, other: "Read") -> bool:
        """Both reads lie on one symbol (1D positions are scan lines, so each box is widened)."""
        a, b = _grown(self.box), _grown(other.box)
        return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _grown(box):
    left, top, right, bottom = box
    margin = 0.25 * max(right - left, bottom - top, 4)
    return left - margin, top - margin, right + margin, bottom + margin


def gs1_check_ok(digits: str) -> bool:
    """The GS1 mod-10 check digit (EAN, UPC-A, ITF-14, GTIN) holds."""
    if not digits.isdigit() or len(digits) < 2:
        return False
    body = digits[:-1]
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == int(digits[-1])


def upce_to_upca(upce: str) -> str:
    """The 12-digit UPC-A a zero-suppressed 8-digit UPC-E stands for ('' when it is none)."""
    if len(upce) != 8 or not upce.isdigit() or upce[0] not in "01":
        return ""
    system, d, check = upce[0], upce[1:7], upce[7]
    last = d[5]
    if last in "012":
        body = d[0:2] + last + "0000" + d[2:5]
    elif last == "3":
        body = d[0:3] + "00000" + d[3:5]
    elif last == "4":
        body = d[0:4] + "00000" + d[4]
    else:
        body = d[0:5] + "0000" + last
    return system + body + check


def number_ok(fmt: str, value: str) -> bool:
    """An EAN/UPC passes its check digit; an ITF-14 too (other ITF lengths carry none)."""
    if fmt == "upce":
        return gs1_check_ok(upce_to_upca(value))
    if fmt in RETAIL:
        return len(value) == {"ean13": 13, "ean8": 8, "upca": 12}[fmt] and gs1_check_ok(value)
    if fmt == "itf":
        return value.isdigit() and len(value) % 2 == 0 and (
            len(value) != 14 or gs1_check_ok(value))
    return True


def _retail(fmt: str, value: str) -> tuple[str, str]:
    """One name per symbol: a 13-digit EAN starting with 0 is the UPC-A it prints as."""
    if fmt == "ean13" and len(value) == 13 and value.startswith("0"):
        return "upca", value[1:]
    return fmt, value


def zxing(image: Image.Image, formats=ZXING_FORMATS, invert: bool = False,
          downscale: bool = True, rotate: bool = True) -> list[Read]:
    """zxing-cpp's reads, text as encoded; GS1 content keeps its symbology identifier.

    `downscale` lets zxing-cpp also look at the frame at smaller sizes (big or blurred codes),
    pointless on a frame just scaled up; `rotate` also looks for 1D codes standing upright."""
    reads = []
    for r in zxingcpp.read_barcodes(image, formats=formats, try_invert=invert,
                                    try_rotate=rotate, try_downscale=downscale,
                                    text_mode=zxingcpp.TextMode.Plain):
        fmt, value = ZXING_NAMES.get(r.format, "other"), r.text
        if fmt == "upce":
            value = (r.extra or {}).get("UPCE") or value
        elif r.content_type == GS1_CONTENT:
            value = r.symbology_identifier + value
        fmt, value = _retail(fmt, value)
        p = r.position
        xs = (p.top_left.x, p.top_right.x, p.bottom_left.x, p.bottom_right.x)
        ys = (p.top_left.y, p.top_right.y, p.bottom_left.y, p.bottom_right.y)
        reads.append(Read(fmt, value, (min(xs), min(ys), max(xs), max(ys)),
                          number_ok(fmt, value)))
    return reads


def zbar(image: Image.Image, symbols=ZBAR_ALL, density: int = 1) -> list[Read]:
    """libzbar's reads; its Code 39 is given the full ASCII meaning zxing-cpp gives it.

    `density` n scans every n-th row and column only: about n times faster, for a quick look;
    a second opinion on a number scans every line (1)."""
    reads = []
    for r in _zbar_decode(image, symbols, density):
        fmt = ZBAR_NAMES.get(r.type, "other")
        value = r.data.decode("utf-8", "replace")
        if fmt == "upce" and len(value) == 13:  # some zbar builds print the expanded EAN-13
            fmt = "ean13"
        fmt, value = _retail(fmt, value)
        if fmt == "code39":
            value = full_ascii(value)
        box = (r.rect.left, r.rect.top, r.rect.left + r.rect.width, r.rect.top + r.rect.height)
        reads.append(Read(fmt, value, box, number_ok(fmt, value) and "\ufffd" not in value))
    return reads


def _zbar_decode(image: Image.Image, symbols, density: int):
    """pyzbar.decode, with libzbar's scan density set (pyzbar does not expose it)."""
    if density == 1:
        return pyzbar.decode(image, symbols=symbols)
    pixels, width, height = pyzbar._pixel_data(image)
    with pyzbar._image_scanner() as scanner:
        for symbol in set(ZBarSymbol).difference(symbols):  # as pyzbar.decode does
            zbar_image_scanner_set_config(scanner, symbol, ZBarConfig.CFG_ENABLE, 0)
        for symbol in symbols:
            zbar_image_scanner_set_config(scanner, symbol, ZBarConfig.CFG_ENABLE, 1)
        for axis in (ZBarConfig.CFG_X_DENSITY, ZBarConfig.CFG_Y_DENSITY):
            zbar_image_scanner_set_config(scanner, 0, axis, density)
        with pyzbar._image() as zimage:
            zbar_image_set_format(zimage, pyzbar._FOURCC["L800"])
            zbar_image_set_size(zimage, width, height)
            zbar_image_set_data(zimage, cast(pixels, c_void_p), len(pixels), None)
            if zbar_scan_image(scanner, zimage) < 0:
                raise pyzbar.PyZbarError("Unsupported image format")
            return list(pyzbar._decode_symbols(pyzbar._symbols_for_image(zimage)))


_SHIFTED = "$%/+"


def full_ascii(text: str) -> str:
    """Code 39 full ASCII ('+A' is 'a', '$M' is CR), when every pair is one; else as read."""
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch not in _SHIFTED:
            out.append(ch)
            i += 1
            continue
        if i + 1 >= len(text) or not (decoded := _pair(ch, text[i + 1])):
            return text
        out.append(decoded)
        i += 2
    return "".join(out)


def _pair(shift: str, letter: str) -> str | None:
    if not ("A" <= letter <= "Z"):
        return None
    n = ord(letter) - ord("A")
    if shift == "$":
        return chr(1 + n)  # $A..$Z: control characters 1-26
    if shift == "+":
        return chr(97 + n)  # +A..+Z: lower case
    if shift == "/":
        return chr(33 + n) if n <= 14 else (":" if letter == "Z" else None)
    # %A-%E: 27-31, %F-%J: ;<=>?, %K-%O: [\\]^_, %P-%T: {|}~DEL, %U NUL, %V @, %W `, %X-%Z DEL
    table = [27, 28, 29, 30, 31, 59, 60, 61, 62, 63, 91, 92, 93, 94, 95,
             123, 124, 125, 126, 127, 0, 64, 96, 127, 127, 127]
    return chr(table[n])


def settle(first: list[Read], second: list[Read], unaltered: bool) -> tuple[list[Read], bool]:
    """The reads to trust, and whether the decoders contradicted each other on a number.

    `first` is zxing-cpp's, `second` libzbar's, of the same frame. A number read by one only is
    trusted from an unaltered frame if it carries a check digit; from a retry, or without a
    check digit (an ITF other than ITF-14), it needs the other decoder's same number.
    """
    trusted, conflict, answered = [], False, set()
    for read in (r for r in first if r.checked):
        twin = counterpart(read, second) if read.is_number else None
        if twin is not None:
            answered.add(id(twin))
            if twin.key != read.key:
                conflict = True
                continue
        elif read.is_number and not (unaltered and read.alone_ok):
            continue
        trusted.append(read)
    for other in (r for r in second if r.checked and id(r) not in answered):
        if any(r.format == other.format and r.near(other) for r in first if not r.is_number):
            continue  # zxing-cpp read this symbol: its text is the one as encoded
        if other.is_number and (not (unaltered and other.alone_ok)
                                or counterpart(other, first) is not None):
            continue  # from a retry, no check digit, or zxing-cpp read another number here
        trusted.append(other)
    return trusted, conflict


def counterpart(read: Read, others: list[Read]) -> Read | None:
    """The other decoder's number read on the same symbol: the nearest one that overlaps."""
    near = [o for o in others if o.is_number and read.near(o)]
    return max(near, key=lambda o: (_overlap(read.box, o.box), -_distance(read.box, o.box)),
               default=None)


def _overlap(a, b) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return max(width, 0) * max(height, 0)


def _distance(a, b) -> float:
    return abs((a[0] + a[2]) - (b[0] + b[2])) + abs((a[1] + a[3]) - (b[1] + b[3]))
