"""The server-side decoder: every symbology, hard photos, and refusals."""
import struct
import zlib

import pytest
from PIL import Image

from tests.scanning.barcodes import SAMPLES, clean, encode, hard
from warehouse_app.errors import DomainError
from warehouse_app.scanning import decoder


def values(data: bytes) -> list[str]:
    return [d.value for d in decoder.decode(data)]


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_clean_image_of_each_symbology_decodes(kind):
    assert SAMPLES[kind][1] in values(encode(clean(kind)))


def test_hard_photos_decode_rate():
    """Scaled down, tilted, blurred, JPEG quality 40: the rate is printed and must stay high."""
    hits = {kind: SAMPLES[kind][1] in values(encode(hard(clean(kind)), "JPEG", quality=40))
            for kind in SAMPLES}
    rate = sum(hits.values()) / len(hits)
    print(f"hard-photo decode rate: {rate:.0%} {hits}")
    assert rate >= 0.85, hits


def test_not_an_image_is_refused():
    with pytest.raises(DomainError, match="not a JPEG"):
        decoder.decode(b"%PDF-1.4 this is not a picture")


def test_empty_upload_is_refused():
    with pytest.raises(DomainError, match="No image"):
        decoder.decode(b"")


def test_truncated_image_is_refused():
    data = encode(clean("code128"), "JPEG")
    with pytest.raises(DomainError, match="damaged"):
        decoder.decode(data[: len(data) // 3])


def test_too_many_bytes_is_refused():
    with pytest.raises(decoder.ImageTooLarge):
        decoder.decode(b"\xff" * (decoder.MAX_BYTES + 1))


def _png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG file claiming huge dimensions: a decompression bomb's calling card."""
    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1000)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_decompression_bomb_is_refused_before_decoding():
    with pytest.raises(DomainError) as err:
        decoder.decode(_png_header_only(60_000, 60_000))
    assert err.value.status in (413, 422)


def test_large_but_legal_photo_is_scaled_and_read():
    frame = Image.new("L", (4000, 3000), 255)
    frame.paste(clean("code128").resize((1600, 600)), (1200, 1200))
    assert "A-01-02" in values(encode(frame, "JPEG", quality=80))


def test_blank_picture_reads_nothing():
    assert values(encode(Image.new("L", (640, 480), 255))) == []
