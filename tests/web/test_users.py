"""Users admin page (admins only)."""
import pytest
from sqlalchemy import select

from warehouse_app.auth.models import Role, User


def user_named(db, name):
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.username == name))


@pytest.mark.parametrize("role", ["staff", "supervisor"])
def test_users_page_is_403_below_admin(client, login_as, role):
    login_as(role)
    assert client.get("/users/").status_code == 403


def test_users_page_lists_users_for_admin(client, login_as, make_user):
    login_as("admin")
    make_user("sam", "staff")
    html = client.get("/users/").text
    assert "sam" in html and "Add a user" in html
    assert "Users" in client.get("/").text


def test_admin_creates_a_user(client, db, login_as, no_csrf):
    login_as("admin")
    response = client.post("/users/", data={"username": "newbie", "password": "password123",
                                            "role": "supervisor"})
    assert response.status_code == 303
    assert user_named(db, "newbie").role is Role.SUPERVISOR


def test_creating_a_user_with_short_password_changes_nothing(client, db, login_as, no_csrf):
    login_as("admin")
    response = client.post("/users/", data={"username": "newbie", "password": "short"})
    assert response.status_code == 422
    assert "at least 8 characters" in response.text
    assert user_named(db, "newbie") is None


def test_admin_changes_a_role(client, db, login_as, make_user, no_csrf):
    login_as("admin")
    sam = make_user("sam", "staff")
    client.post(f"/users/{sam.id}/role", data={"role": "supervisor"})
    assert user_named(db, "sam").role is Role.SUPERVISOR


def test_admin_cannot_demote_themselves(client, db, login_as, no_csrf):
    me = login_as("admin")
    response = client.post(f"/users/{me.id}/role", data={"role": "staff"})
    assert "cannot take the admin role from yourself" in response.text
    assert user_named(db, me.username).role is Role.ADMIN


def test_admin_deactivates_a_user_who_then_cannot_log_in(client, db, login_as, make_user,
                                                         no_csrf):
    login_as("admin")
    sam = make_user("sam", "staff", "password123")
    client.post(f"/users/{sam.id}/active", data={"active": "0"})
    assert user_named(db, "sam").active is False
    client.post("/logout")
    response = client.post("/login", data={"username": "sam", "password": "password123"})
    assert response.status_code == 401


def test_admin_cannot_deactivate_themselves(client, db, login_as, no_csrf):
    me = login_as("admin")
    response = client.post(f"/users/{me.id}/active", data={"active": "0"})
    assert "cannot deactivate yourself" in response.text
    assert user_named(db, me.username).active is True
