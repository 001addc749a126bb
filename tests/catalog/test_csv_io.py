"""The CSV helpers: barcode cells, formula escaping, location order."""
from warehouse_app import csvfile
from warehouse_app.catalog.csv_io import barcode_cell, parse_barcodes
from warehouse_app.locations.csv_io import tree_order


def test_barcode_cell_writes_kind_and_pack_only_when_needed(make_product):
    product = make_product(barcodes=["4006381333931", {"code": "CASE-1", "pack_size": 6},
                                     {"code": "96385074", "kind": "internal"}])
    assert barcode_cell(product.barcodes) == ("4006381333931 CASE-1:internal:6 "
                                              "96385074:internal:1")


def test_parse_barcodes_reads_plain_and_detailed_codes():
    assert parse_barcodes(" 4006381333931  CASE-1:internal:6 X:Y B:ean8") == [
        "4006381333931", {"code": "CASE-1", "kind": "internal", "pack_size": "6"}, "X:Y",
        {"code": "B", "kind": "ean8"}]


def test_safe_cell_quotes_formulas_and_unsafe_undoes_it():
    for text in ("=1+2", "+33 1", "-5", "@SUM(A1)"):
        assert csvfile.safe_cell(text) == "'" + text
        assert csvfile.unsafe(csvfile.safe_cell(text)) == text
    assert csvfile.safe_cell("plain") == "plain"
    assert csvfile.unsafe("'quoted on purpose") == "'quoted on purpose"


def test_tree_order_puts_parents_before_children(make_location):
    zone_b = make_location("ZB", "zone", sequence=2)
    zone_a = make_location("ZA", "zone", sequence=1)
    make_location("B-1", parent=zone_b)
    make_location("A-1", parent=zone_a)
    assert [loc.code for loc in tree_order()] == ["WH1", "ZA", "A-1", "ZB", "B-1"]
