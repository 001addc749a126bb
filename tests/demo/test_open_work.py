"""After `flask demo seed`, every workflow has work waiting: orders to pick (alone and in a
wave), a purchase order to receive against, a blind count to count, a count for the demo
supervisor to approve, and open low-stock alerts."""
import pytest
from sqlalchemy import select

from warehouse_app.auth.models import User
from warehouse_app.auth.users import create_token
from warehouse_app.catalog.models import Product, Tracking
from warehouse_app.counting.models import Count, CountStatus
from warehouse_app.ledger.models import StockLevel
from warehouse_app.locations.models import Location
from warehouse_app.orders.models import Order, PurchaseOrder

pytestmark = pytest.mark.usefixtures("fixed_clock")


def bearer(db, username: str) -> dict:
    """A token of one of the demo users."""
    user = db.session.scalar(select(User).where(User.username == username))
    _, secret = create_token(f"test-{username}", user)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_seed_leaves_open_work_that_can_be_done(db, runner, client, no_csrf):
    # One seed per engine for every check: seeding takes seconds.
    seeded = runner.invoke(args=["demo", "seed"])
    assert seeded.exit_code == 0, seeded.output
    verify = runner.invoke(args=["ledger", "verify"])
    assert verify.exit_code == 0, verify.output
    staff, boss = bearer(db, "staff"), bearer(db, "supervisor")

    orders = db.session.scalars(select(Order.reference).order_by(Order.id)).all()
    assert len(orders) >= 4 and all(ref in seeded.output for ref in orders)
    pick_alone(client, staff, orders[0])
    start_wave(client.application, orders[1:])
    receive_against_a_po(db, client, staff)
    count_the_planned_count(db, client, staff)
    approve_the_waiting_count(db, client, staff, boss)
    alerts = client.get("/api/v1/alerts?kind=low_stock", headers=boss).get_json()
    assert alerts["items"] and all(a["open"] for a in alerts["items"])

    verify = runner.invoke(args=["ledger", "verify"])
    assert verify.exit_code == 0, verify.output


def pick_alone(client, staff, reference):
    """The small order: every line picked through the API from the bin its pick list names."""
    order = client.get(f"/api/v1/orders/{reference}", headers=staff).get_json()
    assert 1 <= len(order["lines"]) <= 2
    picklist = client.get(f"/api/v1/orders/{reference}/picklist", headers=staff).get_json()
    bins = {line["sku"]: line["bins"][0]["location"] for line in picklist["lines"]}
    for line in order["lines"]:
        done = client.post(f"/api/v1/orders/{reference}/picks", headers=staff, json={
            "line": line["line_id"], "location": bins[line["sku"]], "code": line["sku"],
            "qty": line["to_pick"]})
        assert done.status_code == 201, done.get_json()
    order = client.get(f"/api/v1/orders/{reference}", headers=staff).get_json()
    assert all(line["to_pick"] == 0 for line in order["lines"])


def start_wave(app, references):
    """The demo staff logs in with the printed password and starts a wave of the others."""
    client = app.test_client()  # its own cookies: the other requests carry only a token
    login = client.post("/login", data={"username": "staff", "password": "staff-demo"})
    assert login.status_code in (302, 303)
    wave = client.post("/orders/pick/wave", data={"order": references})
    assert wave.status_code == 303 and "/orders/pick/wave/W" in wave.headers["Location"]
    page = client.get(wave.headers["Location"])
    assert page.status_code == 200
    assert all(ref in page.get_data(as_text=True) for ref in references)


def receive_against_a_po(db, client, staff):
    """One unit of the first open PO's first line received at the dock."""
    po = db.session.scalar(select(PurchaseOrder).order_by(PurchaseOrder.id))
    line = po.lines[0]
    lot = ({"lot": "L-DEMO", "expiry": "2099-12-31"} if line.product.tracking is Tracking.LOT
           else {})
    done = client.post(f"/api/v1/purchase-orders/{po.reference}/receipts", headers=staff,
                       json={"code": line.product.barcodes[0].code, "location": "DOCK-01",
                             "qty": 1, **lot})
    assert done.status_code == 201, done.get_json()
    answer = client.get(f"/api/v1/purchase-orders/{po.reference}", headers=staff).get_json()
    assert answer["lines"][0]["received"] == 1


def count_the_planned_count(db, client, staff):
    """The blind count is open with bins to count; staff count a product in one of them."""
    count = db.session.scalar(select(Count).where(Count.status == CountStatus.OPEN))
    assert count.blind
    shown = client.get(f"/api/v1/counts/{count.id}", headers=staff).get_json()
    assert {b["status"] for b in shown["bins"]} == {"to_count"}
    code = shown["bins"][0]["location"]
    done = client.post(f"/api/v1/counts/{count.id}/lines", headers=staff,
                       json={"sku": sku_in(db, code), "location": code, "counted_qty": 1})
    assert done.status_code == 201, done.get_json()
    assert "expected_qty" not in done.get_json()  # blind: staff do not see the books


def sku_in(db, code: str) -> str:
    return db.session.scalar(select(Product.sku).join(StockLevel).join(Location).where(
        Location.code == code, StockLevel.on_hand > 0).order_by(Product.sku).limit(1))


def approve_the_waiting_count(db, client, staff, boss):
    """Counted by the demo staff user: staff may not approve, the demo supervisor may."""
    count = db.session.scalar(select(Count).where(Count.status == CountStatus.PENDING))
    shown = client.get(f"/api/v1/counts/{count.id}", headers=boss).get_json()
    waiting = [line["id"] for b in shown["bins"] for line in b["lines"]
               if line["status"] == "waiting"]
    assert len(waiting) == 2
    refused = client.post(f"/api/v1/counts/{count.id}/approve", headers=staff,
                          json={"lines": waiting[:1]})
    assert refused.status_code == 403
    done = client.post(f"/api/v1/counts/{count.id}/approve", headers=boss,
                       json={"lines": waiting[:1]})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["status"] == "pending"  # the other line still waits
    done = client.post(f"/api/v1/counts/{count.id}/approve", headers=boss, json={})
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["status"] == "done"
