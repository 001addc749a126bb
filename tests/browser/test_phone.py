"""A phone-sized Chromium against a real server: log in, scan, see stock, no sideways scroll."""
import pytest

from tests.phone import ARTIFACTS, fits, new_page, small_targets

pytestmark = pytest.mark.browser
EAN = "4006381333931"


@pytest.fixture
def server(live_server):
    return live_server.url


@pytest.fixture
def phone(chromium, server):
    """A 390x844 touch phone page."""
    page = new_page(chromium, device_scale_factor=1)
    yield page
    page.context.close()


@pytest.fixture
def warehouse(db, make_user, make_product, make_location, stock):
    """An admin and one product with stock in two bins."""
    make_user("sup", "admin", "password123")
    product = make_product("TEE-M-BLUE-ORGANIC",
                           barcodes=[EAN, {"code": "CASE-TEE-M", "pack_size": 12}],
                           name="Organic cotton T-shirt, medium, ocean blue (long name)",
                           category="Apparel > T-shirts", tracking="lot")
    zone = make_location("ZONE-A", "zone")
    stock(product, make_location("A-01-01", parent=zone), 5, lot="LOT-2027-03")
    stock(product, make_location("A-01-02", parent=zone), 2, lot="LOT-2027-04")
    db.session.commit()
    return product


def snap(page, name: str, engine: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{engine}.png"), full_page=True)


def test_phone_logs_in_looks_up_by_barcode_and_never_scrolls_sideways(phone, server,
                                                                      warehouse, engine_name):
    page = phone
    page.goto(f"{server}/login")
    assert fits(page), "login"
    snap(page, "login", engine_name)
    page.fill("#f-username", "sup")
    page.fill("#f-password", "password123")
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/")
    assert page.is_visible("text=Products")
    assert fits(page), "home"
    snap(page, "home", engine_name)

    page.goto(f"{server}/lookup")
    assert page.evaluate("document.activeElement.id") == "scan-code"
    page.keyboard.type(EAN)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/lookup?code={EAN}")
    assert page.inner_text(".figures").split() == ["On", "hand", "7", "Reserved", "0",
                                                   "Available", "7"]
    assert page.is_visible("text=A-01-01") and page.is_visible("text=lot LOT-2027-03")
    assert fits(page), "lookup"
    snap(page, "lookup", engine_name)

    for name, path in [("products", "/products/"), ("product-edit", f"/products/{warehouse.id}"),
                       ("locations", "/locations/"), ("import", "/products/import"),
                       ("audit", "/audit/"), ("lookup-bin", "/lookup?code=ZONE-A"),
                       ("users", "/users/"), ("location-new", "/locations/new?parent=ZONE-A")]:
        page.goto(f"{server}{path}")
        assert fits(page), name
        assert small_targets(page) == [], name
        snap(page, name, engine_name)
    page.set_viewport_size({"width": 360, "height": 740})
    for path in ("/", "/lookup?code=TEE-M-BLUE-ORGANIC", "/products/", "/products/import"):
        page.goto(f"{server}{path}")
        assert fits(page), f"{path} at 360 px"


def test_phone_scan_of_unknown_code_keeps_the_field_ready(phone, server, warehouse,
                                                         engine_name):
    page = phone
    page.goto(f"{server}/login?next=/lookup")
    page.fill("#f-username", "sup")
    page.fill("#f-password", "password123")
    page.click("button[type=submit]")
    page.wait_for_url("**/lookup")
    page.keyboard.type("NO-SUCH-CODE")
    page.keyboard.press("Enter")
    page.wait_for_url("**/lookup?code=NO-SUCH-CODE")
    assert page.is_visible("text=Nothing found")
    assert page.evaluate("document.activeElement.id") == "scan-code"
    assert page.evaluate("document.activeElement.selectionEnd") == len("NO-SUCH-CODE")
    assert fits(page)
    snap(page, "lookup-missing", engine_name)
