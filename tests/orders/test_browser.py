"""Picking a wave and receiving a PO on a phone: a real Chromium at 390x844 against a live
server on the test's own database, on SQLite and PostgreSQL. What the phone did is checked in
the ledger, the order lines and warehouse_stock."""
import re
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from sqlalchemy import func, select
from werkzeug.serving import make_server

from tests.orders.conftest import assert_books_agree
from warehouse_app.counting.models import CountRequest
from warehouse_app.ledger.models import Movement, WarehouseStock
from warehouse_app.orders import purchasing, reserving
from warehouse_app.orders.models import Discrepancy, Order, OrderStatus, PickShortage

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "password123"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Debian's chromium is missing at {CHROMIUM}: `make test` installs it "
                    "(never `playwright install`).", pytrace=False)
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def server(app):
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


@pytest.fixture
def phone(browser, server, make_user):
    """phone(path) -> a 390x844 touch page logged in as a staff picker, showing path."""
    make_user("picker", "staff", PASSWORD)
    contexts = []

    def open_phone(path: str):
        context = browser.new_context(**PHONE)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on("pageerror", lambda e: print(f"page error: {e}"))
        page.on("console", lambda m: print(f"console {m.type}: {m.text}"))
        page.goto(f"{server}/login?next={path}")
        page.fill("#f-username", "picker")
        page.fill("#f-password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"**{path}")
        return page

    yield open_phone
    for context in contexts:
        context.close()


def fresh(db, query):
    """A read in its own short transaction (the live server writes from other threads)."""
    db.session.rollback()
    try:
        return query()
    finally:
        db.session.rollback()


def movement_count(db) -> int:
    return fresh(db, lambda: db.session.scalar(select(func.count(Movement.id))))


def wedge(page, *codes: str) -> None:
    """A keyboard-wedge scanner: the code typed fast, then Enter."""
    for code in codes:
        page.keyboard.type(code)
        page.keyboard.press("Enter")


def feedback(page, kind: str, text: str) -> None:
    expect(page.locator("#feedback")).to_have_class(re.compile(rf"\bfeedback-{kind}\b"))
    expect(page.locator("#prompt")).to_contain_text(text)


def snap(page, name: str, engine: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"orders-{name}-{engine}.png"), full_page=True)


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def small_targets(page) -> list[str]:
    """Visible buttons and fields shorter than 48 CSS pixels."""
    return page.evaluate("""() => [...document.querySelectorAll(
        'button, a.btn, select, textarea, summary,'
        + 'input:not([type=hidden]):not([type=radio]):not([type=checkbox])')]
        .filter(el => el.offsetParent !== null && el.getClientRects().length)
        .filter(el => el.getBoundingClientRect().height < 47.5)
        .map(el => `${el.getBoundingClientRect().height | 0}px ${el.outerHTML.slice(0, 90)}`)""")


@pytest.fixture
def three_orders(db, site):
    """N-B-1 holds 3 mugs on the books (1 really) and 2 caps; N-A-2 4 tees; N-A-1 5 mugs."""
    b, p = site.bins, site.p
    site.stock(p.mug, b.nb1, 3)
    site.stock(p.cap, b.nb1, 2)
    site.stock(p.tee, b.na2, 4)
    site.stock(p.mug, b.na1, 5)
    for reference, lines in (("SO-1", [("MUG", 2)]), ("SO-2", [("TEE", 1), ("CAP", 1)]),
                             ("SO-3", [("MUG", 1), ("TEE", 2)])):
        reserving.place({"reference": reference, "customer": f"Customer {reference}",
                         "lines": [{"sku": s, "qty": q} for s, q in lines]})
    db.session.commit()
    return site


def test_a_wave_of_three_orders_picked_on_a_phone(phone, db, three_orders, engine_name):
    page = phone("/orders/pick")
    assert fits(page) and small_targets(page) == []
    for reference in ("SO-1", "SO-2", "SO-3"):
        page.locator(f"input[name=order][value={reference}]").check()
    snap(page, "wave-choose", engine_name)
    page.get_by_role("button", name="Start wave with ticked orders").tap()
    page.wait_for_url(re.compile(r".*/orders/pick/wave/W\d+$"))
    expect(page.locator("#task-bin")).to_have_text("N-B-1")
    expect(page.locator("#tasks li")).to_have_count(5)
    feedback(page, "idle", "Go to bin N-B-1")
    assert fits(page) and small_targets(page) == []
    snap(page, "wave-start", engine_name)
    before = movement_count(db)

    wedge(page, "N-A-2")  # the wrong bin
    feedback(page, "error", "Wrong bin: that is N-A-2. Go to N-B-1.")
    snap(page, "wrong-bin", engine_name)
    wedge(page, "N-B-1", "TEE")  # the right bin, the wrong product
    feedback(page, "error", "Wrong product: that is TEE. Take CAP Cap.")
    assert movement_count(db) == before, "the wrong scans posted nothing"

    wedge(page, "CAP")
    feedback(page, "ok", "✓ 1 × CAP into tote 2 (SO-2)")
    expect(page.locator("#task-sku")).to_have_text("MUG")
    wedge(page, "5901234123457")  # the mug's EAN: one of the two for SO-1
    feedback(page, "ok", "✓ 1 × MUG into tote 1 (SO-1). 1 more here.")
    expect(page.locator("#waiting")).to_be_hidden()
    page.locator("#short").tap()  # the bin is empty
    expect(page.locator("#short-box")).to_be_visible()
    expect(page.locator("#short-text")).to_contain_text("N-B-1 does not hold 1 more × MUG")
    assert small_targets(page) == []
    snap(page, "short-ask", engine_name)
    page.locator("#short-ok").tap()
    feedback(page, "ok", "Shortage recorded; N-B-1 is flagged for a count. "
                         "MUG comes from N-A-1 instead. Next: bin N-A-2.")
    expect(page.locator("#progress")).to_have_text("2 / 7 units picked")
    snap(page, "short-recorded", engine_name)
    # the walk now skips N-B-1 for mugs: both remaining mugs come from N-A-1, after N-A-2
    expect(page.locator("#task-bin")).to_have_text("N-A-2")
    wedge(page, "N-A-2", "TEE")
    feedback(page, "ok", "into tote 2 (SO-2)")
    page.fill("#qty", "2")
    page.focus("#scan")
    wedge(page, "TEE")
    feedback(page, "ok", "✓ 2 × TEE into tote 3 (SO-3). Next: bin N-A-1.")
    wedge(page, "N-A-1", "MUG", "MUG")
    feedback(page, "ok", "All picked!")
    expect(page.locator("#done")).to_be_visible()
    expect(page.locator("#waiting")).to_be_hidden()
    expect(page.locator("#progress")).to_have_text("7 / 7 units picked")
    assert fits(page)
    snap(page, "wave-done", engine_name)

    def check():
        orders = db.session.scalars(select(Order).order_by(Order.reference)).all()
        assert [o.status for o in orders] == [OrderStatus.PICKED] * 3
        assert [(line.product.sku, line.picked, line.reserved) for o in orders
                for line in o.lines] == [("MUG", 2, 0), ("TEE", 1, 0), ("CAP", 1, 0),
                                         ("MUG", 1, 0), ("TEE", 2, 0)]
        picks = db.session.execute(select(Movement.qty, Movement.reference).where(
            Movement.id > before).order_by(Movement.id)).all()
        assert sum(q for q, _ in picks) == 7 and {r for _, r in picks} == {"SO-1", "SO-2",
                                                                              "SO-3"}
        request = db.session.scalars(select(CountRequest)).one()
        assert (request.location.code, request.product.sku) == ("N-B-1", "MUG")
        assert db.session.scalars(select(PickShortage)).one().qty == 1
        assert db.session.scalar(select(func.sum(WarehouseStock.reserved))) == 0
        assert_books_agree(db)
    fresh(db, check)


def test_receiving_part_of_a_po_on_a_phone_holds_the_excess(phone, db, site, make_user,
                                                            engine_name):
    purchasing.create({"reference": "PO-7", "supplier": "Acme", "warehouse": "NORTH",
                       "lines": [{"sku": "MUG", "qty": 10, "unit_cost": "2.00"},
                                 {"sku": "TEE", "qty": 3}]}, make_user("boss", "supervisor"))
    db.session.commit()
    page = phone("/orders/purchase/")
    assert fits(page) and small_targets(page) == []
    snap(page, "po-list", engine_name)
    wedge(page, "PO-7")  # the delivery note's barcode
    page.wait_for_url("**/orders/purchase/PO-7/receive")
    feedback(page, "idle", "Scan the bin (or dock) you are receiving into.")
    wedge(page, "N-A-1")
    feedback(page, "ok", "Bin N-A-1. Now scan the products.")
    page.fill("#qty", "4")
    page.focus("#scan")
    wedge(page, "MUG")
    feedback(page, "ok", "✓ Received 4 × MUG Blue mug into N-A-1. 6 more MUG to come.")
    expect(page.locator('#expected li[data-sku="MUG"]')).to_contain_text("6 of 10 to come")
    page.fill("#qty", "7")
    page.focus("#scan")
    wedge(page, "MUG")
    feedback(page, "error", "Not received: only 6 more MUG expected on PO-7")
    expect(page.locator("#posted li").first).to_contain_text("held for a supervisor")
    wedge(page, "CAP")
    feedback(page, "error", "CAP is not on PO-7")
    assert fits(page) and small_targets(page) == []
    snap(page, "po-receive", engine_name)

    def check():
        movements = db.session.execute(select(Movement.qty, Movement.reference)).all()
        assert movements == [(4, "PO-7")]
        held = db.session.scalars(select(Discrepancy).order_by(Discrepancy.id)).all()
        assert [(d.kind.value, d.qty) for d in held] == [("over_receipt", 7),
                                                         ("not_on_order", 1)]
        po = purchasing.po_by_reference("PO-7") if hasattr(purchasing, "po_by_reference") \
            else None
        assert po is None or po.status.value == "partially_received"
    fresh(db, check)
