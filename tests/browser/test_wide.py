"""Supervisor pages use a wide screen's width at 1366 px, and stay a phone's page at 390 px."""
import pytest

from tests.phone import log_in, new_page

pytestmark = pytest.mark.browser
DESKTOP = {"viewport": {"width": 1366, "height": 768}, "is_mobile": False, "has_touch": False,
           "device_scale_factor": 1}
PHONE = {"viewport": {"width": 390, "height": 844}}
CONTENT_WIDTH = """() => {
    const main = document.querySelector('main'), style = getComputedStyle(main);
    return main.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
}"""
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def desk_pages(db, make_user, make_location, make_product, stock):
    """Something on every supervisor page: a low-stock alert, an order, a PO, a count waiting
    for approval; the pages' paths."""
    from warehouse_app.counting import approval, counting, planning
    from warehouse_app.orders import purchasing, reserving
    boss = make_user("boss", "supervisor", "password123")
    staff = make_user("picker", "staff", "password123")
    main = make_location("MAIN", "warehouse")
    a01 = make_location("A-01-01", "bin", parent=make_location("Z-A", "zone", parent=main))
    mug = make_product("MUG-BLUE-350", name="Blue stoneware mug 350 ml",
                       barcodes=["5901234123457"], reorder_point=50)
    stock(mug, a01, 20, unit_cost="2.00")
    reserving.place({"reference": "SO-1", "customer": "Ann", "lines": [{"sku": mug.sku,
                                                                         "qty": 2}]})
    purchasing.create({"reference": "PO-1", "supplier": "Acme", "warehouse": "MAIN",
                       "lines": [{"sku": mug.sku, "qty": 5, "unit_cost": "2.00"}]})
    count = planning.open_count({"locations": ["A-01-01"]}, boss)
    counting.set_counted(count, {"location": "A-01-01", "sku": mug.sku, "counted_qty": 15},
                         staff)
    approval.submit(count, staff)
    review = f"/counting/{count.reference}/review"
    db.session.commit()
    return ["/insight/alerts", "/insight/reorder", "/insight/reports/",
            "/insight/reports/valuation", "/counting/approvals",
            review, "/orders/purchase/",
            "/orders/purchase/PO-1", "/audit/", "/insight/products/MUG-BLUE-350"]


def measure(browser, base_url: str, paths: list[str], size: dict) -> dict[str, tuple]:
    """(content width of main, horizontal overflow in px) of each page at a screen size."""
    page = new_page(browser, **size)
    log_in(page, base_url, "boss", "/")
    found = {}
    for path in paths:
        assert page.goto(f"{base_url}{path}").status == 200, path
        found[path] = (page.evaluate(CONTENT_WIDTH), page.evaluate(OVERFLOW))
    page.context.close()
    return found


def test_supervisor_pages_use_a_wide_screen_and_fit_a_phone(chromium, live_server, desk_pages):
    wide = measure(chromium, live_server.url, desk_pages, DESKTOP)
    assert {path: width for path, (width, _) in wide.items() if width <= 1000} == {}
    assert {path: over for path, (_, over) in wide.items() if over > 0} == {}
    phone = measure(chromium, live_server.url, desk_pages + ["/"], PHONE)
    assert {path: over for path, (_, over) in phone.items() if over > 0} == {}
    assert all(width < 390 for width, _ in phone.values())


def test_a_phone_page_keeps_its_phone_width_on_a_wide_screen(chromium, live_server,
                                                            desk_pages):
    width, _ = measure(chromium, live_server.url, ["/"], DESKTOP)["/"]
    assert width < 1000  # main keeps its 46rem: the floor screens are not stretched
