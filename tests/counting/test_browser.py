"""A cycle count on phones: a real Chromium at 390x844 against a live server on the test's own
database, on SQLite and PostgreSQL. The supervisor plans, staff count blind (the page never
shows the books) and find a difference, the supervisor approves; the ledger and `ledger verify`
agree with what the phones did."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.counting.conftest import lines_of
from tests.phone import feedback, fits, fresh, log_in, new_page, small_targets, wedge
from tests.phone import snap as shoot
from warehouse_app.counting.models import Count
from warehouse_app.ledger import balances
from warehouse_app.ledger.models import Movement, MovementKind

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(chromium, live_server):
    """phone(username, path) -> a 390x844 touch page logged in as that user, showing path."""
    pages = []

    def open_phone(username: str, path: str):
        pages.append(new_page(chromium))
        return log_in(pages[-1], live_server.url, username, path)

    yield open_phone
    for page in pages:
        page.context.close()


def snap(page, name: str, engine: str) -> None:
    shoot(page, f"counting-{name}-{engine}")


def blind(page) -> None:
    """Nothing on the page (nor in its data) tells the books' quantities."""
    html = page.content()
    assert "expected_qty" not in html and "variance" not in html
    assert "<small>books</small>" not in html


def confirm(page, button: str) -> None:
    """Answer the inline question with its yes button."""
    expect(page.locator("#ask-ok")).to_have_text(button)
    page.locator("#ask-ok").tap()
    expect(page.locator("#ask")).to_be_hidden()


def test_a_blind_count_with_a_discrepancy_approved_on_phones(phone, db, floor, engine_name,
                                                            runner):
    floor.put(floor.p.mug, floor.bins.a1, 10)
    floor.put(floor.p.tee, floor.bins.a2, 4)
    boss = phone("boss", "/counting/plan")
    assert fits(boss) and small_targets(boss) == []
    boss.fill("#f-codes", "Z-A")
    boss.get_by_role("button", name="Open count").tap()
    boss.wait_for_url(re.compile(r".*/counting/CC-\d+/review$"))
    reference = boss.url.rsplit("/", 2)[1]
    expect(boss.locator(".count-bin-head")).to_have_count(3)
    snap(boss, "planned", engine_name)

    pat = phone("pat", "/counting/")
    expect(pat.locator(".item-main")).to_contain_text("0 of 3 bins counted")
    snap(pat, "start", engine_name)
    wedge(pat, reference)
    pat.wait_for_url(f"**/counting/{reference}")
    feedback(pat, "idle", "Go to a bin and scan its label (3 to go, next: A-1)")
    assert fits(pat) and small_targets(pat) == []
    blind(pat)
    snap(pat, "count-start", engine_name)

    wedge(pat, "MUG")
    feedback(pat, "error", "Scan the bin first")
    wedge(pat, "B-1")
    feedback(pat, "error", "B-1 is not a bin of this count")
    wedge(pat, "A-1")
    feedback(pat, "ok", "Bin A-1 ✓")
    pat.fill("#qty", "6")
    pat.focus("#scan")
    wedge(pat, "MUG", "5901234123457")
    feedback(pat, "ok", "+1 MUG → 7 counted in A-1")
    expect(pat.locator("#here-lines li")).to_have_count(1)
    expect(pat.locator("#here-lines .count-qty")).to_have_text("7")
    expect(pat.locator("#waiting")).to_be_hidden()
    assert small_targets(pat) == []
    blind(pat)
    snap(pat, "counting-bin", engine_name)
    pat.locator("#close-bin").tap()
    expect(pat.locator("#ask-text")).to_contain_text("Anything you did not scan")
    snap(pat, "close-ask", engine_name)
    confirm(pat, "Yes, done")
    feedback(pat, "ok", "A-1 counted. Next: A-2.")

    wedge(pat, "A-2")
    pat.fill("#qty", "4")
    pat.focus("#scan")
    wedge(pat, "TEE")
    feedback(pat, "ok", "+4 TEE → 4 counted in A-2")
    pat.locator("#close-bin").tap()
    confirm(pat, "Yes, done")
    wedge(pat, "A-3")
    pat.locator("#empty-bin").tap()
    expect(pat.locator("#ask-text")).to_contain_text("Confirm bin A-3 is empty")
    confirm(pat, "Yes, it is empty")
    feedback(pat, "ok", "All bins counted: submit the count.")
    expect(pat.locator("#progress")).to_have_text("3 / 3 bins")
    blind(pat)
    snap(pat, "all-counted", engine_name)
    pat.locator("#submit").tap()
    confirm(pat, "Submit")
    feedback(pat, "ok", "waits for a supervisor")
    pat.wait_for_url(f"**/counting/{reference}")
    expect(pat.locator(".note")).to_contain_text("waits for a supervisor")
    blind(pat)
    assert fits(pat)
    snap(pat, "submitted", engine_name)

    boss.goto(boss.url.rsplit("/counting", 1)[0] + "/counting/approvals")
    row = boss.locator(".count-rows .count-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("A-1 · MUG")
    expect(row).to_contain_text("Counted by pat")
    expect(row.locator(".count-diff b")).to_have_text("-3")
    expect(row.locator(".count-diff small")).to_have_text("-6.00")
    assert fits(boss) and small_targets(boss) == []
    snap(boss, "approvals", engine_name)
    boss.fill(f"#approve-{fresh(db, lambda: db.session.scalars(select(Count)).one().id)}",
              "Checked the shelf: 3 broken")
    boss.get_by_role("button", name="Approve and post 1 adjustment").tap()
    expect(boss.locator(".flash-ok")).to_contain_text(f"Count {reference} approved")
    expect(boss.locator(".panel.muted")).to_contain_text("Nothing waits for a decision")
    snap(boss, "approved", engine_name)

    def check():
        count = db.session.scalars(select(Count)).one()
        assert count.status.value == "done"
        assert lines_of(db, count) == {("A-1", "MUG", ""): (7, 10, "approved"),
                                       ("A-2", "TEE", ""): (4, 4, "matched")}
        posted = db.session.execute(select(Movement.qty, Movement.reference).where(
            Movement.kind == MovementKind.COUNT)).all()
        assert posted == [(3, reference)]
        assert balances.verify() == []
    fresh(db, check)
    result = runner.invoke(args=["ledger", "verify"])
    assert result.exit_code == 0, result.output
