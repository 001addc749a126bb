"""flask users create, flask tokens create."""
import hashlib

import pytest
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.security import check_password_hash

from warehouse_app.auth.models import ApiToken, Role, User


def user_named(db, username):
    return db.session.scalar(select(User).where(User.username == username))


def test_users_create_with_password_and_role(db, runner):
    result = runner.invoke(args=["users", "create", "alice", "--role", "supervisor",
                                 "--password", "long-enough-1"])
    assert result.exit_code == 0, result.output
    assert "Created supervisor alice" in result.output
    alice = user_named(db, "alice")
    assert alice.role is Role.SUPERVISOR
    assert check_password_hash(alice.password_hash, "long-enough-1")
    assert "long-enough-1" not in alice.password_hash


def test_users_create_prompts_for_the_password_twice(db, runner):
    result = runner.invoke(args=["users", "create", "bob"], input="pass-word-9\npass-word-9\n")
    assert result.exit_code == 0, result.output
    assert user_named(db, "bob").role is Role.STAFF


def test_users_create_refuses_a_duplicate_name(db, runner, make_user):
    make_user("alice")
    result = runner.invoke(args=["users", "create", "Alice", "--password", "long-enough-1"])
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert db.session.scalar(select(db.func.count(User.id))) == 1


def test_users_create_refuses_a_short_password(db, runner):
    result = runner.invoke(args=["users", "create", "carol", "--password", "short"])
    assert result.exit_code == 1
    assert "at least 8 characters" in result.output
    assert user_named(db, "carol") is None


def test_users_create_refuses_an_unknown_role(db, runner):
    result = runner.invoke(args=["users", "create", "dave", "--role", "boss",
                                 "--password", "long-enough-1"])
    assert result.exit_code == 2
    assert "boss" in result.output and "staff" in result.output
    assert user_named(db, "dave") is None


@pytest.fixture
def whoami(app):
    """A route under /api/ that needs a logged-in caller, for trying tokens on."""
    @login_required
    def view():
        return {"user": current_user.username}
    app.add_url_rule("/api/test-whoami", "test_whoami", view)
    return "/api/test-whoami"


def test_tokens_create_prints_the_secret_alone_on_the_last_line(db, runner, make_user):
    make_user("admin", "admin")
    result = runner.invoke(args=["tokens", "create", "shop-pos"])
    assert result.exit_code == 0, result.output
    secret = result.output.rstrip("\n").splitlines()[-1]
    assert secret.startswith("wh_") and " " not in secret and len(secret) > 30
    assert secret not in result.output.splitlines()[0]


@pytest.mark.fresh_app  # whoami adds a route to the app
def test_token_authenticates_as_a_bearer_and_only_its_hash_is_stored(db, runner, client,
                                                                      make_user, whoami):
    make_user("admin", "admin")
    secret = runner.invoke(args=["tokens", "create", "shop-pos"]).output.splitlines()[-1]

    assert client.get(whoami).status_code == 401
    assert client.get(whoami, headers={"Authorization": "Bearer wh_wrong"}).status_code == 401
    answer = client.get(whoami, headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 200 and answer.get_json() == {"user": "admin"}
    assert client.get("/healthz", headers={"Authorization": f"Bearer {secret}"}).status_code == 200

    token = db.session.scalar(select(ApiToken).where(ApiToken.name == "shop-pos"))
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = [str(getattr(token, column.key)) for column in ApiToken.__table__.columns]
    assert not any(secret in value for value in stored)


def test_tokens_create_for_a_user_capped_to_a_lower_role(db, runner, make_user):
    make_user("sam", "supervisor")
    result = runner.invoke(args=["tokens", "create", "scanner-1", "--user", "sam",
                                 "--role", "staff"])
    assert result.exit_code == 0, result.output
    token = db.session.scalar(select(ApiToken).where(ApiToken.name == "scanner-1"))
    assert (token.user.username, token.role) == ("sam", Role.STAFF)


def test_tokens_create_needs_an_admin_or_a_user(db, runner):
    result = runner.invoke(args=["tokens", "create", "orphan"])
    assert result.exit_code == 1
    assert "No admin user yet" in result.output
    assert db.session.scalar(select(ApiToken)) is None
