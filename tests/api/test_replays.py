"""A replay is the same operation: the same client_op_id with any field different is a 409."""
import pytest

from tests.api.checks import assert_error
from warehouse_app.ledger.models import Movement

URL = "/api/v1/movements"
FIRST = {"kind": "receive", "sku": "P-L", "qty": 5, "to_location": "A-01", "lot": "L1",
         "unit_cost": "2.50", "reference": "PO-7", "client_op_id": "op-1"}


@pytest.fixture
def site(make_product, make_location):
    make_product("P-L", tracking="lot")
    make_location("A-01")
    make_location("A-02")


def test_the_same_body_again_is_a_replay(client, staff, site, rows):
    first = client.post(URL, json=FIRST, headers=staff)
    again = client.post(URL, json={**FIRST, "unit_cost": "2.5"}, headers=staff)  # same number
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["id"] == first.json["id"]
    assert rows(Movement) == 1


@pytest.mark.parametrize("change", [{"unit_cost": "3.00"}, {"lot": "L2"}, {"qty": 6},
                                    {"reference": "PO-8"}, {"to_location": "A-02"},
                                    {"kind": "return"}])
def test_any_other_field_is_client_op_id_reused(client, staff, site, rows, change):
    assert client.post(URL, json=FIRST, headers=staff).status_code == 201
    response = client.post(URL, json={**FIRST, **change}, headers=staff)
    assert_error(response, 409, "client_op_id_reused", "client_op_id")
    assert rows(Movement) == 1


def test_an_adjustment_replay_with_another_reason_is_409(client, supervisor, site, rows):
    body = {"kind": "adjust", "sku": "P-L", "qty": 1, "to_location": "A-01", "lot": "L1",
            "reason": "found", "client_op_id": "adj-1"}
    assert client.post(URL, json=body, headers=supervisor).status_code == 201
    response = client.post(URL, json={**body, "reason": "other"}, headers=supervisor)
    assert_error(response, 409, "client_op_id_reused", "client_op_id")
    assert rows(Movement) == 1
