"""A scan screen survives a reload: "Posted this session" and undo are read back from the
server; a line refused when it is replayed after a network drop stays under "Needs attention"
until the worker dismisses it. A 390x844 Chromium against the live app."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.test_scan_first import EAN, phone, site, wait_posts  # noqa: F401
from tests.phone import fresh, wedge
from warehouse_app.ledger.models import Movement

pytestmark = pytest.mark.browser


def test_posted_this_session_and_undo_survive_a_reload(phone, live_server, db, site):  # noqa: F811
    page = phone("staff1", "/scan/receive")
    wedge(page, "B-02", EAN, EAN)
    wait_posts(live_server, page, "/scan/line", 2)
    page.reload()
    expect(page.locator("#posted li")).to_have_count(1)
    expect(page.locator("#posted li").first).to_contain_text("MUG Blue mug → B-02: 2")
    expect(page.locator("#undo")).to_be_enabled()
    page.locator("#undo").click()
    expect(page.locator("#prompt")).to_contain_text("Undone: 1 × MUG")
    expect(page.locator("#posted li").first).to_contain_text("MUG Blue mug → B-02: 1")
    kinds = fresh(db, lambda: [m.kind.value for m in db.session.scalars(
        select(Movement).order_by(Movement.id))])
    assert kinds[-3:] == ["receive", "receive", "reversal"]
    page.reload()
    expect(page.locator("#posted li").first).to_contain_text("MUG Blue mug → B-02: 1")


def test_a_line_refused_on_replay_needs_attention_until_dismissed(  # noqa: F811
        phone, live_server, db, site):  # noqa: F811
    page = phone("staff1", "/scan/receive")
    wedge(page, "B-02")
    expect(page.locator("#feedback")).to_have_class("feedback feedback-ok")
    page.context.set_offline(True)
    wedge(page, "NO-SUCH-CODE")
    expect(page.locator("#posted li").first).to_contain_text("waiting")
    page.context.set_offline(False)
    expect(page.locator("#attention")).to_be_visible(timeout=15_000)
    expect(page.locator("#attention li")).to_contain_text("NO-SUCH-CODE")
    page.reload()
    expect(page.locator("#attention li")).to_contain_text("not posted")
    page.get_by_role("button", name="Dismiss").click()
    expect(page.locator("#attention")).to_be_hidden()
    expect(page.locator("#scan")).to_be_focused()
    page.reload()
    expect(page.locator("[data-js-only]").first).to_be_visible()
    expect(page.locator("#attention")).to_be_hidden()
