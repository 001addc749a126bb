"""The server-side decoder: every symbology, hard photos, and refusals."""
import struct
import zlib

import numpy as np
import pytest
import zxingcpp
from PIL import Image, ImageFilter, ImageOps

from tests.scanning import corpus
from tests.scanning.barcodes import SAMPLES, clean, encode, hard
from warehouse_app.errors import DomainError
from warehouse_app.scanning import decoder, symbols


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


# --- Trust: the disagreement rule, first pass against retries ------------------------------

def _read(fmt, value, box=(100, 100, 400, 200), checked=True):
    return symbols.Read(fmt, value, box, checked)


def test_decoders_disagreeing_on_an_ean_return_nothing():
    trusted, conflict = symbols.settle([_read("ean13", "5901234123457")],
                                       [_read("ean13", "4006381333931")], unaltered=True)
    assert (trusted, conflict) == ([], True)


def test_decoders_agreeing_on_an_ean_return_it_once():
    trusted, conflict = symbols.settle([_read("ean13", "5901234123457")],
                                       [_read("ean13", "5901234123457", (98, 140, 402, 160))],
                                       unaltered=False)
    assert ([r.value for r in trusted], conflict) == (["5901234123457"], False)


def test_upca_and_its_ean13_form_agree():
    trusted, conflict = symbols.settle([_read("upca", "036000291452")],
                                       [_read("ean13", "0036000291452")], unaltered=False)
    assert ([r.value for r in trusted], conflict) == (["036000291452"], False)


def test_an_ean_only_one_decoder_read_counts_from_the_unaltered_frame_only():
    for unaltered, expected in ((True, ["5901234123457"]), (False, [])):
        alone = [_read("ean13", "5901234123457")]
        assert [r.value for r in symbols.settle(alone, [], unaltered)[0]] == expected
        assert [r.value for r in symbols.settle([], alone, unaltered)[0]] == expected


def test_an_itf_without_check_digit_needs_both_decoders():
    short = [_read("itf", "123456")]
    assert symbols.settle(short, [], unaltered=True)[0] == []
    assert symbols.settle([], short, unaltered=True)[0] == []
    agreed, _ = symbols.settle(short, [_read("itf", "123456")], unaltered=True)
    assert [r.value for r in agreed] == ["123456"]
    itf14 = [_read("itf", "15400141288763")]
    assert [r.value for r in symbols.settle(itf14, [], unaltered=True)[0]] == ["15400141288763"]


def test_a_retry_trusts_a_non_number_from_one_decoder():
    trusted, _ = symbols.settle([_read("datamatrix", "LOC-B-02-01")], [], unaltered=False)
    assert [r.value for r in trusted] == ["LOC-B-02-01"]


def test_numbers_on_two_separate_labels_are_not_a_disagreement():
    trusted, conflict = symbols.settle(
        [_read("ean13", "5901234123457", (100, 100, 400, 200))],
        [_read("ean13", "4006381333931", (800, 500, 1100, 600))], unaltered=True)
    assert sorted(r.value for r in trusted) == ["4006381333931", "5901234123457"]
    assert not conflict


def test_zxing_cpp_text_wins_over_zbar_on_the_same_symbol():
    trusted, _ = symbols.settle([_read("code128", "Grüße-5")], [_read("code128", "Gr|_e-5")],
                                unaltered=True)
    assert [r.value for r in trusted] == ["Grüße-5"]


@pytest.mark.parametrize("fmt,value", [("ean13", "5901234123458"), ("upca", "036000291453"),
                                       ("ean8", "96385075"), ("upce", "01234566"),
                                       ("itf", "15400141288764"), ("ean13", "590123412345")])
def test_a_number_failing_its_check_digit_is_never_trusted(fmt, value):
    assert not symbols.number_ok(fmt, value)


def test_two_labels_stacked_both_read_by_both_decoders_are_both_returned():
    """A label stuck over part of another: two real numbers, read alike, not a contradiction."""
    top = corpus.symbol("ean13").resize((113, 120))
    under = Image.fromarray(np.asarray(zxingcpp.create_barcode(
        "4006381333931", zxingcpp.BarcodeFormat.EAN13).to_image(scale=1))).resize((113, 120))
    top.paste(under.crop((0, 60, 113, 120)), (0, 60))
    codes, how = decoder.read_how(corpus.placed(top, corpus.MODULE_PX))
    assert sorted(c.value for c in codes) == ["4006381333931", "5901234123457"]
    assert how == "first"


def test_code39_full_ascii_as_zbar_reads_it():
    assert symbols.full_ascii("E+X+T+E+N+D+E+D") == "Extended"
    assert symbols.full_ascii("BIN-07") == "BIN-07"
    assert symbols.full_ascii("A$1") == "A$1"  # not a full ASCII pair: left as read


# --- Retries: each one has a frame only it reads ------------------------------------------

def _nothing_at_first(frame: Image.Image) -> bool:
    return not symbols.zxing(frame) and not symbols.zbar(frame)


def test_first_pass_reading_something_is_not_retried():
    codes, how = decoder.read_how(corpus.placed(corpus.symbol("qrcode"), corpus.MODULE_PX))
    assert ([c.value for c in codes], how) == (["SKU-TSHIRT-M"], "first")


def test_exif_orientation_retry_reads_a_turned_photo():
    """The pixels are stored transposed (orientation 5): a mirrored DataMatrix reads as nothing."""
    frame = corpus.placed(corpus.symbol("datamatrix"), corpus.MODULE_PX)
    stored = frame.transpose(Image.Transpose.TRANSPOSE)
    exif = Image.Exif()
    exif[decoder.EXIF_ORIENTATION] = 5
    data = encode(stored, "JPEG", quality=90, exif=exif.tobytes())
    assert _nothing_at_first(decoder.open_image(data))
    codes, how = decoder.read_how(decoder.open_image(data), budget=None)
    assert ([c.value for c in codes], how) == (["LOC-B-02-01"], "exif")


def test_inverted_retry_reads_white_on_black():
    frame = ImageOps.invert(corpus.placed(corpus.symbol("qrcode"), corpus.MODULE_PX))
    assert _nothing_at_first(frame)
    codes, how = decoder.read_how(frame, budget=None)
    assert ([c.value for c in codes], how) == (["SKU-TSHIRT-M"], "inverted")


def test_inverted_retry_returns_an_ean_both_decoders_read():
    frame = ImageOps.invert(corpus.placed(corpus.symbol("ean13"), corpus.MODULE_PX))
    assert _nothing_at_first(frame)
    inverted = ImageOps.invert(frame)
    assert [r.value for r in symbols.zxing(inverted)] == [r.value for r in symbols.zbar(inverted)]
    codes, how = decoder.read_how(frame, budget=None)
    assert ([c.value for c in codes], how) == (["5901234123457"], "inverted")


def test_scaled_up_retry_reads_modules_of_about_one_pixel():
    frame = corpus.placed(corpus.symbol("datamatrix"), 1.2)
    assert _nothing_at_first(frame)
    codes, how = decoder.read_how(frame, budget=None)
    assert ([c.value for c in codes], how) == (["LOC-B-02-01"], "scaled_up")


def test_scaled_down_retry_reads_a_huge_noisy_photo():
    label = corpus.symbol("code128")
    label = label.resize((label.width * 12, label.height * 12), Image.NEAREST)
    frame = Image.new("L", (1920, 1080), 200)
    frame.paste(label, ((1920 - label.width) // 2, (1080 - label.height) // 2))
    noise = np.random.default_rng(1).normal(0, 120, (1080, 1920))
    frame = Image.fromarray(np.clip(np.asarray(frame, float) + noise, 0, 255).astype("uint8"))
    assert _nothing_at_first(frame)
    codes, how = decoder.read_how(frame, budget=None)
    assert ([c.value for c in codes], how) == (["A-01-02"], "scaled_down")


def test_rotated_retry_reads_a_long_tilted_gs1_128():
    frame = corpus.placed(corpus.symbol("gs1_128"), 2.6, 255).rotate(
        14, Image.BILINEAR, fillcolor=200).filter(ImageFilter.GaussianBlur(0.8))
    assert _nothing_at_first(frame)
    codes, how = decoder.read_how(frame, budget=None)
    assert [c.value for c in codes] == ["]C1" + corpus.GS1_RAW] and how == "rotated"


def test_inverted_code39_is_read_by_zbars_quick_look():
    """zxing-cpp reads this white-on-black Code 39 neither as it is nor inverted; libzbar does."""
    frame = ImageOps.invert(corpus.placed(corpus.symbol("code39"), corpus.MODULE_PX))
    assert _nothing_at_first(frame) and not symbols.zxing(ImageOps.invert(frame))
    codes, how = decoder.read_how(frame, budget=None)
    assert ([c.value for c in codes], how) == (["BIN-07"], "inverted")


def _noisy_ean(seed: int) -> Image.Image:
    """An EAN-13 as a poor phone photo: 2.6 px modules, tilted 3 degrees, blurred, darker to the
    right, noisy, JPEG 40."""
    frame = corpus.placed(corpus.symbol("ean13"), 2.6, 255).rotate(
        -3, Image.BILINEAR, fillcolor=200).filter(ImageFilter.GaussianBlur(1.1))
    lit = np.asarray(frame, float) * np.linspace(1, 0.45, 1280)[None, :]
    noisy = lit + np.random.default_rng(seed).normal(0, 12, (720, 1280))
    photo = Image.fromarray(np.clip(noisy, 0, 255).astype("uint8"))
    return decoder.open_image(encode(photo, "JPEG", quality=40))


@pytest.mark.parametrize("seed", [6, 23, 29])
def test_a_number_only_libzbar_reads_is_never_returned(seed):
    """libzbar alone, scanning every other line, "finds" a UPC-E with a valid check digit in
    this EAN-13 photo: a wrong product. zxing-cpp reads nothing, so nothing is returned."""
    frame = _noisy_ean(seed)
    invented = [r for r in symbols.zbar(frame, density=2) if r.value != "5901234123457"]
    assert invented and all(r.checked for r in invented)  # the danger is real
    codes, _ = decoder.read_how(frame, budget=None)
    assert [c.value for c in codes] in ([], ["5901234123457"])


# --- The time budget ------------------------------------------------------------------------

def test_the_first_pass_always_runs_and_no_retry_past_the_budget():
    plain = corpus.placed(corpus.symbol("qrcode"), corpus.MODULE_PX)
    assert decoder.read_how(plain, budget=0) == (
        [decoder.Decoded("qrcode", "SKU-TSHIRT-M")], "first")
    inverted = ImageOps.invert(plain)  # only a retry reads it
    assert decoder.read_how(inverted, budget=0) == ([], "out_of_time")
    assert decoder.read_how(inverted, budget=None)[1] == "inverted"


def test_a_blank_frame_without_budget_tries_every_retry_and_finds_nothing():
    assert decoder.read_how(Image.new("L", (1280, 720), 128), budget=None) == ([], "")


def test_uploads_are_read_within_the_apps_budget(app):
    inverted = encode(ImageOps.invert(corpus.placed(corpus.symbol("qrcode"), corpus.MODULE_PX)),
                      "JPEG", quality=90)
    with app.app_context():
        assert decoder.budget_ms() == app.config["DECODE_BUDGET_MS"] > 0
        app.config["DECODE_BUDGET_MS"] = 0
        assert decoder.decode(inverted) == []
        app.config["DECODE_BUDGET_MS"] = 10 ** 6
        assert [c.value for c in decoder.decode(inverted)] == ["SKU-TSHIRT-M"]


# --- Text as encoded -------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["code39_full_ascii", "code128_fnc4", "qrcode_shift_jis",
                                  "upce", "databar", "databar_limited", "databar_stacked",
                                  "databar_expanded", "databar_expanded_stacked", "itf14",
                                  "gs1_qrcode"])
def test_each_format_reads_as_encoded(name):
    _, _, fmt, expected = corpus.SYMBOLS[name]
    codes = decoder.read(corpus.placed(corpus.symbol(name), corpus.MODULE_PX))
    assert [(c.format, c.value) for c in codes] == [(fmt, expected)]


def test_kanji_mode_qr_reads_as_its_text():
    text = "日本語テキスト"
    picture = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode).to_image(scale=1)
    frame = corpus.placed(Image.fromarray(np.asarray(picture)), corpus.MODULE_PX)
    assert [c.value for c in decoder.read(frame)] == [text]


def test_codes_in_one_frame_come_top_down():
    frame = Image.new("L", (1280, 720), 235)
    frame.paste(clean("ean13"), (120, 400))
    frame.paste(clean("code128"), (120, 60))
    assert values(encode(frame)) == ["A-01-02", "5901234123457"]
