"""Forecasts that are used: the model chosen by backtest (weekly, yearly pooled over a category,
else naive), and the computed reorder point made of its demand over the lead time and its
error, the same number on the page, in the API and in the alerts."""
import math
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.insight.conftest import days_ago
from warehouse_app.catalog import products
from warehouse_app.extensions import db
from warehouse_app.insight import forecast, reorder
from warehouse_app.insight.models import Alert
from warehouse_app.ledger.models import MovementKind
from warehouse_app.ledger.movements import Line, record

Z95 = 1.6448536269514722
# Units sold on each weekday, Monday first: a shop busy early in the week, shut at the weekend.
WEEK = (10, 8, 6, 4, 2, 0, 0)


def sell(product, bin_, back: int, qty: int) -> None:
    """A sale `back` days ago, not yet committed (history posts in one transaction)."""
    if qty:
        record(Line(MovementKind.PICK, product, qty, at=days_ago(back), from_location=bin_))


@pytest.fixture
def weekly(shop):
    """84 days (12 whole weeks) of the weekly pattern, with one unit more three days ago; the
    lead time is 4 days."""
    product, bin_a = shop["product"], shop["A"]
    record(Line(MovementKind.RECEIVE, product, 3000, at=days_ago(84, hour=8), to_location=bin_a,
                unit_cost="2.00"))
    for back in range(84, 0, -1):
        sell(product, bin_a, back, WEEK[(date.today() - timedelta(days=back)).weekday()]
             + (back == 3))
    db.session.commit()
    return product


def point_of(product) -> reorder.Point:
    return reorder.current_points([product.id])[0]


def test_a_weekly_pattern_picks_the_weekly_model_and_the_point_uses_its_forecast(db, weekly):
    point = point_of(weekly)
    fc = point.extra["forecast"]
    assert (point.model, fc.days, fc.holdout) == ("weekly", 84, 28)
    # Backtest: trained on the first 8 weeks (the exact pattern), it misses only the extra unit
    # among the 28 held-back days.
    assert fc.candidates["weekly"].mae == pytest.approx(1 / 28, abs=1e-4)
    assert fc.candidates["naive"].mae > 2 and not fc.candidates["yearly"].kept
    assert fc.error == pytest.approx(math.sqrt(1 / 28), abs=1e-6)
    # By hand: 12 of each weekday; the weekday 3 days back sold one more once.
    today = date.today()
    extra = (today - timedelta(days=3)).weekday()
    mean_all = (12 * sum(WEEK) + 1) / 84
    level = (4 * sum(WEEK) + 1) / 28  # the last four weeks (each weekday four times)

    def on(day):
        d = day.weekday()
        return level * ((12 * WEEK[d] + (d == extra)) / 12) / mean_all

    lead = [today + timedelta(days=i) for i in range(4)]
    by_hand = sum(on(day) for day in lead)
    assert point.lead_demand == pytest.approx(by_hand, abs=1e-9)
    safety = Z95 * math.sqrt(1 / 28) * 2
    assert point.computed_safety == pytest.approx(safety, abs=1e-6)
    assert point.computed == pytest.approx(by_hand + safety, abs=1e-6)
    assert (point.reorder_point, point.source) == (math.ceil(by_hand + safety), "computed")


def test_the_page_and_the_api_show_the_chosen_model_its_backtest_and_the_same_point(
        db, weekly, client, login_as, api_token):
    point = point_of(weekly)
    login_as("supervisor")
    page = client.get(f"/insight/products/{weekly.sku}").get_data(as_text=True)
    assert f"Reorder point: {point.reorder_point} " in page
    assert 'data-model="weekly"' in page and "Forecast: Weekly (day-of-week profile)" in page
    assert f"{point.lead_demand:.2f} + {point.computed_safety:.2f} = {point.computed:.2f}" in page
    assert 'data-candidate="weekly" data-kept="yes"' in page
    assert "not tried: its category needs 12 months of history" in page
    product = client.get(f"/api/v1/products/{weekly.sku}",
                         headers=api_token("supervisor")).json["reorder"]
    assert product["reorder_point"] == point.reorder_point and product["model"] == "weekly"
    assert product["lead_demand"] == round(point.lead_demand, 3)
    assert product["forecast_error"] == round(point.sd_daily, 3)
    report = client.get(f"/api/v1/reports/forecast?sku={weekly.sku}",
                        headers=api_token("supervisor")).json["items"][0]
    assert report["model"] == "weekly" and report["lead_demand"] == round(point.lead_demand, 3)
    assert report["computed"] == round(point.computed, 3)
    assert report["mae_weekly"] < report["mae_naive"] and report["mae_yearly"] is None
    assert report["kept"] == ["naive", "weekly"]
    # A week's forecast: the level of the last four weeks, seven days of it (121 / 28 x 7).
    assert report["forecast"][0] == pytest.approx(30.25, abs=0.01)


def test_a_flat_product_keeps_naive_and_the_page_says_the_weekly_model_lost(
        db, shop, client, login_as):
    product, bin_a = shop["product"], shop["A"]
    record(Line(MovementKind.RECEIVE, product, 3000, at=days_ago(84, hour=8), to_location=bin_a))
    for back in range(84, 0, -1):
        sell(product, bin_a, back, 3)
    db.session.commit()
    point = point_of(product)
    fc = point.extra["forecast"]
    assert (point.model, fc.candidates["weekly"].kept) == ("naive", False)
    assert fc.candidates["weekly"].mae == fc.candidates["naive"].mae == 0
    assert (point.lead_demand, point.computed_safety, point.reorder_point) == (12, 0, 12)
    login_as("supervisor")
    page = client.get(f"/insight/products/{product.sku}").get_data(as_text=True)
    assert 'data-candidate="weekly" data-kept="no"' in page and "lost its backtest" in page
    assert "the weekly model lost its backtest" in page


# Units a day in each month, January first: a garden centre's year.
MONTHS = (1, 1, 3, 5, 8, 10, 10, 8, 5, 3, 2, 1)


def test_yearly_seasonality_is_pooled_over_a_category_with_14_months(db, shop, make_product):
    """A young product (60 days) in a category whose older product has 14 months of history:
    the category's month index shapes the young one's level, and wins its backtest."""
    bin_a = shop["A"]
    old = make_product("HOSE-1", category="Garden", lead_time_days=10)
    young = make_product("SEED-1", category="Garden", lead_time_days=10)
    for product, days in ((old, 425), (young, 60)):
        record(Line(MovementKind.RECEIVE, product, 9000, at=days_ago(days, hour=8),
                    to_location=bin_a))
        for back in range(days, 0, -1):
            sell(product, bin_a, back, MONTHS[(date.today() - timedelta(days=back)).month - 1])
    db.session.commit()
    point = point_of(young)
    fc = point.extra["forecast"]
    assert point.model == "yearly" and fc.days == 60
    assert fc.candidates["yearly"].kept and not fc.candidates["weekly"].kept
    assert fc.candidates["yearly"].mae < 0.9 * fc.candidates["naive"].mae
    index = fc.yearly
    assert index[5] > 1.5 > 0.5 > index[11]  # June busy, December quiet
    # December goes on at 1 a day, into January at 1 a day: ten days' lead time, about 10.
    assert point.lead_demand == pytest.approx(10, abs=1.5)
    assert point_of(old).model == "yearly"
    # Put in a category of its own, it has no year to pool: at once, whatever was remembered.
    products.update(young, {"category": "Seeds"})
    db.session.commit()
    assert point_of(young).model != "yearly"
    assert "its category needs 12 months" in point_of(young).extra["forecast"].candidates[
        "yearly"].note


def test_the_low_stock_alert_uses_the_reorder_point_the_page_shows(db, weekly, shop, client,
                                                                   login_as):
    point = point_of(weekly)
    available = point.available
    record(Line(MovementKind.PICK, weekly, available - point.reorder_point - 1,
                from_location=shop["A"]))
    db.session.commit()
    assert not db.session.scalars(select(Alert).where(Alert.cleared_at.is_(None))).all()
    record(Line(MovementKind.PICK, weekly, 1, from_location=shop["A"]))
    db.session.commit()
    alert = db.session.scalars(select(Alert).where(Alert.cleared_at.is_(None))).one()
    assert (alert.kind.value, alert.threshold) == ("low_stock", point.reorder_point)
    login_as("supervisor")
    page = client.get(f"/insight/products/{weekly.sku}").get_data(as_text=True)
    assert f"Reorder point: {alert.threshold} " in page
    assert point_of(weekly).reorder_point == alert.threshold


def test_a_hand_set_point_still_wins_over_the_forecast(db, weekly, shop):
    computed = point_of(weekly)
    products.update(weekly, {"reorder_point": 5})
    db.session.commit()
    point = point_of(weekly)
    assert (point.reorder_point, point.source, point.model) == (5, "hand-set", "weekly")
    assert point.computed == pytest.approx(computed.computed)  # still shown beside it
    record(Line(MovementKind.PICK, weekly, point.available - computed.reorder_point,
                from_location=shop["A"]))
    db.session.commit()  # at the computed point, above the hand-set one: no alert
    assert not db.session.scalars(select(Alert).where(Alert.cleared_at.is_(None))).all()


@pytest.mark.parametrize("query, field", [
    ("horizon=0", "horizon"), ("horizon=53", "horizon"), ("horizon=two", "horizon"),
    ("days=6", "days"), ("days=731", "days"), ("days=1.5", "days"), ("limit=abc", "limit")])
def test_the_forecast_reports_bad_parameters_are_refused(db, weekly, client, api_token, query,
                                                         field):
    answer = client.get(f"/api/v1/reports/forecast?{query}", headers=api_token("supervisor"))
    assert answer.status_code == 422 and answer.json["error"]["field"] == field


START = date(2026, 9, 7)  # a Monday


def test_too_little_history_is_the_mean_and_the_standard_deviation():
    fc = forecast.predict([4, 6, 5, 0, 5, 7, 3, 5, 6, 9], START)
    assert (fc.model, fc.holdout, fc.level) == ("naive", 0, 5.0)
    assert fc.error == pytest.approx(math.sqrt(52 / 9))
    assert "too few for a backtest" in fc.verdict


def test_no_demand_forecasts_nothing():
    fc = forecast.predict([0] * 90, START)
    assert (fc.model, fc.level, fc.error, fc.over(7)) == ("naive", 0, 0, 0)
    assert forecast.predict([], START).over(5) == 0


def test_the_weekly_model_needs_eight_weeks():
    seven_weeks = [WEEK[i % 7] for i in range(49)]
    assert forecast.predict(seven_weeks, START).model == "naive"
    assert "needs 8 weeks" in forecast.predict(seven_weeks, START).candidates["weekly"].note
    assert forecast.predict(seven_weeks + list(WEEK), START).model == "weekly"
