""""Posted this session" on the pick walk and a purchase order's receive page, read back from
the server: the caller's own picks of those orders (receipts of that PO), newest first, with
the one undo would take back; an undone line drops out, and undo then offers the one before."""
import pytest
from sqlalchemy import select

from warehouse_app.orders import picking, purchasing, reserving
from warehouse_app.orders.models import Order

JSON = {"Accept": "application/json"}


@pytest.fixture
def work(db, site, no_csrf):
    """10 mugs in N-A-1; orders SO-1 (5) and SO-2 (2); PO-1 expecting 5 mugs."""
    site.stock(site.p.mug, site.bins.na1, 10)
    for ref, qty in (("SO-1", 5), ("SO-2", 2)):
        reserving.place({"reference": ref, "lines": [{"sku": "MUG", "qty": qty}]})
    purchasing.create({"reference": "PO-1", "supplier": "Acme", "lines": [
        {"sku": "MUG", "qty": 5, "unit_cost": "1.5"}]})
    db.session.commit()
    return site


def pick(client, db, reference, qty=1):
    order = db.session.scalar(select(Order).where(Order.reference == reference))
    answer = client.post("/orders/pick/line", json={
        "order": reference, "line": order.lines[0].id, "location": "N-A-1", "code": "MUG",
        "qty": qty}, headers=JSON)
    assert answer.status_code == 201, answer.json
    return answer.json["id"]


def test_the_pick_walk_reads_back_my_picks_of_its_orders(client, db, work, login_as):
    me = login_as("staff")
    first, second = pick(client, db, "SO-1", 2), pick(client, db, "SO-1", 1)
    other = pick(client, db, "SO-2")
    posted = client.get("/orders/pick/order/SO-1/posted").json
    assert [(m["id"], m["qty"], m["sku"]) for m in posted["lines"]] == [
        (second, 1, "MUG"), (first, 2, "MUG")]
    assert posted["undo"] == second
    wave = picking.start_wave([db.session.scalar(select(Order).where(Order.reference == r))
                               for r in ("SO-1", "SO-2")], me)
    db.session.commit()
    in_wave = client.get(f"/orders/pick/wave/{wave.code}/posted").json
    assert [m["id"] for m in in_wave["lines"]] == [other, second, first]
    assert client.post("/scan/undo", json={"movement": second}, headers=JSON).status_code == 201
    posted = client.get("/orders/pick/order/SO-1/posted").json
    assert [m["id"] for m in posted["lines"]] == [first] and posted["undo"] == first
    login_as("staff")  # someone else: none of these are theirs
    assert client.get("/orders/pick/order/SO-1/posted").json == {"lines": [], "undo": None}


def test_a_purchase_orders_receive_page_reads_back_my_receipts(client, db, work, login_as):
    login_as("staff")
    got = client.post("/orders/purchase/PO-1/receive",
                      json={"location": "N-A-2", "code": "MUG", "qty": 3}, headers=JSON)
    assert got.status_code == 201, got.json
    client.post("/scan/receive", data={"to_location": "N-A-2", "code": "MUG", "qty": "1"})
    posted = client.get("/orders/purchase/PO-1/posted").json
    assert [(m["id"], m["qty"], m["to_location"]) for m in posted["lines"]] == [
        (got.json["id"], 3, "N-A-2")]  # the plain receipt is not this PO's
    assert posted["undo"] == got.json["id"]
    assert client.post("/scan/undo", json={"movement": got.json["id"]},
                       headers=JSON).status_code == 201
    assert client.get("/orders/purchase/PO-1/posted").json == {"lines": [], "undo": None}


def test_posted_of_an_unknown_document_is_404(client, db, work, login_as):
    login_as("staff")
    for url in ("/orders/pick/order/SO-9/posted", "/orders/pick/wave/W-9/posted",
                "/orders/purchase/PO-9/posted"):
        assert client.get(url, headers=JSON).status_code == 404, url
