"""Whose number is it: a hand-set reorder point or safety stock wins until cleared; the computed
one is kept beside it with its formula; the pages say which is in force."""
import math

import pytest

from tests.insight.conftest import days_ago
from warehouse_app.catalog import products
from warehouse_app.catalog.models import Product
from warehouse_app.insight import reorder

# The shop's product sells 3 a day for the last 30 days: its forecast (the mean of the last four
# weeks, 40 days of history being too few for the weekly model) is 3 a day.
MEAN = 3.0


@pytest.fixture
def selling(shop, move):
    product, bin_a = shop["product"], shop["A"]  # lead time 4 days, nothing hand-set
    move("receive", product, 130, days_ago(40), to_location=bin_a, unit_cost="2.00")
    for n in range(30):
        move("pick", product, 3, days_ago(30 - n), from_location=bin_a)
    return product


def point_of(product) -> reorder.Point:
    return reorder.current_points([product.id])[0]


def test_with_nothing_hand_set_the_computed_point_is_in_force(db, selling):
    point = point_of(selling)
    assert point.source == "computed" and (point.hand_set, point.hand_safety) == (None, None)
    assert point.avg_daily == pytest.approx(MEAN)
    assert point.safety_stock == pytest.approx(point.computed_safety)
    assert point.reorder_point == math.ceil(point.computed)


def test_a_hand_set_point_wins_over_sales_until_cleared(db, selling):
    computed = point_of(selling).reorder_point
    products.update(selling, {"reorder_point": 50})
    db.session.commit()
    point = point_of(selling)
    assert (point.reorder_point, point.source, point.hand_set) == (50, "hand-set", 50)
    assert math.ceil(point.computed) == computed  # still worked out, shown beside it
    products.update(selling, {"reorder_point": None})
    db.session.commit()
    assert (point_of(selling).reorder_point, point_of(selling).source) == (computed, "computed")


def test_a_hand_set_safety_stock_replaces_the_computed_one_in_the_point(db, selling):
    products.update(selling, {"safety_stock": 20})
    db.session.commit()
    point = point_of(selling)
    assert point.source == "computed" and point.hand_safety == 20
    assert point.safety_stock == 20 and point.computed_safety > 0
    assert point.reorder_point == math.ceil(MEAN * 4 + 20)


def test_an_override_wins_over_the_products_hand_set_point(db, selling):
    products.update(selling, {"reorder_point": 50})
    reorder.set_override(selling, 70)
    db.session.commit()
    assert (point_of(selling).reorder_point, point_of(selling).source) == (70, "override")


def test_the_api_sets_and_clears_a_hand_set_point(db, selling, client, api_token):
    admin = api_token("admin")
    answer = client.patch("/api/v1/products/TEE-1", headers=admin,
                          json={"reorder_point": 50, "safety_stock": 5})
    assert answer.status_code == 200, answer.json
    assert (answer.json["reorder_point"], answer.json["safety_stock"]) == (50, 5)
    assert point_of(selling).source == "hand-set"
    answer = client.patch("/api/v1/products/TEE-1", headers=admin,
                          json={"reorder_point": None, "safety_stock": None})
    assert answer.status_code == 200
    assert (answer.json["reorder_point"], answer.json["safety_stock"]) == (None, None)
    assert point_of(selling).source == "computed"


@pytest.mark.parametrize("value", ["12", 1.5, True, -1, 1_000_000_001, [3], {"n": 3}])
def test_a_hand_set_point_of_a_wrong_kind_is_refused_and_changes_nothing(db, selling, client,
                                                                        api_token, value):
    admin = api_token("admin")
    for field in ("reorder_point", "safety_stock"):
        answer = client.patch("/api/v1/products/TEE-1", headers=admin, json={field: value})
        assert answer.status_code == 422, answer.json
        assert answer.json["error"]["field"] == field
        db.session.expire_all()
        product = db.session.get(Product, selling.id)
        assert (product.reorder_point, product.safety_stock) == (None, None)


def test_the_product_form_clears_a_hand_set_point_when_left_empty(db, selling, client,
                                                                 login_as, no_csrf):
    login_as("supervisor")
    products.update(selling, {"reorder_point": 50})
    db.session.commit()
    page = client.get(f"/products/{selling.id}").get_data(as_text=True)
    assert "Reorder point in force: <b>50</b>, hand-set here" in page
    answer = client.post(f"/products/{selling.id}", data={"name": "Tee", "reorder_point": "",
                                                           "tracking": "none"})
    assert answer.status_code == 303
    db.session.expire_all()
    assert db.session.get(Product, selling.id).reorder_point is None
    page = client.get(f"/products/{selling.id}").get_data(as_text=True)
    assert "computed from demand" in page


def test_a_bad_hand_set_point_on_the_form_is_refused_and_changes_nothing(db, selling, client,
                                                                        login_as, no_csrf):
    login_as("supervisor")
    for value in ("ten", "-3", "1.5", "٣"):
        answer = client.post(f"/products/{selling.id}", data={"name": "Tee",
                                                               "reorder_point": value})
        assert answer.status_code == 422
        db.session.expire_all()
        assert db.session.get(Product, selling.id).reorder_point is None


def test_the_planning_page_says_which_number_is_in_force_and_shows_the_computed_one(
        db, selling, client, login_as):
    login_as("supervisor")
    page = client.get("/insight/products/TEE-1").get_data(as_text=True)
    assert 'data-source="computed"' in page and "computed from demand" in page
    products.update(selling, {"reorder_point": 50})
    db.session.commit()
    page = client.get("/insight/products/TEE-1").get_data(as_text=True)
    assert "Reorder point: 50" in page and "(in force: hand-set on the product)" in page
    point = point_of(selling)
    formula = (f"{point.lead_demand:.2f} + {point.computed_safety:.2f} = "
               f"{point.computed:.2f}")
    assert formula in page


def test_the_api_product_says_which_point_is_in_force(db, selling, client, api_token):
    sup = api_token("supervisor")
    computed = client.get("/api/v1/products/TEE-1", headers=sup).json["reorder"]
    assert computed["source"] == "computed"
    assert computed["reorder_point"] == math.ceil(computed["computed"])
    products.update(selling, {"reorder_point": 50, "safety_stock": 6})
    db.session.commit()
    hand = client.get("/api/v1/products/TEE-1", headers=sup).json["reorder"]
    assert (hand["reorder_point"], hand["source"], hand["safety_stock"]) == (50, "hand-set", 6)
    assert hand["computed"] == computed["computed"]
