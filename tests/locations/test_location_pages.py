"""Location admin pages: browse, search, create, edit, deactivate."""
import pytest
from sqlalchemy import func, select

from warehouse_app.locations.models import Location


def by_code(db, code):
    db.session.expire_all()
    return db.session.scalar(select(Location).where(Location.code == code))


@pytest.mark.parametrize("path", ["/locations/", "/locations/new", "/locations/1"])
def test_location_pages_are_403_for_staff(client, login_as, path):
    login_as("staff")
    assert client.get(path).status_code == 403


def test_location_writes_are_403_for_staff(client, login_as, no_csrf):
    login_as("staff")
    response = client.post("/locations/new", data={"code": "WH9", "kind": "warehouse"})
    assert response.status_code == 403


def test_location_list_shows_warehouses_first(client, login_as, make_location):
    login_as("supervisor")
    zone = make_location("Z1", "zone")
    make_location("A-01", parent=zone)
    html = client.get("/locations/").text
    assert "WH1" in html and "1 inside" in html and "A-01" not in html


def test_location_list_opens_a_zone(client, login_as, make_location):
    login_as("supervisor")
    zone = make_location("Z1", "zone")
    make_location("A-01", parent=zone)
    html = client.get(f"/locations/?within={zone.id}").text
    assert "A-01" in html and "+ Bin in Z1" in html


def test_location_search_finds_bins_anywhere(client, login_as, make_location):
    login_as("supervisor")
    zone = make_location("Z1", "zone")
    make_location("A-01", parent=zone, name="Top shelf")
    make_location("B-01", parent=zone)
    html = client.get("/locations/?q=top").text
    assert "A-01" in html and "B-01" not in html


def test_create_bin_under_a_zone(client, db, login_as, make_location, no_csrf):
    login_as("supervisor")
    make_location("Z1", "zone")
    response = client.post("/locations/new", data={"code": "a-07", "kind": "bin",
                                                   "parent": "z1", "capacity": "30"})
    assert response.status_code == 303
    bin_ = by_code(db, "A-07")
    assert bin_.parent.code == "Z1" and bin_.capacity == 30 and bin_.name == "A-07"


def test_create_with_unknown_parent_shows_message_and_changes_nothing(client, db, login_as,
                                                                      no_csrf):
    login_as("supervisor")
    response = client.post("/locations/new", data={"code": "A-07", "kind": "bin",
                                                   "parent": "NOPE"})
    assert response.status_code == 404
    assert "No location with code NOPE." in response.text
    assert by_code(db, "A-07") is None


def test_create_with_duplicate_code_is_refused(client, db, login_as, make_location, no_csrf):
    login_as("supervisor")
    make_location("A-01")
    response = client.post("/locations/new", data={"code": "A-01", "kind": "bin",
                                                   "parent": "WH1"})
    assert response.status_code == 409
    assert "Location code A-01 is already used." in response.text
    assert db.session.scalar(select(func.count()).where(Location.code == "A-01")) == 1


def test_create_bin_without_parent_is_refused(client, login_as, no_csrf):
    login_as("supervisor")
    response = client.post("/locations/new", data={"code": "A-01", "kind": "bin"})
    assert "A bin needs a parent warehouse or zone." in response.text


def test_edit_changes_name_sequence_and_capacity(client, db, login_as, make_location,
                                                 no_csrf):
    login_as("supervisor")
    bin_ = make_location("A-01")
    response = client.post(f"/locations/{bin_.id}", data={"name": "Top", "sequence": "4",
                                                          "capacity": ""})
    assert response.status_code == 303
    bin_ = by_code(db, "A-01")
    assert (bin_.name, bin_.sequence, bin_.capacity) == ("Top", 4, None)


def test_edit_with_zero_capacity_is_refused(client, db, login_as, make_location, no_csrf):
    login_as("supervisor")
    bin_ = make_location("A-01", capacity=5)
    response = client.post(f"/locations/{bin_.id}", data={"name": "X", "capacity": "0"})
    assert response.status_code == 422
    assert "capacity must be between 1 and 1,000,000,000." in response.text
    assert by_code(db, "A-01").capacity == 5 and by_code(db, "A-01").name == "A-01"


def test_edit_virtual_location_is_refused(client, db, login_as, no_csrf):
    login_as("supervisor")
    supplier = by_code(db, "SUPPLIER")
    response = client.post(f"/locations/{supplier.id}", data={"name": "Mine"})
    assert response.status_code == 422
    assert by_code(db, "SUPPLIER").name == "Supplier"


def test_deactivate_zone_deactivates_its_bins(client, db, login_as, make_location, no_csrf):
    login_as("supervisor")
    zone = make_location("Z1", "zone")
    make_location("A-01", parent=zone)
    client.post(f"/locations/{zone.id}/active", data={"active": "0"})
    assert by_code(db, "Z1").active is False and by_code(db, "A-01").active is False


def test_deactivate_location_holding_stock_is_refused(client, db, login_as, make_location,
                                                      make_product, stock, no_csrf):
    login_as("supervisor")
    bin_ = make_location("A-01")
    stock(make_product(), bin_, 2)
    response = client.post(f"/locations/{bin_.id}/active", data={"active": "0"},
                           follow_redirects=True)
    assert "A-01 still holds 2 unit(s)" in response.text
    assert by_code(db, "A-01").active is True


def test_reactivate_location(client, db, login_as, make_location, no_csrf):
    login_as("supervisor")
    bin_ = make_location("A-01")
    client.post(f"/locations/{bin_.id}/active", data={"active": "0"})
    client.post(f"/locations/{bin_.id}/active", data={"active": "1"})
    assert by_code(db, "A-01").active is True
