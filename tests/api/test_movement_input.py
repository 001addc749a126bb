"""Bad movement requests: each answered with a clear 4xx, and nothing posted."""
import pytest

from tests.api.checks import assert_error
from warehouse_app.ledger.models import Movement, StockLevel

URL = "/api/v1/movements"
PICK = {"kind": "pick", "sku": "P-1", "qty": 1, "from_location": "A-01"}


@pytest.fixture
def shelf(make_product, make_location, stock):
    """P-1 with 10 units in bin A-01 (one receipt), and an empty bin A-02."""
    product = make_product("P-1", barcodes=["4006381333931"])
    stock(product, make_location("A-01"), 10)
    make_location("A-02")


def refused(client, headers, rows, body, status, field=None, code=None):
    """Post a body, expect the error, and check the ledger and balances did not change."""
    before = (rows(Movement), rows(StockLevel))
    response = client.post(URL, json=body, headers=headers)
    error = assert_error(response, status, code, field)
    assert (rows(Movement), rows(StockLevel)) == before
    return error


@pytest.mark.parametrize("qty", [0, -1, 1.5, "3", True, 10**9 + 1, None, 10**30])
def test_bad_quantity_is_422(client, staff, shelf, rows, qty):
    refused(client, staff, rows, {**PICK, "qty": qty}, 422, "qty", "invalid")


def test_quantity_of_a_billion_is_allowed_by_the_schema(client, staff, shelf, rows):
    # It passes validation and is refused for stock, not for its size.
    refused(client, staff, rows, {**PICK, "qty": 10**9}, 409, "qty", "insufficient_stock")


def test_missing_quantity_is_422(client, staff, shelf, rows):
    body = {k: v for k, v in PICK.items() if k != "qty"}
    error = refused(client, staff, rows, body, 422, "qty")
    assert error["message"] == "qty is required."


def test_missing_kind_is_422(client, staff, shelf, rows):
    body = {k: v for k, v in PICK.items() if k != "kind"}
    refused(client, staff, rows, body, 422, "kind")


def test_missing_product_is_422(client, staff, shelf, rows):
    body = {k: v for k, v in PICK.items() if k != "sku"}
    refused(client, staff, rows, body, 422, "sku")


def test_missing_location_is_422(client, staff, shelf, rows):
    body = {k: v for k, v in PICK.items() if k != "from_location"}
    refused(client, staff, rows, body, 422, "from_location")


def test_unknown_sku_is_404(client, staff, shelf, rows):
    refused(client, staff, rows, {**PICK, "sku": "NOPE"}, 404, "sku", "not_found")


def test_unknown_barcode_is_404(client, staff, shelf, rows):
    body = {**{k: v for k, v in PICK.items() if k != "sku"}, "barcode": "99999999"}
    refused(client, staff, rows, body, 404, "barcode", "not_found")


def test_unknown_location_is_404(client, staff, shelf, rows):
    refused(client, staff, rows, {**PICK, "from_location": "NOPE"}, 404, "from_location")


def test_unknown_destination_is_404(client, staff, shelf, rows):
    body = {"kind": "receive", "sku": "P-1", "qty": 1, "to_location": "NOPE"}
    refused(client, staff, rows, body, 404, "to_location", "not_found")


def test_same_from_and_to_is_422(client, staff, shelf, rows):
    body = {**PICK, "kind": "transfer", "to_location": "A-01"}
    error = refused(client, staff, rows, body, 422)
    assert "same location" in error["message"]


def test_pick_into_a_bin_is_422(client, staff, shelf, rows):
    body = {**PICK, "to_location": "A-02"}
    error = refused(client, staff, rows, body, 422, "kind")
    assert "cannot go from" in error["message"]


@pytest.mark.parametrize("kind", ["count", "reversal", "steal", 1])
def test_kinds_not_postable_here_are_422(client, supervisor, shelf, rows, kind):
    refused(client, supervisor, rows, {**PICK, "kind": kind}, 422, "kind", "invalid")


@pytest.mark.parametrize("field, value", [
    ("sku", 5), ("from_location", 5), ("lot", []), ("reason", "bored"), ("expiry", "soon"),
    ("unit_cost", "x"), ("unit_cost", -1), ("client_op_id", 5), ("note", {"a": 1}),
    ("colour", "red"),
])
def test_wrong_json_types_are_422(client, staff, shelf, rows, field, value):
    refused(client, staff, rows, {**PICK, field: value}, 422, field, "invalid")


def test_sku_and_barcode_together_are_422(client, staff, shelf, rows):
    refused(client, staff, rows, {**PICK, "barcode": "4006381333931"}, 422, "barcode")


@pytest.mark.parametrize("field", ["sku", "from_location", "lot", "note", "reference",
                                   "client_op_id"])
def test_ten_kilobyte_strings_are_422(client, staff, shelf, rows, field):
    refused(client, staff, rows, {**PICK, field: "x" * 10_000}, 422, field)


def test_lot_on_an_untracked_product_is_422(client, staff, shelf, rows):
    refused(client, staff, rows, {**PICK, "lot": "L1"}, 422, "lot")


def test_adjust_without_reason_is_422(client, supervisor, shelf, rows):
    refused(client, supervisor, rows, {**PICK, "kind": "adjust"}, 422, "reason")


@pytest.mark.parametrize("data, content_type", [
    ("kind=pick&sku=P-1&qty=1", "application/x-www-form-urlencoded"),
    ("pick P-1 1", "text/plain"),
])
def test_non_json_body_is_400(client, staff, shelf, rows, data, content_type):
    before = rows(Movement)
    response = client.post(URL, data=data, content_type=content_type, headers=staff)
    assert_error(response, 400, "not_json")
    assert rows(Movement) == before


@pytest.mark.parametrize("data", ['{"kind": "pick",', b"\xff\xfe{}", "{'kind': 'pick'}"])
def test_invalid_json_is_400(client, staff, shelf, rows, data):
    before = rows(Movement)
    response = client.post(URL, data=data, content_type="application/json", headers=staff)
    assert_error(response, 400, "invalid_json")
    assert rows(Movement) == before


@pytest.mark.parametrize("body", [[], "pick", 3, float("nan")])
def test_json_that_is_not_an_object_is_422(client, staff, shelf, rows, body):
    before = rows(Movement)
    response = client.post(URL, json=body, headers=staff)
    assert_error(response, 422)
    assert rows(Movement) == before


def test_empty_body_is_422(client, staff, shelf, rows):
    response = client.post(URL, headers={**staff, "Content-Type": "application/json"})
    assert_error(response, 422, "invalid", "kind")
