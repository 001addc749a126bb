"""An over-receipt posts what the purchase order expected; only the excess waits."""
from sqlalchemy import select

from tests.orders.conftest import assert_books_agree
from warehouse_app.ledger.models import Movement
from warehouse_app.orders.models import Discrepancy

POS = "/api/v1/purchase-orders"
JSON = {"Accept": "application/json"}


def test_an_over_receipt_posts_the_expected_part_api(client, db, site, supervisor, staff):
    assert client.post(POS, json={"reference": "PO-1", "supplier": "Acme", "lines": [
        {"sku": "MUG", "qty": 5, "unit_cost": "2"}]}, headers=supervisor).status_code == 201
    body = {"location": "N-A-1", "code": "MUG", "qty": 8, "client_op_id": "dock-1"}
    got = client.post(f"{POS}/PO-1/receipts", json=body, headers=staff)
    assert got.status_code == 201, got.json
    assert got.json["movement_id"] and got.json["po_status"] == "received"
    assert (got.json["discrepancy"]["kind"], got.json["discrepancy"]["qty"],
            got.json["discrepancy"]["expected"]) == ("over_receipt", 3, 5)
    again = client.post(f"{POS}/PO-1/receipts", json=body, headers=staff)
    assert again.status_code == 200
    assert (again.json["movement_id"], again.json["discrepancy"]["id"]) == (
        got.json["movement_id"], got.json["discrepancy"]["id"])
    assert db.session.get(Movement, got.json["movement_id"]).qty == 5
    assert len(db.session.scalars(select(Discrepancy)).all()) == 1
    assert client.get(f"{POS}/PO-1", headers=staff).json["lines"][0]["received"] == 5
    assert_books_agree(db)


def test_an_over_receipt_on_the_phone_posts_the_expected_part(client, db, site, login_as,
                                                              no_csrf):
    from warehouse_app.orders import purchasing
    purchasing.create({"reference": "PO-1", "supplier": "Acme", "lines": [
        {"sku": "MUG", "qty": 5}]})
    db.session.commit()
    login_as("staff")
    got = client.post("/orders/purchase/PO-1/receive", json={"location": "N-A-1",
                                                             "code": "MUG", "qty": 8},
                      headers=JSON)
    assert got.status_code == 201 and got.json["qty"] == 5
    assert "3 × MUG more than PO-1 expects" in got.json["held"]
    assert got.json["lines"][0]["remaining"] == 0
    form = client.post("/orders/purchase/PO-1/receive", data={"location": "N-A-1",
                                                              "code": "MUG", "qty": "2"})
    assert form.status_code == 303
    assert "only 0 more MUG expected" in client.get("/orders/purchase/PO-1/receive").get_data(
        as_text=True)
    assert_books_agree(db)
