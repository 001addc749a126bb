"""A unit cost typed on a receipt: it belongs to that receipt only, the catalogue cost moves
only by the moving average, and a cost far from the average (over 5x, under 1/5) is posted
only when confirmed. Over the API and the phone's JSON alike."""
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.api.checks import assert_error
from warehouse_app.ledger.models import Movement
from warehouse_app.ledger.movements import Line, MovementKind, record


@pytest.fixture
def mug(db, make_product, make_location, stock):
    """MUG (list cost 3.00) with 10 in A-01 at 2.00: average 2.00."""
    product = make_product("MUG", unit_cost=Decimal("3.00"), barcodes=["5901234123457"])
    stock(product, make_location("A-01"), 10, unit_cost=Decimal("2.00"))
    db.session.commit()
    return product


def movements(db) -> int:
    return db.session.scalar(select(func.count(Movement.id)))


def receive_api(client, headers, **body):
    return client.post("/api/v1/movements", headers=headers,
                       json={"kind": "receive", "sku": "MUG", "qty": 10, "to_location": "A-01",
                             **body})


def receive_phone(client, **body):
    return client.post("/scan/line", headers={"Accept": "application/json"},
                       json={"flow": "receive", "code": "MUG", "qty": 10, "to_location": "A-01",
                             "client_op_id": str(uuid.uuid4()), **body})


def test_a_receipt_cost_moves_the_average_but_not_the_list_cost(db, mug, make_location):
    record(Line(MovementKind.RECEIVE, mug, 10, to_location=make_location("B-01"),
                unit_cost="4.00", confirm_cost=False))
    db.session.commit()
    db.session.refresh(mug)
    assert (mug.avg_cost, mug.unit_cost) == (Decimal("3.0000"), Decimal("3.0000"))


@pytest.mark.parametrize("cost", ["10.01", "0.39", "0"])
def test_a_cost_far_from_the_average_answers_409_unless_confirmed(client, db, staff, mug, cost):
    before = movements(db)
    assert_error(receive_api(client, staff, unit_cost=cost), 409, "cost_unusual", "unit_cost")
    assert movements(db) == before
    response = receive_api(client, staff, unit_cost=cost, confirm_cost=True)
    assert response.status_code == 201, response.get_json()
    assert "unit_cost" not in response.get_json()  # money is for supervisors (staff posted)
    posted = db.session.get(Movement, response.get_json()["id"])
    assert posted.unit_cost == Decimal(cost)


@pytest.mark.parametrize("cost", ["10.00", "0.40", "2.5"])
def test_a_cost_within_5x_of_the_average_posts(client, staff, mug, cost):
    assert receive_api(client, staff, unit_cost=cost).status_code == 201


def test_a_first_receipt_has_no_average_to_compare(client, staff, make_product, make_location):
    make_product("NEW")
    make_location("A-01")
    response = client.post("/api/v1/movements", headers=staff, json={
        "kind": "receive", "sku": "NEW", "qty": 1, "to_location": "A-01", "unit_cost": "999"})
    assert response.status_code == 201


def test_a_barcode_scanned_into_the_cost_is_refused_not_rounded(client, db, staff, login_as,
                                                                no_csrf, mug):
    before = movements(db)
    assert_error(receive_api(client, staff, unit_cost=3.505012345000213), 422, None, "unit_cost")
    login_as("staff")
    response = receive_phone(client, unit_cost="3.505012345000213", confirm_cost=True)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "cost_invalid"
    assert movements(db) == before


@pytest.mark.parametrize("value", ["yes", 1, "true", None, [True]])
def test_confirm_cost_is_true_or_false(client, db, staff, login_as, no_csrf, mug, value):
    before = movements(db)
    assert_error(receive_api(client, staff, unit_cost="50", confirm_cost=value), 422, None,
                 "confirm_cost")
    login_as("staff")
    response = receive_phone(client, unit_cost="50", confirm_cost=value)
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "confirm_cost"
    assert movements(db) == before


def test_the_phone_asks_to_confirm_an_unusual_cost(client, db, login_as, no_csrf, mug):
    login_as("staff")
    response = receive_phone(client, unit_cost="25")
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "cost_unusual"
    assert "average cost of 2" in response.get_json()["error"]["message"]
    assert receive_phone(client, unit_cost="25", confirm_cost=True).status_code == 201
    db.session.refresh(mug)
    assert mug.unit_cost == Decimal("3.0000")  # the list cost stays
    assert mug.avg_cost == Decimal("13.5000")
