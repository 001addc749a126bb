"""Who may call the API: tokens, sessions with CSRF, roles; and the public documents."""
from datetime import UTC, datetime

from flask import g, has_request_context, session
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from tests.api.checks import assert_error
from warehouse_app.auth.models import ApiToken
from warehouse_app.catalog import products
from warehouse_app.catalog.models import Product

NEW = {"sku": "NEW-1", "name": "New"}


def csrf_token_for(app, client) -> str:
    """A CSRF token valid for the client's session, as a page would embed it."""
    with app.test_request_context():
        g.pop("csrf_token", None)  # generate_csrf caches in g, shared with the test's app context
        token = generate_csrf()
        raw = session["csrf_token"]
    with client.session_transaction() as sess:
        sess["csrf_token"] = raw
    return token


def test_no_credentials_is_401(client):
    assert_error(client.get("/api/v1/products"), 401, "unauthorized")


def test_no_credentials_on_a_write_is_401_not_csrf(client, rows):
    assert_error(client.post("/api/v1/products", json=NEW), 401, "unauthorized")
    assert rows(Product) == 0


def test_garbage_token_is_401(client):
    response = client.get("/api/v1/stock", headers={"Authorization": "Bearer wh_nonsense"})
    assert_error(response, 401, "unauthorized")


def test_revoked_token_is_401(client, db, admin):
    db.session.execute(db.update(ApiToken).values(revoked_at=datetime.now(UTC)))
    db.session.commit()
    assert_error(client.get("/api/v1/products", headers=admin), 401)


def test_token_works_without_csrf(client, admin):
    assert client.post("/api/v1/products", json=NEW, headers=admin).status_code == 201


def test_get_with_token_records_last_use(client, db, staff):
    assert client.get("/api/v1/stock", headers=staff).status_code == 200
    db.session.commit()
    assert db.session.scalar(select(ApiToken.last_used_at)) is not None


def test_staff_cannot_create_products(client, staff, rows):
    assert_error(client.post("/api/v1/products", json=NEW, headers=staff), 403, "forbidden")
    assert rows(Product) == 0


def log_in(app, client, make_user, role: str) -> None:
    """Log in through the real login form, as a browser would (its session, its CSRF token)."""
    user = make_user(f"web-{role}", role)
    form = {"username": user.username, "password": "password123",
            "csrf_token": csrf_token_for(app, client)}
    assert client.post("/login", data=form).status_code in (302, 303)


def test_session_write_without_csrf_token_is_refused(app, client, make_user, rows):
    log_in(app, client, make_user, "admin")
    assert_error(client.post("/api/v1/products", json=NEW), 400, "csrf_failed")
    assert rows(Product) == 0


def test_session_write_with_csrf_token_works(app, client, make_user):
    log_in(app, client, make_user, "admin")
    token = csrf_token_for(app, client)
    response = client.post("/api/v1/products", json=NEW, headers={"X-CSRFToken": token})
    assert response.status_code == 201, response.get_json()


def test_session_read_needs_no_csrf_token(app, client, make_user):
    log_in(app, client, make_user, "staff")
    assert client.get("/api/v1/products").status_code == 200


def test_openapi_document_lists_the_paths(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.get_json()["paths"]
    for path in ("/api/v1/products", "/api/v1/products/{sku}", "/api/v1/locations",
                 "/api/v1/stock", "/api/v1/movements", "/api/v1/movements/{movement_id}/reverse"):
        assert path in paths


def test_docs_page_lists_operations_without_external_scripts(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "/api/v1/movements" in page and "openapi.json" in page
    assert "<script" not in page and "cdn" not in page.lower()


def test_healthz_answers_200(client):
    assert client.get("/healthz").status_code == 200


def test_unknown_api_path_is_a_json_404(client, admin):
    assert_error(client.get("/api/v1/nothing-here", headers=admin), 404)


def test_session_write_needs_no_token_when_csrf_is_off(app, client, make_user, no_csrf):
    log_in(app, client, make_user, "admin")
    assert client.post("/api/v1/products", json=NEW).status_code == 201


def test_busy_database_never_fails_a_read(client, db, staff, monkeypatch):
    def busy():
        if has_request_context():
            raise OperationalError("COMMIT", {}, Exception("database is locked"))
        return real_commit()
    real_commit = db.session.commit
    monkeypatch.setattr(db.session, "commit", busy)
    assert client.get("/api/v1/stock", headers=staff).status_code == 200


def test_write_racing_a_unique_key_is_409(client, supervisor, monkeypatch, rows):
    def clash(_fields):
        raise IntegrityError("INSERT", {}, Exception("duplicate key"))
    monkeypatch.setattr(products, "create", clash)
    assert_error(client.post("/api/v1/products", json=NEW, headers=supervisor), 409, "conflict")
    assert rows(Product) == 0
