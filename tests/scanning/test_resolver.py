"""One resolver for every scanned code."""
from datetime import date

import pytest

from warehouse_app.errors import DomainError, NotFound
from warehouse_app.scanning.resolver import DOCUMENT_RESOLVERS, Scan, resolve


@pytest.fixture
def mug(make_product):
    return make_product("MUG-1", name="Blue mug",
                        barcodes=["5901234123457", {"code": "MUG-BOX-6", "pack_size": 6},
                                  "09501101530003"])


def test_sku_resolves_to_the_product(mug):
    scan = resolve("MUG-1")
    assert (scan.type, scan.product.sku, scan.pack_size) == ("product", "MUG-1", 1)


def test_ean13_resolves_to_the_product(mug):
    assert resolve("5901234123457").product.sku == "MUG-1"


def test_pack_barcode_means_n_units(mug):
    assert resolve("MUG-BOX-6").pack_size == 6


def test_gtin14_form_of_an_ean13_resolves(mug):
    assert resolve("05901234123457").product.sku == "MUG-1"


def test_trailing_newline_from_a_scanner_is_ignored(mug):
    assert resolve("MUG-1\r\n").product.sku == "MUG-1"


def test_location_code_resolves_case_insensitively(make_location):
    make_location("A-01-02")
    scan = resolve("a-01-02")
    assert (scan.type, scan.location.code) == ("location", "A-01-02")


@pytest.mark.parametrize("code", [
    "]C101095011015300031726123110LOT42A\x1d21SN0001",     # GS1-128 with symbology id
    "01095011015300031726123110LOT42A\x1d21SN0001",        # raw, GS separator
    "]d201095011015300031726123110LOT42A\x1d21SN0001",     # GS1 DataMatrix
    "(01)09501101530003(17)261231(10)LOT42A(21)SN0001",    # printed form
    "01095011015300031726123110LOT42A|21SN0001",           # wedge scanner, | for GS
])
def test_gs1_strings_give_product_lot_expiry_serial(mug, code):
    scan = resolve(code)
    assert scan.product.sku == "MUG-1"
    assert (scan.gs1.lot, scan.gs1.expiry, scan.gs1.serial) == ("LOT42A", date(2026, 12, 31),
                                                                "SN0001")
    assert scan.as_dict()["expiry"] == "2026-12-31"


@pytest.mark.parametrize("code", [
    "]Q301095011015300031726123110LOT42A\x1d21SN0001",     # GS1 QR Code
    "]e001095011015300031726123110LOT42A\x1d21SN0001",     # GS1 DataBar Expanded
])
def test_gs1_qr_and_databar_identifiers_are_understood(mug, code):
    scan = resolve(code)
    assert scan.product.sku == "MUG-1"
    assert (scan.gs1.lot, scan.gs1.serial) == ("LOT42A", "SN0001")


def test_databar_expanded_weight_lot_and_expiry_are_parsed(mug):
    scan = resolve("]e0010950110153000331030012501" + "0LOT7\x1d17261231")
    assert (scan.product.sku, scan.gs1.lot, scan.gs1.expiry) == ("MUG-1", "LOT7",
                                                                 date(2026, 12, 31))
    assert scan.as_dict()["weight_kg"] == "1.250"


@pytest.mark.parametrize("code", ["]e00109501101530003", "0109501101530003"])
def test_databar_omni_with_only_a_gtin_resolves(mug, code):
    assert resolve(code).product.sku == "MUG-1"


def test_sixteen_digits_that_only_look_like_a_gtin_may_be_a_sku(make_product):
    make_product("0112345678901234")
    assert resolve("0112345678901234").product.sku == "0112345678901234"


@pytest.mark.parametrize("registered", ["0012345000065", "012345000065", "00012345000065"])
def test_upce_scan_finds_a_product_registered_under_its_gtin(make_product, registered):
    make_product("SODA", barcodes=[registered])
    for code in ("01234565", "]E001234565"):
        assert resolve(code).product.sku == "SODA"


def test_an_ean8_that_is_no_upce_still_resolves(make_product):
    make_product("PEN", barcodes=["0000096385074"])
    assert resolve("96385074").product.sku == "PEN"


def test_upce_with_a_wrong_check_digit_is_not_expanded(make_product):
    make_product("SODA", barcodes=["0012345000065"])
    with pytest.raises(NotFound):
        resolve("01234566")


@pytest.mark.parametrize("code", ["]C0A-01-02", "]A0A-01-02", "]Q1A-01-02"])
def test_a_plain_code_behind_a_symbology_identifier_resolves(make_location, code):
    make_location("A-01-02")
    assert resolve(code).location.code == "A-01-02"


def test_gs1_without_separator_after_a_lot_swallows_the_rest_into_the_lot(mug):
    scan = resolve("01095011015300031726123110LOT42A")
    assert scan.gs1.lot == "LOT42A" and scan.gs1.serial is None


def test_gs1_with_unknown_gtin_is_not_found(mug):
    with pytest.raises(NotFound, match="GTIN 04006381333931"):
        resolve("]C1010400638133393110ABC")


def test_malformed_gs1_is_refused_in_plain_words(mug):
    with pytest.raises(DomainError, match="Unreadable GS1"):
        resolve("]C10109501101530003172613311")  # month 13


@pytest.mark.parametrize("code", ["NOPE-404", "0000000000000", "ü-ß-漢字"])
def test_unknown_codes_are_not_found(db, code):
    with pytest.raises(NotFound, match="Unknown code"):
        resolve(code)


@pytest.mark.parametrize("code", ["", "   ", None, 42, "x" * 300, "A\x00B", ["A"]])
def test_malformed_input_is_refused(db, code):
    with pytest.raises(DomainError):
        resolve(code)


def test_documents_resolve_through_registered_resolvers(db):
    def fake_orders(code):
        return Scan("order", code) if code.startswith("SO-") else None
    DOCUMENT_RESOLVERS.append(fake_orders)
    try:
        assert resolve("SO-1001").type == "order"
    finally:
        DOCUMENT_RESOLVERS.remove(fake_orders)
