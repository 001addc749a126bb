"""Documents follow the ledger: reversing a pick or a receipt changes its order or purchase
order in the same transaction (or is refused naming the document's own undo), and
`flask ledger verify` checks the documents against the ledger."""
import pytest
from sqlalchemy import select

from tests.orders.conftest import assert_books_agree, reserved
from warehouse_app.ledger.models import Movement, MovementKind
from warehouse_app.orders.models import (
    Order,
    OrderLine,
    OrderStatus,
    PurchaseOrder,
    PurchaseOrderLine,
)

ORDERS, POS, MOVES = "/api/v1/orders", "/api/v1/purchase-orders", "/api/v1/movements"
JSON = {"Accept": "application/json"}


@pytest.fixture
def stocked(site):
    site.stock(site.p.mug, site.bins.na1, 5)
    return site


def order(db, reference="SO-1") -> Order:
    db.session.commit()
    found = db.session.scalar(select(Order).where(Order.reference == reference))
    db.session.refresh(found)
    for line in found.lines:
        db.session.refresh(line)
    return found


def po_line(db) -> PurchaseOrderLine:
    db.session.commit()
    line = db.session.scalars(select(PurchaseOrderLine)).one()
    db.session.refresh(line)
    db.session.refresh(line.purchase_order)
    return line


def place_and_pick(client, headers, qty=3, reference="SO-1", total=5) -> int:
    placed = client.post(ORDERS, json={"reference": reference,
                                       "lines": [{"sku": "MUG", "qty": total}]}, headers=headers)
    assert placed.status_code == 201, placed.json
    line = placed.json["lines"][0]["line_id"]
    picked = client.post(f"{ORDERS}/{reference}/picks", json={
        "line": line, "location": "N-A-1", "code": "MUG", "qty": qty}, headers=headers)
    assert picked.status_code == 201, picked.json
    return picked.json["movement_id"]


def verify_output(runner) -> tuple[int, str]:
    result = runner.invoke(args=["ledger", "verify"])
    return result.exit_code, result.output


def test_reversing_a_pick_unpicks_the_order_line_api(client, db, runner, stocked, staff,
                                                     supervisor):
    movement = place_and_pick(client, staff)
    back = client.post(f"{MOVES}/{movement}/reverse", json={}, headers=supervisor)
    assert back.status_code == 201, back.json
    line = order(db).lines[0]
    assert (line.picked, line.shipped, line.reserved) == (0, 0, 5)
    assert order(db).status is OrderStatus.OPEN
    assert reserved(db, stocked.p.mug, stocked.north) == 5
    assert verify_output(runner)[0] == 0
    assert_books_agree(db)
    # The order can be picked again and ships the 5 units the shelf holds.
    listed = client.get(f"{ORDERS}/SO-1/picklist", headers=staff).json
    assert listed["lines"][0]["bins"][0]["qty"] == 5


def test_reversing_a_staged_pick_unpicks_and_keeps_the_reservation(client, db, runner, site,
                                                                    make_location, staff,
                                                                    supervisor):
    make_location("NORTH-PACK", "bin", parent=site.north)
    site.stock(site.p.mug, site.bins.na1, 5)
    movement = place_and_pick(client, staff)
    assert client.post(f"{MOVES}/{movement}/reverse", headers=supervisor).status_code == 201
    line = order(db).lines[0]
    assert (line.picked, line.shipped, line.reserved, line.to_pick) == (0, 0, 5, 5)
    assert verify_output(runner)[0] == 0
    assert_books_agree(db)


def test_a_shipped_orders_pick_or_shipment_is_refused_naming_the_return(client, db, runner,
                                                                        site, make_location,
                                                                        staff, supervisor):
    make_location("NORTH-PACK", "bin", parent=site.north)
    site.stock(site.p.mug, site.bins.na1, 5)
    pick = place_and_pick(client, staff, qty=5)
    assert client.post(f"{ORDERS}/SO-1/ship", json={"carrier": "DHL", "tracking": "1"},
                       headers=staff).status_code == 200
    shipment = db.session.scalar(select(Movement.id).where(
        Movement.kind == MovementKind.PICK, Movement.reference == "SO-1"))
    for movement in (pick, shipment):
        refused = client.post(f"{MOVES}/{movement}/reverse", headers=supervisor)
        assert refused.status_code == 409
        assert refused.json["error"]["code"] == "document_conflict"
        assert "SO-1" in refused.json["error"]["message"]
        assert "return" in refused.json["error"]["message"]
    assert db.session.scalar(select(Movement).where(Movement.kind == MovementKind.REVERSAL)) \
        is None
    assert verify_output(runner)[0] == 0


def test_reversing_a_receipt_unreceives_the_purchase_order_api(client, db, runner, stocked,
                                                               supervisor):
    assert client.post(POS, json={"reference": "PO-1", "supplier": "Acme", "lines": [
        {"sku": "MUG", "qty": 5, "unit_cost": "2"}]}, headers=supervisor).status_code == 201
    got = client.post(f"{POS}/PO-1/receipts", json={"location": "N-A-2", "code": "MUG", "qty": 5},
                      headers=supervisor)
    assert got.status_code == 201 and got.json["po_status"] == "received"
    assert client.post(f"{MOVES}/{got.json['movement_id']}/reverse",
                       headers=supervisor).status_code == 201
    line = po_line(db)
    assert line.received == 0 and line.purchase_order.status.value == "open"
    assert client.get(f"{POS}/PO-1", headers=supervisor).json["status"] == "open"
    assert verify_output(runner)[0] == 0


def test_a_count_adjustment_reversal_is_refused_naming_a_recount(db, client, stocked,
                                                                 supervisor):
    from warehouse_app.ledger.movements import Line, record
    from warehouse_app.locations.places import by_code
    moved = record(Line(kind=MovementKind.COUNT, product=stocked.p.mug, qty=1,
                        from_location=by_code("N-A-1", "location"), reference="CC-1"))
    db.session.commit()
    refused = client.post(f"{MOVES}/{moved.id}/reverse", headers=supervisor)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "document_conflict"
    assert "count N-A-1 again" in refused.json["error"]["message"]


def test_verify_finds_documents_that_disagree_with_the_ledger(client, db, runner, stocked,
                                                              staff, supervisor):
    place_and_pick(client, staff)
    assert client.post(POS, json={"reference": "PO-1", "supplier": "Acme", "lines": [
        {"sku": "MUG", "qty": 5}]}, headers=supervisor).status_code == 201
    assert client.post(f"{POS}/PO-1/receipts", json={"location": "N-A-2", "code": "MUG",
                                                     "qty": 2}, headers=supervisor).status_code \
        == 201
    assert verify_output(runner)[0] == 0
    line = db.session.scalars(select(OrderLine)).one()
    line.picked, line.shipped, line.reserved = 2, 2, 3  # what the old undo left behind
    db.session.scalars(select(PurchaseOrderLine)).one().received = 5
    db.session.commit()
    code, output = verify_output(runner)
    assert code == 1
    assert "order SO-1" in output and "says picked 2, its picks in the ledger 3" in output
    assert "reserves 2, its open order lines 3" in output
    assert "purchase order PO-1" in output and "says received 5" in output


def test_the_phones_undo_of_a_pick_unpicks_the_order(client, db, runner, stocked, login_as,
                                                     no_csrf):
    from warehouse_app.orders import reserving
    reserving.place({"reference": "SO-1", "lines": [{"sku": "MUG", "qty": 5}]})
    line_id = order(db).lines[0].id
    login_as("staff")
    picked = client.post("/orders/pick/line", json={"order": "SO-1", "line": line_id,
                                                    "location": "N-A-1", "code": "MUG",
                                                    "qty": 3}, headers=JSON)
    assert picked.status_code == 201, picked.json
    undone = client.post("/scan/undo", json={"movement": picked.json["id"]}, headers=JSON)
    assert undone.status_code == 201, undone.json
    line = order(db).lines[0]
    assert (line.picked, line.shipped, line.reserved) == (0, 0, 5)
    assert verify_output(runner)[0] == 0
    # Picked again in full: the order ships the 5, not 3 plus 5 on the shelf.
    again = client.post("/orders/pick/line", json={"order": "SO-1", "line": line_id,
                                                   "location": "N-A-1", "code": "MUG",
                                                   "qty": 5}, headers=JSON)
    assert again.status_code == 201, again.json
    assert order(db).lines[0].picked == 5
    assert_books_agree(db)


def test_the_phones_undo_of_a_receipt_unreceives_the_purchase_order(client, db, runner,
                                                                    stocked, login_as, no_csrf):
    from warehouse_app.orders import purchasing
    purchasing.create({"reference": "PO-1", "supplier": "Acme", "lines": [
        {"sku": "MUG", "qty": 5, "unit_cost": "1.5"}]})
    db.session.commit()
    login_as("staff")
    got = client.post("/orders/purchase/PO-1/receive", json={"location": "N-A-2", "code": "MUG",
                                                             "qty": 5}, headers=JSON)
    assert got.status_code == 201, got.json
    movement = db.session.scalar(select(Movement.id).where(Movement.reference == "PO-1"))
    assert client.post("/scan/undo", json={"movement": movement}, headers=JSON).status_code == 201
    line = po_line(db)
    assert line.received == 0
    assert db.session.scalar(select(PurchaseOrder.status)).value == "open"
    page = client.get("/orders/purchase/PO-1").get_data(as_text=True)
    assert "0 / 5" in page or "0/5" in page
    assert verify_output(runner)[0] == 0


# Ship short only when told.

def test_shipping_with_unpicked_units_needs_a_choice_api(client, db, runner, stocked, staff):
    place_and_pick(client, staff, qty=3)
    ship = {"carrier": "DHL", "tracking": "JD1"}
    refused = client.post(f"{ORDERS}/SO-1/ship", json=ship, headers=staff)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "unpicked_units"
    assert "2 × MUG" in refused.json["error"]["message"]
    assert order(db).status is not OrderStatus.SHIPPED
    for bad in ("later", 1, "", None, ["cancel"]):
        wrong = client.post(f"{ORDERS}/SO-1/ship", json={**ship, "short": bad}, headers=staff)
        assert wrong.status_code in (409, 422), (bad, wrong.json)
        assert order(db).status is not OrderStatus.SHIPPED
    later = client.post(f"{ORDERS}/SO-1/ship", json={**ship, "short": "backorder"},
                        headers=staff)
    assert later.status_code == 200, later.json
    line = order(db).lines[0]
    assert order(db).status is OrderStatus.PICKING and (line.shipped, line.reserved) == (3, 2)
    assert verify_output(runner)[0] == 0
    line_id = line.id
    assert client.post(f"{ORDERS}/SO-1/picks", json={"line": line_id, "location": "N-A-1",
                                                     "code": "MUG", "qty": 2},
                       headers=staff).status_code == 201
    done = client.post(f"{ORDERS}/SO-1/ship", json={**ship, "tracking": "JD2"}, headers=staff)
    assert done.status_code == 200 and done.json["status"] == "shipped"
    assert order(db).lines[0].shipped == 5
    assert_books_agree(db)


def test_shipping_short_with_cancel_drops_the_rest_api(client, db, runner, stocked, staff):
    place_and_pick(client, staff, qty=3)
    done = client.post(f"{ORDERS}/SO-1/ship", json={"carrier": "DHL", "tracking": "JD1",
                                                    "short": "cancel"}, headers=staff)
    assert done.status_code == 200 and done.json["status"] == "shipped"
    line = order(db).lines[0]
    assert (line.shipped, line.reserved) == (3, 0)
    assert reserved(db, stocked.p.mug, stocked.north) == 0
    assert verify_output(runner)[0] == 0


def test_the_ship_page_asks_what_becomes_of_unpicked_units(client, db, runner, stocked,
                                                           login_as, no_csrf):
    from warehouse_app.orders import reserving
    reserving.place({"reference": "SO-1", "lines": [{"sku": "MUG", "qty": 5}]})
    line_id = order(db).lines[0].id
    login_as("staff")
    assert client.post("/orders/pick/line", json={"order": "SO-1", "line": line_id,
                                                  "location": "N-A-1", "code": "MUG", "qty": 3},
                       headers=JSON).status_code == 201
    page = client.get("/orders/SO-1").get_data(as_text=True)
    assert 'name="short" value="backorder"' in page and 'name="short" value="cancel"' in page
    assert "2 × <span class=\"code\">MUG</span>" in page
    client.post("/orders/SO-1/ship", data={"carrier": "DHL", "tracking": "JD1"})
    assert order(db).status is not OrderStatus.SHIPPED
    assert "units not picked" in client.get("/orders/SO-1").get_data(as_text=True)
    client.post("/orders/SO-1/ship", data={"carrier": "DHL", "tracking": "JD1",
                                           "short": "backorder"})
    found = order(db)
    assert found.status is OrderStatus.PICKING and found.lines[0].reserved == 2
    assert verify_output(runner)[0] == 0
