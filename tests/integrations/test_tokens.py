"""Scoped tokens: each scope refused outside its area, revocation, the page, the CLI (the
rate limit: test_rate_limit.py)."""
import re
import uuid

import pytest
from sqlalchemy import select

from tests.api.checks import assert_error
from warehouse_app.auth.models import ApiToken
from warehouse_app.auth.users import create_token
from warehouse_app.errors import DomainError
from warehouse_app.ledger.models import Movement


@pytest.fixture
def scoped(db, make_user):
    """A bearer header for an admin's token limited to these scopes."""
    def make(*scopes):
        user = make_user(f"int-{uuid.uuid4().hex[:6]}", "admin")
        _, secret = create_token(f"t-{uuid.uuid4().hex[:8]}", user, scopes=scopes)
        db.session.commit()
        return {"Authorization": f"Bearer {secret}"}
    return make


@pytest.fixture
def bin_and_product(make_location, make_product):
    make_location("B-1")
    make_product("SKU-1")


RECEIVE = {"kind": "receive", "sku": "SKU-1", "qty": 1, "to_location": "B-1"}


def test_read_scope_reads_but_cannot_write(client, scoped, bin_and_product, rows):
    token = scoped("read")
    assert client.get("/api/v1/stock", headers=token).status_code == 200
    assert client.post("/api/v1/scan/resolve", json={"code": "B-1"},
                       headers=token).status_code == 200
    assert_error(client.post("/api/v1/movements", json=RECEIVE, headers=token), 403,
                 "insufficient_scope")
    assert_error(client.post("/api/v1/products", json={"sku": "N", "name": "N"}, headers=token),
                 403, "insufficient_scope")
    assert rows(Movement) == 0


def test_stock_write_scope_posts_movements_but_not_orders(client, scoped, bin_and_product):
    token = scoped("stock-write")
    assert client.post("/api/v1/movements", json=RECEIVE, headers=token).status_code == 201
    assert_error(client.post("/api/v1/orders", json={"reference": "X", "lines": [
        {"sku": "SKU-1", "qty": 1}]}, headers=token), 403, "insufficient_scope")
    assert_error(client.get("/api/v1/products", headers=token), 403, "insufficient_scope")


def test_orders_scope_places_orders_but_not_movements(client, scoped, bin_and_product, rows):
    token = scoped("orders")
    assert_error(client.post("/api/v1/movements", json=RECEIVE, headers=token), 403,
                 "insufficient_scope")
    assert client.post("/api/v1/orders", json={"reference": "X", "lines": [
        {"sku": "SKU-1", "qty": 1}], "allow_backorder": True}, headers=token).status_code == 201
    assert rows(Movement) == 0


def test_admin_scope_and_no_scope_may_do_everything(client, scoped, api_token, bin_and_product):
    for token in (scoped("admin"), api_token("admin")):
        assert client.post("/api/v1/movements", json=RECEIVE, headers=token).status_code == 201


def test_a_scope_never_lifts_the_role(client, db, make_user, bin_and_product):
    user = make_user("staffer", "staff")
    _, secret = create_token("staff-admin", user, scopes=["admin"])
    db.session.commit()
    assert_error(client.post("/api/v1/products", json={"sku": "N", "name": "N"},
                             headers={"Authorization": f"Bearer {secret}"}), 403, "forbidden")


def test_unknown_scope_is_refused_and_nothing_is_created(db, make_user, rows):
    user = make_user("someone", "admin")
    with pytest.raises(DomainError, match="Unknown scope"):
        create_token("bad", user, scopes=["write-everything"])
    db.session.rollback()
    assert rows(ApiToken) == 0


def test_revoked_token_is_refused_at_once(app, client, login_as, no_csrf, api_token):
    token = api_token("staff")
    assert client.get("/api/v1/stock", headers=token).status_code == 200
    login_as("admin")
    page = client.get("/tokens/").get_data(as_text=True)
    token_id = re.search(r'/tokens/(\d+)/revoke', page).group(1)
    assert client.post(f"/tokens/{token_id}/revoke").status_code == 303
    other = app.test_client()  # no session cookie: the token alone
    assert_error(other.get("/api/v1/stock", headers=token), 401, "unauthorized")


def test_token_page_creates_a_scoped_token_and_shows_its_secret_once(client, db, login_as,
                                                                     no_csrf):
    login_as("admin", username="boss")
    response = client.post("/tokens/", data={"name": "shop", "user": "boss",
                                             "scopes": ["read", "orders"]})
    assert response.status_code == 201
    secret = re.search(r"wh_[\w-]{20,}", response.get_data(as_text=True)).group(0)
    token = db.session.scalars(select(ApiToken).where(ApiToken.name == "shop")).one()
    assert token.scopes == "read orders"
    listing = client.get("/tokens/").get_data(as_text=True)
    assert "shop" in listing and "read orders" in listing and secret not in listing
    assert "never" in listing  # last used


def test_token_page_shows_last_use(client, db, login_as, api_token):
    client.get("/api/v1/stock", headers=api_token("staff"))
    login_as("admin")
    page = client.get("/tokens/").get_data(as_text=True)
    assert re.search(r"<td>\d{4}-\d\d-\d\d \d\d:\d\d</td>\s*<td>\d{4}-\d\d-\d\d", page)


def test_token_page_refuses_staff_and_bad_input(client, login_as, no_csrf, rows):
    login_as("supervisor")
    assert client.get("/tokens/").status_code == 403
    login_as("admin", username="adm")
    assert client.post("/tokens/", data={"name": "", "user": "adm"}).status_code == 422
    assert client.post("/tokens/", data={"name": "x", "user": "adm",
                                         "scopes": ["nope"]}).status_code == 422
    assert rows(ApiToken) == 0


def test_cli_creates_scoped_tokens_and_keeps_full_rights_without(runner, db, make_user):
    make_user("root", "admin")
    result = runner.invoke(args=["tokens", "create", "erp", "--scope", "read",
                                 "--scope", "stock-write"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1].startswith("wh_")
    plain = runner.invoke(args=["tokens", "create", "full"])
    assert plain.exit_code == 0, plain.output
    scopes = dict(db.session.execute(select(ApiToken.name, ApiToken.scopes)).all())
    assert scopes == {"erp": "read stock-write", "full": ""}
    assert runner.invoke(args=["tokens", "create", "x", "--scope", "god"]).exit_code != 0
