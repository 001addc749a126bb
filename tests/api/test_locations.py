"""Locations over the API: create the tree, list it; bad parents, kinds and codes refused."""
import pytest

from tests.api.checks import assert_error
from warehouse_app.locations.models import Location

URL = "/api/v1/locations"


def test_create_warehouse_zone_and_bin(client, supervisor):
    for body in ({"code": "wh2", "name": "North", "kind": "warehouse"},
                 {"code": "WH2-A", "kind": "zone", "parent": "WH2", "sequence": 1},
                 {"code": "WH2-A-01", "kind": "bin", "parent": "wh2-a", "capacity": 40}):
        response = client.post(URL, json=body, headers=supervisor)
        assert response.status_code == 201, response.get_json()
    bin_ = response.get_json()
    assert (bin_["code"], bin_["parent"], bin_["path"], bin_["capacity"]) == (
        "WH2-A-01", "WH2-A", "WH2 / WH2-A / WH2-A-01", 40)


def test_list_locations_filters_by_kind_and_parent(client, staff, make_location):
    wh = make_location("WH1", "warehouse")
    zone = make_location("Z1", "zone", parent=wh)
    make_location("B1", "bin", parent=zone)
    make_location("B2", "bin", parent=wh)
    everything = client.get(URL, headers=staff).get_json()
    assert [loc["code"] for loc in everything["items"]] == ["B1", "B2", "WH1", "Z1"]
    bins = client.get(f"{URL}?kind=bin", headers=staff).get_json()
    assert [loc["code"] for loc in bins["items"]] == ["B1", "B2"]
    under_zone = client.get(f"{URL}?parent=Z1", headers=staff).get_json()
    assert [loc["code"] for loc in under_zone["items"]] == ["B1"]


def test_virtual_locations_are_listed_by_kind(client, staff):
    body = client.get(f"{URL}?kind=supplier", headers=staff).get_json()
    assert [loc["code"] for loc in body["items"]] == ["SUPPLIER"]


def test_unknown_parent_is_404(client, supervisor, rows):
    response = client.post(URL, json={"code": "B9", "kind": "bin", "parent": "NOPE"},
                           headers=supervisor)
    assert_error(response, 404, "not_found", "parent")
    assert rows(Location) == 5  # the virtual ones


def test_bin_under_a_bin_is_422(client, supervisor, make_location, rows):
    make_location("B1")
    before = rows(Location)
    response = client.post(URL, json={"code": "B2", "kind": "bin", "parent": "B1"},
                           headers=supervisor)
    assert_error(response, 422, field="parent")
    assert rows(Location) == before


def test_bin_without_parent_is_422(client, supervisor):
    assert_error(client.post(URL, json={"code": "B2", "kind": "bin"}, headers=supervisor),
                 422, field="parent")


@pytest.mark.parametrize("kind", ["supplier", "shelf", 3, None])
def test_kind_other_than_warehouse_zone_bin_is_422(client, supervisor, kind):
    response = client.post(URL, json={"code": "X1", "kind": kind}, headers=supervisor)
    assert_error(response, 422, "invalid", "kind")


def test_duplicate_code_is_409(client, supervisor, make_location, rows):
    make_location("B1")
    before = rows(Location)
    response = client.post(URL, json={"code": "b1", "kind": "bin", "parent": "WH1"},
                           headers=supervisor)
    assert_error(response, 409, "duplicate_code", "code")
    assert rows(Location) == before


@pytest.mark.parametrize("body, field", [
    ({"code": "X" * 10_000, "kind": "warehouse"}, "code"),
    ({"code": "X 1", "kind": "warehouse"}, "code"),
    ({"code": "X1", "kind": "warehouse", "name": "n" * 10_000}, "name"),
    ({"code": "X1", "kind": "warehouse", "capacity": 0}, "capacity"),
    ({"code": "X1", "kind": "warehouse", "sequence": "1"}, "sequence"),
])
def test_bad_location_fields_are_422(client, supervisor, body, field):
    assert_error(client.post(URL, json=body, headers=supervisor), 422, field=field)


def test_staff_cannot_create_locations(client, staff):
    response = client.post(URL, json={"code": "WH9", "kind": "warehouse"}, headers=staff)
    assert_error(response, 403, "forbidden")


@pytest.mark.parametrize("capacity", [0, -5, 1.5, "ten", True])
def test_bin_capacity_must_be_a_positive_whole_number(client, admin, capacity):
    client.post("/api/v1/locations", json={"code": "WH9", "kind": "warehouse"}, headers=admin)
    response = client.post("/api/v1/locations", headers=admin, json={
        "code": "CAP-1", "kind": "bin", "parent": "WH9", "capacity": capacity})
    assert response.status_code == 422
    assert response.json["error"]["field"] == "capacity"


def test_a_supervisor_edits_deactivates_and_reactivates_a_location(client, supervisor,
                                                                   make_location, stock,
                                                                   make_product, db):
    wh = make_location("WH", "warehouse")
    zone = make_location("Z1", "zone", parent=wh)
    make_location("B-1", parent=zone)
    held = make_location("B-2", parent=zone)
    stock(make_product("P-1"), held, 3)
    url = "/api/v1/locations/B-1"
    changed = client.patch(url, json={"name": "Top shelf", "sequence": 4, "capacity": 50},
                           headers=supervisor)
    assert changed.status_code == 200, changed.get_json()
    assert (changed.json["name"], changed.json["sequence"], changed.json["capacity"]) == (
        "Top shelf", 4, 50)
    assert client.patch(url, json={"capacity": None}, headers=supervisor).json["capacity"] is None
    off = client.patch(url, json={"active": False}, headers=supervisor)
    assert off.status_code == 200 and off.json["active"] is False
    assert client.patch(url, json={"active": True}, headers=supervisor).json["active"] is True
    busy = client.patch("/api/v1/locations/B-2", json={"active": False}, headers=supervisor)
    assert busy.status_code == 409 and busy.json["error"]["field"]  # it still holds stock
    assert client.get("/api/v1/locations/B-2", headers=supervisor).json["active"] is True


@pytest.mark.parametrize("body, field", [
    ({"sequence": -1}, "sequence"), ({"sequence": "x"}, "sequence"),
    ({"capacity": 0}, "capacity"), ({"capacity": 10**10}, "capacity"),
    ({"name": "n" * 121}, "name"), ({"active": "no"}, "active"), ({"code": "NEW"}, "code"),
    ({"kind": "zone"}, "kind")])
def test_bad_location_changes_are_422_and_change_nothing(client, supervisor, make_location,
                                                         body, field):
    make_location("B-1")
    answer = client.patch("/api/v1/locations/B-1", json=body, headers=supervisor)
    assert answer.status_code == 422 and answer.json["error"]["field"] == field, answer.json
    after = client.get("/api/v1/locations/B-1", headers=supervisor).json
    assert (after["code"], after["sequence"], after["capacity"], after["active"]) == (
        "B-1", 0, None, True)


def test_staff_and_strangers_cannot_change_locations(client, staff, make_location):
    make_location("B-1")
    assert client.patch("/api/v1/locations/B-1", json={"name": "x"},
                        headers=staff).status_code == 403
    assert client.patch("/api/v1/locations/B-1", json={"name": "x"}).status_code == 401
    assert client.patch("/api/v1/locations/SUPPLIER", json={"name": "x"},
                        headers=staff).status_code == 403


def test_a_virtual_location_cannot_be_changed(client, supervisor):
    answer = client.patch("/api/v1/locations/SUPPLIER", json={"name": "x"}, headers=supervisor)
    assert answer.status_code == 422 and answer.json["error"]["field"] == "code"
