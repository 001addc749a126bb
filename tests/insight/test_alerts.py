"""Alerts are raised and cleared by the movements that cause them, and acknowledged."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.insight.conftest import days_ago
from warehouse_app.insight.models import Alert, AlertKind


def open_kinds(db, product) -> set[str]:
    db.session.commit()
    return {a.kind.value for a in db.session.scalars(
        select(Alert).where(Alert.product_id == product.id, Alert.cleared_at.is_(None)))}


@pytest.fixture
def stocked(shop, move, make_product):
    """A product with a catalog reorder point of 10 and 15 units in a bin."""
    product = make_product("LOW-1", reorder_point=10)
    move("receive", product, 15, to_location=shop["A"], unit_cost="1.00")
    return product


def test_low_stock_is_raised_by_a_pick_and_cleared_by_a_receipt(db, stocked, shop, move):
    assert open_kinds(db, stocked) == set()
    move("pick", stocked, 6, from_location=shop["A"])
    assert open_kinds(db, stocked) == {"low_stock"}
    alert = db.session.scalar(select(Alert).where(Alert.product_id == stocked.id))
    assert (alert.value, alert.threshold) == (9, 10)
    move("receive", stocked, 5, to_location=shop["A"])
    assert open_kinds(db, stocked) == set()
    assert alert.cleared_at is not None and alert.open_key is None


def test_out_of_stock_replaces_low_stock_and_a_new_episode_is_a_new_alert(db, stocked, shop,
                                                                          move):
    move("pick", stocked, 6, from_location=shop["A"])
    move("pick", stocked, 9, from_location=shop["A"])
    assert open_kinds(db, stocked) == {"out_of_stock"}
    move("receive", stocked, 30, to_location=shop["A"])
    move("pick", stocked, 30, from_location=shop["A"])
    alerts = db.session.scalars(select(Alert).where(Alert.kind == AlertKind.OUT_OF_STOCK)).all()
    assert len(alerts) == 2 and sum(a.cleared_at is None for a in alerts) == 1


def test_a_supervisor_acknowledges_an_alert_through_the_api(db, stocked, shop, move, client,
                                                           headers):
    move("pick", stocked, 6, from_location=shop["A"])
    sup = headers("supervisor")
    listed = client.get("/api/v1/alerts", headers=sup).json
    assert [(a["kind"], a["sku"], a["open"]) for a in listed["items"]] == [
        ("low_stock", "LOW-1", True)]
    alert_id = listed["items"][0]["id"]
    done = client.post(f"/api/v1/alerts/{alert_id}/ack", headers=sup)
    assert done.status_code == 200 and done.json["acknowledged_at"] and done.json["open"]
    assert client.post(f"/api/v1/alerts/{alert_id}/ack", headers=sup).status_code == 200
    assert client.get("/api/v1/alerts?unacknowledged=1", headers=sup).json["items"] == []
    move("receive", stocked, 20, to_location=shop["A"])  # the condition ends: it clears
    again = client.post(f"/api/v1/alerts/{alert_id}/ack", headers=sup)
    assert again.status_code == 409 and again.json["error"]["code"] == "alert_cleared"
    missing = client.post("/api/v1/alerts/99999/ack", headers=sup)
    assert missing.status_code == 404 and missing.json["error"]["field"] == "alert"


def test_the_alerts_page_acknowledges_with_a_button(db, stocked, shop, move, client,
                                                    supervisor, no_csrf):
    move("pick", stocked, 6, from_location=shop["A"])
    page = client.get("/insight/alerts").get_data(as_text=True)
    alert = db.session.scalar(select(Alert))
    assert f"/insight/alerts/{alert.id}/ack" in page and "Acknowledge" in page
    response = client.post(f"/insight/alerts/{alert.id}/ack")
    assert response.status_code == 303
    db.session.refresh(alert)
    assert alert.acknowledged_at is not None and alert.acknowledged_by_id == supervisor.id
    assert f"/insight/alerts/{alert.id}/ack" not in client.get("/insight/alerts").get_data(
        as_text=True)


def test_acknowledge_all_of_one_kind(db, stocked, shop, move, client, supervisor, no_csrf,
                                     make_product):
    other = make_product("LOW-2", reorder_point=10)
    move("receive", other, 4, to_location=shop["A"])
    move("pick", stocked, 6, from_location=shop["A"])
    move("count", stocked, 1, from_location=shop["A"])
    page = client.get("/insight/alerts?kind=low_stock").get_data(as_text=True)
    assert "Low stock 2" in page and "Count loss 1" in page and "Acknowledge all 2 shown" in page
    assert client.post("/insight/alerts/ack-all", data={"kind": "low_stock"}).status_code == 303
    unseen = {a.kind.value for a in db.session.scalars(select(Alert).where(
        Alert.acknowledged_at.is_(None), Alert.cleared_at.is_(None)))}
    assert unseen == {"count_loss"}


def test_home_shows_supervisors_the_count_of_unseen_alerts(db, stocked, shop, move, client,
                                                           login_as):
    move("pick", stocked, 6, from_location=shop["A"])
    login_as("supervisor")
    home = client.get("/").get_data(as_text=True)
    assert 'data-alert-count="1"' in home and "Stock overview" in home
    login_as("staff")
    home = client.get("/").get_data(as_text=True)
    assert "data-alert-count" not in home and "Stock overview" not in home


def test_a_count_that_finds_less_raises_an_alert_that_acknowledging_closes(db, stocked, shop,
                                                                           move, client,
                                                                           headers):
    move("count", stocked, 2, from_location=shop["A"])
    alert = db.session.scalar(select(Alert).where(Alert.kind == AlertKind.COUNT_LOSS))
    assert alert.value == 2 and alert.location_id == shop["A"].id and "A-01" in alert.message
    client.post(f"/api/v1/alerts/{alert.id}/ack", headers=headers("supervisor"))
    db.session.refresh(alert)
    assert alert.cleared_at is not None


def test_the_count_discrepancy_hook_flags_a_shortfall_once(db, stocked, shop):
    from warehouse_app.insight.alerts import count_discrepancy
    assert count_discrepancy(stocked, shop["A"], 10, 12, "C-1") is None
    first = count_discrepancy(stocked, shop["A"], 10, 7, "C-1")
    again = count_discrepancy(stocked, shop["A"], 10, 6, "C-1")
    assert first is again and again.value == 4


def test_a_lot_expiring_soon_is_flagged_until_it_leaves(db, shop, move, make_product):
    product = make_product("MILK-1", tracking="lot")
    soon = days_ago(-5).date()
    from warehouse_app.ledger.models import MovementKind
    from warehouse_app.ledger.movements import Line, record
    record(Line(MovementKind.RECEIVE, product, 4, to_location=shop["A"], lot="L1", expiry=soon))
    db.session.commit()
    assert "expiring" in open_kinds(db, product)
    alert = db.session.scalar(select(Alert).where(Alert.kind == AlertKind.EXPIRING))
    assert "L1" in alert.message and alert.value == 5
    record(Line(MovementKind.PICK, product, 4, from_location=shop["A"], lot="L1"))
    db.session.commit()
    assert "expiring" not in open_kinds(db, product)


def test_dead_stock_is_raised_by_the_sweep_and_cleared_by_a_sale(db, shop, move, make_product,
                                                                  runner):
    product = make_product("DUST-1")
    move("receive", product, 9, days_ago(120), to_location=shop["A"])
    move("pick", product, 1, days_ago(100), from_location=shop["A"])
    assert runner.invoke(args=["insight", "sweep"]).exit_code == 0  # time makes stock dead
    db.session.rollback()
    alert = db.session.scalar(select(Alert).where(Alert.kind == AlertKind.DEAD_STOCK))
    assert alert.value == 8 and "since" in alert.message
    move("pick", product, 1, from_location=shop["A"])
    assert "dead_stock" not in open_kinds(db, product)


def test_the_sweep_finds_what_time_alone_changed(db, app, shop, move, runner, make_product):
    app.config["INSIGHT_DEAD_DAYS"] = 200
    product = make_product("DUST-2")
    move("receive", product, 9, days_ago(120), to_location=shop["A"])
    assert "dead_stock" not in open_kinds(db, product)
    app.config["INSIGHT_DEAD_DAYS"] = 90  # as if 80 days had gone by
    result = runner.invoke(args=["insight", "sweep"])
    assert result.exit_code == 0 and "1 new alert(s)" in result.output
    assert "dead_stock" in open_kinds(db, product)


def test_alert_settings_come_from_the_config(db, app, shop, make_product, move):
    app.config["INSIGHT_EXPIRY_DAYS"] = 3
    product = make_product("MILK-2", tracking="lot")
    from warehouse_app.ledger.models import MovementKind
    from warehouse_app.ledger.movements import Line, record
    record(Line(MovementKind.RECEIVE, product, 4, to_location=shop["A"], lot="L2",
                expiry=(days_ago(0) + timedelta(days=5)).date()))
    db.session.commit()
    assert "expiring" not in open_kinds(db, product)



def test_demand_is_read_in_batches_and_a_hand_set_point_counts_at_once(
        db, app, shop, move, make_product):
    """Demand (what a point rests on) is remembered for the day: the first movement reads the
    products next to it too; a hand-set point is read when used, so it counts at once."""
    from warehouse_app.insight import ledgerq, reorder
    reorder._DEMAND.clear()
    products = [make_product(f"WARM-{n}", reorder_point=2) for n in range(5)]
    move("receive", products[0], 5, to_location=shop["A"])
    memo = reorder._DEMAND[(db.engine, reorder.policy().days, ledgerq.today())]
    assert {p.id for p in products} <= set(memo)  # all five in one go
    move("pick", products[0], 2, from_location=shop["A"])
    assert open_kinds(db, products[0]) == set()  # 3 left, point 2
    reorder.set_override(products[0], 4)
    db.session.commit()
    assert open_kinds(db, products[0]) == {"low_stock"}  # 3 left, point 4: with the override
    move("pick", products[0], 1, from_location=shop["A"])
    assert open_kinds(db, products[0]) == {"low_stock"}
    reorder._DEMAND.clear()


def test_a_deactivated_products_demand_is_remembered_too(
        db, app, shop, move, make_product, monkeypatch):
    """A deactivated product has no reorder point; its stock can still leave. Each of its
    movements used to miss and work out a whole batch of points again."""
    from warehouse_app.catalog import products
    from warehouse_app.insight import reorder
    reorder._DEMAND.clear()
    product = make_product("GONE-1", reorder_point=2)
    move("receive", product, 5, to_location=shop["A"])
    products.update(product, {"active": False})
    db.session.commit()
    reorder._DEMAND.clear()
    worked_out = []
    real_forecasts = reorder.forecasts
    monkeypatch.setattr(reorder, "forecasts", lambda *a, **k: worked_out.append(1) or
                        real_forecasts(*a, **k))
    for _ in range(3):
        move("pick", product, 1, from_location=shop["A"])
    assert len(worked_out) == 1
    assert reorder.current_points([product.id]) == []
    reorder._DEMAND.clear()
