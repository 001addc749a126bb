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
