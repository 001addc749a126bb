"""Alerts at once and the same everywhere: a change of stock, reorder point, safety stock, lead
time or what is on order raises or clears its alerts in the transaction that makes it, whichever
worker serves it; the alert list, the reorder report and the pages agree."""
import pytest
from sqlalchemy import select

from tests.conftest import TEST_CONFIG
from tests.insight.conftest import days_ago
from tests.support.desk import assert_desk_agrees
from warehouse_app import create_app
from warehouse_app.catalog import products
from warehouse_app.extensions import db as _db
from warehouse_app.insight import reorder
from warehouse_app.insight.models import Alert


def open_kinds(db, product) -> set[str]:
    db.session.commit()
    return {a.kind.value for a in db.session.scalars(
        select(Alert).where(Alert.product_id == product.id, Alert.cleared_at.is_(None)))}


@pytest.fixture
def held(shop, move, make_product):
    """A product with 8 units in a bin and no reorder point yet."""
    product = make_product("HELD-1", lead_time_days=4)
    move("receive", product, 8, to_location=shop["A"], unit_cost="1.00")
    return product


@pytest.fixture
def selling(shop, move):
    """The shop's product selling 3 a day for the last 30 days, 40 left: a computed point."""
    product, bin_a = shop["product"], shop["A"]
    move("receive", product, 130, days_ago(40), to_location=bin_a, unit_cost="2.00")
    for n in range(30):
        move("pick", product, 3, days_ago(30 - n), from_location=bin_a)
    return product


def test_a_reorder_point_set_through_the_api_raises_and_clears_low_stock_at_once(
        db, held, client, api_token):
    admin = api_token("admin")
    answer = client.patch("/api/v1/products/HELD-1", json={"reorder_point": 8}, headers=admin)
    assert answer.status_code == 200, answer.json
    assert open_kinds(db, held) == {"low_stock"}  # 8 available, at its point of 8
    answer = client.patch("/api/v1/products/HELD-1", json={"reorder_point": 7}, headers=admin)
    assert answer.status_code == 200
    assert open_kinds(db, held) == set()


def test_a_reorder_point_set_on_the_product_page_raises_low_stock_at_once(
        db, held, client, login_as, no_csrf):
    login_as("supervisor")
    answer = client.post(f"/products/{held.id}", data={"name": "HELD-1", "reorder_point": "9"})
    assert answer.status_code == 303
    assert open_kinds(db, held) == {"low_stock"}


def test_a_longer_lead_time_raises_low_stock_and_a_shorter_one_clears_it(db, selling,
                                                                         client, api_token):
    admin = api_token("admin")
    before = reorder.current_points([selling.id])[0]
    assert before.reorder_point < 40 and open_kinds(db, selling) == set()
    answer = client.patch("/api/v1/products/TEE-1", json={"lead_time_days": 30},
                          headers=admin)
    assert answer.status_code == 200
    after = reorder.current_points([selling.id])[0]
    assert after.reorder_point >= 40  # 1 a day on average x 30 days + safety stock
    assert open_kinds(db, selling) == {"low_stock"}
    client.patch("/api/v1/products/TEE-1", json={"lead_time_days": 4}, headers=admin)
    assert open_kinds(db, selling) == set()


def test_an_override_and_its_removal_raise_and_clear_at_once(db, held, client, login_as,
                                                             no_csrf):
    login_as("supervisor")
    client.post("/insight/products/HELD-1/override", data={"reorder_point": "10"})
    assert open_kinds(db, held) == {"low_stock"}
    client.post("/insight/products/HELD-1/override", data={"clear": "1"})
    assert open_kinds(db, held) == set()


def test_a_purchase_order_covering_the_gap_clears_low_stock_as_the_reorder_page_does(
        db, held, client, api_token):
    admin = api_token("admin")
    client.patch("/api/v1/products/HELD-1", json={"reorder_point": 10, "supplier": "Acme"},
                 headers=admin)
    assert open_kinds(db, held) == {"low_stock"}
    answer = client.post("/api/v1/purchase-orders", headers=admin, json={
        "reference": "PO-1", "supplier": "Acme",
        "lines": [{"sku": "HELD-1", "qty": 5, "unit_cost": "1.00"}]})
    assert answer.status_code == 201, answer.json
    assert open_kinds(db, held) == set()  # 8 available + 5 on order is above 10


def test_another_worker_sees_a_new_reorder_point_at_its_next_scan(db, app, held, shop, move,
                                                                 database_url):
    """Two workers: this one has worked the product's point out (a scan); the other changes
    the point. This worker's next scan judges by the new point, not a remembered one."""
    move("pick", held, 1, from_location=shop["A"])  # 7 left, no point: nothing
    assert open_kinds(db, held) == set()
    db.session.commit()  # this worker's request is over (on SQLite it held the write lock)
    other = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url})
    with other.app_context():
        products.update(products.by_sku("HELD-1"), {"reorder_point": 5})
        _db.session.commit()
        _db.session.remove()
        _db.engine.dispose()
    db.session.expire_all()
    move("pick", held, 2, from_location=shop["A"])  # 5 left, at the other worker's point
    assert open_kinds(db, held) == {"low_stock"}


def test_the_alert_list_the_reorder_report_and_the_pages_agree(db, shop, move, make_product,
                                                                client, login_as):
    """After picks, receipts and a hand-set point, and again after more picks."""
    bin_a = shop["A"]
    made = [make_product(f"AG-{n}", reorder_point=n, lead_time_days=3, supplier="Acme")
            for n in range(6)]
    for n, product in enumerate(made):
        move("receive", product, 6, days_ago(20), to_location=bin_a, unit_cost="1.00")
        for day in range(n):
            move("pick", product, 1, days_ago(10 - day), from_location=bin_a)
    reorder.set_override(made[1], 6)
    db.session.commit()
    login_as("supervisor")
    first = assert_desk_agrees(client)
    assert first.get("low_stock")
    for product in made:
        move("pick", product, 1, from_location=bin_a)
    second = assert_desk_agrees(client)
    assert second != first
