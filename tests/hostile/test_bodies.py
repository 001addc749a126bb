"""Hostile bodies get a 4xx before they cost anything: a declared length over the limit is
refused before one byte is read and before any login is looked up (tighter for a caller with
no credentials), a body nested too deep is a 400, and no body at all is never a 5xx."""
import io

import pytest

from tests.hostile.conftest import last_crash
from tests.test_access_sweep import routes

NESTED = b"[" * 1024 + b"]" * 1024  # 2 KB of brackets
BIG = 13 * 1024 * 1024


class Unreadable(io.RawIOBase):
    """A request body of `size` bytes that fails the test when anyone reads it."""

    def __init__(self, size: int):
        super().__init__()
        self.size, self.at = size, 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, offset, whence=0):
        self.at = self.size + offset if whence == 2 else offset
        return self.at

    def tell(self):
        return self.at

    def readinto(self, buffer):
        raise AssertionError("the body was read")


def every_route(app):
    """(endpoint, method, url) of every route, the open ones included."""
    from tests.test_access_sweep import OPEN
    yield from routes(app)
    for rule in app.url_map.iter_rules():
        if rule.endpoint in OPEN and not rule.arguments:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield rule.endpoint, method, rule.rule


def test_deep_json_is_a_400_on_every_route_anonymously(app, client, crash_as_500):
    seen = 0
    for endpoint, method, url in every_route(app):
        response = client.open(url, method=method, data=NESTED,
                               content_type="application/json")
        assert response.status_code == 400, (endpoint, method, url, response.status_code,
                                             last_crash(app))
        seen += 1
    assert seen > 50


def test_deep_json_is_a_400_for_a_logged_in_caller(client, admin, crash_as_500):
    response = client.post("/api/v1/movements", headers=admin, data=NESTED,
                           content_type="application/json")
    assert response.status_code == 400
    assert response.json["error"]["code"] == "bad_request"
    assert "nested" in response.json["error"]["message"]


def test_json_as_deep_as_allowed_is_answered_by_the_view(client, admin):
    body = b'{"kind": "receive", "sku": ' + b"[" * 19 + b"]" * 19 + b"}"
    response = client.post("/api/v1/movements", headers=admin, data=body,
                           content_type="application/json")
    assert response.status_code == 422


def test_brackets_inside_strings_do_not_count(client, admin, make_product, make_location):
    make_product("SKU-1")
    make_location("A-01")
    response = client.post("/api/v1/movements", headers=admin,
                           json={"kind": "receive", "sku": "SKU-1", "qty": 1,
                                 "to_location": "A-01", "reference": "[" * 30 + '\\"{'})
    assert response.status_code == 201


@pytest.mark.parametrize("path", ["/healthz", "/login", "/api/v1/movements", "/api/v1/products"])
def test_no_body_at_all_is_never_a_5xx(app, client, admin, crash_as_500, path):
    for headers in ({}, admin):
        for kind in ("application/json", "application/x-www-form-urlencoded",
                     "multipart/form-data", "text/csv", None):
            response = client.post(path, headers=headers, content_type=kind)
            assert response.status_code < 500, (path, kind, last_crash(app))


def test_every_route_with_an_empty_json_body_as_admin(app, client, admin, login_as, no_csrf,
                                                      crash_as_500):
    login_as("admin")
    for endpoint, method, url in every_route(app):
        response = client.open(url, method=method, headers=admin if url.startswith("/api/")
                               else {}, data=b"", content_type="application/json")
        assert response.status_code < 500, (endpoint, method, url, last_crash(app))


@pytest.mark.parametrize("path", ["/healthz", "/login", "/api/v1/movements",
                                  "/api/v1/scan/resolve", "/products/import"])
def test_a_big_anonymous_body_is_refused_unread(client, path):
    response = client.post(path, input_stream=Unreadable(BIG),
                           content_type="application/json")
    assert response.status_code == 413
    if path.startswith("/api/"):
        assert response.json["error"]["code"] == "request_entity_too_large"


def test_the_anonymous_limit_is_tighter(app, client, admin):
    limit = app.config["ANON_MAX_CONTENT_LENGTH"]
    assert limit < app.config["MAX_CONTENT_LENGTH"]
    over = limit + 1
    assert client.post("/login", input_stream=Unreadable(over),
                       content_type="application/x-www-form-urlencoded").status_code == 413
    # A token that logs in may send more; the view then answers the body itself.
    body = b'{"code": "' + b"x" * over + b'"}'
    response = client.post("/api/v1/scan/resolve", headers=admin, data=body,
                           content_type="application/json")
    assert response.status_code != 413


def test_an_over_limit_body_with_a_valid_token_is_refused_unread(app, client, admin):
    response = client.post("/api/v1/movements", headers=admin,
                           input_stream=Unreadable(app.config["MAX_CONTENT_LENGTH"] + 1),
                           content_type="application/json")
    assert response.status_code == 413


def test_made_up_credentials_get_the_anonymous_limit(app, client):
    over = app.config["ANON_MAX_CONTENT_LENGTH"] + 1
    fake = {"Authorization": "Bearer wh_made_up", "Cookie": "session=forged; remember_token=1"}
    for path in ("/api/v1/movements", "/login"):
        response = client.post(path, headers=fake, input_stream=Unreadable(over),
                               content_type="application/json")
        assert response.status_code == 413, path


def test_a_chunked_anonymous_body_is_cut_at_the_limit(app, client):
    over = app.config["ANON_MAX_CONTENT_LENGTH"] * 2
    environ = {"wsgi.input_terminated": True, "HTTP_TRANSFER_ENCODING": "chunked"}
    response = client.post("/login", input_stream=io.BytesIO(b"username=" + b"x" * over),
                           content_type="application/x-www-form-urlencoded",
                           environ_overrides=environ)
    assert response.status_code == 413


def test_a_nonsense_content_length_is_a_400(client):
    response = client.post("/api/v1/movements", headers={"Content-Length": "12x"},
                           data=b"")
    assert response.status_code in (400, 401)


def test_the_remember_me_cookie_gets_the_session_cookie_flags(database_url, tmp_path, make_user):
    from tests.conftest import TEST_CONFIG
    from warehouse_app import create_app
    secure = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url,
                         "SESSION_COOKIE_SECURE": True, "WTF_CSRF_ENABLED": False})
    secure.instance_path = str(tmp_path / "secure")
    make_user("sam", "staff", "correct-horse")
    with secure.app_context():
        client = secure.test_client()
        response = client.post("/login", base_url="https://localhost",
                               data={"username": "sam", "password": "correct-horse",
                                     "remember": "1"})
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("remember_token=")]
    assert remember, cookies
    assert "Secure" in remember[0] and "HttpOnly" in remember[0]
    assert "SameSite=Lax" in remember[0]
