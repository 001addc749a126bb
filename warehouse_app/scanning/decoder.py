"""Reading barcodes from a photo or camera frame on the server, never a wrong number.

zxing-cpp reads first, libzbar gives a second opinion on the EAN/UPC and ITF numbers zxing-cpp
read (symbols.py). The first pass reads the frame as sent. Only when it finds nothing is the
frame altered and read again: EXIF orientation applied, inverted (white on black), scaled down
(huge photos), its middle scaled up (1-2 pixel modules), libzbar's quick look at the inverted
frame (Code 39), then the middle band contrast-stretched and turned a little (long tilted 1D
codes no scan line crosses whole). An altered frame can make a plausible wrong number, so a
retry's EAN/UPC counts only when both decoders read it.

Retries stop at a budget of CPU time per frame (config.py's DECODE_BUDGET_MS): a phone pointed
at nothing sends a frame every half second, and each costs the server about the budget.
"""
import io
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from flask import current_app, has_app_context
from PIL import Image, ImageOps, UnidentifiedImageError

from warehouse_app.errors import DomainError
from warehouse_app.scanning import symbols

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 24_000_000       # a 24 MP photo; a decompression bomb is far beyond
WORK_SIDE = 1920              # larger frames are scaled down first: faster, reads as well
FORMATS = ["JPEG", "PNG", "WEBP", "GIF", "BMP"]
SMALL_SIDE = 1400             # frames up to this long side are tried twice as large
HUGE_SIDE = SMALL_SIDE        # frames beyond it are tried at half size
MIN_SIDE = 32                 # ... unless that makes them thinner than any symbol
RETRY_ANGLES = (10, -10, 20, -20)
BUDGET_MS = 50                # as config.py's DECODE_BUDGET_MS, for use outside an app
FRAME_PIXELS = 1280 * 720     # ... the budget of a frame this size (a phone's frame)
ZBAR_DENSITY = 2              # libzbar's own search scans every 2nd line: half the time
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


def _pass(frame: Image.Image, unaltered: bool, formats=symbols.ZXING_FORMATS,
          downscale: bool = True, rotate: bool = True) -> tuple[list[Decoded], bool]:
    """One frame read by zxing-cpp, its numbers checked by libzbar: (trusted codes, decoders
    disagreed). libzbar looks only when zxing-cpp read a number: a second opinion (every scan
    line), not a second search."""
    first = symbols.zxing(frame, formats, downscale=downscale, rotate=rotate)
    second = symbols.zbar(frame, symbols.ZBAR_NUMBERS) if any(
        read.is_number for read in first) else []
    return _settled(first, second, unaltered)


def _zbar_text_pass(frame: Image.Image) -> tuple[list[Decoded], bool]:
    """libzbar alone on an altered frame zxing-cpp read nothing in, every other scan line (a
    quick look), for text symbols only. Never for numbers: on noisy frames libzbar alone,
    at that density, reads EAN/UPC numbers with valid check digits that are not there
    (tests/scanning/test_decoder.py); a number always needs zxing-cpp's read."""
    return _settled([], symbols.zbar(frame, symbols.ZBAR_TEXT, density=ZBAR_DENSITY), False)


def _settled(first, second, unaltered: bool) -> tuple[list[Decoded], bool]:
    trusted, conflict = symbols.settle(first, second, unaltered)
    trusted.sort(key=lambda read: (read.box[1], read.box[0]))  # reading order: top down
    return [Decoded(read.format, read.value) for read in trusted], conflict


def centre(image: Image.Image) -> Image.Image:
    """The middle half of the frame (a quarter of its pixels), where a phone aims a far code."""
    w, h = image.size
    return image.crop((w // 4, h // 4, w // 4 + w // 2, h // 4 + h // 2))


def band(image: Image.Image) -> Image.Image:
    """The middle half of the frame's height, whole width: where a long 1D code the phone is
    aimed at lies, tilted or not (half the pixels to turn and read)."""
    w, h = image.size
    return image.crop((0, h // 4, w, h // 4 + h // 2))


def retries(image: Image.Image) -> Iterator[tuple[str, Callable[[], tuple[list[Decoded], bool]]]]:
    """The reads tried on a frame the first pass found nothing in, the likeliest per
    millisecond first (measured on tests/scanning/corpus.py: inverted labels are the commonest
    rescue, then small modules, then tilted long 1D codes and a white-on-black Code 39). Each
    altered frame is made only when its turn comes, and made once."""
    if method := ORIENTED.get(image.info.get("orientation", 1)):
        image = image.transpose(method)  # lossless: the frame as the phone was held
        yield "exif", lambda: _pass(image, unaltered=False)
    inverted = _once(lambda: ImageOps.invert(image))
    yield "inverted", lambda: _pass(inverted(), unaltered=False)
    if max(image.size) > HUGE_SIDE and min(image.size) >= 2 * MIN_SIDE:
        yield "scaled_down", lambda: _pass(
            image.resize((image.width // 2, image.height // 2), Image.BOX), unaltered=False)
    if max(image.size) <= SMALL_SIDE:  # a far code is aimed at and held level: not upright
        middle = centre(image)
        yield "scaled_up", lambda: _pass(
            middle.resize((middle.width * 2, middle.height * 2), Image.BICUBIC),
            unaltered=False, downscale=False, rotate=False)
    boosted = _once(lambda: ImageOps.autocontrast(band(image), cutoff=1))
    for n, angle in enumerate(RETRY_ANGLES):
        if n == 2:  # a phone held a little askew is likelier than a white-on-black Code 39
            yield "inverted", lambda: _zbar_text_pass(inverted())
        yield "rotated", lambda angle=angle: _pass(
            boosted().rotate(angle, resample=Image.NEAREST, expand=True, fillcolor=128),
            unaltered=False, formats=symbols.LINEAR_FORMATS, downscale=False)
    if max(image.size) <= SMALL_SIDE:
        yield "scaled_up", lambda: _pass(
            image.resize((image.width * 2, image.height * 2), Image.BICUBIC),
            unaltered=False, downscale=False)


def _once(make):
    """make(), computed on the first call only."""
    made = []
    return lambda: made[0] if made else made.append(make()) or made[0]


def budget_ms() -> float | None:
    """The app's DECODE_BUDGET_MS (config.py); outside an app, the same default."""
    if has_app_context():
        return current_app.config.get("DECODE_BUDGET_MS", BUDGET_MS)
    return BUDGET_MS


def read(image: Image.Image, budget: float | None = BUDGET_MS) -> list[Decoded]:
    """Every trusted code in the image, each once, top down; none when the decoders disagree."""
    return read_how(image, budget)[0]


def read_how(image: Image.Image, budget: float | None = BUDGET_MS
             ) -> tuple[list[Decoded], str]:
    """The trusted codes and the pass that settled them: 'first', a retry's name, 'conflict'
    (the decoders read different numbers: nothing is returned), '' (nothing found) or
    'out_of_time' (nothing found within `budget` milliseconds for a 1280x720 frame, more in
    proportion for a bigger one; None: no limit).

    The first pass always runs; a retry starts only while time is left, so a frame with no
    code in it costs the server about the budget, not every retry. The time is this thread's
    CPU time: what the frame costs the server, however busy the machine is with other work."""
    started = time.thread_time()
    if budget is not None:  # the budget is for a camera frame; a big photo gets more
        budget *= max(1.0, image.width * image.height / FRAME_PIXELS)
    found, conflict = _pass(image, unaltered=True)
    if found or conflict:
        return list(dict.fromkeys(found)), "conflict" if conflict and not found else "first"
    for name, attempt in retries(image):
        if budget is not None and (time.thread_time() - started) * 1000 >= budget:
            return [], "out_of_time"
        found, conflict = attempt()
        if found or conflict:
            return list(dict.fromkeys(found)), "conflict" if conflict and not found else name
    return [], ""


def decode(data: bytes) -> list[Decoded]:
    """The codes in an uploaded image (bytes), within the app's time budget."""
    return read(open_image(data), budget_ms())
