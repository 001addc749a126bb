"""The phone's undo is open to the line's poster for 15 minutes, whatever the moment: across
midnight, a month's and a year's end (the clock stopped at each with time-machine)."""
from datetime import timedelta

from tests.scanning.test_workflows import floor, line, on_hand  # noqa: F401 (fixture)
from tests.support.clock import moments

JSON = {"Accept": "application/json"}


@moments()
def test_undo_is_open_for_fifteen_minutes_to_the_poster(client, db, login_as, no_csrf, floor,  # noqa: F811
                                                        time_machine, moment):
    product, a, _ = floor
    posted_at = moment - timedelta(minutes=15)
    time_machine.move_to(posted_at, tick=False)
    login_as("staff")  # (a session signed in the future would be refused)
    first = line(client, flow="receive", code="MUG-1", qty=5, to_location="A-01").json
    second = line(client, flow="receive", code="MUG-1", qty=2, to_location="A-01").json
    time_machine.move_to(moment, tick=False)  # exactly 15 minutes on: still the poster's
    undone = client.post("/scan/undo", json={"movement": first["id"]}, headers=JSON)
    assert undone.status_code == 201, undone.json
    time_machine.move_to(moment + timedelta(seconds=1), tick=False)
    late = client.post("/scan/undo", json={"movement": second["id"]}, headers=JSON)
    assert late.status_code == 403
    assert on_hand(db, product, a) == 2
