"""Barcodes and QR codes as vector runs of dark modules, encoded by python-barcode and qrcode."""
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import barcode
import qrcode
from qrcode.constants import ERROR_CORRECT_M

LINEAR = ("code128", "gs1_128", "ean13", "ean8", "upca")
# Quiet zones in modules (left, right): Code 128 and GS1-128 10, EAN/UPC as their specs say.
QUIET = {"code128": (10, 10), "gs1_128": (10, 10), "ean13": (11, 7), "ean8": (7, 7),
         "upca": (9, 9), "qr": (4, 4)}
QR_MAX_BYTES = 400


class SymbolError(ValueError):
    """Data that this symbology cannot carry."""


@dataclass(frozen=True)
class Spec:
    """What to draw: a symbology, the data it carries, and the line printed under it."""

    symbology: str
    data: str
    hri: str


@dataclass(frozen=True)
class Symbol:
    """Dark rectangles (x, y, w, h) in modules, quiet zones included; a linear one is 1 high."""

    spec: Spec
    runs: tuple[tuple[int, int, int, int], ...]
    width: int
    height: int
    quiet: int
    codes: tuple[int, ...] = ()  # Code 128 code values, start code first, no check digit

    @property
    def linear(self) -> bool:
        return self.spec.symbology in LINEAR


def _bar_runs(pattern: str, offset: int) -> tuple[tuple[int, int, int, int], ...]:
    runs, start = [], None
    for i, bit in enumerate(pattern + "0"):
        if bit == "1" and start is None:
            start = i
        elif bit != "1" and start is not None:
            runs.append((offset + start, 0, i - start, 1))
            start = None
    return tuple(runs)


def _linear(spec: Spec) -> Symbol:
    data = {"ean13": spec.data[:12], "ean8": spec.data[:7], "upca": spec.data[:11]}.get(
        spec.symbology, spec.data)
    try:
        code = barcode.get(spec.symbology, data)
        pattern = code.build()[0]
    except Exception as err:  # python-barcode raises several kinds for bad data
        raise SymbolError(f"{spec.symbology} cannot carry {spec.data[:40]!r}: {err}") from None
    left, right = QUIET[spec.symbology]
    codes = tuple(code._build()) if spec.symbology in ("code128", "gs1_128") else ()
    return Symbol(spec, _bar_runs(pattern, left), left + len(pattern) + right, 1, left, codes)


def _matrix(spec: Spec) -> Symbol:
    payload = spec.data.encode("utf-8")
    if not payload or len(payload) > QR_MAX_BYTES:
        raise SymbolError(f"A QR code here carries 1 to {QR_MAX_BYTES} bytes.")
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET["qr"][0])
    qr.add_data(payload)
    qr.make(fit=True)
    runs = []
    for y, row in enumerate(qr.get_matrix()):
        runs.extend((x, y, w, 1) for x, _, w, _ in _bar_runs(
            "".join("1" if dark else "0" for dark in row), 0))
    size = len(row)
    return Symbol(spec, tuple(runs), size, size, QUIET["qr"][0])


@lru_cache(maxsize=4096)
def encode(spec: Spec) -> Symbol:
    """The modules of one symbol; a SymbolError when the symbology cannot carry the data."""
    if spec.symbology == "qr":
        return _matrix(spec)
    if spec.symbology not in LINEAR:
        raise SymbolError(f"Unknown symbology {spec.symbology}.")
    return _linear(spec)


def as_qr(spec: Spec) -> Spec:
    """The same data and printed line in a QR code (for data too long for a 1D symbol)."""
    data = spec.data
    if spec.symbology in ("ean13", "ean8", "upca"):
        data = barcode.get(spec.symbology, data[:{"ean13": 12, "ean8": 7}.get(
            spec.symbology, 11)]).get_fullcode()
    return Spec("qr", data, spec.hri)


def retail(code: str) -> Spec | None:
    """EAN-13, EAN-8 or UPC-A for a retail code (GTIN-14 with a leading 0 as EAN-13), else None."""
    if not code.isdigit():
        return None
    if len(code) == 14 and code.startswith("0"):
        code = code[1:]
    kind = {13: "ean13", 8: "ean8", 12: "upca"}.get(len(code))
    return Spec(kind, code, code) if kind else None


GS1_LOT_CHARS = set("!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_"
                    "abcdefghijklmnopqrstuvwxyz")


def gs1(gtin: str, expiry: date | None = None, lot: str | None = None) -> Spec | None:
    """GS1-128 with (01) GTIN, (17) expiry, (10) lot; None when a part is not valid GS1.

    The lot, being variable in length, goes last so no FNC1 separator is needed; the printed
    line is built here because python-barcode's own GS1-128 text is wrong."""
    gtin = gtin.rjust(14, "0")
    if not (gtin.isdigit() and len(gtin) == 14) or (lot and not gs1_lot_ok(lot)):
        return None
    data, hri = "01" + gtin, f"(01){gtin}"
    if expiry:
        data, hri = data + "17" + expiry.strftime("%y%m%d"), hri + f"(17){expiry:%y%m%d}"
    if lot:
        data, hri = data + "10" + lot, hri + f"(10){lot}"
    return Spec("gs1_128", data, hri)


def gs1_lot_ok(lot: str) -> bool:
    """A lot GS1 AI (10) can carry: 1 to 20 characters of GS1's character set 82."""
    return 0 < len(lot) <= 20 and set(lot) <= GS1_LOT_CHARS
