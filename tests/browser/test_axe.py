"""axe-core (vendored from npm, tests/browser/vendor) on every page at phone size: no serious or
critical accessibility violation (with an open alert: the top bar shows its count)."""
from pathlib import Path

import pytest

from tests.phone import log_in, new_page

pytestmark = pytest.mark.browser
AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
PAGES = ["/", "/lookup", "/lookup?code=MUG", "/scan/receive", "/scan/move", "/scan/return",
         "/scan/adjust", "/scan/reports", "/orders/", "/orders/new", "/orders/pick",
         "/orders/pick/order/SO-1", "/orders/SO-1", "/orders/purchase/",
         "/orders/purchase/new", "/orders/purchase/PO-1", "/orders/purchase/PO-1/receive",
         "/counting/", "/products/", "/locations/", "/labels/", "/audit/", "/users/",
         "/insight/alerts", "/products/new", "/locations/new", "/account"]


@pytest.fixture
def work(db, make_user, make_location, make_product, stock):
    from warehouse_app.orders import purchasing, reserving
    make_user("root", "admin", "password123")
    main = make_location("MAIN", "warehouse")
    a01 = make_location("A-01", "bin", parent=make_location("Z-A", "zone", parent=main))
    mug = make_product("MUG", name="Blue mug", barcodes=["5901234123457"])
    stock(mug, a01, 20, unit_cost="2.00")
    stock(make_product("TEA", name="Green tea", reorder_point=10), a01, 5, unit_cost="1.00")
    reserving.place({"reference": "SO-1", "customer": "Ann", "lines": [{"sku": "MUG", "qty": 2}]})
    purchasing.create({"reference": "PO-1", "supplier": "Acme", "warehouse": "MAIN",
                       "lines": [{"sku": "MUG", "qty": 5, "unit_cost": "2.00"}]})
    db.session.commit()


def violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']}))
        .violations.filter(v => ['serious', 'critical'].includes(v.impact))
        .map(v => `${v.id}: ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')}`)""")
    headings = page.evaluate("document.querySelectorAll('h1').length")
    return found + ([] if headings == 1 else [f"{headings} h1 headings, not one"])


def test_no_serious_or_critical_violation_on_any_page(chromium, live_server, work):
    page = new_page(chromium, device_scale_factor=1, bypass_csp=True)  # axe is injected inline
    page.goto(f"{live_server.url}/login")
    found = {"/login": violations(page)}
    log_in(page, live_server.url, "root", "/")
    for path in PAGES:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        found[path] = violations(page)
        assert page.locator("[data-unread-alerts='1']").count() == 1, path
    page.context.close()
    assert {path: v for path, v in found.items() if v} == {}
