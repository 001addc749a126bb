"""Orders reserve stock, refuse what cannot be covered, and give reservations back exactly."""
import pytest
from sqlalchemy import func, select

from tests.orders.conftest import assert_books_agree, reserved
from warehouse_app.ledger.models import Movement, MovementKind
from warehouse_app.ledger.movements import Line, record
from warehouse_app.ledger.reservations import balance
from warehouse_app.orders import picking, reserving, shipping
from warehouse_app.orders.documents import OrderShort
from warehouse_app.orders.models import Order, OrderStatus


def place(db, reference, lines, **fields):
    order = reserving.place({"reference": reference,
                             "lines": [{"sku": s, "qty": q} for s, q in lines], **fields})
    db.session.commit()
    return order


def test_an_order_reserves_its_lines_in_one_warehouse(db, site):
    site.stock(site.p.mug, site.bins.na1, 5)
    site.stock(site.p.tee, site.bins.nb1, 2)
    order = place(db, "SO-1", [("MUG", 3), ("TEE", 2)], customer="Ada")
    assert order.status is OrderStatus.OPEN
    assert [(line.product.sku, line.warehouse.code, line.reserved) for line in order.lines] == [
        ("MUG", "NORTH", 3), ("TEE", "NORTH", 2)]
    assert balance(site.p.mug.id, site.north.id) == (5, 3)
    assert_books_agree(db)


def test_an_order_that_cannot_be_covered_is_refused_listing_the_short_lines(db, site):
    site.stock(site.p.mug, site.bins.na1, 2)
    site.stock(site.p.tee, site.bins.nb1, 9)
    with pytest.raises(OrderShort) as refused:
        place(db, "SO-1", [("MUG", 3), ("TEE", 1), ("CAP", 1)], warehouse="NORTH")
    db.session.rollback()
    assert refused.value.status == 409
    assert refused.value.to_dict()["error"]["lines"] == [
        {"sku": "MUG", "wanted": 3, "available": 2}, {"sku": "CAP", "wanted": 1, "available": 0}]
    assert db.session.scalar(select(func.count(Order.id))) == 0
    assert reserved(db, site.p.tee, site.north) == 0


def test_available_is_on_hand_minus_reserved(db, site):
    site.stock(site.p.mug, site.bins.na1, 4)
    place(db, "SO-1", [("MUG", 3)])
    with pytest.raises(OrderShort) as refused:
        place(db, "SO-2", [("MUG", 2)])
    db.session.rollback()
    assert refused.value.lines == [{"sku": "MUG", "wanted": 2, "available": 1}]
    place(db, "SO-3", [("MUG", 1)])
    assert balance(site.p.mug.id, site.north.id) == (4, 4)


def test_a_backorder_reserves_what_exists_and_the_rest_waits(db, site):
    site.stock(site.p.mug, site.bins.na1, 2)
    order = place(db, "SO-1", [("MUG", 5)], allow_backorder=True)
    line = order.lines[0]
    assert (line.qty, line.reserved, line.waiting, order.status) == (
        5, 2, 3, OrderStatus.BACKORDER)
    site.stock(site.p.mug, site.bins.na2, 10)
    assert reserving.fill_backorders(order) == 3
    db.session.commit()
    assert (line.reserved, line.waiting, order.status) == (5, 0, OrderStatus.OPEN)
    assert_books_agree(db)


def test_cancel_releases_the_whole_reservation(db, site):
    site.stock(site.p.mug, site.bins.na1, 5)
    site.stock(site.p.tee, site.bins.nb1, 5)
    order = place(db, "SO-1", [("MUG", 3), ("TEE", 4)])
    place(db, "SO-2", [("MUG", 1)])
    reserving.cancel(order)
    db.session.commit()
    assert order.status is OrderStatus.CANCELLED
    assert (reserved(db, site.p.mug, site.north), reserved(db, site.p.tee, site.north)) == (1, 0)
    with pytest.raises(Exception, match="already cancelled"):
        reserving.cancel(order)
    db.session.rollback()
    assert reserved(db, site.p.mug, site.north) == 1
    assert_books_agree(db)


def test_a_pick_straight_to_customer_consumes_the_reservation_once(db, site, make_user):
    picker = make_user("picker")
    site.stock(site.p.mug, site.bins.na1, 5)
    order = place(db, "SO-1", [("MUG", 3)])
    line = order.lines[0]
    for op in ("op-1", "op-1", "op-2"):  # a replayed op posts once
        picking.pick(order, {"line": line.id, "location": "N-A-1", "code": "MUG", "qty": 1,
                             "client_op_id": op}, picker)
        db.session.commit()
    assert (line.picked, line.shipped, line.reserved) == (2, 2, 1)
    assert balance(site.p.mug.id, site.north.id) == (3, 1)
    shipping.ship(order, "DHL", "JD0001", picker, short="cancel")
    db.session.commit()
    assert balance(site.p.mug.id, site.north.id) == (3, 0), "the unpicked unit is released"
    assert (order.status, line.shipped, line.reserved) == (OrderStatus.SHIPPED, 2, 0)
    assert_books_agree(db)


def test_staged_picks_stay_reserved_until_they_ship(db, site, make_user, make_location):
    picker = make_user("picker")
    pack = make_location("NORTH-PACK", "bin", parent=site.north)
    site.stock(site.p.mug, site.bins.na1, 5)
    order = place(db, "SO-1", [("MUG", 3)])
    line = order.lines[0]
    picking.pick(order, {"line": line.id, "location": "N-A-1", "code": "MUG", "qty": 3}, picker)
    db.session.commit()
    assert balance(site.p.mug.id, site.north.id) == (5, 3), "staged: still in, still promised"
    with pytest.raises(Exception, match="reserved for orders"):  # nobody else may take it
        record(Line(MovementKind.PICK, site.p.mug, 3, from_location=pack))
    db.session.rollback()
    shipping.ship(order, "UPS", "1Z999", picker)
    db.session.commit()
    assert balance(site.p.mug.id, site.north.id) == (2, 0)
    kinds = [(m.kind, m.from_location.code, m.to_location.code, m.qty, m.reference)
             for m in db.session.scalars(select(Movement).order_by(Movement.id))][1:]
    assert kinds == [(MovementKind.TRANSFER, "N-A-1", "NORTH-PACK", 3, "SO-1"),
                     (MovementKind.PICK, "NORTH-PACK", "CUSTOMER", 3, "SO-1")]
    assert_books_agree(db)


def test_cancel_after_staging_releases_and_leaves_the_stock_in_the_packing_bin(
        db, site, make_user, make_location):
    make_location("NORTH-PACK", "bin", parent=site.north)
    site.stock(site.p.mug, site.bins.na1, 5)
    order = place(db, "SO-1", [("MUG", 2)])
    picking.pick(order, {"line": order.lines[0].id, "location": "N-A-1", "code": "MUG",
                         "qty": 2}, make_user("picker"))
    db.session.commit()
    reserving.cancel(order)
    db.session.commit()
    assert balance(site.p.mug.id, site.north.id) == (5, 0)
    assert_books_agree(db)


def test_an_order_reference_is_used_once(db, site):
    site.stock(site.p.mug, site.bins.na1, 5)
    place(db, "SO-1", [("MUG", 1)])
    with pytest.raises(Exception, match="already exists"):
        place(db, "SO-1", [("MUG", 1)])
    db.session.rollback()
    assert reserved(db, site.p.mug, site.north) == 1
