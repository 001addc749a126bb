"""Users and tokens kept to some warehouses: every read and write is filtered by them, admins
see all, a token never reaches beyond its user's warehouses of the moment."""
import uuid

import pytest
from sqlalchemy import func, select

from tests.api.checks import assert_error
from warehouse_app.auth import warehouses
from warehouse_app.auth.models import ApiToken, User
from warehouse_app.auth.users import by_username, create_token
from warehouse_app.errors import DomainError
from warehouse_app.ledger.models import Movement


def bearer(db, user, **kept) -> dict:
    token, secret = create_token(f"t-{uuid.uuid4().hex[:8]}", user)
    if "warehouses" in kept:
        warehouses.keep_token(token, kept["warehouses"])
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def log_in(client, user):
    from flask_login.utils import _create_identifier
    with client.application.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()
    with client.session_transaction() as session:
        session.update(_user_id=user.get_id(), _fresh=True, _id=identifier)


class Sites:
    """Two warehouses, a bin in each, stock of P-1 in both; Q-1 only in B, R-1 only in A."""


@pytest.fixture
def sites(db, make_location, make_product, stock, make_user):
    s = Sites()
    s.a, s.b = make_location("WH-A", "warehouse"), make_location("WH-B", "warehouse")
    s.a1, s.b1 = make_location("A-1", parent=s.a), make_location("B-1", parent=s.b)
    make_location("B-2", parent=s.b)
    s.p, s.q, s.r = make_product("P-1"), make_product("Q-1"), make_product("R-1")
    stock(s.p, s.a1, 10)
    s.in_b = stock(s.p, s.b1, 20)
    stock(s.q, s.b1, 5)
    stock(s.r, s.a1, 5)
    s.make_user = make_user
    s.pat = make_user("pat", "staff")  # kept to WH-A
    s.sam = make_user("sam", "supervisor")  # kept to WH-A
    s.root = make_user("root", "admin")
    warehouses.keep_user(s.pat, ["WH-A"])
    warehouses.keep_user(s.sam, ["WH-A"])
    db.session.commit()
    s.staff, s.boss, s.admin = bearer(db, s.pat), bearer(db, s.sam), bearer(db, s.root)
    return s


def movements(db) -> int:
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(Movement))


# Writes ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    {"kind": "receive", "to_location": "B-1"},
    {"kind": "pick", "from_location": "B-1"},
    {"kind": "pick", "from_location": "WH-B"},
    {"kind": "transfer", "from_location": "B-1", "to_location": "B-2"},
    {"kind": "adjust", "from_location": "B-1", "reason": "damage"},
    {"kind": "return", "to_location": "B-1"},
])
def test_nobody_moves_stock_in_a_warehouse_they_are_not_kept_to(client, db, sites, body):
    before = movements(db)
    response = client.post("/api/v1/movements", headers=sites.boss,
                           json={"sku": "P-1", "qty": 1, **body})
    assert_error(response, 403, "other_warehouse")
    assert "not kept to" in response.json["error"]["message"]
    assert movements(db) == before


def test_staff_move_stock_in_their_own_warehouse(client, sites):
    for body in ({"kind": "receive", "to_location": "A-1"},
                 {"kind": "pick", "from_location": "A-1"}):
        response = client.post("/api/v1/movements", headers=sites.staff,
                               json={"sku": "P-1", "qty": 1, **body})
        assert response.status_code == 201, response.json


def test_stock_leaves_for_another_warehouse_only_from_the_callers_own(client, db, sites):
    before = movements(db)
    assert_error(client.post("/api/v1/transits", headers=sites.staff, json={
        "sku": "P-1", "qty": 1, "from_location": "B-1", "to_warehouse": "WH-A"}), 403,
        "other_warehouse", "from_location")
    assert movements(db) == before
    sent = client.post("/api/v1/transits", headers=sites.staff, json={
        "sku": "P-1", "qty": 1, "from_location": "A-1", "to_warehouse": "WH-B"})
    assert sent.status_code == 201, sent.json  # sending to another site is the sender's work
    code = sent.json["code"]
    assert [t["code"] for t in client.get("/api/v1/transits", headers=sites.staff).json] == [
        code]
    assert_error(client.post(f"/api/v1/transits/{code}/receive", headers=sites.staff,
                             json={"location": "B-1"}), 403, "other_warehouse")
    bo = sites.make_user("bo", "staff")
    warehouses.keep_user(bo, ["WH-B"])
    db.session.commit()
    assert client.post(f"/api/v1/transits/{code}/receive", headers=bearer(db, bo),
                       json={"location": "B-1"}).status_code == 200


def test_nobody_reverses_a_movement_of_another_warehouse(client, db, sites):
    before = movements(db)
    assert_error(client.post(f"/api/v1/movements/{sites.in_b.id}/reverse",
                             headers=sites.boss, json={}), 404)  # not even seen
    assert movements(db) == before
    mine = client.post("/api/v1/movements", headers=sites.boss, json={
        "kind": "receive", "sku": "P-1", "qty": 1, "to_location": "A-1"}).json
    assert client.post(f"/api/v1/movements/{mine['id']}/reverse", headers=sites.boss,
                       json={}).status_code == 201


def test_the_phone_form_refuses_another_warehouse_with_a_message(client, db, sites, no_csrf):
    log_in(client, sites.pat)
    before = movements(db)
    response = client.post("/scan/receive", data={"code": "P-1", "qty": "1",
                                                  "to_location": "B-1"}, follow_redirects=True)
    assert "not kept to" in response.get_data(as_text=True)
    assert movements(db) == before


# Reads ----------------------------------------------------------------------------------------

def test_stock_lists_only_the_callers_warehouses(client, sites):
    rows = client.get("/api/v1/stock", headers=sites.staff).json["items"]
    assert {r["location"] for r in rows} == {"A-1"}
    every = client.get("/api/v1/stock", headers=sites.admin).json["items"]
    assert {r["location"] for r in every} == {"A-1", "B-1"}
    assert_error(client.get("/api/v1/stock?location=WH-B", headers=sites.staff), 403,
                 "other_warehouse", "location")


def test_a_products_totals_count_only_the_callers_warehouses(client, sites):
    mine = client.get("/api/v1/products/P-1", headers=sites.staff).json
    assert mine["on_hand"] == 10 and [r["location"] for r in mine["locations"]] == ["A-1"]
    assert client.get("/api/v1/products/P-1", headers=sites.admin).json["on_hand"] == 30


def test_scan_resolve_refuses_a_bin_of_another_warehouse(client, sites):
    assert_error(client.post("/api/v1/scan/resolve", json={"code": "B-1"},
                             headers=sites.staff), 403, "other_warehouse", "code")
    assert client.post("/api/v1/scan/resolve", json={"code": "A-1"},
                       headers=sites.staff).status_code == 200
    assert client.post("/api/v1/scan/resolve", json={"code": "P-1"},
                       headers=sites.staff).json["sku"] == "P-1"


def test_the_ledger_shows_only_movements_of_the_callers_warehouses(client, sites):
    items = client.get("/api/v1/movements?per_page=200", headers=sites.staff).json["items"]
    assert items and all("A-1" in (m["from_location"], m["to_location"]) for m in items)
    assert_error(client.get(f"/api/v1/movements/{sites.in_b.id}", headers=sites.staff), 404)
    assert client.get(f"/api/v1/movements/{sites.in_b.id}",
                      headers=sites.admin).status_code == 200


def test_orders_of_another_warehouse_are_hidden_and_refused(client, sites):
    assert client.post("/api/v1/orders", headers=sites.admin, json={
        "reference": "SO-B", "lines": [{"sku": "Q-1", "qty": 1}]}).status_code == 201
    assert client.post("/api/v1/orders", headers=sites.admin, json={
        "reference": "SO-A", "lines": [{"sku": "R-1", "qty": 1}]}).status_code == 201
    listed = client.get("/api/v1/orders", headers=sites.staff).json["items"]
    assert [o["reference"] for o in listed] == ["SO-A"]
    assert_error(client.get("/api/v1/orders/SO-B", headers=sites.staff), 403,
                 "other_warehouse")
    assert_error(client.get("/api/v1/orders/SO-B/picklist", headers=sites.staff), 403,
                 "other_warehouse")
    assert client.get("/api/v1/orders/SO-A", headers=sites.staff).status_code == 200


def test_the_orders_page_lists_only_orders_of_the_callers_warehouses(client, sites):
    for reference, sku in (("SO-B", "Q-1"), ("SO-A", "R-1")):
        assert client.post("/api/v1/orders", headers=sites.admin, json={
            "reference": reference, "lines": [{"sku": sku, "qty": 1}]}).status_code == 201
    log_in(client, sites.pat)
    page = client.get("/orders/").get_data(as_text=True)
    assert "SO-A" in page and "SO-B" not in page
    refused = client.get("/orders/SO-B", follow_redirects=True).get_data(as_text=True)
    assert "not kept to" in refused


def test_locations_list_only_the_callers_warehouses(client, sites):
    codes = {row["code"] for row in client.get("/api/v1/locations?per_page=200",
                                               headers=sites.staff).json["items"]}
    assert codes == {"WH-A", "A-1"}


def test_staff_cannot_reserve_in_another_warehouse(client, db, sites):
    named = client.post("/api/v1/orders", headers=sites.staff, json={
        "reference": "SO-X", "warehouse": "WH-B", "lines": [{"sku": "Q-1", "qty": 1}]})
    assert_error(named, 403, "other_warehouse")
    chosen = client.post("/api/v1/orders", headers=sites.staff, json={
        "reference": "SO-Y", "lines": [{"sku": "Q-1", "qty": 1}]})  # only WH-B has Q-1
    assert chosen.status_code == 409 and chosen.json["error"]["code"] == "insufficient_stock"
    for reference in ("SO-X", "SO-Y"):
        assert client.get(f"/api/v1/orders/{reference}", headers=sites.admin).status_code == 404
    mine = client.post("/api/v1/orders", headers=sites.staff, json={
        "reference": "SO-Z", "lines": [{"sku": "P-1", "qty": 12}]})  # WH-A holds 10 of 30
    assert mine.status_code == 409 and mine.json["error"]["lines"][0]["available"] == 10
    assert client.post("/api/v1/orders", headers=sites.staff, json={
        "reference": "SO-Z", "lines": [{"sku": "P-1", "qty": 10}]}).status_code == 201


def test_counts_of_another_warehouse_are_hidden_and_refused(client, sites):
    theirs = client.post("/api/v1/counts", headers=sites.admin, json={"locations": ["B-1"]})
    assert theirs.status_code == 201
    assert_error(client.post("/api/v1/counts", headers=sites.boss, json={"locations": ["B-1"]}),
                 403, "other_warehouse", "locations")
    mine = client.post("/api/v1/counts", headers=sites.boss, json={"locations": ["A-1"]})
    assert mine.status_code == 201
    listed = client.get("/api/v1/counts", headers=sites.boss).json["items"]
    assert [c["id"] for c in listed] == [mine.json["id"]]
    count_id = theirs.json["id"]
    assert_error(client.get(f"/api/v1/counts/{count_id}", headers=sites.staff), 403,
                 "other_warehouse")
    assert_error(client.post(f"/api/v1/counts/{count_id}/lines", headers=sites.staff,
                             json={"sku": "P-1", "location": "B-1", "counted_qty": 1}),
                 403, "other_warehouse")
    log_in(client, sites.pat)
    page = client.get("/counting/").get_data(as_text=True)
    assert mine.json["reference"] in page and theirs.json["reference"] not in page


def test_reports_keep_to_the_callers_warehouses(client, sites):
    mine = client.get("/api/v1/reports/valuation", headers=sites.boss).json
    assert {r["warehouse"] for r in mine["items"]} == {"WH-A"}
    assert mine["totals"]["units"] == 15
    every = client.get("/api/v1/reports/valuation", headers=sites.admin).json
    assert {r["warehouse"] for r in every["items"]} == {"WH-A", "WH-B"}
    assert_error(client.get("/api/v1/reports/movers", headers=sites.boss), 403,
                 "other_warehouse")


def test_bin_labels_of_another_warehouse_are_refused(client, sites):
    assert_error(client.get("/api/v1/labels/bins.pdf?location=B-1", headers=sites.staff), 403,
                 "other_warehouse", "location")
    assert client.get("/api/v1/labels/bins.pdf?location=A-1",
                      headers=sites.staff).status_code == 200


def test_the_central_view_shows_only_the_callers_warehouses(client, sites):
    log_in(client, sites.sam)
    page = client.get("/insight/").get_data(as_text=True)
    assert "WH-A" in page and "WH-B" not in page
    refused = client.get(f"/insight/?warehouse={sites.b.id}", follow_redirects=True)
    assert "not one you are kept to" in refused.get_data(as_text=True)


def test_look_up_refuses_a_bin_of_another_warehouse_and_hides_its_stock(client, sites):
    log_in(client, sites.pat)
    refused = client.get("/lookup?code=B-1", follow_redirects=True)
    assert "not kept to" in refused.get_data(as_text=True)
    page = client.get("/lookup?code=P-1").get_data(as_text=True)
    assert "A-1" in page and "B-1" not in page and "WH-B" not in page


# Tokens, admins, rights of the moment ---------------------------------------------------------

def test_a_token_is_capped_by_its_users_warehouses_of_the_moment(client, db, sites):
    rows = client.get("/api/v1/stock", headers=sites.staff).json["items"]
    assert {r["location"] for r in rows} == {"A-1"}
    warehouses.keep_user(sites.pat, ["WH-B"])
    db.session.commit()
    rows = client.get("/api/v1/stock", headers=sites.staff).json["items"]
    assert {r["location"] for r in rows} == {"B-1"}
    assert_error(client.post("/api/v1/movements", headers=sites.staff, json={
        "kind": "receive", "sku": "P-1", "qty": 1, "to_location": "A-1"}), 403,
        "other_warehouse")


def test_a_token_kept_to_a_warehouse_stays_there(client, db, sites, make_user):
    una = make_user("una", "staff")  # every warehouse
    token = bearer(db, una, warehouses=["WH-B"])
    rows = client.get("/api/v1/stock", headers=token).json["items"]
    assert {r["location"] for r in rows} == {"B-1"}
    assert_error(client.post("/api/v1/movements", headers=token, json={
        "kind": "receive", "sku": "P-1", "qty": 1, "to_location": "A-1"}), 403,
        "other_warehouse")


def test_a_token_cannot_reach_beyond_its_users_warehouses(db, sites):
    token, _ = create_token("wide", sites.pat)
    with pytest.raises(DomainError) as err:
        warehouses.keep_token(token, ["WH-B"])
    assert err.value.field == "warehouses"


def test_admins_see_every_warehouse_whatever_their_list(client, db, sites):
    warehouses.keep_user(sites.root, ["WH-A"])
    db.session.commit()
    rows = client.get("/api/v1/stock", headers=sites.admin).json["items"]
    assert {r["location"] for r in rows} == {"A-1", "B-1"}


def test_nothing_is_filtered_outside_a_request(db, sites):
    from warehouse_app.ledger import balances
    assert {r.location.code for r in balances.stock_rows()} == {"A-1", "B-1"}


# Input ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("codes", ["WH-A", [1], [""], ["  "], ["A-1"], ["NOPE"], ["W" * 41],
                                   [None], {"WH-A": 1}, 7])
def test_bad_warehouse_lists_are_refused_and_change_nothing(db, sites, codes):
    with pytest.raises(DomainError) as err:
        warehouses.keep_user(sites.pat, codes)
    assert err.value.field == "warehouses"
    db.session.rollback()
    assert warehouses.codes_of(by_username("pat")) == ["WH-A"]


def test_cli_creates_a_user_kept_to_warehouses(db, runner, sites):
    result = runner.invoke(args=["users", "create", "kim", "--role", "staff", "--password",
                                 "password123", "--warehouse", "WH-A", "--warehouse", "WH-B"])
    assert result.exit_code == 0, result.output
    assert "in WH-A, WH-B" in result.output
    assert warehouses.codes_of(by_username("kim")) == ["WH-A", "WH-B"]


@pytest.mark.parametrize("code", ["A-1", "NOPE", ""])
def test_cli_refuses_a_bad_warehouse_and_creates_nobody(db, runner, sites, code):
    result = runner.invoke(args=["users", "create", "kim", "--password", "password123",
                                 "--warehouse", code])
    assert result.exit_code != 0
    assert db.session.scalar(select(func.count()).where(User.username == "kim")) == 0


def test_cli_sets_and_clears_a_users_warehouses(db, runner, sites):
    result = runner.invoke(args=["users", "set-warehouses", "pat", "WH-B"])
    assert result.exit_code == 0, result.output
    assert warehouses.codes_of(by_username("pat")) == ["WH-B"]
    result = runner.invoke(args=["users", "set-warehouses", "pat"])
    assert result.exit_code == 0 and "every warehouse" in result.output
    assert by_username("pat").warehouses == ""


def test_cli_creates_a_token_kept_to_a_warehouse(db, runner, sites):
    result = runner.invoke(args=["tokens", "create", "till", "--user", "pat",
                                 "--warehouse", "WH-A"])
    assert result.exit_code == 0, result.output
    till = db.session.scalar(select(ApiToken).where(ApiToken.name == "till"))
    assert till.warehouses == str(sites.a.id)
    refused = runner.invoke(args=["tokens", "create", "till2", "--user", "pat",
                                  "--warehouse", "WH-B"])
    assert refused.exit_code != 0 and "cannot reach" in refused.output


def test_the_locations_name_the_warehouses_and_nothing_else_may(app):
    assert set(app.extensions[warehouses.KEY]) == set(warehouses.SITES)
    before = dict(app.extensions[warehouses.KEY])
    with pytest.raises(TypeError, match="zones"):
        warehouses.provide(app, zones=lambda ids: [])
    assert app.extensions[warehouses.KEY] == before
