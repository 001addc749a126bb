"""Stock balances over the API."""
from tests.api.checks import assert_error


def test_stock_lists_balances_by_sku(client, staff, make_product, make_location, stock):
    one, two, a = make_product("P-1"), make_product("P-2"), make_location("A-01")
    stock(one, a, 5)
    stock(two, a, 2)
    rows = client.get("/api/v1/stock?sku=P-1", headers=staff).get_json()
    assert rows == [{"sku": "P-1", "location": "A-01", "lot": None, "on_hand": 5,
                     "reserved": 0, "available": 5}]


def test_stock_under_a_warehouse_includes_its_zones_and_bins(client, staff, make_product,
                                                             make_location, stock):
    product = make_product("P-1")
    north, south = make_location("N", "warehouse"), make_location("S", "warehouse")
    zone = make_location("N-Z", "zone", parent=north)
    stock(product, make_location("N-Z-01", parent=zone), 4)
    stock(product, make_location("N-02", parent=north), 1)
    stock(product, make_location("S-01", parent=south), 7)
    rows = client.get("/api/v1/stock?location=n", headers=staff).get_json()
    assert [(r["location"], r["on_hand"]) for r in rows] == [("N-02", 1), ("N-Z-01", 4)]


def test_stock_shows_lots(client, staff, make_product, make_location, stock):
    product, a = make_product("P-1", tracking="lot"), make_location("A-01")
    stock(product, a, 3, lot="L7")
    rows = client.get("/api/v1/stock", headers=staff).get_json()
    assert [(r["sku"], r["lot"], r["on_hand"]) for r in rows] == [("P-1", "L7", 3)]


def test_stock_of_unknown_location_is_404(client, staff):
    assert_error(client.get("/api/v1/stock?location=NOPE", headers=staff), 404,
                 field="location")


def test_stock_of_unknown_sku_is_404(client, staff):
    assert_error(client.get("/api/v1/stock?sku=NOPE", headers=staff), 404, field="sku")
