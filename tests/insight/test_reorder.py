"""Reorder point, safety stock and order quantity from the ledger, by hand and through the API."""
import math

import pytest

from tests.insight.conftest import days_ago
from warehouse_app.insight import reorder

# Net units out on each of the last ten days; on the fifth, 7 went out and 2 came back.
DAILY = [4, 6, 5, 0, 5, 7, 3, 5, 6, 9]


@pytest.fixture
def history(shop, move):
    product, bin_a = shop["product"], shop["A"]
    move("receive", product, 100, days_ago(20), to_location=bin_a, unit_cost="2.00")
    for n, units in enumerate(DAILY):
        at = days_ago(10 - n)
        if n == 4:
            move("pick", product, 7, at, from_location=bin_a)
            move("return", product, 2, at.replace(hour=15), to_location=bin_a)
        elif units:
            move("pick", product, units, at, from_location=bin_a)
    return product


def test_reorder_point_and_safety_stock_match_a_hand_computation(db, history):
    # mean = 50 / 10 = 5; sample variance = 52 / 9; z(95 %) = 1.644854; lead time 4 days.
    point = reorder.points(reorder.policy(days=10, service_level=0.95), [history.id])[0]
    sd = math.sqrt(52 / 9)
    assert point.avg_daily == pytest.approx(5.0)
    assert point.sd_daily == pytest.approx(sd)
    assert point.z == pytest.approx(1.644854, abs=1e-6)
    assert point.safety_stock == pytest.approx(1.644854 * sd * 2, abs=1e-5)   # 7.907
    assert point.computed == pytest.approx(5 * 4 + 1.644854 * sd * 2, abs=1e-5)  # 27.907
    assert (point.reorder_point, point.source) == (28, "computed")
    # EOQ = sqrt(2 x 1825 a year x 25 per order / (25 % of 2.00)) = 427.2 -> 428.
    assert point.eoq == 428 and point.max_stock == 28 + 428
    assert (point.available, point.needs_reorder, point.suggested) == (50, False, 0)


def test_falling_to_the_point_suggests_an_order_up_to_point_plus_eoq(db, history, shop, move):
    move("pick", history, 25, from_location=shop["A"])  # today: not in the demand window
    point = reorder.points(reorder.policy(days=10), [history.id])[0]
    assert point.available == 25 and point.needs_reorder
    assert point.suggested == 456 - 25


def test_a_stored_override_wins(db, history, supervisor, client, no_csrf):
    response = client.post(f"/insight/products/{history.sku}/override",
                           data={"reorder_point": "60", "max_stock": "90"})
    assert response.status_code == 303
    point = reorder.points(reorder.policy(days=10), [history.id])[0]
    assert (point.reorder_point, point.source, point.max_stock) == (60, "override", 90)
    assert point.suggested == 90 - 50
    client.post(f"/insight/products/{history.sku}/override", data={"clear": "1"})
    assert reorder.points(reorder.policy(days=10), [history.id])[0].source == "computed"


def test_a_bad_override_is_refused_and_changes_nothing(db, history, supervisor, client,
                                                       no_csrf):
    for data in ({"reorder_point": "-1"}, {"reorder_point": "ten"},
                 {"reorder_point": "10", "max_stock": "5"}):
        response = client.post(f"/insight/products/{history.sku}/override", data=data)
        assert response.status_code == 303
        assert reorder.points(reorder.policy(days=10), [history.id])[0].source == "computed"
    page = client.get(f"/insight/products/{history.sku}", follow_redirects=True)
    assert b"max_stock must be between 11" in page.data


def test_without_demand_the_hand_set_point_is_used(db, make_product):
    product = make_product("NEW-1", reorder_point=12)
    point = reorder.points(reorder.policy(), [product.id])[0]
    assert (point.reorder_point, point.source, point.eoq) == (12, "hand-set", 0)


def test_the_reorder_report_shows_the_numbers_that_produced_the_point(db, history, client,
                                                                       headers):
    answer = client.get("/api/v1/reports/reorder?days=10&all=1", headers=headers("supervisor"))
    assert answer.status_code == 200
    row = next(r for r in answer.json["items"] if r["sku"] == "TEE-1")
    assert row["avg_daily"] == 5.0 and row["lead_time_days"] == 4
    assert row["reorder_point"] == 28 and row["source"] == "computed"
    assert row["supplier"] == "Acme Textiles"
    assert "service level 95.0%" in answer.json["notes"][0]


def test_the_product_page_explains_the_point_and_shows_a_forecast_chart(db, history, client,
                                                                         supervisor):
    page = client.get(f"/insight/products/{history.sku}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Reorder point: " in text and "Safety stock" in text and "<svg" in text
    assert len(page.data) < 100_000
