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
