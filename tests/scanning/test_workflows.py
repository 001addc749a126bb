"""The phone workflows' lines: receive, move, adjust, return, undo, and their refusals."""
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.scanning.barcodes import clean, encode
from warehouse_app.ledger.models import Movement, StockLevel


@pytest.fixture
def floor(make_product, make_location):
    """A product with a pack barcode, two bins, and a logged-in staff member."""
    product = make_product("MUG-1", name="Blue mug",
                           barcodes=["5901234123457", {"code": "MUG-BOX-6", "pack_size": 6}])
    return product, make_location("A-01"), make_location("B-02")


def on_hand(db, product, location):
    return db.session.scalar(select(func.coalesce(func.sum(StockLevel.on_hand), 0)).where(
        StockLevel.product_id == product.id, StockLevel.location_id == location.id))


def movements(db):
    return db.session.scalar(select(func.count(Movement.id)))


def line(client, **body):
    body.setdefault("client_op_id", str(uuid.uuid4()))
    return client.post("/scan/line", json=body, headers={"Accept": "application/json"})


def test_receive_each_scan_adds_one_and_a_pack_adds_its_size(client, db, login_as, no_csrf, floor):
    product, a, _ = floor
    login_as("staff")
    assert line(client, flow="receive", code="5901234123457", to_location="A-01").status_code == 201
    assert line(client, flow="receive", code="MUG-BOX-6", to_location="a-01").status_code == 201
    assert on_hand(db, product, a) == 7


def test_receive_typed_quantity_and_unit_cost(client, db, login_as, no_csrf, floor):
    product, a, _ = floor
    login_as("staff")
    response = line(client, flow="receive", code="MUG-1", qty=40, unit_cost="2.5",
                    to_location="A-01")
    assert response.json["qty"] == 40
    db.session.refresh(product)
    assert str(product.avg_cost) == "2.5000"


def test_receive_takes_lot_and_expiry_from_a_gs1_scan(client, db, login_as, no_csrf, make_product,
                                                      make_location):
    make_product("MILK", tracking="lot", barcodes=["09501101530003"])
    make_location("C-01")
    login_as("staff")
    # The lot's date is fixed (2026-12-31): confirmed, as the phone does once it nears.
    response = line(client, flow="receive", code="]C101095011015300031726123110LOT42A",
                    to_location="C-01", confirm_expiry=True)
    assert response.status_code == 201
    assert response.json["lot"] == "LOT42A"
    movement = db.session.get(Movement, response.json["id"])
    assert movement.lot.expiry.isoformat() == "2026-12-31"


def test_replayed_line_posts_once(client, db, login_as, no_csrf, floor):
    login_as("staff")
    op = str(uuid.uuid4())
    first = line(client, flow="receive", code="MUG-1", to_location="A-01", client_op_id=op)
    again = line(client, flow="receive", code="MUG-1", to_location="A-01", client_op_id=op)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json["id"] == again.json["id"]
    assert movements(db) == 1


def test_move_refuses_more_than_the_bin_holds(client, db, login_as, no_csrf, floor, stock):
    product, a, b = floor
    stock(product, a, 3)
    login_as("staff")
    response = line(client, flow="move", code="MUG-1", qty=4, from_location="A-01",
                    to_location="B-02")
    assert response.status_code == 409
    assert "3 on hand" in response.json["error"]["message"]
    assert (on_hand(db, product, a), on_hand(db, product, b)) == (3, 0)


def test_move_between_bins(client, db, login_as, no_csrf, floor, stock):
    product, a, b = floor
    stock(product, a, 3)
    login_as("staff")
    assert line(client, flow="move", code="MUG-1", qty=2, from_location="A-01",
                to_location="B-02").status_code == 201
    assert (on_hand(db, product, a), on_hand(db, product, b)) == (1, 2)


def test_a_bin_where_a_product_was_expected_is_refused(client, db, login_as, no_csrf, floor):
    login_as("staff")
    response = line(client, flow="receive", code="B-02", to_location="A-01")
    assert response.status_code == 422
    assert "not a product" in response.json["error"]["message"]
    assert movements(db) == 0


def test_unknown_code_is_refused_in_plain_words(client, db, login_as, no_csrf, floor):
    login_as("staff")
    response = line(client, flow="receive", code="NOPE", to_location="A-01")
    assert response.status_code == 404
    assert "Unknown code NOPE" in response.json["error"]["message"]


@pytest.mark.parametrize("body", [
    {"flow": "teleport", "code": "MUG-1", "to_location": "A-01"},
    {"flow": "receive", "code": "MUG-1"},
    {"flow": "receive", "code": "MUG-1", "to_location": "A-01", "qty": 0},
    {"flow": "receive", "code": "MUG-1", "to_location": "A-01", "qty": -2},
    {"flow": "receive", "code": "MUG-1", "to_location": "A-01", "qty": 1.5},
    {"flow": "receive", "code": "MUG-1", "to_location": "A-01", "qty": 10**10},
    {"flow": "receive", "code": "MUG-1", "to_location": "A-01", "qty": "\u0663"},  # Arabic-Indic 3
    {"flow": "receive", "code": "MUG-1", "to_location": "A-01", "qty": "\uff13"},  # full-width 3
    {"flow": "receive", "code": "MUG-1", "to_location": "A-01", "qty": "1\u0660"},
    {"flow": "receive", "code": "MUG-1", "to_location": "A-01", "scans": 0},
    {"flow": "receive", "code": "MUG-1", "to_location": "A-01", "unit_cost": "-1"},
    {"flow": "receive", "code": "MUG-1", "to_location": "NOWHERE"},
    {"flow": "receive", "code": "MUG-1", "to_location": "A-01", "expiry": "31/12/2026"},
    {"flow": "receive", "code": ["MUG-1"], "to_location": "A-01"},
    {"flow": "receive", "code": "MUG-1", "to_location": "A-01", "client_op_id": "x" * 65},
    {"flow": "move", "code": "MUG-1", "from_location": "A-01", "to_location": "A-01"},
    {"flow": "return", "code": "MUG-1", "to_location": "CUSTOMER"},
])
def test_bad_lines_are_refused_and_post_nothing(client, db, login_as, no_csrf, floor, body):
    login_as("supervisor")
    response = client.post("/scan/line", json=body, headers={"Accept": "application/json"})
    assert 400 <= response.status_code < 500
    assert response.json["error"]["message"]
    assert movements(db) == 0


def test_non_json_body_is_refused(client, db, login_as, no_csrf, floor):
    login_as("staff")
    response = client.post("/scan/line", data="code=MUG-1",
                           headers={"Accept": "application/json"})
    assert response.status_code == 422
    assert movements(db) == 0


def test_staff_cannot_adjust(client, db, login_as, no_csrf, floor, stock):
    product, a, _ = floor
    stock(product, a, 3)
    login_as("staff")
    response = line(client, flow="adjust", code="MUG-1", qty=1, from_location="A-01",
                    reason="damage", note="dropped")
    assert response.status_code == 403
    page = client.get("/scan/adjust")  # staff report damage there; a supervisor decides
    assert page.status_code == 200 and "Report damage or loss" in page.get_data(True)
    assert on_hand(db, product, a) == 3


def test_supervisor_adjusts_damage_to_scrap_with_a_note(client, db, login_as, no_csrf, floor,
                                                        stock):
    product, a, _ = floor
    stock(product, a, 3)
    login_as("supervisor")
    missing_note = line(client, flow="adjust", code="MUG-1", qty=1, from_location="A-01",
                        reason="damage")
    assert missing_note.status_code == 422
    done = line(client, flow="adjust", code="MUG-1", qty=1, from_location="A-01",
                reason="damage", note="forklift")
    assert done.json["to_location"] == "SCRAP"
    found = line(client, flow="adjust", code="MUG-1", qty=2, to_location="A-01",
                 reason="found", note="behind the shelf")
    assert found.json["from_location"] == "ADJUSTMENT"
    assert on_hand(db, product, a) == 4


def test_return_comes_from_customer_into_a_hold_bin(client, db, login_as, no_csrf, floor,
                                                    make_location):
    product, a, _ = floor
    returns = make_location("RET-01", hold=True)
    login_as("staff")
    response = line(client, flow="return", code="MUG-1", to_location="RET-01")
    assert response.json["from_location"] == "CUSTOMER"
    assert on_hand(db, product, returns) == 1
    refused = line(client, flow="return", code="MUG-1", to_location="A-01")
    assert refused.status_code == 422 and refused.json["error"]["code"] == "not_hold_bin"
    assert on_hand(db, product, a) == 0


def test_undo_posts_a_reversal(client, db, login_as, no_csrf, floor):
    product, a, _ = floor
    login_as("staff")
    posted = line(client, flow="receive", code="MUG-1", qty=5, to_location="A-01").json
    response = client.post("/scan/undo", json={"movement": posted["id"]},
                           headers={"Accept": "application/json"})
    assert response.status_code == 201
    assert response.json["kind"] == "reversal"
    assert on_hand(db, product, a) == 0
    assert movements(db) == 2


def test_staff_cannot_undo_someone_elses_or_an_old_line(client, db, login_as, no_csrf, floor,
                                                        stock):
    product, a, _ = floor
    other = stock(product, a, 5)  # posted by nobody in particular
    login_as("staff")
    response = client.post("/scan/undo", json={"movement": other.id},
                           headers={"Accept": "application/json"})
    assert response.status_code == 403
    mine = line(client, flow="receive", code="MUG-1", to_location="A-01").json
    old = db.session.get(Movement, mine["id"])
    db.session.execute(Movement.__table__.insert().values(  # an hour-old line of this user
        kind="receive", product_id=product.id, qty=1, from_location_id=old.from_location_id,
        to_location_id=a.id, user_id=old.user_id, unit_cost=0, note="", reference="",
        created_at=old.created_at - timedelta(hours=1)))
    db.session.commit()
    hour_old = db.session.scalar(select(Movement.id).order_by(Movement.created_at).limit(2)
                                 .offset(1))
    response = client.post("/scan/undo", json={"movement": hour_old},
                           headers={"Accept": "application/json"})
    assert response.status_code == 403


def test_resolve_tells_what_the_bin_holds_and_where_to_put_it(client, db, login_as, no_csrf,
                                                              floor, stock):
    product, a, b = floor
    stock(product, a, 3)
    stock(product, b, 1)
    login_as("staff")
    answer = client.post("/scan/resolve", json={"code": "MUG-1", "location": "A-01",
                                               "flow": "move"}).json
    assert answer["on_hand_here"] == 3
    assert answer["suggestions"][0] == {"location": "B-02", "why": "holds 1"}


def test_decode_endpoint_reads_a_photo(client, login_as, no_csrf):
    login_as("staff")
    data = {"image": (__import__("io").BytesIO(encode(clean("code128"), "JPEG")), "f.jpg")}
    answer = client.post("/scan/decode", data=data, content_type="multipart/form-data")
    assert answer.json["codes"] == [{"format": "code128", "value": "A-01-02"}]


def test_decode_endpoint_refuses_a_non_image(client, login_as, no_csrf):
    login_as("staff")
    data = {"image": (__import__("io").BytesIO(b"MZ\x90\x00 not an image"), "f.jpg")}
    response = client.post("/scan/decode", data=data, content_type="multipart/form-data",
                           headers={"Accept": "application/json"})
    assert response.status_code == 422


def test_form_without_javascript_posts_a_line(client, db, login_as, no_csrf, floor):
    product, a, _ = floor
    login_as("staff")
    response = client.post("/scan/receive", data={"code": "MUG-1", "qty": "3",
                                                   "to_location": "A-01"})
    assert response.status_code == 303
    assert "to_location=A-01" in response.headers["Location"]
    assert on_hand(db, product, a) == 3


def test_flow_pages_render(client, login_as):
    login_as("supervisor")
    for flow in ("receive", "move", "adjust", "return"):
        page = client.get(f"/scan/{flow}")
        assert page.status_code == 200
        assert b'data-flow-scan' in page.data
    assert client.get("/scan/nope").status_code == 404


def test_receive_page_offers_dock_bins_as_one_tap_buttons(client, login_as, make_location):
    make_location("DOCK-01")
    make_location("A-01")
    login_as("staff")
    page = client.get("/scan/receive").get_data(as_text=True)
    assert 'data-code="DOCK-01"' in page
    assert 'data-code="A-01"' not in page
