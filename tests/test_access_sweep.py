"""Every route but the login page, the health check and static files needs a login or a token."""
import re

import pytest

OPEN = {"auth.login", "web.healthz", "static", "scanning.service_worker",
        "api-docs.openapi_json", "api_reference.reference"}  # the spec reveals no data


def routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in OPEN:
            continue
        url = rule.rule
        for arg in rule.arguments:
            url = url.replace(f"<{arg}>", "X").replace(f"<int:{arg}>", "1")
            url = url.replace(f"<path:{arg}>", "x").replace(f"<string:{arg}>", "X")
            url = url.replace(f"<int(signed=True):{arg}>", "1")
        url = re.sub(r"<any\(([^,)]+)[^)]*\):\w+>", lambda m: m.group(1).strip(), url)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def test_every_route_refuses_anonymous_callers(app, client, no_csrf):
    seen = 0
    for endpoint, method, url in routes(app):
        response = client.open(url, method=method)
        seen += 1
        if url.startswith("/api/"):
            assert response.status_code == 401, (endpoint, method, url)
            assert response.json["error"]["code"] == "unauthorized"
        else:
            assert response.status_code in (302, 401), (endpoint, method, url, response.status_code)
            if response.status_code == 302:
                assert response.headers["Location"].startswith("/login"), (endpoint, url)
    assert seen > 30


@pytest.mark.parametrize("path", ["/api/v1/products", "/api/v1/stock", "/api/v1/movements"])
def test_garbage_and_revoked_tokens_are_refused(db, client, api_token, path):
    from datetime import UTC, datetime

    from warehouse_app.auth.models import ApiToken
    assert client.get(path, headers={"Authorization": "Bearer wh_garbage"}).status_code == 401
    headers = api_token("admin")
    assert client.get(path, headers=headers).status_code == 200
    token = db.session.scalars(db.select(ApiToken)).one()
    token.revoked_at = datetime.now(UTC)
    db.session.commit()
    assert client.get(path, headers=headers).status_code == 401


def test_every_page_answers_old_sessions_and_other_warehouses_no_more_than_staff(
        app, db, make_user, make_location, no_csrf):
    """A supervisor's and an admin's session after their demotion to staff get what a staff
    session gets on every page; staff kept to another warehouse never get more than staff.
    (Pages naming a thing of a warehouse: tests/auth/test_warehouses.py and
    test_warehouse_desk.py; the API's rights: tests/test_route_table.py.)"""
    from tests.auth.test_warehouses import log_in
    from warehouse_app.auth import warehouses
    from warehouse_app.auth.models import Role
    make_location("WH-A", "warehouse")
    make_location("WH-B", "warehouse")
    make_user("root", "admin")
    users = {"staff": make_user("pat", "staff"), "elsewhere": make_user("bo", "staff"),
             "demoted supervisor": make_user("vi", "supervisor"),
             "demoted admin": make_user("ada", "admin")}
    clients = {name: app.test_client() for name in users}
    for name in ("demoted supervisor", "demoted admin"):
        log_in(clients[name], users[name])  # the session began before the demotion
        users[name].role = Role.STAFF
    warehouses.keep_user(users["elsewhere"], ["WH-B"])
    db.session.commit()
    wrong, seen = [], 0
    for endpoint, method, url in routes(app):
        if url.startswith("/api/") or endpoint == "auth.logout":
            continue
        got = {}
        for name, client in clients.items():
            if name in ("staff", "elsewhere"):
                log_in(client, users[name])
            got[name] = client.open(url, method=method).status_code
        seen += 1
        for name in ("demoted supervisor", "demoted admin"):
            if got[name] != got["staff"]:
                wrong.append((endpoint, method, url, name, got[name], "staff", got["staff"]))
        if got["staff"] == 403 and got["elsewhere"] != 403:
            wrong.append((endpoint, method, url, "elsewhere", got["elsewhere"], "staff", 403))
    assert wrong == [], "\n".join(map(str, wrong))
    assert seen > 30
