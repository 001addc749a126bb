"""Stock balances over the API."""
import pytest

from tests.api.checks import assert_error


def test_stock_lists_balances_by_sku(client, staff, make_product, make_location, stock):
    one, two, a = make_product("P-1"), make_product("P-2"), make_location("A-01")
    stock(one, a, 5)
    stock(two, a, 2)
    rows = client.get("/api/v1/stock?sku=P-1", headers=staff).get_json()["items"]
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
    rows = client.get("/api/v1/stock?location=n", headers=staff).get_json()["items"]
    assert [(r["location"], r["on_hand"]) for r in rows] == [("N-02", 1), ("N-Z-01", 4)]


def test_stock_shows_lots(client, staff, make_product, make_location, stock):
    product, a = make_product("P-1", tracking="lot"), make_location("A-01")
    stock(product, a, 3, lot="L7")
    rows = client.get("/api/v1/stock", headers=staff).get_json()["items"]
    assert [(r["sku"], r["lot"], r["on_hand"]) for r in rows] == [("P-1", "L7", 3)]


def test_stock_of_unknown_location_is_404(client, staff):
    assert_error(client.get("/api/v1/stock?location=NOPE", headers=staff), 404,
                 field="location")


def test_stock_of_unknown_sku_is_404(client, staff):
    assert_error(client.get("/api/v1/stock?sku=NOPE", headers=staff), 404, field="sku")


def test_stock_is_paginated_with_its_total(client, staff, make_product, make_location, stock):
    bins = [make_location(f"A-{n:02}") for n in range(1, 6)]
    product = make_product("P-1")
    for n, place in enumerate(bins, start=1):
        stock(product, place, n)
    first = client.get("/api/v1/stock?per_page=2", headers=staff).get_json()
    assert (first["page"], first["per_page"], first["total"]) == (1, 2, 5)
    assert [r["location"] for r in first["items"]] == ["A-01", "A-02"]
    last = client.get("/api/v1/stock?per_page=2&page=3", headers=staff).get_json()
    assert [r["location"] for r in last["items"]] == ["A-05"]
    beyond = client.get("/api/v1/stock?per_page=2&page=4", headers=staff).get_json()
    assert beyond["items"] == [] and beyond["total"] == 5


def test_stock_pages_default_to_fifty(client, staff):
    body = client.get("/api/v1/stock", headers=staff).get_json()
    assert (body["page"], body["per_page"], body["total"], body["items"]) == (1, 50, 0, [])


@pytest.mark.parametrize("query,field", [
    ("page=0", "page"), ("page=-1", "page"), ("page=x", "page"), ("page=1.5", "page"),
    ("page=1000001", "page"), ("per_page=0", "per_page"), ("per_page=201", "per_page"),
    ("per_page=abc", "per_page"), ("per_page=", "per_page"), ("page=%00", "page"),
])
def test_bad_page_arguments_are_refused_with_their_field(client, staff, query, field):
    assert_error(client.get(f"/api/v1/stock?{query}", headers=staff), 422, "invalid", field)
