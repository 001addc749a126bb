"""Rights of the moment: tokens and sessions act with the user's role and state of now."""
import uuid

import pytest
from sqlalchemy import select

from warehouse_app.auth.models import Role, User
from warehouse_app.auth.users import create_token


def token_of(db, user, role=None):
    _, secret = create_token(f"t-{uuid.uuid4().hex[:8]}", user, role)
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def adjust(client, headers, bin_code="A-01"):
    return client.post("/api/v1/movements", headers=headers,
                       json={"kind": "adjust", "sku": "SKU-1", "qty": 1,
                             "to_location": bin_code, "reason": "found"})


@pytest.fixture
def site(make_product, make_location):
    make_product("SKU-1")
    make_location("A-01")


def test_a_demoted_supervisors_token_loses_the_adjustment(client, db, runner, make_user, site):
    sam = make_user("sam", "supervisor")
    headers = token_of(db, sam)
    assert adjust(client, headers).status_code == 201
    result = runner.invoke(args=["users", "set-role", "sam", "staff"])
    assert result.exit_code == 0, result.output
    assert "sam is now staff" in result.output
    response = adjust(client, headers)
    assert response.status_code == 403
    assert response.json["error"]["code"] == "forbidden"


def test_a_demoted_supervisor_cannot_reverse_with_the_old_token(client, db, runner, make_user,
                                                                 site):
    sam = make_user("sam", "supervisor")
    headers = token_of(db, sam)
    first = client.post("/api/v1/movements", headers=headers,
                        json={"kind": "receive", "sku": "SKU-1", "qty": 5,
                              "to_location": "A-01"})
    assert first.status_code == 201
    assert runner.invoke(args=["users", "set-role", "sam", "staff"]).exit_code == 0
    response = client.post(f"/api/v1/movements/{first.json['id']}/reverse", headers=headers,
                           json={})
    assert response.status_code == 403


def test_a_demoted_admins_token_cannot_add_webhooks_or_products(client, db, runner, make_user):
    make_user("root", "admin")  # the last admin stays
    ada = make_user("ada", "admin")
    headers = token_of(db, ada)
    assert client.get("/api/v1/webhooks", headers=headers).status_code == 200
    assert runner.invoke(args=["users", "set-role", "ada", "staff"]).exit_code == 0
    assert client.post("/api/v1/webhooks", headers=headers,
                       json={"url": "https://example.com/hook"}).status_code == 403
    assert client.post("/api/v1/products", headers=headers,
                       json={"sku": "NEW-1", "name": "New"}).status_code == 403


def test_a_promoted_user_keeps_the_tokens_own_cap(client, db, make_user, site):
    sam = make_user("sam", "supervisor")
    headers = token_of(db, sam, Role.STAFF)
    assert adjust(client, headers).status_code == 403
    sam.role = Role.ADMIN
    db.session.commit()
    assert adjust(client, headers).status_code == 403


def test_a_deactivated_users_token_and_session_are_refused(client, db, runner, make_user,
                                                           login_as):
    make_user("root", "admin")
    sam = make_user("sam", "staff")
    headers = token_of(db, sam)
    assert client.get("/api/v1/stock", headers=headers).status_code == 200
    assert runner.invoke(args=["users", "deactivate", "sam"]).exit_code == 0
    assert client.get("/api/v1/stock", headers=headers).status_code == 401
    person = login_as("staff", "pat")
    assert client.get("/").status_code == 200
    assert runner.invoke(args=["users", "deactivate", person.username]).exit_code == 0
    assert client.get("/").status_code == 302


def test_a_demoted_session_loses_the_page_at_once(client, db, runner, login_as, make_user):
    make_user("root", "admin")
    login_as("admin", "ada")
    assert client.get("/users/").status_code == 200
    assert runner.invoke(args=["users", "set-role", "ada", "staff"]).exit_code == 0
    assert client.get("/users/").status_code == 403


def test_cli_refuses_an_unknown_user_and_role(runner, make_user):
    result = runner.invoke(args=["users", "set-role", "nobody", "staff"])
    assert result.exit_code == 1 and "No user nobody" in result.output
    make_user("sam")
    assert runner.invoke(args=["users", "set-role", "sam", "boss"]).exit_code == 2
    assert runner.invoke(args=["users", "deactivate", "nobody"]).exit_code == 1


def test_cli_keeps_the_last_admin(runner, db, make_user):
    make_user("ada", "admin")
    result = runner.invoke(args=["users", "set-role", "ada", "staff"])
    assert result.exit_code == 1 and "last admin" in result.output
    result = runner.invoke(args=["users", "deactivate", "ada"])
    assert result.exit_code == 1 and "last admin" in result.output
    db.session.expire_all()
    ada = db.session.scalar(select(User).where(User.username == "ada"))
    assert ada.role is Role.ADMIN and ada.active


def test_cli_password_sets_it_and_ends_sessions(client, runner, db, login_as):
    from werkzeug.security import check_password_hash
    person = login_as("staff", "pat")
    assert client.get("/").status_code == 200
    result = runner.invoke(args=["users", "password", "pat", "--password", "brand-new-pass"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    pat = db.session.get(User, person.id)
    assert check_password_hash(pat.password_hash, "brand-new-pass")
    assert client.get("/").status_code == 302  # the old session no longer opens the app
    result = runner.invoke(args=["users", "password", "pat", "--password", "short"])
    assert result.exit_code == 1 and "at least 8 characters" in result.output


def test_cli_password_prompts_twice(runner, db, make_user):
    make_user("pat")
    result = runner.invoke(args=["users", "password", "pat"],
                           input="another-pass-1\nanother-pass-1\n")
    assert result.exit_code == 0, result.output


def test_a_user_changes_their_own_password(client, db, login_as, no_csrf):
    from werkzeug.security import check_password_hash
    person = login_as("staff", "pat")
    assert "Change your password" in client.get("/account/password").text
    wrong = client.post("/account/password", data={"current_password": "nope-nope",
                                                    "password": "brand-new-pass",
                                                    "confirm": "brand-new-pass"})
    assert wrong.status_code == 422 and "current password is wrong" in wrong.text
    differ = client.post("/account/password", data={"current_password": "password123",
                                                     "password": "brand-new-pass",
                                                     "confirm": "brand-new-pasz"})
    assert differ.status_code == 422
    short = client.post("/account/password", data={"current_password": "password123",
                                                    "password": "short", "confirm": "short"})
    assert short.status_code == 422
    db.session.expire_all()
    assert check_password_hash(db.session.get(User, person.id).password_hash, "password123")
    done = client.post("/account/password", data={"current_password": "password123",
                                                   "password": "brand-new-pass",
                                                   "confirm": "brand-new-pass"})
    assert done.status_code == 303
    assert client.get("/").status_code == 200  # this device stays logged in
    db.session.expire_all()
    assert check_password_hash(db.session.get(User, person.id).password_hash, "brand-new-pass")


def test_an_admin_resets_a_password_and_ends_their_sessions(client, db, login_as, make_user,
                                                            no_csrf):
    from werkzeug.security import check_password_hash
    pat = make_user("pat")
    version = pat.session_version
    login_as("admin")
    assert "Reset password" in client.get("/users/").text
    assert client.post(f"/users/{pat.id}/password", data={"password": "x"}).status_code == 422
    response = client.post(f"/users/{pat.id}/password", data={"password": "reset-pass-12"})
    assert response.status_code == 303
    db.session.expire_all()
    pat = db.session.get(User, pat.id)
    assert check_password_hash(pat.password_hash, "reset-pass-12")
    assert pat.session_version == version + 1
    assert client.post("/users/99999/password", data={"password": "reset-pass-12"}
                       ).status_code == 404


def test_only_admins_reset_passwords(client, login_as, make_user, no_csrf):
    pat = make_user("pat")
    login_as("supervisor")
    assert client.post(f"/users/{pat.id}/password",
                       data={"password": "reset-pass-12"}).status_code == 403
