"""Page weight: what a phone with an empty cache downloads to open each scanning page.

Every scanning page, served live from the test's app loaded with the demo warehouse, opened in
Debian's Chromium at 390x844 in a fresh browser context: every request the page makes (HTML,
CSS, JS, fonts, icons, the data its scripts fetch) and every fetch of the service worker it
installs, counted as the wire carries them (response headers + body, compressed only if the app
compresses), must stay under 100 KB (100,000 bytes). Bytes only: the times are bench/phones.py's.
"""
import time

import pytest
from flask import g, url_for
from sqlalchemy import select

from tests.phone import log_in, new_page
from warehouse_app.auth.models import User
from warehouse_app.catalog.models import Product
from warehouse_app.counting import planning
from warehouse_app.demo import seeding
from warehouse_app.ledger.models import WarehouseStock
from warehouse_app.locations.models import Location
from warehouse_app.orders import reserving

pytestmark = pytest.mark.browser

LIMIT = 100_000
PASSWORDS = {"staff": "staff-demo", "supervisor": "supervisor-demo"}
QUIET = 0.5  # seconds without a request in flight: the page and its worker are done
# Before the page's scripts: keep the promise of any service worker registration they start,
# so the test can wait for that worker's install (its fetches are part of the first visit).
NOTE_REGISTRATION = """
if (window.ServiceWorkerContainer) {
  const register = ServiceWorkerContainer.prototype.register;
  ServiceWorkerContainer.prototype.register = function (...args) {
    window.__registering = register.apply(this, args);
    return window.__registering;
  };
}"""
WORKER_INSTALLED = """async () => {
  if (!window.__registering) return;
  await window.__registering.catch(() => null);
  await navigator.serviceWorker.ready;
}"""


@pytest.fixture
def demo(app, db):
    """The demo warehouse with six open orders and an open count of aisle MAIN-A; the page URLs:
    (name, path, scan field, user)."""
    g.cli_actor = "demo seed"
    seeding.load()
    main = db.session.scalar(select(Location).where(Location.code == "MAIN"))
    skus = db.session.scalars(
        select(Product.sku).join(WarehouseStock, WarehouseStock.product_id == Product.id)
        .where(WarehouseStock.warehouse_id == main.id,
               WarehouseStock.on_hand - WarehouseStock.reserved >= 2)
        .order_by(Product.sku).limit(18)).all()
    for n in range(6):
        reserving.place({"reference": f"SO-{n + 1:05d}", "customer": f"Customer {n + 1}",
                         "warehouse": "MAIN",
                         "lines": [{"sku": s, "qty": 1} for s in skus[n * 3:n * 3 + 3]]})
    boss = db.session.scalar(select(User).where(User.username == "supervisor"))
    count = planning.open_count({"locations": ["MAIN-A"]}, boss)
    db.session.commit()
    with app.test_request_context():
        flow = lambda name: url_for("scanning.flow_page", flow=name)  # noqa: E731
        return [("home", url_for("web.home"), "#scan-code", "staff"),
                ("look-up", url_for("web.lookup"), "#scan-code", "staff"),
                ("receive", flow("receive"), "#scan", "staff"),
                ("move/put-away", flow("move"), "#scan", "staff"),
                ("pick list", url_for("orders.pick"), "#scan-code", "staff"),
                ("pick order", url_for("orders.pick_order", reference="SO-00001"), "#scan",
                 "staff"),
                ("count", url_for("counting.count_page", reference=count.reference), "#scan",
                 "staff"),
                ("return", flow("return"), "#scan", "staff"),
                ("adjust", flow("adjust"), "#scan", "supervisor"),  # staff may not adjust
                ("labels", url_for("labels.index"), "#products-sku", "staff")]


def signed_in(chromium, base_url: str, user: str) -> dict:
    """The cookies of a real login, made in a context thrown away so the caches stay cold."""
    page = log_in(new_page(chromium), base_url, user, "/", PASSWORDS[user])
    state = page.context.storage_state()
    page.context.close()
    return state


def downloads(chromium, base_url: str, path: str, scan: str, state: dict) -> dict[str, int]:
    """Bytes on the wire per URL when a cold phone opens path (its worker's fetches marked)."""
    page = new_page(chromium, storage_state=state)
    page.context.add_init_script(NOTE_REGISTRATION)
    sizes: dict[str, int] = {}
    inflight, last = set(), [time.monotonic()]

    def started(request):
        inflight.add(request)
        last[0] = time.monotonic()

    def finished(request):
        key = request.url.removeprefix(base_url) + (" (worker)" if request.service_worker else "")
        got = request.sizes()  # the two parts of Chromium's encodedDataLength
        sizes[key] = (sizes.get(key, 0) + got["responseHeadersSize"]
                      + max(0, got["responseBodySize"]))
        inflight.discard(request)
        last[0] = time.monotonic()

    page.context.on("request", started)
    page.context.on("requestfinished", finished)
    page.context.on("requestfailed", lambda r: inflight.discard(r))
    response = page.goto(base_url + path)
    assert (response.status, page.url) == (200, base_url + path), f"{path} did not open"
    page.locator(scan).wait_for(state="visible")
    page.evaluate(WORKER_INSTALLED)
    deadline = time.monotonic() + 30
    while inflight or time.monotonic() - last[0] < QUIET:
        assert time.monotonic() < deadline, f"{path}: still fetching {sorted(map(str, inflight))}"
        page.wait_for_timeout(100)
    page.context.close()
    return sizes


def test_each_scanning_page_downloads_under_100_kb_on_a_cold_phone(chromium, live_server, demo):
    states = {user: signed_in(chromium, live_server.url, user) for *_, user in demo}
    weights, heavy = {}, []
    for name, path, scan, user in demo:
        sizes = downloads(chromium, live_server.url, path, scan, states[user])
        weights[name] = sum(sizes.values())
        assert any(url.startswith("/static/css/") for url in sizes), f"{name}: no CSS counted"
        if weights[name] >= LIMIT:
            heavy.append(f"{name} {path}: {weights[name]:,} bytes\n" + "\n".join(
                f"  {size:>8,}  {url}" for url, size in sorted(sizes.items(), key=lambda i: -i[1])))
    print("\n".join(f"{name:<15}{total:>8,} bytes" for name, total in weights.items()))
    assert not heavy, f"{LIMIT:,} bytes or more on a cold phone:\n" + "\n".join(heavy)
