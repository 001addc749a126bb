"""Reading barcodes from a photo or camera frame on the server.

pyzbar (libzbar) reads the 1D codes and QR; zxing-cpp reads DataMatrix and GS1 DataMatrix,
which zbar cannot. Both get explicit format lists (an open list invites false reads). When a
first pass finds nothing, the frame is retried with autocontrast and small rotations, which
rescues long tilted GS1-128 labels (measured in the shared barcode-stack notes).
"""
import io
import warnings
from dataclasses import dataclass

import zxingcpp
from PIL import Image, ImageOps, UnidentifiedImageError
from pyzbar import pyzbar
from pyzbar.pyzbar import ZBarSymbol

from warehouse_app.errors import DomainError

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 24_000_000       # a 24 MP photo; a decompression bomb is far beyond
WORK_SIDE = 1920              # larger frames are scaled down first: faster, reads as well
FORMATS = ["JPEG", "PNG", "WEBP", "GIF", "BMP"]
ZBAR_SYMBOLS = [ZBarSymbol.CODE128, ZBarSymbol.EAN13, ZBarSymbol.EAN8, ZBarSymbol.UPCA,
                ZBarSymbol.UPCE, ZBarSymbol.QRCODE, ZBarSymbol.CODE39, ZBarSymbol.I25]
ZXING_FORMATS = zxingcpp.BarcodeFormat.DataMatrix
RETRY_ANGLES = (0, 10, -10, 20, -20)


@dataclass(frozen=True)
class Decoded:
    format: str
    value: str

    def as_dict(self) -> dict:
        return {"format": self.format, "value": self.value}


class ImageTooLarge(DomainError):
    status = 413
    code = "too_large"


def open_image(data: bytes) -> Image.Image:
    """A checked, fully loaded greyscale image, or a clear refusal."""
    if not data:
        raise DomainError("No image was sent.", field="image")
    if len(data) > MAX_BYTES:
        raise ImageTooLarge(f"The image is larger than {MAX_BYTES // (1024 * 1024)} MB.",
                            field="image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
            if image.width * image.height > MAX_PIXELS:
                raise ImageTooLarge(f"The image is {image.width}x{image.height} pixels; "
                                    f"at most {MAX_PIXELS // 1_000_000} megapixels.",
                                    field="image")
            image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        raise DomainError("That is not a JPEG, PNG, WebP, GIF or BMP image.",
                          field="image") from None
    except (OSError, ValueError, SyntaxError):
        raise DomainError("The image is damaged or cut short.", field="image") from None
    grey = image.convert("L")
    if max(grey.size) > WORK_SIDE:
        grey.thumbnail((WORK_SIDE, WORK_SIDE))
    return grey


def _zbar(image: Image.Image) -> list[Decoded]:
    return [Decoded(r.type.lower(), r.data.decode("utf-8", "replace"))
            for r in pyzbar.decode(image, symbols=ZBAR_SYMBOLS)]


def _zxing(image: Image.Image) -> list[Decoded]:
    return [Decoded(str(r.format).rsplit(".", 1)[-1].lower().replace(" ", ""), r.text)
            for r in zxingcpp.read_barcodes(image, formats=ZXING_FORMATS,
                                            text_mode=zxingcpp.TextMode.Plain)]


def _both(image: Image.Image) -> list[Decoded]:
    return _zbar(image) + _zxing(image)


def read(image: Image.Image) -> list[Decoded]:
    """Every code found in the image, each once; retried harder when the first pass is empty."""
    found = _both(image)
    if not found:
        boosted = ImageOps.autocontrast(image, cutoff=1)
        for angle in RETRY_ANGLES:
            frame = boosted.rotate(angle, resample=Image.BILINEAR, expand=True,
                                   fillcolor=128) if angle else boosted
            if found := _both(frame):
                break
    return list(dict.fromkeys(found))


def decode(data: bytes) -> list[Decoded]:
    """The codes in an uploaded image (bytes)."""
    return read(open_image(data))
