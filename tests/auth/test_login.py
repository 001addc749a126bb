"""Logging in: passwords, the throttle, safe redirects, roles and CSRF."""
import pytest

from warehouse_app.auth.models import LoginFailure


def login(client, username, password, next_=""):
    return client.post("/login", data={"username": username, "password": password,
                                       "next": next_})


@pytest.fixture
def staff(make_user, no_csrf):
    return make_user("sam", "staff", "correct-horse")


def test_login_with_right_password_goes_home(client, staff):
    response = login(client, "sam", "correct-horse")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200


def test_login_is_case_insensitive_on_the_username(client, staff):
    assert login(client, "SAM", "correct-horse").status_code == 302


def test_wrong_password_is_refused_and_recorded(client, db, staff):
    response = login(client, "sam", "wrong-password")
    assert response.status_code == 401
    assert b"Wrong username or password" in response.data
    assert db.session.query(LoginFailure).count() == 1


def test_deactivated_user_cannot_log_in(client, db, staff):
    staff.active = False
    db.session.commit()
    assert login(client, "sam", "correct-horse").status_code == 401


def test_five_failures_lock_the_name_even_with_the_right_password(client, staff):
    for _ in range(5):
        login(client, "sam", "nope-nope")
    response = login(client, "sam", "correct-horse")
    assert response.status_code == 429
    assert b"Too many failed attempts" in response.data
    assert client.get("/").status_code == 302  # still logged out


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x",
                                    "/\\evil.example", "javascript:alert(1)", "http:/x"])
def test_next_never_leaves_the_site(client, staff, target):
    response = login(client, "sam", "correct-horse", next_=target)
    assert response.headers["Location"] == "/"


def test_next_inside_the_site_is_followed(client, staff):
    response = login(client, "sam", "correct-horse", next_="/lookup?code=A-01")
    assert response.headers["Location"] == "/lookup?code=A-01"


def test_pages_redirect_anonymous_users_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_api_answers_401_json_without_credentials(client):
    response = client.get("/api/v1/products")
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"


def test_login_form_without_csrf_token_is_refused(app, client, make_user):
    make_user("sam", "staff", "correct-horse")
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/login", data={"username": "sam", "password": "correct-horse"})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_session_cookie_is_httponly_and_samesite(client, staff):
    response = login(client, "sam", "correct-horse")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_login_starts_a_fresh_session(client, staff):
    with client.session_transaction() as session:
        session["planted"] = "by-attacker"
    login(client, "sam", "correct-horse")
    with client.session_transaction() as session:
        assert "planted" not in session


def test_logout_is_a_post(client, staff):
    login(client, "sam", "correct-horse")
    assert client.get("/logout").status_code == 405
    client.post("/logout")
    assert client.get("/").status_code == 302


def test_passwords_are_checked_on_a_thread_of_low_priority(app):
    """Hashing is the slow part of a login: it runs at nice 10, so scans get the CPU first."""
    import os
    import threading

    from warehouse_app.auth import users

    seen = {}

    def where(*_):
        seen["thread"] = threading.current_thread().name
        seen["nice"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        return True

    with app.app_context():
        assert users._hashing(where, "hash", "password") is True
        hashed = users.hash_password("a long password")
        assert users.password_matches(hashed, "a long password")
        assert not users.password_matches(hashed, "another password")
    assert seen["thread"].startswith("password") and seen["thread"] != \
        threading.current_thread().name
    assert seen["nice"] == users.NICE == 10
