"""The document screens (pick, a purchase order's receipt, a count) at 390x844, like the
receive/move/adjust screens (test_scan_session.py): a line scanned offline shows "waiting";
one the server refuses when it is replayed after the network is back stays under "Needs
attention", with the server's reason, across a reload, until the worker dismisses it. After a
reload "Posted this session" still shows what was posted, read back from the server, and its
undo takes the line back, once."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.test_scan_first import (  # noqa: F401
    EAN,
    by_hand,
    phone,
    site,
    wait_posts,
)
from tests.phone import fresh, wedge
from warehouse_app.auth.models import User
from warehouse_app.counting import counting
from warehouse_app.counting.documents import by_reference
from warehouse_app.ledger.models import Movement
from warehouse_app.orders import reserving
from warehouse_app.orders.documents import order_by_reference

pytestmark = pytest.mark.browser


def needs_attention_until_dismissed(page, *words: str) -> None:
    """The refused line sits under "Needs attention", a reload keeps it, Dismiss clears it."""
    expect(page.locator("#attention")).to_be_visible(timeout=15_000)
    for word in words:
        expect(page.locator("#attention li")).to_contain_text(word)
    page.reload()
    expect(page.locator("#posted")).to_be_visible()
    for word in words:
        expect(page.locator("#attention li")).to_contain_text(word)
    page.get_by_role("button", name="Dismiss").click()
    expect(page.locator("#attention")).to_be_hidden()
    expect(page.locator("#scan")).to_be_focused()
    page.reload()
    expect(page.locator("#posted")).to_be_visible()
    expect(page.locator("#attention")).to_be_hidden()


def test_po_receive_an_unknown_code_scanned_offline_needs_attention(  # noqa: F811
        phone, live_server, db, site):  # noqa: F811
    page = phone("staff1", "/orders/purchase/PO-1/receive")
    wedge(page, "B-02")
    expect(page.locator("#feedback")).to_have_class("feedback feedback-ok")
    page.context.set_offline(True)
    wedge(page, "NO-SUCH-CODE")
    expect(page.locator("#posted li").first).to_contain_text("NO-SUCH-CODE → B-02 · waiting")
    expect(page.locator("#waiting")).to_have_text("1 waiting to post")
    page.context.set_offline(False)
    expect(page.locator("#posted li").first).to_contain_text("not posted", timeout=15_000)
    needs_attention_until_dismissed(page, "NO-SUCH-CODE", "no product here carries")


def test_pick_a_line_refused_on_replay_needs_attention(phone, live_server, db, site):  # noqa: F811
    page = phone("staff1", "/orders/pick/order/SO-1")
    expect(page.locator("#task-bin")).to_have_text("A-01")
    wedge(page, "A-01")
    expect(page.locator("#feedback")).to_have_class("feedback feedback-ok")
    page.context.set_offline(True)
    wedge(page, "MUG")  # the SKU: checked on the phone against the task while offline
    expect(page.locator("#posted li").first).to_contain_text("1 × MUG Blue mug from A-01 · waiting")
    reserving.cancel(order_by_reference("SO-1"))  # meanwhile the office cancels the order
    db.session.commit()
    page.context.set_offline(False)
    needs_attention_until_dismissed(page, "1 × MUG", "SO-1")
    kinds = fresh(db, lambda: [k.value for k in db.session.scalars(select(Movement.kind))])
    assert "pick" not in kinds


def test_count_a_scan_refused_on_replay_needs_attention(  # noqa: F811
        phone, live_server, db, site):  # noqa: F811
    page = phone("staff1", f"/counting/{site}")
    wedge(page, "A-01", EAN)
    wait_posts(live_server, page, f"/counting/{site}/scan", 1)
    page.context.set_offline(True)
    wedge(page, "MUG")  # counted here before: the phone knows it offline
    expect(page.locator("#posted li").first).to_contain_text("+1 MUG in A-01 · waiting")
    boss = db.session.scalars(select(User).where(User.username == "boss")).one()
    counting.close_bin(by_reference(site), {"location": "A-01"}, boss)  # another phone closed it
    db.session.commit()
    page.context.set_offline(False)
    needs_attention_until_dismissed(page, "+1 MUG in A-01", "already counted")


def test_pick_posted_lines_and_undo_survive_a_reload(phone, live_server, db, site):  # noqa: F811
    page = phone("staff1", "/orders/pick/order/SO-1")
    wedge(page, "A-01", EAN, EAN)
    wait_posts(live_server, page, "/orders/pick/line", 2)
    page.reload()
    expect(page.locator("#posted li")).to_have_count(2)
    expect(page.locator("#posted li").first).to_have_text("1 × MUG Blue mug from A-01")
    expect(page.locator("#progress")).to_have_text("2 of 9 picked")
    page.locator("#undo").click()
    expect(page.locator("#prompt")).to_contain_text("Undone: 1 × MUG")
    expect(page.locator("#posted li").first).to_contain_text("undone")
    expect(page.locator("#progress")).to_have_text("1 of 9 picked")
    expect(page.locator("#undo")).to_be_disabled()
    expect(page.locator("#scan")).to_be_focused()
    assert fresh(db, lambda: order_by_reference("SO-1").lines[0].picked) == 1
    page.reload()
    expect(page.locator("#posted li")).to_have_count(1)


def test_po_receive_posted_lines_and_undo_survive_a_reload(  # noqa: F811
        phone, live_server, db, site):  # noqa: F811
    path = "/orders/purchase/PO-1/receive"
    page = phone("staff1", path)
    wedge(page, "B-02")
    by_hand(page, "#qty", "3")
    wedge(page, EAN)
    wait_posts(live_server, page, path, 1)
    page.reload()
    expect(page.locator("#posted li")).to_have_count(1)
    expect(page.locator("#posted li").first).to_have_text("3 × MUG Blue mug → B-02")
    expect(page.locator("#expected [data-left]")).to_have_text("9")
    page.locator("#undo").click()
    expect(page.locator("#prompt")).to_contain_text("Undone: 3 × MUG")
    expect(page.locator("#expected [data-left]")).to_have_text("12")
    expect(page.locator("#undo")).to_be_disabled()
    page.reload()
    expect(page.locator("#posted li")).to_have_text("Nothing yet.")
    expect(page.locator("#expected [data-left]")).to_have_text("12")


def test_count_posted_scans_and_undo_survive_a_reload(  # noqa: F811
        phone, live_server, db, site):  # noqa: F811
    page = phone("staff1", f"/counting/{site}")
    wedge(page, "A-01", EAN, EAN)
    wait_posts(live_server, page, f"/counting/{site}/scan", 2)
    page.reload()
    expect(page.locator("#posted li")).to_have_count(2)
    expect(page.locator("#posted li").first).to_have_text("+1 MUG in A-01")
    page.locator("#undo").click()
    expect(page.locator("#prompt")).to_contain_text("Undone: +1 MUG in A-01")
    expect(page.locator("#bins li").first).to_contain_text("1 unit")
    expect(page.locator("#undo")).to_be_disabled()
    page.reload()
    expect(page.locator("#posted li")).to_have_count(1)
    expect(page.locator("#undo")).to_be_disabled()  # undo took back one scan, once
