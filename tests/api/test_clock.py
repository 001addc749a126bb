"""A web store's hold lapses on its minute whatever the day: across midnight, a month's and a
year's end (the clock stopped at each with time-machine)."""
from datetime import timedelta

import pytest

from tests.orders import conftest as orders_conftest
from tests.support.clock import moments

ORDERS = "/api/v1/orders"
site = orders_conftest.site


@moments()
def test_a_hold_lapses_after_its_minutes_and_not_a_second_before(client, db, site, staff, runner,
                                                                 time_machine, moment):
    site.stock(site.p.tee, site.bins.nb1, 2)
    placed_at = moment - timedelta(minutes=10)  # the hold ends five minutes after the moment
    time_machine.move_to(placed_at, tick=False)
    held = client.post(ORDERS, headers=staff, json={
        "reference": "WEB-1", "hold": True, "hold_minutes": 15,
        "lines": [{"sku": "TEE", "qty": 2}]})
    assert held.status_code == 201, held.json
    time_machine.move_to(placed_at + timedelta(minutes=15) - timedelta(seconds=1), tick=False)
    assert runner.invoke(args=["orders", "release-holds"]).output.startswith("0 expired")
    refused = client.post(ORDERS, headers=staff, json={
        "reference": "SHOP-1", "lines": [{"sku": "TEE", "qty": 2}]})
    assert refused.status_code == 409  # still held
    time_machine.move_to(placed_at + timedelta(minutes=15), tick=False)
    result = runner.invoke(args=["orders", "release-holds"])
    assert result.output.startswith("1 expired hold(s) released: WEB-1")
    assert client.get(f"{ORDERS}/WEB-1", headers=staff).json["status"] == "cancelled"


@pytest.mark.parametrize("minutes", [1, 60 * 24])
def test_a_hold_placed_before_midnight_lapses_after_it(client, db, site, staff, runner,
                                                       time_machine, minutes):
    from tests.support.clock import utc
    site.stock(site.p.tee, site.bins.nb1, 2)
    time_machine.move_to(utc(2026, 12, 31, 23, 59, 30), tick=False)
    client.post(ORDERS, headers=staff, json={"reference": "WEB-1", "hold": True,
                                             "hold_minutes": minutes,
                                             "lines": [{"sku": "TEE", "qty": 2}]})
    time_machine.move_to(utc(2027, 1, 1, 0, 0, 0) + timedelta(minutes=minutes - 1), tick=False)
    assert runner.invoke(args=["orders", "release-holds"]).output.startswith("0 expired")
    time_machine.move_to(utc(2027, 1, 1, 0, 0, 0) + timedelta(minutes=minutes), tick=False)
    assert runner.invoke(args=["orders", "release-holds"]).output.startswith("1 expired")
