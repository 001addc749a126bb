"""Insight read at fixed moments: every weekday, month and year ends, either side of midnight
UTC. Weekly series are whole Monday weeks that leave out the running week; an expiry, a dead
product and a valuation as of a day change at midnight UTC and nowhere else."""
from datetime import UTC, datetime, time, timedelta

import pytest

from tests.support.clock import moments, monday_of
from warehouse_app.insight import series


def at(day, hour=12, minute=0, second=0) -> datetime:
    return datetime.combine(day, time(hour, minute, second), UTC)


def _daily_picks(move, p, a, today):
    """A pick on each of the 40 days before today (qty = days back, hours 00:00 to 23:59) and
    two in the running day; returns (day, qty) of each."""
    move("receive", p, 100_000, at(today - timedelta(days=60)), to_location=a, unit_cost="1")
    posted = []
    for back in range(1, 41):
        day = today - timedelta(days=back)
        when = at(day, 0, 0, 0) if back % 2 else at(day, 23, 59, 59)
        move("pick", p, back, when, from_location=a)
        posted.append((day, back))
    move("pick", p, 1000, at(today, 0, 0, 0), from_location=a)
    return posted


@moments()
def test_weekly_demand_is_whole_monday_weeks_without_the_running_one(db, shop, move,
                                                                     time_machine, moment):
    time_machine.move_to(moment, tick=False)
    today = moment.date()
    p, a = shop["product"], shop["A"]
    posted = _daily_picks(move, p, a, today)
    starts, weekly = series.weekly([p.id], 5)
    assert series.this_monday() == monday_of(today)
    assert [s.weekday() for s in starts] == [0] * 5
    assert starts[-1] == monday_of(today) - timedelta(weeks=1)  # the running week is left out
    expected = [sum(q for day, q in posted if monday_of(day) == start) for start in starts]
    assert weekly[p.id] == expected
    # The ranking reads the same whole weeks.
    assert [row[1] for row in series.top_products(5)] == ["TEE-1"]


def test_a_weekly_series_is_the_same_all_week_and_moves_on_at_monday_midnight(db, shop, move,
                                                                              time_machine):
    monday = datetime(2026, 12, 28, tzinfo=UTC).date()  # its week spans the new year
    time_machine.move_to(at(monday, 0, 0, 0), tick=False)
    p, a = shop["product"], shop["A"]
    _daily_picks(move, p, a, monday + timedelta(days=6))
    seen = set()
    for day in range(7):
        for clock in ((0, 0, 0), (12, 0, 0), (23, 59, 59)):
            time_machine.move_to(at(monday + timedelta(days=day), *clock), tick=False)
            starts, weekly = series.weekly([p.id], 6)
            seen.add((tuple(starts), tuple(weekly[p.id])))
    assert len(seen) == 1
    time_machine.move_to(at(monday + timedelta(days=7), 0, 0, 0), tick=False)
    starts, weekly = series.weekly([p.id], 6)
    assert starts[-1] == monday  # the finished week joins the series at Monday 00:00 UTC


def open_alerts(client, headers, kind):
    found = client.get(f"/api/v1/alerts?kind={kind}", headers=headers("supervisor")).json
    return [a["message"] for a in found["items"]]


@moments()
def test_a_lot_expires_at_midnight_utc(db, shop, make_product, stock, runner, client, headers,
                                       time_machine, moment):
    honey = make_product("HONEY", tracking="lot")
    expiry = moment.date() + timedelta(days=1)
    time_machine.move_to(moment, tick=False)
    stock(honey, shop["A"], 4, lot="L1", expiry=expiry)
    assert runner.invoke(args=["insight", "sweep"]).exit_code == 0
    assert any("expires in 1 days" in m for m in open_alerts(client, headers, "expiring"))
    time_machine.move_to(at(expiry, 0, 0, 0) - timedelta(seconds=1), tick=False)
    assert runner.invoke(args=["insight", "sweep"]).exit_code == 0
    assert any("expires in 1 days" in m for m in open_alerts(client, headers, "expiring"))
    time_machine.move_to(at(expiry, 0, 0, 0), tick=False)
    assert runner.invoke(args=["insight", "sweep"]).exit_code == 0
    assert any("expires in 0 days" in m for m in open_alerts(client, headers, "expiring"))
    time_machine.move_to(at(expiry + timedelta(days=1), 0, 0, 1), tick=False)
    assert runner.invoke(args=["insight", "sweep"]).exit_code == 0
    assert any("expired 1 days ago" in m for m in open_alerts(client, headers, "expiring"))


@moments()
def test_stock_turns_dead_at_the_midnight_its_last_sale_is_days_old(db, shop, move, runner,
                                                                    client, headers, app,
                                                                    time_machine, moment):
    days = app.config.setdefault("INSIGHT_DEAD_DAYS", 90)
    p, a = shop["product"], shop["A"]
    today = moment.date()
    time_machine.move_to(moment, tick=False)
    move("receive", p, 10, at(today - timedelta(days=days + 30)), to_location=a, unit_cost="1")
    last_sale = at(today - timedelta(days=days), 0, 0, 0)  # the first second of the cut-off day
    move("pick", p, 1, last_sale, from_location=a)
    assert runner.invoke(args=["insight", "sweep"]).exit_code == 0
    assert open_alerts(client, headers, "dead_stock") == []
    time_machine.move_to(at(today + timedelta(days=1), 0, 0, 0) - timedelta(seconds=1),
                         tick=False)
    assert runner.invoke(args=["insight", "sweep"]).exit_code == 0
    assert open_alerts(client, headers, "dead_stock") == []
    time_machine.move_to(at(today + timedelta(days=1), 0, 0, 0), tick=False)
    assert runner.invoke(args=["insight", "sweep"]).exit_code == 0
    assert len(open_alerts(client, headers, "dead_stock")) == 1


@moments()
def test_valuation_as_of_yesterday_ends_at_midnight_utc(db, shop, move, client, headers,
                                                        time_machine, moment):
    p, a = shop["product"], shop["A"]
    today = moment.date()
    yesterday = today - timedelta(days=1)
    time_machine.move_to(moment, tick=False)
    move("receive", p, 10, at(yesterday, 0, 0, 0), to_location=a, unit_cost="2.00")
    move("receive", p, 10, at(yesterday, 23, 59, 59), to_location=a, unit_cost="4.00")
    move("receive", p, 100, at(today, 0, 0, 0), to_location=a, unit_cost="9.00")
    token = headers("supervisor")

    def valuation(**args):
        answer = client.get("/api/v1/reports/valuation", query_string=args, headers=token)
        assert answer.status_code == 200, answer.json
        return answer.json["totals"]

    assert valuation(as_of=yesterday.isoformat()) == {"units": 20, "value": 60.0,
                                                      "in_transit_units": 0,
                                                      "in_transit_value": 0}
    assert valuation(as_of=(yesterday - timedelta(days=1)).isoformat()) == {
        "units": 0, "value": 0, "in_transit_units": 0, "in_transit_value": 0}
    assert valuation(as_of=today.isoformat())["units"] == 120 == valuation()["units"]


@pytest.mark.parametrize("hour", [0, 12, 23])
def test_the_product_page_charts_the_same_days_as_the_report(db, shop, move, client, login_as,
                                                             headers, time_machine, hour):
    thursday = datetime(2026, 12, 10, tzinfo=UTC).date()
    time_machine.move_to(at(thursday, hour), tick=False)
    p, a = shop["product"], shop["A"]
    _daily_picks(move, p, a, thursday)
    report = client.get("/api/v1/reports/forecast?sku=TEE-1",
                        headers=headers("supervisor")).json["items"][0]
    start, daily = series.daily([p.id], 90)[p.id]
    # From the receipt 60 days back to yesterday: the running day is left out.
    assert report["days"] == len(daily) == 60 and start == thursday - timedelta(days=60)
    assert daily[-1] == 1 and daily[-40] == 40
    login_as("supervisor")
    page = client.get(f"/insight/products/{p.sku}").get_data(as_text=True)
    # The chart's axis runs from the first day of history to the forecast's last (28 days on,
    # from today: the running day is the forecast's first).
    first, last = start, thursday + timedelta(days=27)
    assert page.index(first.strftime("%d %b")) < page.index(last.strftime("%d %b"))
