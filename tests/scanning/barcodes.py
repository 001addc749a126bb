"""Barcode pictures made in the tests, clean and made hard like a phone photo."""
import io

import barcode
import qrcode
import zxingcpp
from barcode.writer import ImageWriter
from PIL import Image, ImageFilter

GS1_HRI = "(01)09501101530003(17)261231(10)LOT42A(21)SN0001"
GS1_RAW = "01095011015300031726123110LOT42A\x1d21SN0001"
SAMPLES = {  # symbology: (value to encode, value the decoder returns: GS1 with its identifier)
    "code128": ("A-01-02", "A-01-02"),
    "ean13": ("590123412345", "5901234123457"),
    "ean8": ("9638507", "96385074"),
    "upca": ("03600029145", "036000291452"),
    "code39": ("BIN-07", "BIN-07"),
    "qrcode": ("SKU-TSHIRT-M", "SKU-TSHIRT-M"),
    "gs1_128": ("01095011015300031726123110LOT42A\xf121SN0001", "]C1" + GS1_RAW),
    "datamatrix": ("LOC-B-02-01", "LOC-B-02-01"),
    "gs1_datamatrix": (GS1_HRI, "]d2" + GS1_RAW),
}
WRITER = {"module_width": 0.3, "module_height": 12, "quiet_zone": 4, "font_size": 0,
          "write_text": False, "dpi": 300}


def clean(kind: str) -> Image.Image:
    """A crisp picture of the sample of one symbology."""
    value = SAMPLES[kind][0]
    if kind == "qrcode":
        return qrcode.make(value, box_size=8, border=4).get_image().convert("L")
    if kind in ("datamatrix", "gs1_datamatrix"):
        symbol = zxingcpp.create_barcode(value, zxingcpp.BarcodeFormat.DataMatrix,
                                         gs1=kind.startswith("gs1"))
        return Image.fromarray(symbol.to_image(scale=8, add_quiet_zones=True)).convert("L")
    if kind == "code39":
        code = barcode.get_barcode_class("code39")(value, writer=ImageWriter(),
                                                   add_checksum=False)
    else:
        code = barcode.get(kind, value, writer=ImageWriter())
    return code.render(WRITER).convert("L")


def hard(image: Image.Image) -> Image.Image:
    """Scaled down, tilted ~10 degrees, blurred, on a 1280x720 grey frame."""
    scale = 0.75  # about 2.7 px per bar module: a label filling a third of a phone frame
    small = image.resize((int(image.width * scale), int(image.height * scale)), Image.BILINEAR)
    tilted = small.rotate(10, resample=Image.BILINEAR, expand=True, fillcolor=255)
    frame = Image.new("L", (1280, 720), 200)
    frame.paste(tilted, ((1280 - tilted.width) // 2, (720 - tilted.height) // 2))
    return frame.filter(ImageFilter.GaussianBlur(0.8))


def encode(image: Image.Image, fmt: str = "PNG", **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()
