"""One road per input: the same new location sent as API JSON, as the location page's form and
as a one-row CSV import is refused for the same field with the same message and writes
nothing, or is written the same way (locations/inputs.py checks all three, editing.create
carries it out)."""
import pytest
from markupsafe import escape
from sqlalchemy import func, select

from tests.support import one_road
from warehouse_app.codes import ScanCode
from warehouse_app.locations.models import Location

ROADS = ("api", "form", "csv")


def typed(**fields):
    """A case's JSON body and, beside it, the text a form or CSV cell gives for it."""
    text = {key: ("1" if value is True else "" if value is False else str(value))
            for key, value in fields.items()}
    return fields, text


def send(road, client, headers, case):
    return one_road.send(road, client, headers, case,
                         api="/api/v1/locations", form="/locations/new",
                         columns=("code", "kind"))


def refused_alike(road, status, field, said, want_field, want_message):
    assert status in (404, 409, 422), (road, status, said)
    if road == "form":
        assert str(escape(want_message)) in said, (road, want_message)
        return
    assert (field, said) == (want_field, want_message), road


def written(db) -> dict:
    db.session.commit()
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Location, ScanCode)}


@pytest.fixture
def roads(client, login_as, no_csrf, api_token, make_location):
    """A warehouse to build in, bearer headers for the API and the CSV import, and a
    supervisor's session for the page."""
    make_location("WH1", "warehouse")
    headers = api_token("supervisor")
    login_as("supervisor")
    return headers


BIN = {"kind": "bin", "parent": "WH1"}
BAD = {
    "missing code": (typed(**BIN), "code", "code is required."),
    "code with a space": (typed(code="A 01", **BIN), "code", "code has no spaces."),
    "code too long": (typed(code="C" * 41, **BIN), "code", "code is longer than 40 characters."),
    "kind unknown": (typed(code="A-01", kind="shelf", parent="WH1"), "kind",
                     "kind is one of warehouse, zone, bin."),
    "name too long": (typed(code="A-01", name="n" * 121, **BIN), "name",
                      "name is longer than 120 characters."),
    "capacity zero": (typed(code="A-01", capacity=0, **BIN), "capacity",
                      "capacity must be between 1 and 1,000,000,000."),
    "capacity a fraction": (typed(code="A-01", capacity=1.5, **BIN), "capacity",
                            "capacity must be a whole number."),
    "capacity a word": (typed(code="A-01", capacity="ten", **BIN), "capacity",
                        "capacity must be a whole number."),
    "sequence negative": (typed(code="A-01", sequence=-1, **BIN), "sequence",
                          "sequence must be between 0 and 1,000,000."),
    "parent unknown": (typed(code="A-01", kind="bin", parent="NOPE"), "parent",
                       "No location with code NOPE."),
    "bin without a parent": (typed(code="A-01", kind="bin"), "parent",
                             "A bin needs a parent warehouse or zone."),
}


@pytest.mark.parametrize(("name", "road"), [(name, road) for name in BAD for road in ROADS])
def test_a_bad_location_is_refused_alike_on_every_road(db, client, roads, road, name):
    case, field, message = BAD[name]
    before = written(db)
    status, got_field, said = send(road, client, roads, case)
    refused_alike(road, status, got_field, said, field, message)
    assert written(db) == before


@pytest.mark.parametrize("road", ROADS)
def test_a_deactivated_parent_is_refused_alike(db, client, roads, road, make_location):
    make_location("Z-OLD", "zone").active = False
    before = written(db)
    status, field, said = send(road, client, roads, typed(code="A-01", kind="bin",
                                                          parent="Z-OLD"))
    refused_alike(road, status, field, said, "parent", "Parent Z-OLD is deactivated.")
    assert written(db) == before


@pytest.mark.parametrize("road", ("api", "form"))  # a CSV row with a known code updates it
def test_a_code_already_used_is_refused_alike(db, client, roads, road, make_location):
    make_location("A-01")
    before = written(db)
    status, field, said = send(road, client, roads, typed(code="a-01", **BIN))
    refused_alike(road, status, field, said, "code", "Location code A-01 is already used.")
    assert written(db) == before


@pytest.mark.parametrize("road", ("api", "form"))  # the file has no hold column
def test_a_hold_neither_yes_nor_no_is_refused_alike(db, client, roads, road):
    before = written(db)
    status, field, said = send(road, client, roads, typed(code="A-01", hold="maybe", **BIN))
    refused_alike(road, status, field, said, "hold", "hold must be true or false.")
    assert written(db) == before


@pytest.mark.parametrize("road", ROADS)
def test_a_good_location_is_written_the_same_on_every_road(db, client, roads, road):
    status, field, said = send(road, client, roads, typed(
        code=" a-01 ", kind="bin", parent="WH1", name=" Aisle one ", sequence=3, capacity=40))
    assert status in (201, 303), (status, field, said)
    db.session.commit()
    made = db.session.scalar(select(Location).where(Location.code == "A-01"))
    assert (made.kind.value, made.parent.code, made.name, made.sequence, made.capacity,
            made.hold, made.active, made.path) == (
        "bin", "WH1", "Aisle one", 3, 40, False, True, "WH1 / A-01")
