"""Products over the API: create, list, read with stock, change; bad input answered 4xx."""
import pytest

from tests.api.checks import assert_error
from warehouse_app.catalog.models import Barcode, Product

URL = "/api/v1/products"
FULL = {"sku": "TS-M-BLU", "name": "T-shirt M blue", "description": "Cotton",
        "category": "Apparel > T-shirts", "supplier": "Acme", "unit_cost": "4.50",
        "sale_price": 12, "reorder_point": 5, "safety_stock": 2, "lead_time_days": 10,
        "tracking": "none", "variant_group": "TS", "variant": "M / blue", "active": True,
        "barcodes": ["4006381333931", {"code": "PACK-12", "kind": "internal", "pack_size": 12}]}


def test_create_product_answers_201_with_the_product(client, supervisor):
    response = client.post(URL, json=FULL, headers=supervisor)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["sku"] == "TS-M-BLU" and body["category"] == "Apparel > T-shirts"
    assert body["supplier"] == "Acme" and body["unit_cost"] == "4.5000"
    assert body["barcodes"] == [{"code": "4006381333931", "kind": "ean13", "pack_size": 1},
                                {"code": "PACK-12", "kind": "internal", "pack_size": 12}]
    assert (body["on_hand"], body["available"], body["locations"]) == (0, 0, [])


def test_list_products_is_paginated_and_searchable(client, staff, make_product):
    for sku in ("A-1", "A-2", "B-1"):
        make_product(sku)
    page = client.get(f"{URL}?per_page=2&page=1", headers=staff).get_json()
    assert ([p["sku"] for p in page["items"]], page["total"], page["per_page"]) == (
        ["A-1", "A-2"], 3, 2)
    found = client.get(f"{URL}?q=b-", headers=staff).get_json()
    assert [p["sku"] for p in found["items"]] == ["B-1"]


def test_get_product_shows_stock_in_total_and_per_location(client, staff, make_product,
                                                           make_location, stock):
    product, a, b = make_product("P-1"), make_location("A-01"), make_location("A-02")
    stock(product, a, 5)
    stock(product, b, 3)
    body = client.get(f"{URL}/P-1", headers=staff).get_json()
    assert (body["on_hand"], body["reserved"], body["available"]) == (8, 0, 8)
    assert body["locations"] == [
        {"location": "A-01", "on_hand": 5, "reserved": 0, "available": 5, "lot": None},
        {"location": "A-02", "on_hand": 3, "reserved": 0, "available": 3, "lot": None}]


def test_get_unknown_product_is_404(client, staff):
    assert_error(client.get(f"{URL}/NOPE", headers=staff), 404, "not_found", "sku")


def test_patch_product_changes_only_given_fields(client, supervisor, make_product):
    make_product("P-1", name="Old", reorder_point=3)
    response = client.patch(f"{URL}/P-1", json={"name": "New", "barcodes": ["12345670"]},
                            headers=supervisor)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["name"], body["reorder_point"]) == ("New", 3)
    assert body["barcodes"] == [{"code": "12345670", "kind": "ean8", "pack_size": 1}]


def test_staff_cannot_patch_products(client, staff, make_product):
    make_product("P-1", name="Old")
    assert_error(client.patch(f"{URL}/P-1", json={"name": "New"}, headers=staff), 403)


def test_patch_unknown_product_is_404(client, supervisor):
    assert_error(client.patch(f"{URL}/NOPE", json={"name": "x"}, headers=supervisor), 404,
                 field="sku")


def test_duplicate_sku_is_409(client, supervisor, make_product, rows):
    make_product("P-1")
    response = client.post(URL, json={"sku": "P-1", "name": "Again"}, headers=supervisor)
    assert_error(response, 409, "duplicate_sku", "sku")
    assert rows(Product) == 1


def test_duplicate_barcode_is_409(client, supervisor, make_product, rows):
    make_product("P-1", barcodes=["4006381333931"])
    response = client.post(URL, json={"sku": "P-2", "name": "Two",
                                      "barcodes": ["4006381333931"]}, headers=supervisor)
    assert_error(response, 409, "duplicate_barcode", "barcodes")
    assert (rows(Product), rows(Barcode)) == (1, 1)


def test_bad_ean_check_digit_is_422(client, supervisor, rows):
    response = client.post(URL, json={"sku": "P-1", "name": "One", "barcodes": [
        {"code": "4006381333932", "kind": "ean13"}]}, headers=supervisor)
    assert_error(response, 422, field="barcodes")
    assert rows(Product) == 0


def test_missing_name_is_422(client, supervisor, rows):
    error = assert_error(client.post(URL, json={"sku": "P-1"}, headers=supervisor), 422,
                         "invalid", "name")
    assert error["message"] == "name is required."
    assert rows(Product) == 0


@pytest.mark.parametrize("field, value", [
    ("name", 5), ("sku", ["x"]), ("reorder_point", "3"), ("reorder_point", 1.5),
    ("lead_time_days", -1), ("active", "yes"), ("active", 1), ("unit_cost", "abc"),
    ("unit_cost", -1), ("tracking", "batch"), ("barcodes", "4006381333931"),
    ("barcodes", [5]), ("barcodes", [{"code": "X1", "pack_size": 0}]),
    ("barcodes", [{"code": "X1", "kind": "qr"}]), ("colour", "red"),
])
def test_wrong_types_and_values_are_422(client, supervisor, rows, field, value):
    payload = {"sku": "P-1", "name": "One", field: value}
    assert_error(client.post(URL, json=payload, headers=supervisor), 422, "invalid", field)
    assert rows(Product) == 0


@pytest.mark.parametrize("field", ["sku", "name", "description", "category", "supplier",
                                   "variant"])
def test_ten_kilobyte_strings_are_422(client, supervisor, rows, field):
    payload = {"sku": "P-1", "name": "One", field: "x" * 10_000}
    assert_error(client.post(URL, json=payload, headers=supervisor), 422, field=field)
    assert rows(Product) == 0


def test_ten_kilobyte_search_is_422(client, staff):
    assert_error(client.get(f"{URL}?q={'x' * 10_000}", headers=staff), 422, field="q")


def test_non_json_body_is_a_4xx(client, supervisor, rows):
    response = client.post(URL, data="sku=P-1&name=One", headers=supervisor,
                           content_type="application/x-www-form-urlencoded")
    assert_error(response, 400, "not_json")
    assert rows(Product) == 0


def test_invalid_json_is_400(client, supervisor, rows):
    response = client.post(URL, data='{"sku": "P-1", ', headers=supervisor,
                           content_type="application/json")
    assert_error(response, 400, "invalid_json")
    assert rows(Product) == 0


def test_json_that_is_not_an_object_is_422(client, supervisor, rows):
    error = assert_error(client.post(URL, json=["P-1"], headers=supervisor), 422)
    assert error["message"] == "The body must be a JSON object."
    assert rows(Product) == 0


def test_thirteen_digits_with_a_wrong_check_digit_are_refused_unless_internal(client, admin):
    bad = {"sku": "EAN-TYPO", "name": "Typo", "barcodes": ["5901234123458"]}
    response = client.post("/api/v1/products", json=bad, headers=admin)
    assert response.status_code == 422
    assert "check digit" in response.json["error"]["message"]
    kept = {**bad, "barcodes": [{"code": "5901234123458", "kind": "internal"}]}
    assert client.post("/api/v1/products", json=kept, headers=admin).status_code == 201
