"""Scan first, whatever has focus: on every scan screen, at 390x844, a keyboard-wedge burst
(a code typed fast, then Enter) typed into any visible field is a scan. It posts exactly once,
the field keeps the value it had, no browser validation bubble stops it, and the scan field
has focus again. A quantity typed first, then a scan, posts that quantity."""
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.phone import PASSWORD, fresh, log_in, new_page, wedge
from warehouse_app.counting import planning
from warehouse_app.ledger.models import Movement
from warehouse_app.locations.models import Location
from warehouse_app.orders import purchasing, reserving

pytestmark = pytest.mark.browser
EAN = "5901234123457"


@pytest.fixture
def site(db, make_user, make_location, make_product, stock):
    """MAIN > Z-A > bins A-01 (20 mugs), B-02; an order for 9 mugs, a PO for 12, a count of A-01."""
    make_user("staff1", "staff", PASSWORD)
    boss = make_user("boss", "supervisor", PASSWORD)
    main = make_location("MAIN", "warehouse")
    zone = make_location("Z-A", "zone", parent=main)
    a01 = make_location("A-01", "bin", parent=zone, sequence=1)
    make_location("B-02", "bin", parent=zone, sequence=2)
    mug = make_product("MUG", name="Blue mug", barcodes=[EAN])
    stock(mug, a01, 20, unit_cost="2.00")
    reserving.place({"reference": "SO-1", "customer": "Ann", "lines": [{"sku": "MUG", "qty": 9}]})
    purchasing.create({"reference": "PO-1", "supplier": "Acme", "warehouse": "MAIN",
                       "lines": [{"sku": "MUG", "qty": 12, "unit_cost": "2.00"}]}, boss)
    reference = planning.open_count({"locations": ["A-01"]}, boss).reference
    db.session.commit()
    return reference


@pytest.fixture
def phone(chromium, live_server):
    """phone(user, path) -> a 390x844 page logged in, showing path with its script running."""
    pages = []

    def open_phone(user: str, path: str):
        page = new_page(chromium, device_scale_factor=1)
        pages.append(page)
        log_in(page, live_server.url, user, path)
        expect(page.locator("[data-js-only]").first).to_be_visible()
        return page

    yield open_phone
    for page in pages:
        page.context.close()


def posts(server, path: str) -> int:
    return sum(1 for r in server.requests if r == f"POST {path}")


def settled(page) -> None:
    """Nothing waits in the phone's outbox."""
    expect(page.locator("#waiting")).to_be_hidden()


def wait_posts(server, page, path: str, expected: int) -> None:
    """The screen sent exactly `expected` posts to path, and nothing more is on its way."""
    deadline = time.monotonic() + 10
    while posts(server, path) < expected and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    settled(page)
    page.wait_for_timeout(200)
    assert posts(server, path) == expected


def inputs(page) -> list[str]:
    """Selectors of the visible inputs other than the scan field, with an id each."""
    return page.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
        .filter(el => el.type !== 'hidden' && el.id !== 'scan' && el.offsetParent !== null)
        .map(el => el.id ? '#' + CSS.escape(el.id)
                         : `input[name="${el.name}"][value="${el.value}"]`)""")


def value_of(page, selector: str):
    return page.eval_on_selector(
        selector, "el => ['checkbox', 'radio'].includes(el.type) ? el.checked : el.value")


def scan_into(page, selector: str, code: str) -> None:
    """Focus a field, let a wedge scanner type a code there: it keeps its value, and the scan
    field has focus again."""
    page.focus(selector)
    before = value_of(page, selector)
    wedge(page, code)
    expect(page.locator("#scan")).to_be_focused()
    assert value_of(page, selector) == before, selector
    assert page.eval_on_selector("#scan", "el => el.value") == ""


def by_hand(page, selector: str, text: str) -> None:
    """A person types into a field: a key every 120 ms, then a pause before the next scan."""
    page.focus(selector)
    page.keyboard.type(text, delay=120)
    page.wait_for_timeout(600)  # then reaches for the scanner


def ledger_qtys(db, kind: str) -> list[int]:
    return fresh(db, lambda: [m.qty for m in db.session.scalars(
        select(Movement).order_by(Movement.id)) if m.kind.value == kind])


def test_receive_takes_a_scan_from_any_field(phone, live_server, db, site):
    page = phone("staff1", "/scan/receive")
    wedge(page, "B-02")
    expect(page.locator("#feedback")).to_have_class("feedback feedback-ok")
    fields = inputs(page)
    assert {"#qty", "#unit_cost"} <= set(fields)
    for n, selector in enumerate(fields, start=1):
        scan_into(page, selector, EAN)
        wait_posts(live_server, page, "/scan/line", n)
    by_hand(page, "#qty", "3")
    wedge(page, EAN)
    wait_posts(live_server, page, "/scan/line", len(fields) + 1)
    expect(page.locator("#scan")).to_be_focused()
    assert ledger_qtys(db, "receive")[-(len(fields) + 1):] == [1] * len(fields) + [3]


def test_move_takes_a_scan_from_any_field(phone, live_server, db, site):
    page = phone("staff1", "/scan/move")
    wedge(page, "A-01")
    fields = inputs(page)
    assert "#qty" in fields
    for n, selector in enumerate(fields, start=1):
        scan_into(page, selector, EAN)
        expect(page.locator("#pending-total")).to_have_text("(1)")
        scan_into(page, selector, "B-02")
        wait_posts(live_server, page, "/scan/line", n)
    by_hand(page, "#qty", "4")
    wedge(page, EAN, "B-02")
    wait_posts(live_server, page, "/scan/line", len(fields) + 1)
    assert ledger_qtys(db, "transfer")[-(len(fields) + 1):] == [1] * len(fields) + [4]


def test_adjust_takes_a_scan_from_any_field(phone, live_server, db, site):
    page = phone("boss", "/scan/adjust")
    wedge(page, "A-01")
    wait_posts(live_server, page, "/scan/resolve", 1)  # the bin's look-up is in before counting
    page.fill("#note", "dropped")
    fields = inputs(page)
    assert {"#qty", "#note"} <= set(fields) and any("reason" in f for f in fields)
    resolved = posts(live_server, "/scan/resolve")
    for n, selector in enumerate(fields, start=1):
        scan_into(page, selector, EAN)
        expect(page.locator("#prompt")).to_contain_text("MUG: A-01 holds 20 × MUG. Pick a reason")
        wait_posts(live_server, page, "/scan/resolve", resolved + n)
    assert posts(live_server, "/scan/line") == 0
    by_hand(page, "#qty", "2")
    wedge(page, EAN)
    expect(page.locator('[data-value-for="product"]')).to_have_text("2 × MUG")
    page.check("input[name=reason][value=damage]")
    page.get_by_role("button", name="Post adjustment").click()
    wait_posts(live_server, page, "/scan/line", 1)
    expect(page.locator("#scan")).to_be_focused()
    assert ledger_qtys(db, "adjust") == [2]


def test_count_takes_a_scan_from_any_field(phone, live_server, db, site):
    page = phone("staff1", f"/counting/{site}")
    wedge(page, "A-01")
    fields = inputs(page)
    assert "#qty" in fields
    path = f"/counting/{site}/scan"
    for n, selector in enumerate(fields, start=1):
        scan_into(page, selector, EAN)
        wait_posts(live_server, page, path, n)
    by_hand(page, "#qty", "5")
    wedge(page, EAN)
    wait_posts(live_server, page, path, len(fields) + 1)
    expect(page.locator("#here")).to_contain_text(str(len(fields) + 5))


def test_pick_takes_a_scan_from_any_field(phone, live_server, db, site):
    page = phone("staff1", "/orders/pick/order/SO-1")
    expect(page.locator("#task-bin")).to_have_text("A-01")
    wedge(page, "A-01")
    fields = inputs(page)
    assert "#qty" in fields
    for n, selector in enumerate(fields, start=1):
        scan_into(page, selector, EAN)
        wait_posts(live_server, page, "/orders/pick/line", n)
    by_hand(page, "#qty", "3")
    wedge(page, EAN)
    wait_posts(live_server, page, "/orders/pick/line", len(fields) + 1)
    assert ledger_qtys(db, "pick") == [1] * len(fields) + [3]


def test_po_receive_takes_a_scan_from_any_field(phone, live_server, db, site):
    page = phone("staff1", "/orders/purchase/PO-1/receive")
    wedge(page, "B-02")
    page.locator("details.lot-fields summary").click()
    fields = inputs(page)
    assert {"#qty", "#lot", "#expiry"} <= set(fields)
    path = "/orders/purchase/PO-1/receive"
    for n, selector in enumerate(fields, start=1):
        scan_into(page, selector, EAN)
        wait_posts(live_server, page, path, n)
    by_hand(page, "#qty", "2")
    wedge(page, EAN)
    wait_posts(live_server, page, path, len(fields) + 1)
    assert ledger_qtys(db, "receive")[-(len(fields) + 1):] == [1] * len(fields) + [2]


def test_a_person_enter_in_the_quantity_field_goes_back_to_the_scan_field(phone, site):
    page = phone("staff1", "/scan/receive")
    by_hand(page, "#qty", "0")
    page.keyboard.press("Enter")
    expect(page.locator("#scan")).to_be_focused()
    assert page.evaluate("document.querySelector('#scan-form').noValidate")
    wedge(page, "B-02", EAN)
    expect(page.locator("#prompt")).to_contain_text("is not a whole number of 1 or more")


def receipt_costs(db) -> list[str]:
    return fresh(db, lambda: [f"{m.unit_cost:.2f}" for m in db.session.scalars(
        select(Movement).order_by(Movement.id)) if m.kind.value == "receive"])


def test_a_typed_cost_is_one_line_and_an_unusual_one_asks_first(phone, live_server, db, site):
    page = phone("staff1", "/scan/receive")
    wedge(page, "B-02")
    by_hand(page, "#unit_cost", "2.5")
    wedge(page, EAN)  # a scan while the cost has focus: the cost goes with it, then is gone
    wait_posts(live_server, page, "/scan/line", 1)
    expect(page.locator("#unit_cost")).to_have_value("")
    wedge(page, EAN)
    wait_posts(live_server, page, "/scan/line", 2)
    by_hand(page, "#unit_cost", "50")
    wedge(page, EAN)
    expect(page.locator("#cost-ask")).to_be_visible()
    expect(page.locator("#feedback")).to_have_class("feedback feedback-warn")
    expect(page.locator("#cost-ask-text")).to_contain_text("far from MUG's average cost")
    assert receipt_costs(db)[1:] == ["2.50", "2.02"]  # the second: at the average
    page.get_by_role("button", name="Yes, post at 50").click()
    wait_posts(live_server, page, "/scan/line", 4)
    expect(page.locator("#scan")).to_be_focused()
    assert receipt_costs(db)[1:] == ["2.50", "2.02", "50.00"]
    by_hand(page, "#unit_cost", "3.5x")
    wedge(page, EAN)
    expect(page.locator("#prompt")).to_contain_text('Unit cost "3.5x" is not a price')
    expect(page.locator("#unit_cost")).to_have_value("3.5x")


@pytest.fixture
def docks(db, make_location, site):
    """DOCK-02 and RET-01, empty, in a goods-in zone of MAIN."""
    main = db.session.scalars(select(Location).where(Location.code == "MAIN")).one()
    zone = make_location("Z-IN", "zone", parent=main)
    make_location("DOCK-02", "bin", parent=zone)
    make_location("RET-01", "bin", parent=zone)
    db.session.commit()


def test_put_away_names_the_bin_in_big_type_and_never_a_dock(phone, db, site, docks):
    page = phone("staff1", "/scan/move")
    wedge(page, "A-01", EAN)
    expect(page.locator("#target")).to_have_text("B-02")
    expect(page.locator("#target")).to_be_in_viewport()
    expect(page.locator("#prompt")).to_contain_text("Put it in B-02")
    assert page.eval_on_selector("#target", "el => parseFloat(getComputedStyle(el).fontSize)") >= 36
    assert "DOCK" not in page.inner_text("#suggest") and "RET" not in page.inner_text("#suggest")


def test_a_storage_bin_scanned_at_a_dock_asks_before_switching(phone, live_server, db, site,
                                                                docks):
    page = phone("staff1", "/scan/receive")
    wedge(page, "DOCK-02", "A-01")
    expect(page.locator("#feedback")).to_have_class("feedback feedback-warn")
    expect(page.locator("#prompt")).to_contain_text("You are receiving at DOCK-02")
    wedge(page, EAN)  # a product: it stays at the dock
    wait_posts(live_server, page, "/scan/line", 1)
    wedge(page, "A-01")
    expect(page.locator("#feedback")).to_have_class("feedback feedback-warn")
    wedge(page, "A-01")  # the same bin again: yes, switch
    expect(page.locator("#prompt")).to_contain_text("Bin A-01. Now scan products.")
    wedge(page, EAN)
    wait_posts(live_server, page, "/scan/line", 2)
    assert fresh(db, lambda: [m.to_location.code for m in db.session.scalars(
        select(Movement).order_by(Movement.id)) if m.kind.value == "receive"])[-2:] == [
        "DOCK-02", "A-01"]


@pytest.mark.parametrize("path", ["/", "/lookup", "/orders/pick"])
def test_a_scan_box_page_takes_a_scan_whatever_has_focus(chromium, live_server, db, site, path):
    """Home, look-up and the pick list: a wedge scan with nothing focused (the home page does
    not put the cursor in its box, so a phone's keyboard stays down), or with a checkbox of the
    pick list focused, goes to the box and is looked up. A person's slow keys are not a scan."""
    page = new_page(chromium, device_scale_factor=1)
    try:
        log_in(page, live_server.url, "staff1", path)
        page.wait_for_load_state("load")
        if path == "/orders/pick":
            page.focus("input[type=checkbox]")
        else:
            page.evaluate("document.activeElement && document.activeElement.blur()")
        if path == "/orders/pick":
            wedge(page, "SO-1")  # the pick list's box takes an order
            page.wait_for_url("**SO-1*")
            expect(page.locator("main")).to_contain_text("SO-1")
            return
        wedge(page, "A-01")
        page.wait_for_url("**/lookup?code=A-01*")
        expect(page.locator("main")).to_contain_text("A-01")
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        page.evaluate("document.activeElement && document.activeElement.blur()")
        page.keyboard.type("A-01", delay=150)  # a person's keys, then Enter: not a scan
        page.keyboard.press("Enter")
        page.wait_for_timeout(500)
        assert "/lookup?code=" not in page.url
    finally:
        page.context.close()
