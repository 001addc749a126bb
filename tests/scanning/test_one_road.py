"""One road per input: the same movement sent as the API's body (POST /api/v1/movements) and as
the phone's line (POST /scan/line) is checked by the same rules and posts the same thing. Each
case goes both ways; the answers' status, code and field, and what each wrote to the ledger
(movement rows and balances), must be the same, and a refusal writes nothing either way."""
import pytest
from sqlalchemy import select

from tests.support.one_road import assert_refused_alike, assert_written_alike
from warehouse_app.ledger.models import Movement, StockLevel

API = "/api/v1/movements"
PHONE = "/scan/line"
FLOW_OF = {"receive": "receive", "transfer": "move", "return": "return", "adjust": "adjust"}
# The phone names a field by its own word where it has one.
API_WORD = {"flow": "kind", "code": "sku"}
LONG_DATE = "2099-12-31"

GOOD = {
    "receive": {"kind": "receive", "sku": "P-1", "qty": 5, "to_location": "A-02"},
    "receive with cost": {"kind": "receive", "sku": "P-1", "qty": 3, "to_location": "A-02",
                          "unit_cost": "2.5", "confirm_cost": True},
    "receive by barcode": {"kind": "receive", "barcode": "4006381333931", "qty": 2,
                           "to_location": "A-02"},
    "receive a lot": {"kind": "receive", "sku": "P-LOT", "qty": 4, "to_location": "A-02",
                      "lot": "L7", "expiry": LONG_DATE},
    "blanks are absent": {"kind": "receive", "sku": "P-1", "qty": 1, "to_location": "A-02",
                          "from_location": "", "lot": "", "expiry": "", "reason": "",
                          "unit_cost": ""},
    "note of 2000 and reference of 120": {"kind": "receive", "sku": "P-1", "qty": 1,
                                          "to_location": "A-02", "note": "n" * 2000,
                                          "reference": "r" * 120},
    "note is trimmed": {"kind": "receive", "sku": "P-1", "qty": 1, "to_location": "A-02",
                        "note": "  dropped  "},
    "transfer": {"kind": "transfer", "sku": "P-1", "qty": 4, "from_location": "A-01",
                 "to_location": "A-02"},
    "return into a hold bin": {"kind": "return", "sku": "P-1", "qty": 1,
                               "to_location": "RET-01"},
    "adjust damage": {"kind": "adjust", "sku": "P-1", "qty": 2, "from_location": "A-01",
                      "reason": "damage", "note": "dropped"},
    "adjust found": {"kind": "adjust", "sku": "P-1", "qty": 2, "to_location": "A-02",
                     "reason": "found", "note": "behind the shelf"},
}
RECEIVE = GOOD["receive"]
TRANSFER = GOOD["transfer"]
DAMAGE = GOOD["adjust damage"]
# (body, status, code, field): the answer both roads must give.
BAD = {
    "qty 0": ({**RECEIVE, "qty": 0}, 422, "invalid", "qty"),
    "qty -1": ({**RECEIVE, "qty": -1}, 422, "invalid", "qty"),
    "qty 1.5": ({**RECEIVE, "qty": 1.5}, 422, "invalid", "qty"),
    "qty as text": ({**RECEIVE, "qty": "3"}, 422, "invalid", "qty"),
    "qty true": ({**RECEIVE, "qty": True}, 422, "invalid", "qty"),
    "qty null": ({**RECEIVE, "qty": None}, 422, "invalid", "qty"),
    "qty over a billion": ({**RECEIVE, "qty": 10**9 + 1}, 422, "invalid", "qty"),
    "qty huge": ({**RECEIVE, "qty": 10**30}, 422, "invalid", "qty"),
    "more than on hand": ({**TRANSFER, "qty": 101}, 409, "insufficient_stock", "qty"),
    "a billion, refused for stock not size": ({**TRANSFER, "qty": 10**9}, 409,
                                              "insufficient_stock", "qty"),
    "unknown product": ({**RECEIVE, "sku": "NOPE"}, 404, "not_found", "sku"),
    "unknown bin": ({**RECEIVE, "to_location": "NOWHERE"}, 404, "not_found", "to_location"),
    "no bin": ({k: v for k, v in RECEIVE.items() if k != "to_location"}, 422, "invalid",
               "from_location"),  # a receipt with no end at all: the first end is asked for
    "same bin twice": ({**TRANSFER, "to_location": "A-01"}, 422, "invalid", "to_location"),
    "sku and barcode": ({**RECEIVE, "barcode": "4006381333931"}, 422, "invalid", "barcode"),
    "sku not text": ({**RECEIVE, "sku": ["P-1"]}, 422, "invalid", "sku"),
    "bin code too long": ({**RECEIVE, "to_location": "A" * 41}, 422, "invalid", "to_location"),
    "lot too long": ({**RECEIVE, "sku": "P-LOT", "lot": "L" * 65}, 422, "invalid", "lot"),
    "date not ISO": ({**RECEIVE, "expiry": "31/12/2026"}, 422, "invalid", "expiry"),
    "no such date": ({**RECEIVE, "expiry": "2026-02-30"}, 422, "invalid", "expiry"),
    "date not text": ({**RECEIVE, "expiry": 20261231}, 422, "invalid", "expiry"),
    "bad reason": ({**DAMAGE, "reason": "lost it"}, 422, "invalid", "reason"),
    "adjust with no reason": ({k: v for k, v in DAMAGE.items() if k != "reason"}, 422,
                              "invalid", "reason"),
    "found out of a bin": ({**DAMAGE, "reason": "found"}, 422, "invalid", "reason"),
    "damage into a bin": ({**GOOD["adjust found"], "reason": "damage"}, 422, "invalid",
                          "reason"),
    "adjust both ends": ({**DAMAGE, "to_location": "A-02"}, 422, "invalid", "to_location"),
    "note of 2001": ({**RECEIVE, "note": "n" * 2001}, 422, "invalid", "note"),
    "note not text": ({**RECEIVE, "note": 7}, 422, "invalid", "note"),
    "reference of 121": ({**RECEIVE, "reference": "r" * 121}, 422, "invalid", "reference"),
    "client_op_id of 65": ({**RECEIVE, "client_op_id": "x" * 65}, 422, "invalid",
                           "client_op_id"),
    "client_op_id a number": ({**RECEIVE, "client_op_id": 7}, 422, "invalid", "client_op_id"),
    "negative cost": ({**RECEIVE, "unit_cost": "-1"}, 422, "invalid", "unit_cost"),
    "cost not a number": ({**RECEIVE, "unit_cost": "abc"}, 422, "invalid", "unit_cost"),
    "cost of a billion": ({**RECEIVE, "unit_cost": "1000000000"}, 422, "invalid", "unit_cost"),
    "cost with 5 decimals": ({**RECEIVE, "unit_cost": "2.12345"}, 422, "cost_invalid",
                             "unit_cost"),
    "confirm_cost as text": ({**RECEIVE, "confirm_cost": "yes"}, 422, "invalid",
                             "confirm_cost"),
    "confirm_expiry as 1": ({**RECEIVE, "confirm_expiry": 1}, 422, "invalid", "confirm_expiry"),
    "unknown field": ({**RECEIVE, "colour": "blue"}, 422, "invalid", "colour"),
    "return into a bin not on hold": ({**GOOD["return into a hold bin"], "to_location": "A-02"},
                                      422, "not_hold_bin", "to_location"),
    "staff adjust": ({**DAMAGE}, 403, "forbidden", "kind"),
}
STAFF_ONLY = {"staff adjust"}  # the rest go as a supervisor when they adjust


@pytest.fixture
def shelf(make_product, make_location, stock):
    """P-1 (with a barcode) with 100 units in A-01, a lot-tracked P-LOT, an empty bin A-02 and
    a hold bin RET-01."""
    product = make_product("P-1", barcodes=["4006381333931"])
    make_product("P-LOT", tracking="lot")
    stock(product, make_location("A-01"), 100)
    make_location("A-02")
    make_location("RET-01", hold=True)


@pytest.fixture
def roads(app, client, db, login_as, api_token, no_csrf, shelf):
    """Log a user of a role in on both roads; then send(road, body): (status, the error's code
    and field in the API's words or None, what the request wrote to the ledger)."""
    api = app.test_client()  # bearer token only, no session cookie

    def as_role(role):
        headers = api_token(role)
        login_as(role)  # the phone's session, on the shared client

        def send(road, body):
            before = ledger(db)
            if road == "api":
                response = api.post(API, json=body, headers=headers)
            else:
                response = client.post(PHONE, json=phone_words(body),
                                       headers={"Accept": "application/json"})
            error = (response.get_json() or {}).get("error")
            if error is not None:
                error = (error["code"], API_WORD.get(error["field"], error["field"]))
            return response.status_code, error, delta(before, ledger(db))
        return send
    return as_role


def phone_words(body: dict) -> dict:
    """The same movement as the phone sends it: a flow for the kind, a scanned code for the
    sku (a body naming the product both ways keeps both)."""
    out = {k: v for k, v in body.items() if k != "kind"}
    out["flow"] = FLOW_OF.get(body.get("kind"), body.get("kind"))
    if "sku" in out and "barcode" not in out and isinstance(out["sku"], str):
        out["code"] = out.pop("sku")
    return out


def ledger(db) -> tuple[list, dict]:
    """Every movement (without what differs by road: id, user, time, client_op_id) and every
    balance, as the database holds them now."""
    db.session.commit()
    moves = [(m.id, m.kind.value, m.product.sku, m.qty, m.from_location.code,
              m.to_location.code, m.lot.code if m.lot else None, m.reason and m.reason.value,
              m.note, m.reference, m.unit_cost)
             for m in db.session.scalars(select(Movement).order_by(Movement.id))]
    balances = {(s.product_id, s.location_id, s.lot_id): s.on_hand
                for s in db.session.scalars(select(StockLevel))}
    return moves, balances


def delta(before, after) -> tuple[list, dict]:
    """What a request wrote: its new movements (without ids) and the balances it changed."""
    known = {m[0] for m in before[0]}
    new = [m[1:] for m in after[0] if m[0] not in known]
    keys = set(before[1]) | set(after[1])
    moved = {k: after[1].get(k, 0) - before[1].get(k, 0) for k in keys
             if after[1].get(k, 0) != before[1].get(k, 0)}
    return new, moved


NOTHING = ([], {})  # no movement rows, no balance moved


def role_for(name: str, body: dict) -> str:
    return "supervisor" if body.get("kind") == "adjust" and name not in STAFF_ONLY else "staff"


@pytest.mark.parametrize("name", list(GOOD))
def test_a_good_line_posts_the_same_movement_both_ways(roads, name):
    body = GOOD[name]
    send = roads(role_for(name, body))
    api = send("api", {**body, "client_op_id": f"api-{name}"[:64]})
    phone = send("phone", {**body, "client_op_id": f"phone-{name}"[:64]})
    assert_written_alike(api, phone, NOTHING)  # the same movement rows, the same balances moved
    assert len(api[2][0]) == 1 and api[2][1]


@pytest.mark.parametrize("name", list(BAD))
def test_a_bad_line_is_refused_alike_and_writes_nothing(roads, name):
    body = BAD[name][0]
    send = roads(role_for(name, body))
    assert_refused_alike(send("api", body), send("phone", body), BAD[name], NOTHING)


def test_a_replayed_line_posts_once_on_either_road(roads):
    send = roads("staff")
    body = {**RECEIVE, "client_op_id": "same-op"}
    first = send("phone", body)
    again_api, again_phone = send("api", body), send("phone", body)
    assert first[0] == 201 and again_api[0] == again_phone[0] == 200
    assert again_api[2] == again_phone[2] == NOTHING


FORM = {"code": "P-1", "to_location": "A-02", "qty": "3"}


@pytest.mark.parametrize("form, units", [
    (FORM, 3), ({**FORM, "qty": ""}, 1), ({**FORM, "qty": " 4 "}, 4),
    ({**FORM, "lot": "", "unit_cost": "", "note": ""}, 3),
])
def test_the_plain_form_posts_the_line_its_text_says(client, db, login_as, no_csrf, shelf,
                                                     form, units):
    """The phone's page without JavaScript: its text loads through the same fields (digits
    made numbers, an emptied field left out; an emptied qty is one scan)."""
    login_as("staff")
    before = ledger(db)
    assert client.post("/scan/receive", data=form).status_code == 303
    moved, _ = delta(before, ledger(db))
    assert [m[2] for m in moved] == [units]


@pytest.mark.parametrize("form, words", [
    ({**FORM, "qty": "three"}, "qty"), ({**FORM, "qty": "-1"}, "qty"),
    ({**FORM, "qty": "\u0663"}, "qty"), ({**FORM, "note": "n" * 2001}, "note"),
    ({**FORM, "reference": "r" * 121}, "reference"), ({**FORM, "expiry": "31/12/2026"}, "expiry"),
    ({**FORM, "to_location": "NOWHERE"}, "NOWHERE"),
])
def test_the_plain_form_refuses_what_the_json_refuses(client, db, login_as, no_csrf, shelf,
                                                      form, words):
    login_as("staff")
    before = ledger(db)
    response = client.post("/scan/receive", data=form, follow_redirects=True)
    assert response.status_code == 200
    assert words in response.get_data(as_text=True)  # the flashed message names it
    assert delta(before, ledger(db)) == ([], {})
