"""The API rate limit (Flask-Limiter): a window per token and per session user, a 429 in the
error shape with Retry-After, and one count for every app server sharing a Redis store."""
import os
import uuid

import pytest
from sqlalchemy import update

from tests.api.checks import assert_error
from tests.conftest import TEST_CONFIG
from warehouse_app import create_app
from warehouse_app.auth.models import ApiToken
from warehouse_app.auth.users import create_token, token_for

REDIS = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")


def token_id(headers: dict) -> int:
    return token_for(headers["Authorization"].split()[1]).id


@pytest.fixture
def redis_config(database_url, tmp_path):
    """Settings for app servers sharing the real Redis, under a key prefix of this test's own
    (tests running at once never meet in it)."""
    return {**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url,
            "RATELIMIT_STORAGE_URI": REDIS, "RATELIMIT_KEY_PREFIX": f"t-{uuid.uuid4().hex}",
            "API_RATE_LIMIT": 4, "API_RATE_WINDOW": 60}


def served(config: dict, instance: str):
    server = create_app(config)
    server.instance_path = instance
    return server


def get_stock(server, headers):
    with server.app_context():
        return server.test_client().get("/api/v1/stock", headers=headers)


def test_rate_limit_answers_429_in_the_error_shape_with_retry_after(app, client, api_token):
    app.config.update(API_RATE_LIMIT=3, API_RATE_WINDOW=60)
    token, other = api_token("staff"), api_token("staff")
    for _ in range(3):
        assert client.get("/api/v1/stock", headers=token).status_code == 200
    response = client.get("/api/v1/stock", headers=token)
    assert_error(response, 429, "rate_limited")
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    assert client.get("/api/v1/stock", headers=other).status_code == 200


def test_a_write_over_the_limit_is_refused_and_posts_nothing(app, client, api_token,
                                                             make_location, make_product, db):
    from warehouse_app.ledger.models import Movement
    make_location("B-1")
    make_product("SKU-1")
    app.config.update(API_RATE_LIMIT=1, API_RATE_WINDOW=60)
    token = api_token("staff")
    body = {"kind": "receive", "sku": "SKU-1", "qty": 1, "to_location": "B-1"}
    assert client.post("/api/v1/movements", headers=token, json=body).status_code == 201
    assert_error(client.post("/api/v1/movements", headers=token, json=body), 429,
                 "rate_limited")
    assert db.session.query(Movement).count() == 1


def test_page_sessions_calling_the_api_are_limited_like_tokens(app, client, login_as, no_csrf,
                                                               make_location, make_product):
    make_location("B-1")
    make_product("SKU-1")
    app.config.update(API_RATE_LIMIT=2, API_RATE_WINDOW=60)
    login_as("staff")
    assert client.get("/api/v1/stock").status_code == 200
    body = {"kind": "receive", "sku": "SKU-1", "qty": 1, "to_location": "B-1"}
    assert client.post("/api/v1/movements", json=body).status_code == 201
    response = client.post("/api/v1/movements", json=body)
    assert_error(response, 429, "rate_limited")
    assert int(response.headers["Retry-After"]) >= 1
    assert client.get("/").status_code == 200  # pages are not counted


def test_the_session_and_the_users_token_keep_windows_of_their_own(app, client, login_as, db):
    app.config.update(API_RATE_LIMIT=1, API_RATE_WINDOW=60)
    user = login_as("staff")
    _, secret = create_token("mine", user)
    db.session.commit()
    assert client.get("/api/v1/stock").status_code == 200
    assert client.get("/api/v1/stock").status_code == 429
    other_system = app.test_client()  # no page session: the token alone
    assert other_system.get("/api/v1/stock",
                            headers={"Authorization": f"Bearer {secret}"}).status_code == 200


def test_two_tokens_never_share_a_window(app, client, api_token, db):
    """The old per-process limiter kept token ids modulo 65,536: these two reset each other."""
    app.config.update(API_RATE_LIMIT=2, API_RATE_WINDOW=60)
    first, second = api_token("staff"), api_token("staff")
    db.session.execute(update(ApiToken).where(ApiToken.id == token_id(second))
                       .values(id=token_id(first) + 65_536))
    db.session.commit()
    assert token_id(second) == token_id(first) + 65_536
    for _ in range(2):
        assert client.get("/api/v1/stock", headers=first).status_code == 200
    assert client.get("/api/v1/stock", headers=first).status_code == 429
    for _ in range(2):
        assert client.get("/api/v1/stock", headers=second).status_code == 200
    assert client.get("/api/v1/stock", headers=second).status_code == 429
    assert client.get("/api/v1/stock", headers=first).status_code == 429


def test_two_app_servers_sharing_redis_share_one_count(db, api_token, redis_config, tmp_path):
    token = api_token("staff")
    one = served(redis_config, str(tmp_path / "one"))
    two = served(redis_config, str(tmp_path / "two"))
    assert get_stock(one, token).status_code == 200
    assert get_stock(two, token).status_code == 200
    assert get_stock(one, token).status_code == 200
    assert get_stock(two, token).status_code == 200  # the 4th call of the window, anywhere
    assert_error(get_stock(one, token), 429, "rate_limited")
    response = get_stock(two, token)
    assert_error(response, 429, "rate_limited")
    assert 1 <= int(response.headers["Retry-After"]) <= 60


def test_two_tokens_keep_their_own_windows_in_redis(db, api_token, redis_config, tmp_path):
    first, second = api_token("staff"), api_token("staff")
    one = served(redis_config, str(tmp_path / "one"))
    for _ in range(4):
        assert get_stock(one, first).status_code == 200
    assert get_stock(one, first).status_code == 429
    assert get_stock(one, second).status_code == 200


def test_servers_with_memory_storage_count_alone(db, api_token, redis_config, tmp_path):
    """The default (memory://, nothing to set up) counts per process: why several servers set
    RATELIMIT_STORAGE_URI to a shared store."""
    config = {**redis_config, "RATELIMIT_STORAGE_URI": "memory://", "API_RATE_LIMIT": 1}
    token = api_token("staff")
    one, two = served(config, str(tmp_path / "one")), served(config, str(tmp_path / "two"))
    assert get_stock(one, token).status_code == 200
    assert get_stock(two, token).status_code == 200
    assert get_stock(one, token).status_code == 429
