"""Rights of the moment, over every API route of the URL map: a demoted admin's old token
gets exactly what a staff token gets, and a deactivated user's token is refused everywhere.
A new route is covered the day it is added."""
import uuid

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
