"""Look up: scan or type a SKU, barcode or location code."""
from warehouse_app.ledger.models import MovementKind
from warehouse_app.ledger.movements import Line, record

EAN = "4006381333931"


def test_lookup_page_has_a_scan_field(client, login_as):
    login_as("staff")
    html = client.get("/lookup").text
    assert 'name="code"' in html
    assert "autofocus" in html and 'enterkeyhint="search"' in html and 'inputmode="text"' in html


def test_lookup_by_sku_shows_totals_bins_and_movements(client, login_as, make_product,
                                                       make_location, stock):
    login_as("staff")
    product = make_product("TEE-M", name="T-shirt M", barcodes=[EAN])
    bin_ = make_location("A-01")
    stock(product, bin_, 7)
    html = client.get("/lookup?code=TEE-M").text
    assert "T-shirt M" in html and EAN in html
    assert "<dd>7</dd>" in html
    assert "A-01" in html and "receive" in html


def test_lookup_by_barcode_finds_the_product(client, login_as, make_product):
    login_as("staff")
    make_product("TEE-M", name="T-shirt M", barcodes=[EAN])
    response = client.get(f"/lookup?code={EAN}")
    assert response.status_code == 200
    assert "T-shirt M" in response.text


def test_lookup_by_pack_barcode_says_pack_size(client, login_as, make_product):
    login_as("staff")
    make_product("TEE-M", barcodes=[{"code": "PACK-12", "pack_size": 12}])
    assert "pack of <strong>12</strong>" in client.get("/lookup?code=PACK-12").text


def test_lookup_by_bin_shows_its_contents(client, login_as, make_product, make_location,
                                         stock):
    login_as("staff")
    product = make_product("TEE-M", name="T-shirt M")
    bin_ = make_location("A-01")
    stock(product, bin_, 4)
    html = client.get("/lookup?code=a-01").text
    assert "T-shirt M" in html and "TEE-M" in html
    assert "Last movements" in html and "SUPPLIER" in html


def test_lookup_by_warehouse_includes_bins_below(client, login_as, make_product,
                                                 make_location, stock):
    login_as("staff")
    product = make_product("TEE-M")
    zone = make_location("Z1", "zone")
    stock(product, make_location("A-01", parent=zone), 4)
    stock(product, make_location("A-02", parent=zone), 3)
    html = client.get("/lookup?code=WH1").text
    assert "<span class=\"row-qty\">7<small>on hand" in html
    assert "A-01" in html and "A-02" in html


def test_lookup_shows_per_warehouse_subtotals(client, login_as, make_product, make_location,
                                              stock):
    login_as("staff")
    product = make_product("TEE-M")
    stock(product, make_location("A-01"), 4)
    wh2 = make_location("WH2", "warehouse")
    stock(product, make_location("B-01", parent=wh2), 6)
    html = client.get("/lookup?code=TEE-M").text
    assert "Per warehouse" in html and "WH2" in html


def test_lookup_shows_lot_of_each_bin_row(client, login_as, make_product, make_location,
                                          stock):
    login_as("staff")
    product = make_product("MILK", tracking="lot")
    stock(product, make_location("A-01"), 4, lot="L42")
    assert "lot L42" in client.get("/lookup?code=MILK").text


def test_lookup_lists_only_the_last_20_movements(client, login_as, make_product,
                                                 make_location, db):
    login_as("staff")
    product, bin_ = make_product("TEE-M"), make_location("A-01")
    for _ in range(25):
        record(Line(MovementKind.RECEIVE, product, 1, to_location=bin_))
    db.session.commit()
    assert client.get("/lookup?code=TEE-M").text.count('class="move"') == 20


def test_lookup_of_unknown_code_says_so_and_keeps_the_field(client, login_as):
    login_as("staff")
    response = client.get("/lookup?code=NOPE-999")
    assert response.status_code == 404
    assert "Nothing found for" in response.text
    assert 'value="NOPE-999"' in response.text and "autofocus" in response.text


def test_xss_product_name_is_escaped(client, login_as, make_product):
    login_as("supervisor")
    make_product("XSS-1", name="<script>alert(1)</script>")
    for path in ("/lookup?code=XSS-1", "/products/"):
        html = client.get(path).text
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_lookup_of_a_full_warehouse_stays_under_100_kb(client, db, login_as, make_location):
    from warehouse_app.catalog import products
    from warehouse_app.locations import places
    from warehouse_app.locations.models import LocationKind
    login_as("staff")
    zone = make_location("Z1", "zone")
    for number in range(120):
        product = products.create({"sku": f"SKU-{number:04}", "name": "Long product name " * 4})
        bin_ = places.create(f"BIN-{number:04}", LocationKind.BIN, parent=zone)
        record(Line(MovementKind.RECEIVE, product, 3, to_location=bin_))
    db.session.commit()
    response = client.get("/lookup?code=WH1")
    assert "and 40 more products" in response.text
    assert len(response.data) < 100_000
