"""The central view: warehouses side by side, filters, and the live feed behind it."""
import json
from contextlib import contextmanager

import pytest

from warehouse_app.insight import central


@pytest.fixture
def spread(shop, move, make_product):
    """TEE-1 in both warehouses, MUG-1 only in WH2."""
    mug = make_product("MUG-1", name="Mug", category="Kitchen")
    move("receive", shop["product"], 7, to_location=shop["A"], unit_cost="2.00")
    move("receive", shop["product"], 5, to_location=shop["B"], unit_cost="2.00")
    move("receive", mug, 3, to_location=shop["B"], unit_cost="4.00")
    return shop["product"], mug


def test_every_warehouse_side_by_side_with_totals(db, spread, shop):
    view = central.build(central.Filters())
    assert [w.code for w in view.warehouses] == ["WH1", "WH2"]
    tee = next(r for r in view.rows if r["sku"] == "TEE-1")
    assert tee["cells"][shop["wh1"].id]["on_hand"] == 7 and tee["on_hand"] == 12
    assert view.totals[shop["wh2"].id] == {"on_hand": 8, "available": 8, "value": 22.0,
                                           "products": 2}


def test_filters_by_search_category_and_warehouse(db, spread, shop):
    assert [r["sku"] for r in central.build(central.Filters(q="mug")).rows] == ["MUG-1"]
    kitchen = next(cid for cid, path in central.categories() if path == "Kitchen")
    assert [r["sku"] for r in central.build(central.Filters(category=kitchen)).rows] == ["MUG-1"]
    only = central.build(central.Filters(warehouse=shop["wh1"].id))
    assert [r["sku"] for r in only.rows] == ["TEE-1"] and len(only.warehouses) == 1


def test_the_page_carries_the_live_feed_url_and_stays_light(db, spread, client, supervisor):
    page = client.get("/insight/?q=tee")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and len(page.data) < 100_000
    assert 'data-events="/insight/events?since=' in text and "js/insight.js" in text
    assert "<script>" not in text and "MUG-1" not in text


def events(body: str) -> list[tuple[str, dict]]:
    found = []
    for block in body.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines()
                     if ": " in line and not line.startswith(":"))
        if "event" in lines:
            found.append((lines["event"], json.loads(lines["data"])))
    return found


def test_the_feed_sends_the_balances_of_products_moved_since_the_last_event(
        db, app, spread, shop, move, client, supervisor):
    app.config["INSIGHT_SSE_SECONDS"] = 0.3
    since = central.latest_movement()
    move("pick", shop["product"], 2, from_location=shop["A"])
    response = client.get("/insight/events", headers={"Last-Event-ID": str(since)})
    assert response.mimetype == "text/event-stream"
    body = response.get_data(as_text=True)
    assert body.startswith("retry: 2000")
    (name, data), = events(body)
    tee = next(p for p in data["products"] if p["id"] == shop["product"].id)
    assert name == "stock" and tee["on_hand"] == 10
    assert tee["cells"][str(shop["wh1"].id)] == {"on_hand": 5, "available": 5}
    assert f"id: {central.latest_movement()}" in body


def test_a_quiet_feed_ends_so_that_the_browser_reconnects(db, app, spread, client, supervisor):
    app.config["INSIGHT_SSE_SECONDS"] = 0.3
    latest = central.latest_movement()
    body = client.get(f"/insight/events?since={latest}").get_data(as_text=True)
    assert body == "retry: 2000\n\n"


def test_a_viewer_back_after_many_movements_is_told_to_reload(db, app, spread, client,
                                                              supervisor, monkeypatch):
    from warehouse_app.insight import live
    monkeypatch.setattr(live, "MAX_GAP", 2)
    app.config["INSIGHT_SSE_SECONDS"] = 0.3
    body = client.get("/insight/events?since=0").get_data(as_text=True)
    assert [name for name, _ in events(body)] == ["reload"]


class Clock:
    """live's clock, moved on by its waits only: how long a stream lasted is what it waited."""

    def __init__(self):
        self.now, self.waits = 100.0, []

    def monotonic(self) -> float:
        return self.now

    def wait(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds

    @contextmanager
    def waiter(self):
        yield self.wait


@pytest.mark.fresh_app  # the process's stream slots are counted once, at its first stream
def test_a_viewer_beyond_the_workers_long_streams_gets_the_changes_at_once(
        db, app, spread, shop, move, client, supervisor, monkeypatch):
    """Each long stream holds a server thread. With every slot taken (INSIGHT_SSE_STREAMS), a
    viewer gets what changed since its last event straight away, and its browser comes back
    after `retry:` instead of holding one more thread."""
    from warehouse_app.insight import live
    clock = Clock()
    monkeypatch.setattr(live, "time", clock)
    monkeypatch.setattr(live, "waiter", clock.waiter)
    app.config.update(INSIGHT_SSE_STREAMS=1, INSIGHT_SSE_SECONDS=30)
    since = central.latest_movement()
    move("pick", shop["product"], 2, from_location=shop["A"])
    slots = live._long_streams()
    assert slots.acquire(blocking=False)  # another viewer's long stream
    try:
        body = client.get("/insight/events",
                          headers={"Last-Event-ID": str(since)}).get_data(as_text=True)
        assert clock.waits == []  # not the 30 s of a long stream: it never waited
    finally:
        slots.release()
    assert body.startswith("retry: 2000")
    (name, data), = events(body)
    assert name == "stock" and shop["product"].id in [p["id"] for p in data["products"]]
    app.config["INSIGHT_SSE_SECONDS"] = 0.3  # the slot is free again: a long (0.3 s) stream
    assert client.get("/insight/events").get_data(as_text=True) == "retry: 2000\n\n"
    assert sum(clock.waits) == pytest.approx(0.3)  # it waited out its time
    assert slots.acquire(blocking=False)  # ...which gave its slot back when it ended
    slots.release()
