# ruff: noqa: F811  (the sites fixture, imported from test_warehouses, is a parameter)
"""Warehouses are set on the pages too: the admin's users page keeps a user to some warehouses,
and the token page keeps a new token to some of its user's own. Wrong inputs change nothing."""
import re

import pytest
from sqlalchemy import func, select

from tests.auth.test_warehouses import bearer, sites  # noqa: F401  (the fixture)
from warehouse_app.auth.models import ApiToken, User

BAD_CODES = [["NOPE"], ["A-1"], [""], ["x" * 41], ["WH-A", "NOPE"]]


def stored(db, user) -> str:
    db.session.expire_all()
    return db.session.get(User, user.id).warehouses


def tokens(db) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(ApiToken))


def secret_on(page: str) -> dict:
    found = re.search(r'<code class="secret">([^<]+)</code>', page)
    assert found, page
    return {"Authorization": f"Bearer {found.group(1)}"}


def locations(client, headers) -> set[str]:
    """The locations a token sees stock in (from a client without the page's session)."""
    answer = client.application.test_client().get("/api/v1/stock", headers=headers)
    assert answer.status_code == 200, answer.json
    return {r["location"] for r in answer.json["items"]}


# The users page -------------------------------------------------------------------------------

def test_the_users_page_shows_each_users_warehouses_and_a_form_for_them(client, sites,
                                                                         login_as):
    login_as("admin")
    page = client.get("/users/").text
    assert f'action="/users/{sites.pat.id}/warehouses"' in page
    assert re.search(r'data-kept="pat">kept to WH-A<', page)
    assert re.search(r'data-kept="root">every warehouse<', page)
    assert re.search(r'name="warehouses" value="WH-A" checked> WH-A', page)
    assert 'name="warehouses" value="WH-B"> WH-B' in page


def test_an_admin_keeps_a_user_to_warehouses_and_it_reaches_their_token_at_once(
        client, db, sites, login_as, no_csrf):
    una = sites.make_user("una", "staff")
    token = bearer(db, una)
    assert locations(client, token) == {"A-1", "B-1"}
    login_as("admin")
    done = client.post(f"/users/{una.id}/warehouses", data={"warehouses": ["WH-B"]})
    assert done.status_code == 303
    assert "una is kept to WH-B." in client.get("/users/").text
    assert locations(client, token) == {"B-1"}
    client.post(f"/users/{una.id}/warehouses", data={"warehouses": ["WH-A", "WH-B"]})
    assert stored(db, una) == f"{sites.a.id} {sites.b.id}"
    cleared = client.post(f"/users/{una.id}/warehouses", data={})
    assert cleared.status_code == 303 and stored(db, una) == ""
    assert "una works in every warehouse." in client.get("/users/").text


def test_an_admin_kept_to_a_warehouse_still_sees_every_one(client, db, sites, login_as,
                                                           no_csrf):
    login_as("admin")
    client.post(f"/users/{sites.root.id}/warehouses", data={"warehouses": ["WH-A"]})
    assert "an admin still works in every one" in client.get("/users/").text
    assert locations(client, sites.admin) == {"A-1", "B-1"}


@pytest.mark.parametrize("codes", BAD_CODES)
def test_a_bad_warehouse_on_the_users_page_changes_nothing(client, db, sites, login_as,
                                                           no_csrf, codes):
    login_as("admin")
    before = stored(db, sites.pat)
    answer = client.post(f"/users/{sites.pat.id}/warehouses", data={"warehouses": codes})
    assert answer.status_code == 422
    assert "is not a warehouse" in answer.text or "1 to 40 characters" in answer.text
    assert stored(db, sites.pat) == before


@pytest.mark.parametrize("role", ["staff", "supervisor"])
def test_below_admin_nobody_sets_warehouses(client, db, sites, login_as, no_csrf, role):
    login_as(role)
    answer = client.post(f"/users/{sites.pat.id}/warehouses", data={"warehouses": ["WH-B"]})
    assert answer.status_code == 403
    assert stored(db, sites.pat) == str(sites.a.id)
    assert client.get("/users/").status_code == 403


def test_an_unknown_user_is_404_and_a_token_cannot_use_the_page(client, db, sites, login_as,
                                                                no_csrf):
    admin = login_as("admin")
    assert client.post("/users/999999/warehouses", data={"warehouses": ["WH-A"]}
                       ).status_code == 404
    with_token = client.application.test_client().post(
        f"/users/{sites.pat.id}/warehouses", data={"warehouses": ["WH-B"]},
        headers=sites.admin)
    assert with_token.status_code in (302, 401, 403)  # pages are for sessions
    assert stored(db, sites.pat) == str(sites.a.id) and admin.id


def test_a_new_user_is_kept_to_the_warehouses_ticked(client, db, sites, login_as, no_csrf):
    login_as("admin")
    made = client.post("/users/", data={"username": "nell", "password": "password123",
                                        "role": "staff", "warehouses": ["WH-B"]})
    assert made.status_code == 303
    nell = db.session.scalar(select(User).where(User.username == "nell"))
    assert nell.warehouses == str(sites.b.id)
    refused = client.post("/users/", data={"username": "ned", "password": "password123",
                                           "role": "staff", "warehouses": ["WH-B", "NOPE"]})
    assert refused.status_code == 422 and "NOPE is not a warehouse" in refused.text
    assert 'value="WH-B" checked' in refused.text  # what was ticked stays ticked
    assert db.session.scalar(select(User).where(User.username == "ned")) is None


# The token page -------------------------------------------------------------------------------

def test_a_new_token_is_kept_to_some_of_its_users_warehouses(client, db, sites, login_as,
                                                             no_csrf):
    una = sites.make_user("una", "staff")
    login_as("admin")
    page = client.get("/tokens/").text
    assert 'name="warehouses" value="WH-B"' in page and "pat (staff: WH-A)" in page
    made = client.post("/tokens/", data={"name": "till-b", "user": "una",
                                         "warehouses": ["WH-B"]})
    assert made.status_code == 201
    token = secret_on(made.text)
    assert locations(client, token) == {"B-1"}
    assert re.search(r"<td>till-b .*?</td>\s*<td>una</td>.*?<td>WH-B</td>", made.text, re.S)
    assert locations(client, bearer(db, una)) == {"A-1", "B-1"}  # the user is not kept


def test_a_token_within_its_users_own_warehouse_is_made(client, db, sites, login_as, no_csrf):
    login_as("admin")
    made = client.post("/tokens/", data={"name": "pat-a", "user": "pat",
                                         "warehouses": ["WH-A"]})
    assert made.status_code == 201 and locations(client, secret_on(made.text)) == {"A-1"}


def test_a_token_outside_its_users_warehouses_is_refused(client, db, sites, login_as,
                                                         no_csrf):
    login_as("admin")
    before = tokens(db)
    answer = client.post("/tokens/", data={"name": "pat-b", "user": "pat",
                                           "warehouses": ["WH-B"]})
    assert answer.status_code == 422
    assert "cannot reach a warehouse pat is not kept to" in answer.text
    assert 'class="secret"' not in answer.text and tokens(db) == before


@pytest.mark.parametrize("codes", BAD_CODES)
def test_a_bad_warehouse_on_the_token_page_makes_no_token(client, db, sites, login_as,
                                                          no_csrf, codes):
    login_as("admin")
    before = tokens(db)
    answer = client.post("/tokens/", data={"name": "bad", "user": "root", "warehouses": codes})
    assert answer.status_code == 422 and 'class="secret"' not in answer.text
    assert tokens(db) == before


@pytest.mark.parametrize("role", ["staff", "supervisor"])
def test_below_admin_nobody_makes_a_kept_token(client, db, sites, login_as, no_csrf, role):
    login_as(role)
    before = tokens(db)
    answer = client.post("/tokens/", data={"name": "mine", "warehouses": ["WH-A"]})
    assert answer.status_code == 403 and tokens(db) == before
