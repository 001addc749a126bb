"""Rights of the moment, over every API route of the URL map: a demoted admin's old token
gets exactly what a staff token gets, a deactivated user's token is refused everywhere, and
staff of another warehouse never get more than staff (and are refused every thing of a
warehouse they are not kept to). A new route is covered the day it is added."""
import uuid

import pytest

from tests.test_access_sweep import routes
from warehouse_app.auth.models import Role
from warehouse_app.auth.users import create_token


def bearer(db, user, role=None):
    _, secret = create_token(f"t-{uuid.uuid4().hex[:8]}", user, role)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def api_routes(app):
    return [r for r in routes(app) if r[2].startswith("/api/")]


def test_a_demoted_admins_token_gets_what_staff_get_on_every_api_route(app, client, db,
                                                                       make_user):
    make_user("root", "admin")
    staff = bearer(db, make_user("pat", "staff"))
    ada = make_user("ada", "admin")
    old = bearer(db, ada)
    ada.role = Role.STAFF
    db.session.commit()
    seen = 0
    for endpoint, method, url in api_routes(app):
        if method == "GET":
            continue  # reads answer per caller; the refusals below are what differ
        as_staff = client.open(url, method=method, headers=staff, json={}).status_code
        as_old = client.open(url, method=method, headers=old, json={}).status_code
        assert (as_staff == 403) == (as_old == 403), (endpoint, method, url, as_staff, as_old)
        seen += 1
    for endpoint, method, url in api_routes(app):
        if method != "GET":
            continue
        as_staff = client.open(url, method=method, headers=staff).status_code
        as_old = client.open(url, method=method, headers=old).status_code
        assert (as_staff == 403) == (as_old == 403), (endpoint, method, url, as_staff, as_old)
        seen += 1
    assert seen > 30


def test_a_deactivated_users_token_is_refused_on_every_api_route(app, client, db, make_user):
    make_user("root", "admin")
    ada = make_user("ada", "admin")
    old = bearer(db, ada)
    ada.active = False
    db.session.commit()
    for endpoint, method, url in api_routes(app):
        response = client.open(url, method=method, headers=old, json={})
        assert response.status_code == 401, (endpoint, method, url, response.status_code)


def test_staff_of_another_warehouse_never_get_more_than_staff_on_any_api_route(
        app, client, db, make_user, make_location):
    from warehouse_app.auth import warehouses
    make_user("root", "admin")
    make_location("WH-A", "warehouse")
    make_location("WH-B", "warehouse")
    staff = bearer(db, make_user("pat", "staff"))
    other = make_user("bo", "staff")
    warehouses.keep_user(other, ["WH-B"])
    db.session.commit()
    other = bearer(db, other)
    seen = 0
    for endpoint, method, url in api_routes(app):
        body = {} if method != "GET" else None
        as_staff = client.open(url, method=method, headers=staff, json=body).status_code
        as_other = client.open(url, method=method, headers=other, json=body).status_code
        assert as_staff != 403 or as_other == 403, (endpoint, method, url, as_staff, as_other)
        seen += 1
    assert seen > 30


# A thing of warehouse WH-A named by each kind of route that reads or writes one: what staff
# kept to WH-A get, and what staff kept to WH-B get (the row "staff of another warehouse").
OWN_THINGS = [
    ("GET", "/api/v1/stock?location=A-1", None, 200, 403),
    ("GET", "/api/v1/stock?location=WH-A", None, 200, 403),
    ("POST", "/api/v1/scan/resolve", {"code": "A-1"}, 200, 403),
    ("POST", "/api/v1/movements", {"kind": "receive", "sku": "P-1", "qty": 1,
                                   "to_location": "A-1"}, 201, 403),
    ("POST", "/api/v1/movements", {"kind": "pick", "sku": "P-1", "qty": 1,
                                   "from_location": "A-1"}, 201, 403),
    ("POST", "/api/v1/movements", {"kind": "transfer", "sku": "P-1", "qty": 1,
                                   "from_location": "A-1", "to_location": "A-2"}, 201, 403),
    ("POST", "/api/v1/movements/{receipt}/reverse", {}, 403, 403),  # staff reverse nothing
    ("GET", "/api/v1/movements/{receipt}", None, 200, 404),
    ("GET", "/api/v1/labels/bins.pdf?location=A-1", None, 200, 403),
    ("GET", "/api/v1/orders/SO-A", None, 200, 403),
    ("GET", "/api/v1/orders/SO-A/picklist", None, 200, 403),
    ("GET", "/api/v1/counts/{count}", None, 200, 403),
    ("POST", "/api/v1/counts/{count}/lines", {"sku": "P-1", "location": "A-1",
                                              "counted_qty": 5}, 201, 403),
]


@pytest.mark.parametrize("method,url,body,own,other", OWN_THINGS)
def test_staff_of_another_warehouse(client, db, make_user, make_location, make_product, stock,
                                    api_token, method, url, body, own, other):
    from warehouse_app.auth import warehouses
    a, b = make_location("WH-A", "warehouse"), make_location("WH-B", "warehouse")
    a1 = make_location("A-1", parent=a)
    make_location("A-2", parent=a)
    make_location("B-1", parent=b)
    receipt = stock(make_product("P-1"), a1, 10)
    admin = api_token("admin")
    assert client.post("/api/v1/orders", headers=admin, json={
        "reference": "SO-A", "lines": [{"sku": "P-1", "qty": 1}]}).status_code == 201
    count = client.post("/api/v1/counts", headers=admin, json={"locations": ["A-1"]}).json
    here, there = make_user("pat", "staff"), make_user("bo", "staff")
    warehouses.keep_user(here, ["WH-A"])
    warehouses.keep_user(there, ["WH-B"])
    db.session.commit()
    url = url.format(receipt=receipt.id, count=count["id"])
    got_other = client.open(url, method=method, headers=bearer(db, there), json=body)
    assert got_other.status_code == other, got_other.get_json()
    if other == 403 and own != 403:
        assert got_other.json["error"]["code"] == "other_warehouse"
    got_own = client.open(url, method=method, headers=bearer(db, here), json=body)
    assert got_own.status_code == own, got_own.get_json()
