"""Page weight: what a phone with an empty cache downloads to open each scanning page.

Every scanning page, served live from the test's app loaded with the demo warehouse, opened in
Debian's Chromium at 390x844 in a fresh browser context: every request the page makes (HTML,
CSS, JS, fonts, icons, the data its scripts fetch) and every fetch of the service worker it
installs, counted as the wire carries them (response headers + body, compressed only if the app
compresses), must stay under 100 KB (100,000 bytes). Bytes only: the times are bench/phones.py's.
"""
import time

import pytest
from flask import g

from tests.phone import log_in, new_page
from tests.support.phone_pages import scan_pages, work_to_do
from warehouse_app.demo import seeding

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
    """The demo warehouse with six open orders and an open count of aisle MAIN-A: the pages
    bench/phones.py measures."""
    g.cli_actor = "demo seed"
    seeding.load()
    order, count = work_to_do()
    db.session.commit()
    with app.test_request_context():
        return scan_pages(order, count)


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
    states = {page.user: signed_in(chromium, live_server.url, page.user) for page in demo}
    weights, heavy = {}, []
    for name, path, scan, user in ((p.name, p.path, p.scan, p.user) for p in demo):
        sizes = downloads(chromium, live_server.url, path, scan, states[user])
        weights[name] = sum(sizes.values())
        assert any(url.startswith("/static/css/") for url in sizes), f"{name}: no CSS counted"
        if weights[name] >= LIMIT:
            heavy.append(f"{name} {path}: {weights[name]:,} bytes\n" + "\n".join(
                f"  {size:>8,}  {url}" for url, size in sorted(sizes.items(), key=lambda i: -i[1])))
    print("\n".join(f"{name:<15}{total:>8,} bytes" for name, total in weights.items()))
    assert not heavy, f"{LIMIT:,} bytes or more on a cold phone:\n" + "\n".join(heavy)
