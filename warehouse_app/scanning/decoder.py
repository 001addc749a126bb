"""Reading barcodes from a photo or camera frame on the server, never a wrong number.

zxing-cpp reads first, libzbar gives a second opinion on EAN/UPC and ITF (symbols.py). The
first pass reads the frame as sent. Only when it finds nothing is the frame altered and read
again: EXIF orientation applied, inverted (white on black), scaled up (1-2 pixel modules),
scaled down (huge photos), then contrast-stretched and turned a little (long tilted 1D codes no
scan line crosses whole). An altered frame can make a plausible wrong number, so a retry's
EAN/UPC counts only when both decoders read it.
"""
import io
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from warehouse_app.errors import DomainError
from warehouse_app.scanning import symbols

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 24_000_000       # a 24 MP photo; a decompression bomb is far beyond
WORK_SIDE = 1920              # larger frames are scaled down first: faster, reads as well
FORMATS = ["JPEG", "PNG", "WEBP", "GIF", "BMP"]
SMALL_SIDE = 1400             # frames up to this long side are tried twice as large
HUGE_SIDE = 1000              # frames beyond it are tried at half size
MIN_SIDE = 32                 # ... unless that makes them thinner than any symbol
RETRY_ANGLES = (10, -10, 20, -20)
EXIF_ORIENTATION = 0x0112
T = Image.Transpose
ORIENTED = {2: T.FLIP_LEFT_RIGHT, 3: T.ROTATE_180, 4: T.FLIP_TOP_BOTTOM, 5: T.TRANSPOSE,
            6: T.ROTATE_270, 7: T.TRANSVERSE, 8: T.ROTATE_90}  # as ImageOps.exif_transpose


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
    orientation = image.getexif().get(EXIF_ORIENTATION, 1)
    grey = image.convert("L")
    if max(grey.size) > WORK_SIDE:
        grey.thumbnail((WORK_SIDE, WORK_SIDE))
    grey.info["orientation"] = orientation  # applied only by a retry: see _retries
    return grey


def _pass(frame: Image.Image, unaltered: bool) -> tuple[list[Decoded], bool]:
    """One frame read by zxing-cpp, checked by libzbar: (trusted codes, decoders disagreed)."""
    first = symbols.zxing(frame)
    if not first:
        second = symbols.zbar(frame)
    elif any(read.is_number for read in first):
        second = symbols.zbar(frame, symbols.ZBAR_NUMBERS)
    else:
        second = []  # zxing-cpp read it and nothing in it is a number to check
    trusted, conflict = symbols.settle(first, second, unaltered)
    trusted.sort(key=lambda read: (read.box[1], read.box[0]))  # reading order: top down
    return [Decoded(read.format, read.value) for read in trusted], conflict


def retries(image: Image.Image) -> Iterator[tuple[str, Image.Image]]:
    """Altered copies of a frame nothing was read in, cheapest and likeliest first."""
    if method := ORIENTED.get(image.info.get("orientation", 1)):
        image = image.transpose(method)
        yield "exif", image
    yield "inverted", ImageOps.invert(image)
    if max(image.size) <= SMALL_SIDE:
        yield "scaled_up", image.resize((image.width * 2, image.height * 2), Image.BICUBIC)
    if max(image.size) > HUGE_SIDE and min(image.size) >= 2 * MIN_SIDE:
        yield "scaled_down", image.resize((image.width // 2, image.height // 2), Image.BOX)
    boosted = ImageOps.autocontrast(image, cutoff=1)
    for angle in RETRY_ANGLES:
        yield "rotated", boosted.rotate(angle, resample=Image.BILINEAR, expand=True,
                                        fillcolor=128)


def read(image: Image.Image) -> list[Decoded]:
    """Every trusted code in the image, each once, top down; none when the decoders disagree."""
    return read_how(image)[0]


def read_how(image: Image.Image) -> tuple[list[Decoded], str]:
    """The trusted codes and the pass that settled them: 'first', a retry's name, 'conflict'
    (the decoders read different numbers: nothing is returned) or '' (nothing found)."""
    found, conflict = _pass(image, unaltered=True)
    if found or conflict:
        return list(dict.fromkeys(found)), "conflict" if conflict and not found else "first"
    for name, frame in retries(image):
        found, conflict = _pass(frame, unaltered=False)
        if found or conflict:
            return list(dict.fromkeys(found)), "conflict" if conflict and not found else name
    return [], ""


def decode(data: bytes) -> list[Decoded]:
    """The codes in an uploaded image (bytes)."""
    return read(open_image(data))
