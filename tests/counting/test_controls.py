"""Counting controls: blind everywhere, decisions per line, never on your own count, and big
differences for admins."""
import uuid

import pytest
from sqlalchemy import select

from tests.counting.conftest import lines_of, on_hand, submit
from warehouse_app.auth.users import create_token
from warehouse_app.counting import approval
from warehouse_app.counting.models import CountLine, CountStatus, LineStatus
from warehouse_app.errors import Conflict, DomainError, Forbidden


def bearer(db, user):
    _, secret = create_token(f"t-{uuid.uuid4().hex[:8]}", user)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def two_waiting(db, floor, open_count, tally):
    """A count of A-1 and A-2 (books 10 each, 9 and 12 found: both wait) counted by pat."""
    floor.put(floor.p.mug, floor.bins.a1, 10)
    floor.put(floor.p.tee, floor.bins.a2, 10)
    count = open_count("A-1", "A-2")
    tally(count, "A-1", {"MUG": 9})
    tally(count, "A-2", {"TEE": 12})
    submit(db, count, floor.u.pat)
    assert count.status is CountStatus.PENDING
    return count


def waiting_ids(db, count) -> dict[str, int]:
    db.session.expire_all()
    return {line.location.code: line.id for line in db.session.scalars(
        select(CountLine).where(CountLine.count_id == count.id,
                                CountLine.status == LineStatus.WAITING))}


def test_staff_see_no_books_of_a_bin_under_an_open_blind_count(client, db, floor, open_count,
                                                               tally, make_user):
    floor.put(floor.p.mug, floor.bins.a1, 7)
    floor.put(floor.p.mug, floor.bins.b1, 3)
    staff, boss = bearer(db, floor.u.pat), bearer(db, floor.u.boss)
    count = open_count("A-1")
    assert count.blind
    rows = client.get("/api/v1/stock?location=A-1", headers=staff).json["items"]
    assert rows == []
    rows = client.get("/api/v1/stock?sku=MUG", headers=staff).json["items"]
    assert [r["location"] for r in rows] == ["B-1"]
    product = client.get("/api/v1/products/MUG", headers=staff).json
    assert product["on_hand"] == 3 and [r["location"] for r in product["locations"]] == ["B-1"]
    assert client.get("/api/v1/stock?location=A-1",
                      headers=boss).json["items"][0]["on_hand"] == 7
    ledger = client.get("/api/v1/movements?sku=MUG", headers=staff).json["items"]
    assert [m["to_location"] for m in ledger] == ["B-1"]
    # Once submitted, the bin's books show again.
    tally(count, "A-1", {"MUG": 7})
    submit(db, count, floor.u.pat)
    assert client.get("/api/v1/stock?location=A-1", headers=staff).json["items"][0]["on_hand"] == 7


def test_look_up_hides_the_books_of_a_counted_bin_from_staff(client, db, floor, open_count,
                                                             login_as):
    floor.put(floor.p.mug, floor.bins.a1, 7)
    open_count("A-1")
    login_as("staff")
    page = client.get("/lookup?code=A-1")
    assert page.status_code == 200
    assert "MUG" not in page.text.split("Recent")[0]
    login_as("supervisor")
    assert "MUG" in client.get("/lookup?code=A-1").text


def test_approving_some_lines_leaves_the_rest_waiting(db, floor, two_waiting):
    ids = waiting_ids(db, two_waiting)
    outcome = approval.approve(two_waiting, floor.u.boss, "A-1 checked", lines=[ids["A-1"]])
    db.session.commit()
    assert outcome.posted == 1
    assert two_waiting.status is CountStatus.PENDING
    assert lines_of(db, two_waiting)[("A-2", "TEE", "")][2] == "waiting"
    assert on_hand(db, floor.p.mug, floor.bins.a1) == 9
    assert on_hand(db, floor.p.tee, floor.bins.a2) == 10
    approval.reject(two_waiting, floor.u.boss, "A-2 miscounted", lines=[ids["A-2"]])
    db.session.commit()
    assert two_waiting.status is CountStatus.DONE
    assert lines_of(db, two_waiting)[("A-2", "TEE", "")][2] == "rejected"
    assert on_hand(db, floor.p.tee, floor.bins.a2) == 10


def test_rejecting_every_line_one_by_one_rejects_the_count(db, floor, two_waiting):
    ids = waiting_ids(db, two_waiting)
    for code in ("A-1", "A-2"):
        approval.reject(two_waiting, floor.u.boss, "no", lines=[ids[code]])
    db.session.commit()
    assert two_waiting.status is CountStatus.REJECTED


@pytest.mark.parametrize("lines", [[], "1", [True], [1.5], ["x"]])
def test_bad_line_lists_are_refused(db, floor, two_waiting, lines):
    with pytest.raises(DomainError):
        approval.approve(two_waiting, floor.u.boss, lines=lines)
    db.session.rollback()
    assert two_waiting.status is CountStatus.PENDING


def test_a_line_not_waiting_is_a_conflict(db, floor, two_waiting):
    with pytest.raises(Conflict):
        approval.approve(two_waiting, floor.u.boss, lines=[999_999])


def test_a_supervisor_who_counted_cannot_decide(db, floor, open_count, tally):
    floor.put(floor.p.mug, floor.bins.a1, 10)
    count = open_count("A-1")
    tally(count, "A-1", {"MUG": 9}, user=floor.u.boss)
    submit(db, count, floor.u.boss)
    for decide in (approval.approve, approval.reject):
        with pytest.raises(Forbidden):
            decide(count, floor.u.boss, "mine")
        db.session.rollback()
    assert on_hand(db, floor.p.mug, floor.bins.a1) == 10


def test_a_difference_worth_more_than_the_setting_needs_an_admin(app, db, floor, two_waiting,
                                                                  make_user):
    app.config["COUNT_ADMIN_ABOVE"] = 1  # 1 MUG at 2.00 = 2.00 > 1
    with pytest.raises(Forbidden):
        approval.approve(two_waiting, floor.u.boss, "big")
    db.session.rollback()
    boss = make_user("root", "admin")
    approval.approve(two_waiting, boss, "big, checked")
    db.session.commit()
    assert two_waiting.status is CountStatus.DONE


def test_the_api_decides_per_line_and_answers_403_to_a_counter(client, db, floor, two_waiting,
                                                                open_count, tally):
    ids = waiting_ids(db, two_waiting)
    boss = bearer(db, floor.u.boss)
    url = f"/api/v1/counts/{two_waiting.id}"
    response = client.post(f"{url}/approve", headers=boss, json={"lines": [ids["A-2"]]})
    assert response.status_code == 200, response.json
    assert lines_of(db, two_waiting)[("A-1", "MUG", "")][2] == "waiting"
    assert client.post(f"{url}/approve", headers=boss,
                       json={"lines": "all"}).status_code == 422
    assert client.post(f"{url}/approve", headers=boss,
                       json={"lines": [ids["A-2"]]}).status_code == 409
    # A count the boss counted in himself.
    floor.put(floor.p.mug, floor.bins.b1, 10)
    own = open_count("B-1")
    tally(own, "B-1", {"MUG": 3}, user=floor.u.boss)
    submit(db, own, floor.u.boss)
    response = client.post(f"/api/v1/counts/{own.id}/approve", headers=boss, json={})
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"
