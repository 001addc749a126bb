"""Sessions under attack: open redirects, session fixation, CSRF on every form, brute force.

tests/auth/test_login.py already checks five `next` targets, that a planted session key does not
survive login, one form without a token, and the lock after five failures. Here: many more
redirect targets on every redirect a user can steer, the cookie itself at login and logout,
CSRF on every POST route of the pages (from app.url_map), and the throttle under a longer
attack.
"""
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from tests.hostile.conftest import FIELDS, last_crash, log_in, route_urls, row_counts, texts

OFF_SITE = ["//evil.example", "https://evil.example", "http://evil.example/login",
            "/\\evil.example", "\\\\evil.example", "\\/evil.example", "/\\/evil.example",
            "javascript:alert(1)", "JaVaScRiPt:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "http:evil.example", "https:/evil.example", "///evil.example", "////evil.example",
            "/\t/evil.example", "/\n/evil.example", "/\r/evil.example", " //evil.example",
            "\t//evil.example", "//evil.example@localhost", "/%2F%2Fevil.example",
            "//%65vil.example", "ftp://evil.example", "\\\\evil.example\\x",
            "/\r\nSet-Cookie: planted=1", "/\r\nLocation: https://evil.example",
            "%0d%0aLocation:%20https://evil.example", "/\x00/evil.example",
            "\u3002evil.example", "/\uff0f\uff0fevil.example"]


def lands_off_site(location: str) -> bool:
    """Where a browser goes with this Location: it drops tabs and newlines, reads a backslash
    as a slash, and follows any scheme or host."""
    url = re.sub(r"[\t\n\r]", "", location).replace("\\", "/").strip()
    parts = urlsplit(url)
    return bool(parts.scheme or parts.netloc) or not url.startswith("/") or url.startswith("//")


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app


@pytest.fixture
def sam(make_user):
    return make_user("sam", "staff", "correct-horse")


def login(client, username="sam", password="correct-horse", **extra):
    """The real login form, with the token its page gave this client."""
    token = csrf_from(client.get("/login").text)
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token, **extra})


# --- open redirects -------------------------------------------------------------------------

def test_login_next_never_sends_the_browser_off_site(client, sam, csrf_on, crash_as_500):
    """Every target through the login form, and again as ?next= when already logged in."""
    problems, tried = [], 0
    for target in OFF_SITE:
        client.delete_cookie("session")
        response = login(client, next=target)
        tried += 1
        if response.status_code >= 500 or lands_off_site(response.headers.get("Location", "")):
            problems.append(f"POST /login next={target!r}: {response.status_code} "
                            f"{response.headers.get('Location')!r} {last_crash(crash_as_500)}")
        logged_in = client.get("/login", query_string={"next": target})
        tried += 1
        if logged_in.status_code >= 500 or lands_off_site(logged_in.headers.get("Location", "")):
            problems.append(f"GET /login?next={target!r} (logged in): {logged_in.status_code} "
                            f"{logged_in.headers.get('Location')!r} {last_crash(crash_as_500)}")
    print(f"hostile: {len(OFF_SITE)} off-site targets x 2 login redirects = {tried} tries, "
          f"{len(problems)} off-site or 5xx")
    assert not problems, "\n".join(problems)


def test_the_back_field_of_pick_and_count_forms_never_sends_the_browser_off_site(
        client, db, world, login_as, no_csrf, crash_as_500):
    """The pick form and a count decision go 'back' to a page the form names when refused."""
    w = world(texts(["plain"], FIELDS))
    login_as("supervisor")
    problems, tried = [], 0
    for target in OFF_SITE:
        for url, form in (("/orders/pick/form", {"order": w["order"], "task": "0@B-1"}),
                          (f"/counting/{w['count']}/decide/reject", {"note": ""})):
            response = client.post(url, data={**form, "back": target})
            tried += 1
            location = response.headers.get("Location", "")
            if response.status_code >= 500 or lands_off_site(location):
                problems.append(f"POST {url} back={target!r}: {response.status_code} "
                                f"{location!r} {last_crash(crash_as_500)}")
    print(f"hostile: {len(OFF_SITE)} off-site targets x 2 back fields = {tried} tries, "
          f"{len(problems)} off-site or 5xx")
    assert not problems, "\n".join(problems)


# --- session fixation and replay ----------------------------------------------------------

def _session_cookie(client) -> str | None:
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def test_login_gives_a_new_session_cookie_and_the_old_one_stays_anonymous(app, client, sam,
                                                                        csrf_on):
    client.get("/login")
    planted = _session_cookie(client)
    assert planted  # the login page made a session (its CSRF token)
    assert login(client).status_code == 302
    assert _session_cookie(client) != planted
    attacker = app.test_client()
    attacker.set_cookie("session", planted)
    assert attacker.get("/").status_code == 302  # to the login page: the old cookie is nobody


def test_a_session_cookie_is_dead_after_logout(app, client, sam, csrf_on):
    """A cookie copied while logged in (a shared phone, a proxy log) must not outlive logout."""
    login(client)
    stolen = _session_cookie(client)
    token = csrf_from(client.get("/").text)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", stolen)
    assert replay.get("/").status_code == 302, "the copied cookie still opens the app"


def test_a_deactivated_users_open_session_is_refused_at_once(client, db, sam, login_as):
    admin = login_as("admin")
    log_in(client, sam)
    assert client.get("/").status_code == 200
    sam.active = False
    db.session.commit()
    assert client.get("/").status_code == 302
    log_in(client, admin)
    assert client.get("/users/").status_code == 200


# --- CSRF on every form ---------------------------------------------------------------------

FORM = {"sku": "CSRF-1", "name": "csrf", "code": "CSRF-1", "kind": "bin", "parent": "Z-1",
        "username": "csrfuser", "password": "password123", "role": "admin", "active": "0",
        "url": "https://evil.example/hook", "note": "csrf", "qty": "1", "reason": "damage",
        "location": "B-1", "from_location": "B-1", "to_location": "B-2", "reference": "CSRF-1",
        "lines": "P-1 1", "order": "SO-1", "supplier": "Evil", "reorder_point": "1",
        "events": "movement.posted", "scopes": "admin", "user": "boss"}


def test_every_page_form_refuses_a_post_without_its_csrf_token(app, client, db, world,
                                                                login_as, csrf_on,
                                                                crash_as_500):
    """Each POST route outside /api/ (enumerated from app.url_map, ids of real things),
    as a logged-in admin: no token, a made-up token, another session's token. 400, and no
    table gains or loses a row."""
    w = world(texts(["plain"], FIELDS))
    foreign = csrf_from(app.test_client().get("/login").text)  # valid, for another session
    admin = login_as("admin")
    routes = route_urls(app, w, "POST")
    before = row_counts()
    problems, tried = [], 0
    for endpoint, url in routes:
        for token in (None, "forged.token", foreign):
            log_in(client, admin)
            form = dict(FORM, **({"csrf_token": token} if token else {}))
            headers = {"X-CSRFToken": token} if token else {}
            response = client.post(url, data=form, headers=headers)
            json_response = client.post(url, json=FORM, headers={
                **headers, "Accept": "application/json"})
            tried += 2
            for sent, answer in (("form", response), ("json", json_response)):
                if answer.status_code != 400 or "CSRF" not in answer.get_data(as_text=True):
                    problems.append(f"{endpoint} {url} ({sent}, token {token!r}): "
                                    f"{answer.status_code} {last_crash(crash_as_500)}")
    after = row_counts()
    changed = {t: (before[t], after[t]) for t in after if after[t] != before[t]}
    print(f"hostile: {len(routes)} POST routes x 3 missing/forged/foreign tokens x form and "
          f"JSON = {tried} posts, {len(problems)} not refused, tables changed: {changed or 0}")
    assert len(routes) >= 50
    assert not problems, "\n".join(problems)
    assert not changed


def test_every_api_write_refuses_a_logged_in_browser_without_the_token(app, client, db, world,
                                                                       login_as, csrf_on):
    """The API trusts a session cookie only with the page's token (a bearer token needs none)."""
    w = world(texts(["plain"], FIELDS))
    login_as("admin")
    before = row_counts()
    writes, problems = 0, []
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1/")
             and r.methods & {"POST", "PATCH", "PUT", "DELETE"}]
    for rule in rules:
        url = rule.rule
        for arg in rule.arguments:
            value = {"count_id": "1", "movement_id": "1", "alert_id": str(w["alert_id"]),
                     "endpoint_id": str(w["endpoint_id"]), "reference": w["order"],
                     "sku": "P-1", "location": "B-1", "discrepancy_id": str(w["discrepancy_id"]),
                     }.get(arg, "1")
            url = re.sub(rf"<[^>]*{arg}>", value, url)
        for method in sorted(rule.methods & {"POST", "PATCH", "PUT", "DELETE"}):
            response = client.open(url, method=method, json={"sku": "CSRF-2", "name": "x"})
            writes += 1
            if response.status_code != 400 or response.json["error"]["code"] != "csrf_failed":
                problems.append(f"{method} {url}: {response.status_code}")
    changed = {t: (before[t], after) for t, after in row_counts().items() if after != before[t]}
    print(f"hostile: {writes} API writes with a session cookie and no CSRF token, "
          f"{len(problems)} not refused, tables changed: {changed or 0}")
    assert writes >= 20 and not problems, "\n".join(problems)
    assert not changed


# --- brute force ----------------------------------------------------------------------------

def test_a_long_attack_stays_locked_out_even_with_the_right_password(app, client, db, sam,
                                                                    csrf_on, time_machine):
    """5 wrong passwords lock the name, however it is spelled; 40 more tries (the right
    password among them) all get 429 and none logs in; when the lock ends, it opens."""
    spellings = ["sam", "SAM", " Sam ", "sAm", "sam\t"]
    for spelling in spellings:
        assert login(client, spelling, "wrong-password").status_code == 401
    answers = [login(client, spellings[i % 5], "correct-horse" if i % 3 else "nope").status_code
               for i in range(40)]
    print(f"hostile: 5 wrong passwords then 40 tries ({answers.count(429)} answered 429) "
          f"with the right password in {sum(1 for i in range(40) if i % 3)} of them")
    assert answers == [429] * 40
    assert client.get("/").status_code == 302
    # The lock's time passes (session cookies are signed by the clock too: log in afresh).
    time_machine.move_to(datetime.now(UTC) + timedelta(minutes=app.config["LOGIN_LOCK_MINUTES"],
                                                       seconds=1))
    assert login(client).status_code == 302
    assert client.get("/").status_code == 200


def test_an_unknown_username_locks_the_same_way(client, sam, csrf_on):
    """The throttle does not tell an attacker which names exist."""
    for _ in range(5):
        login(client, "nobody", "wrong-password")
        login(client, "sam", "wrong-password")
    unknown, known = login(client, "nobody", "x"), login(client, "sam", "correct-horse")
    assert unknown.status_code == known.status_code == 429
    assert "Too many failed attempts" in unknown.text and "Too many failed attempts" in known.text


HOSTILE_NAMES = ["sam\x00", "\x00", "' OR 1=1 --", '"; DROP TABLE "user"; --', "x" * 10_000,
                 "<script>alert(1)</script>", "sam%00", "\u202esam", "ſam", "SAM\u0130"]


def test_hostile_usernames_at_login_get_no_5xx_and_do_not_log_in(client, db, sam, csrf_on,
                                                                crash_as_500):
    problems = []
    for name in HOSTILE_NAMES:
        for password in ("correct-horse", "' OR '1'='1"):
            response = login(client, name, password)
            if response.status_code >= 500 or response.status_code == 302:
                problems.append(f"{name[:30]!r}/{password!r}: {response.status_code} "
                                f"{last_crash(crash_as_500)}")
            client.delete_cookie("session")
    print(f"hostile: {len(HOSTILE_NAMES) * 2} logins with hostile usernames, "
          f"{len(problems)} 5xx or let in")
    assert not problems, "\n".join(problems)
