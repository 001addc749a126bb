"""A phone-sized Chromium on the central view sees a movement posted elsewhere, live."""
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

pytestmark = pytest.mark.browser
from playwright import sync_api  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def server(app):
    """The app served on a free localhost port from background threads."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: run `make test`, which installs it")
    app.config["INSIGHT_SSE_SECONDS"] = 5  # short streams: the reconnect is exercised too
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    thread.join(5)


@pytest.fixture
def phone(server):
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                      has_touch=True, device_scale_factor=1)
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        context.close()
        browser.close()


def test_the_central_view_updates_live_when_a_movement_posts(phone, server, db, shop, move,
                                                             make_user, engine_name):
    make_user("boss", "supervisor", "password123")
    product, bin_a = shop["product"], shop["A"]
    move("receive", product, 9, to_location=bin_a, unit_cost="2.00")
    page = phone
    page.goto(f"{server}/login?next=/insight/")
    page.fill("#f-username", "boss")
    page.fill("#f-password", "password123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/insight/")
    cell = page.locator(f'tr[data-product="{product.id}"] td[data-wh="{shop["wh1"].id}"] b')
    assert cell.inner_text() == "9"
    page.wait_for_selector("[data-live-status].live-on")
    page.wait_for_timeout(6000)  # past the first stream's end: the update arrives after a reconnect
    move("pick", product, 4, from_location=bin_a)
    page.wait_for_function(
        "sel => document.querySelector(sel)?.textContent === '5'",
        arg=f'tr[data-product="{product.id}"] td[data-wh="{shop["wh1"].id}"] b')
    assert page.locator(f'tr[data-product="{product.id}"]').get_attribute("class") == "changed"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"insight-central-live-{engine_name}.png"),
                    full_page=True)
