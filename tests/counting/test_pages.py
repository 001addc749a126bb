"""The count pages: who may open which, what staff see (never the books), the plain-form
fallback, the supervisor's plan, approvals, settings and reports pages, and the phone's calls."""
import pytest
from sqlalchemy import select

from tests.counting.conftest import lines_of, submit
from warehouse_app.counting.models import Count, CountStatus, CountTolerance


@pytest.fixture
def pending(db, floor, open_count, tally):
    floor.put(floor.p.mug, floor.bins.a1, 10)
    count = open_count("A-1", note="Aisle A")
    tally(count, "A-1", {"MUG": 7, "TEE": 1})
    submit(db, count, floor.u.pat)
    return count


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def test_the_count_tile_and_the_start_page(client, db, floor, open_count, login_as):
    count = open_count("Z-A")
    login_as("staff")
    assert 'href="/counting/"' in page(client, "/")
    html = page(client, "/counting/")
    assert count.reference in html and "0 of 3 bins counted" in html
    assert "/counting/plan" not in html  # staff do not plan


def test_scanning_a_count_or_a_bin_on_the_start_page_opens_the_count(client, db, floor,
                                                                     open_count, login_as):
    count = open_count("Z-A")
    login_as("staff")
    response = client.get(f"/counting/?code={count.reference.lower()}")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/counting/{count.reference}"
    response = client.get("/counting/?code=A-2")
    assert response.headers["Location"] == f"/counting/{count.reference}?bin=A-2"
    assert "B-1 is in no open count" in page(client, "/counting/?code=B-1")


def test_the_phone_page_of_a_blind_count_never_shows_the_books(client, db, floor,
                                                               open_count, tally, login_as):
    floor.put(floor.p.mug, floor.bins.a1, 10)
    floor.put(floor.p.tee, floor.bins.a2, 4)
    count = open_count("A-1", "A-2")
    tally(count, "A-1", {"MUG": 9})
    login_as("staff")
    html = page(client, f"/counting/{count.reference}")
    state = client.get(f"/counting/{count.reference}/state").json
    assert "expected" not in html and "expected" not in str(state)
    assert "TEE" not in str(state)  # A-2's books are not hinted at


def test_after_submit_staff_see_what_they_counted_not_the_books(client, db, pending, login_as):
    login_as("staff")
    html = page(client, f"/counting/{pending.reference}")
    assert "waits for a supervisor" in html and "<small>books</small>" not in html
    assert "MUG" in html and "TEE" in html and "Beyond tolerance" not in html


def test_supervisors_review_with_the_books(client, db, pending, login_as):
    login_as("supervisor")
    html = page(client, f"/counting/{pending.reference}/review")
    assert "<small>books</small>" in html and "Beyond tolerance" in html
    assert "Approve and post 2 adjustments" in html


@pytest.mark.parametrize("path", ["/counting/plan", "/counting/approvals", "/counting/settings",
                                  "/counting/reports", "/counting/{ref}/review",
                                  "/counting/{ref}/lines.csv"])
def test_staff_are_refused_the_supervisors_pages(client, db, pending, login_as, path):
    login_as("staff")
    page(client, path.format(ref=pending.reference), 403)


def test_staff_cannot_post_a_decision(client, db, pending, login_as, no_csrf):
    login_as("staff")
    response = client.post(f"/counting/{pending.reference}/decide/approve", data={})
    assert response.status_code == 403
    assert db.session.get(Count, pending.id).status is CountStatus.PENDING


def test_the_approval_queue_shows_who_counted_and_the_bins_recent_movements(
        client, db, pending, login_as):
    login_as("supervisor")
    html = page(client, "/counting/approvals")
    assert pending.reference in html and "Counted by pat" in html
    assert "Recent movements in A-1" in html and "receive" in html


def test_supervisors_download_every_line_with_the_books(client, db, pending, login_as):
    login_as("supervisor")
    csv = client.get(f"/counting/{pending.reference}/lines.csv").get_data(as_text=True)
    assert csv.splitlines()[0].startswith("location,sku,lot,counted,expected,variance")
    assert "A-1,MUG,,7,10,-3,-6.00,waiting" in csv


def test_approving_from_the_page(client, db, floor, pending, login_as, no_csrf):
    login_as("supervisor")
    response = client.post(f"/counting/{pending.reference}/decide/approve",
                           data={"note": "Looked"})
    assert response.status_code == 303
    assert "approved" in page(client, "/counting/approvals")
    assert lines_of(db, pending)[("A-1", "MUG", "")] == (7, 10, "approved")
    again = client.post(f"/counting/{pending.reference}/decide/approve", data={})
    assert again.status_code == 303
    assert "adjustments are posted" in page(client, "/counting/approvals")


def test_rejecting_from_the_page_needs_a_reason(client, db, pending, login_as, no_csrf):
    login_as("supervisor")
    client.post(f"/counting/{pending.reference}/decide/reject", data={"note": ""})
    assert "Say why" in page(client, "/counting/approvals")
    assert db.session.get(Count, pending.id).status is CountStatus.PENDING


def test_planning_from_the_page(client, db, floor, login_as, no_csrf):
    login_as("supervisor")
    response = client.post("/counting/plan", data={"codes": "Z-A", "blind": "1",
                                                   "note": "Monday"})
    assert response.status_code == 303
    count = db.session.scalars(select(Count)).one()
    assert count.note == "Monday" and count.blind
    bad = client.post("/counting/plan", data={"codes": "NOPE"})
    assert bad.status_code == 404 and "No location with code NOPE" in bad.get_data(as_text=True)


def test_settings_save_tolerances_and_frequencies(client, db, floor, login_as, no_csrf):
    login_as("supervisor")
    response = client.post("/counting/settings", data={
        "what": "tolerance", "target_kind": "product", "target": "MUG", "max_units": "3",
        "max_pct": "5", "max_value": ""})
    assert response.status_code == 303
    assert db.session.scalars(select(CountTolerance)).one().max_units == 3
    bad = client.post("/counting/settings", data={
        "what": "tolerance", "target_kind": "category", "target": "Nope", "max_units": "3",
        "max_pct": "5"})
    assert bad.status_code == 404
    client.post("/counting/settings", data={"what": "frequencies", "A": "14", "B": "60",
                                            "C": "120"})
    assert 'value="14"' in page(client, "/counting/settings")


def test_reports_page_and_csv(client, db, pending, login_as):
    login_as("supervisor")
    html = page(client, "/counting/reports")
    assert "Count accuracy" in html and "/insight/reports/shrinkage" in html
    csv = client.get("/counting/reports?report=users&format=csv")
    assert csv.mimetype == "text/csv" and csv.get_data(as_text=True).startswith("user,")
    page(client, "/counting/reports?report=nope", 404)
    page(client, "/counting/reports?since=yesterday", 422)


def test_the_plain_form_counts_without_javascript(client, db, floor, open_count, login_as,
                                                  no_csrf):
    floor.put(floor.p.mug, floor.bins.a1, 2)
    count = open_count("A-1")
    login_as("staff")
    url = f"/counting/{count.reference}/form"
    assert client.post(url, data={"action": "scan", "location": "A-1", "code": "MUG",
                                  "qty": "2"}).status_code == 303
    client.post(url, data={"action": "close", "location": "A-1"})
    client.post(url, data={"action": "submit"})
    assert db.session.get(Count, count.id).status is CountStatus.DONE
    bad = client.post(url, data={"action": "scan", "location": "A-1", "code": "MUG"})
    assert "is done" in page(client, bad.headers["Location"])


def test_the_phone_calls_answer_json_errors(client, db, floor, open_count, login_as, no_csrf):
    count = open_count("A-1")
    login_as("staff")
    url = f"/counting/{count.reference}"
    ok = client.post(f"{url}/scan", json={"location": "A-1", "code": "MUG",
                                          "client_op_id": "c1"})
    assert ok.status_code == 201 and ok.json["line"]["counted_qty"] == 1
    assert "expected_qty" not in ok.json["line"]
    assert client.post(f"{url}/scan", json={"location": "A-1", "code": "MUG",
                                            "client_op_id": "c1"}).status_code == 200
    wrong = client.post(f"{url}/scan", json={"location": "B-1", "code": "MUG"},
                        headers={"Accept": "application/json"})  # as the phone asks
    assert wrong.status_code == 422 and wrong.json["error"]["code"] == "not_in_count"
    closed = client.post(f"{url}/close", json={"location": "A-1", "client_op_id": "c2"})
    assert closed.status_code == 200
    assert client.post(f"{url}/close", json={"location": "A-1",
                                             "client_op_id": "c2"}).status_code == 200
    assert client.post(f"{url}/close", json={"location": "A-1"},
                       headers={"Accept": "application/json"}).status_code == 409
    assert client.post(f"{url}/reopen", json={"location": "A-1"}).status_code == 200
    done = client.post(f"{url}/submit", json={"client_op_id": "s1"})
    assert done.status_code == 200 and done.json["status"] == "pending"
