"""Rules of the single write path."""
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from warehouse_app.errors import Conflict, DomainError, InsufficientStock
from warehouse_app.ledger import balances
from warehouse_app.ledger.models import Movement, MovementKind, Reason, StockLevel
from warehouse_app.ledger.movements import Line, record, reverse
from warehouse_app.locations.models import Location


def on_hand(db, product, location):
    return db.session.scalar(select(StockLevel.on_hand).where(
        StockLevel.product_id == product.id, StockLevel.location_id == location.id)) or 0


def test_receive_adds_to_bin_from_supplier(db, make_product, make_location, stock):
    product, bin_ = make_product(), make_location()
    movement = stock(product, bin_, 5)
    assert movement.from_location.code == "SUPPLIER"
    assert on_hand(db, product, bin_) == 5
    assert balances.verify() == []


def test_transfer_moves_between_bins(db, make_product, make_location, stock):
    product, a, b = make_product(), make_location("A"), make_location("B")
    stock(product, a, 5)
    record(Line(MovementKind.TRANSFER, product, 3, from_location=a, to_location=b))
    db.session.commit()
    assert (on_hand(db, product, a), on_hand(db, product, b)) == (2, 3)


def test_transfer_refuses_more_than_on_hand(db, make_product, make_location, stock):
    product, a, b = make_product(), make_location("A"), make_location("B")
    stock(product, a, 2)
    with pytest.raises(InsufficientStock) as err:
        record(Line(MovementKind.TRANSFER, product, 3, from_location=a, to_location=b))
    assert "2 on hand" in err.value.message
    db.session.rollback()
    assert on_hand(db, product, a) == 2
    assert db.session.scalar(select(db.func.count(Movement.id))) == 1


def test_pick_into_a_bin_is_refused(db, make_product, make_location, stock):
    product, a, b = make_product(), make_location("A"), make_location("B")
    stock(product, a, 2)
    with pytest.raises(DomainError, match="cannot go from"):
        record(Line(MovementKind.PICK, product, 1, from_location=a, to_location=b))


def test_same_from_and_to_is_refused(db, make_product, make_location, stock):
    product, a = make_product(), make_location("A")
    with pytest.raises(DomainError, match="same location"):
        record(Line(MovementKind.TRANSFER, product, 1, from_location=a, to_location=a))


@pytest.mark.parametrize("qty", [0, -1, 1.5, "3", True, 10**9 + 1])
def test_bad_quantities_are_refused(db, make_product, make_location, qty):
    product, a = make_product(), make_location("A")
    with pytest.raises(DomainError) as err:
        record(Line(MovementKind.RECEIVE, product, qty, to_location=a))
    assert err.value.field == "qty"


def test_adjust_needs_a_reason_and_damage_goes_to_scrap(db, make_product, make_location, stock):
    product, a = make_product(), make_location("A")
    stock(product, a, 4)
    with pytest.raises(DomainError, match="reason"):
        record(Line(MovementKind.ADJUST, product, 1, from_location=a))
    m = record(Line(MovementKind.ADJUST, product, 1, from_location=a, reason=Reason.DAMAGE))
    assert m.to_location.code == "SCRAP"
    m = record(Line(MovementKind.ADJUST, product, 1, from_location=a, reason=Reason.LOSS))
    assert m.to_location.code == "ADJUSTMENT"
    db.session.commit()
    assert on_hand(db, product, a) == 2


def test_client_op_id_makes_a_post_idempotent(db, make_product, make_location):
    product, a = make_product(), make_location("A")
    first = record(Line(MovementKind.RECEIVE, product, 3, to_location=a, client_op_id="op-1"))
    again = record(Line(MovementKind.RECEIVE, product, 3, to_location=a, client_op_id="op-1"))
    db.session.commit()
    assert again.id == first.id
    assert on_hand(db, product, a) == 3


def test_client_op_id_reused_for_another_movement_is_a_conflict(db, make_product, make_location):
    product, a = make_product(), make_location("A")
    record(Line(MovementKind.RECEIVE, product, 3, to_location=a, client_op_id="op-1"))
    with pytest.raises(Conflict):
        record(Line(MovementKind.RECEIVE, product, 4, to_location=a, client_op_id="op-1"))


def test_reversal_mirrors_and_only_once(db, make_product, make_location, stock):
    product, a, b = make_product(), make_location("A"), make_location("B")
    stock(product, a, 5)
    moved = record(Line(MovementKind.TRANSFER, product, 5, from_location=a, to_location=b))
    back = reverse(moved)
    db.session.commit()
    assert (back.from_location_id, back.to_location_id) == (b.id, a.id)
    assert on_hand(db, product, a) == 5
    with pytest.raises(Conflict, match="already reversed"):
        reverse(moved)


def test_moving_average_cost(db, make_product, make_location, stock):
    product, a = make_product(), make_location("A")
    stock(product, a, 10, unit_cost=Decimal("2.00"))
    stock(product, a, 30, unit_cost="4")
    db.session.refresh(product)
    assert product.avg_cost == Decimal("3.5000")
    picked = record(Line(MovementKind.PICK, product, 1, from_location=a))
    assert picked.unit_cost == Decimal("3.5000")


def test_lot_tracked_product_needs_a_lot(db, make_product, make_location):
    product, a = make_product(tracking="lot"), make_location("A")
    with pytest.raises(DomainError, match="needs a lot"):
        record(Line(MovementKind.RECEIVE, product, 1, to_location=a))
    m = record(Line(MovementKind.RECEIVE, product, 4, to_location=a, lot="L1"))
    assert m.lot.code == "L1"


def test_serial_in_stock_cannot_arrive_twice(db, make_product, make_location):
    product, a = make_product(tracking="serial"), make_location("A")
    record(Line(MovementKind.RECEIVE, product, 1, to_location=a, lot="SN1"))
    with pytest.raises(Conflict, match="already in stock"):
        record(Line(MovementKind.RECEIVE, product, 1, to_location=a, lot="SN1"))


@pytest.mark.parametrize("statement", ["UPDATE movement SET qty = 99",
                                       "DELETE FROM movement"])
def test_database_refuses_changing_the_ledger(db, make_product, make_location, stock, statement):
    stock(make_product(), make_location("A"), 5)
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(text(statement))
        db.session.flush()
    db.session.rollback()
    assert db.session.scalar(select(Movement.qty)) == 5


def test_verify_finds_a_tampered_balance(db, make_product, make_location, stock):
    product, a = make_product(), make_location("A")
    stock(product, a, 5)
    db.session.execute(text("UPDATE stock_level SET on_hand = 7"))
    db.session.commit()
    problems = balances.verify()
    assert [(p.ledger, p.cached) for p in problems if isinstance(p, balances.Mismatch)] == [(5, 7)]
    # the warehouse total no longer adds up either
    assert [(p.bins, p.cached) for p in problems
            if isinstance(p, balances.WarehouseMismatch)] == [(7, 5)]


def test_transfer_between_warehouses_moves_the_warehouse_balances(db, make_product,
                                                                  make_location, stock):
    from warehouse_app.ledger.reservations import balance
    product = make_product()
    north, south = make_location("NORTH", "warehouse"), make_location("SOUTH", "warehouse")
    a, b = make_location("N-1", parent=north), make_location("S-1", parent=south)
    stock(product, a, 5)
    record(Line(MovementKind.TRANSFER, product, 2, from_location=a, to_location=b))
    db.session.commit()
    assert balance(product.id, north.id) == (3, 0)
    assert balance(product.id, south.id) == (2, 0)
    assert balances.verify() == []


def test_reserved_stock_cannot_leave_its_warehouse(db, make_product, make_location, stock):
    from warehouse_app.ledger.movements import Reserved
    from warehouse_app.ledger.reservations import NotAvailable, reserve
    product = make_product()
    north = make_location("NORTH", "warehouse")
    a = make_location("N-1", parent=north)
    stock(product, a, 5)
    reserve(product, north, 4)
    with pytest.raises(NotAvailable, match="Only 1"):
        reserve(product, north, 2)
    with pytest.raises(Reserved, match="only 1 may move"):
        record(Line(MovementKind.PICK, product, 2, from_location=a))
    record(Line(MovementKind.PICK, product, 1, from_location=a))
    db.session.commit()
    assert balances.verify() == []


def test_a_pick_for_the_order_releases_its_reservation(db, make_product, make_location, stock):
    from warehouse_app.ledger.movements import post
    from warehouse_app.ledger.reservations import balance, reserve
    product = make_product()
    north = make_location("NORTH", "warehouse")
    a = make_location("N-1", parent=north)
    stock(product, a, 5)
    reserve(product, north, 5)
    m = Movement(kind=MovementKind.PICK, product=product, product_id=product.id, qty=3,
                 from_location=a, from_location_id=a.id,
                 to_location=db.session.scalar(select(Location).where(Location.code == "CUSTOMER")),
                 unit_cost=0)
    m.to_location_id = m.to_location.id
    m.release_reserved = 3
    post(m)
    db.session.commit()
    assert balance(product.id, north.id) == (2, 2)


def test_a_rolled_back_movement_leaves_no_stale_object(db, make_product, make_location, stock):
    """The ledger row is adopted by the session without a flush; a rollback must undo that."""
    product, a = make_product(), make_location("A")
    stock(product, a, 5)
    with pytest.raises(RuntimeError):
        with db.session.begin_nested():
            gone = record(Line(MovementKind.PICK, product, 1, from_location=a))
            raise RuntimeError("the caller changes its mind")
    assert gone not in db.session
    again = record(Line(MovementKind.PICK, product, 1, from_location=a))  # may reuse the rowid
    db.session.rollback()
    assert again not in db.session
    third = record(Line(MovementKind.PICK, product, 2, from_location=a))
    db.session.commit()
    assert db.session.get(Movement, third.id).qty == 2
    assert on_hand(db, product, a) == 3
    assert balances.verify() == []


def test_a_movement_failing_half_way_can_never_be_committed(db, make_product, make_location,
                                                            stock, monkeypatch):
    """post() runs without a savepoint on either engine: anything unexpected after a balance
    changed leaves a session that refuses to commit, and rolling back puts everything back."""
    from warehouse_app.ledger import movements
    product, a, b = make_product(), make_location("A"), make_location("B")
    stock(product, a, 5)

    def broken(*_args):
        raise RuntimeError("disk on fire")
    monkeypatch.setattr(movements, "_insert", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        record(Line(MovementKind.TRANSFER, product, 2, from_location=a, to_location=b))
    with pytest.raises(RuntimeError, match="half-way"):
        db.session.commit()
    db.session.rollback()
    monkeypatch.undo()
    assert (on_hand(db, product, a), on_hand(db, product, b)) == (5, 0)
    record(Line(MovementKind.TRANSFER, product, 2, from_location=a, to_location=b))
    db.session.commit()  # the session works again
    assert (on_hand(db, product, a), on_hand(db, product, b)) == (3, 2)
    assert balances.verify() == []


def test_a_half_movement_inside_a_callers_savepoint_goes_with_it(db, make_product, make_location,
                                                                stock, monkeypatch):
    from warehouse_app.ledger import movements
    product, a, b = make_product(), make_location("A"), make_location("B")
    stock(product, a, 5)
    record(Line(MovementKind.TRANSFER, product, 1, from_location=a, to_location=b))

    def broken(*_args):
        raise RuntimeError("disk on fire")
    monkeypatch.setattr(movements, "_insert", broken)
    with pytest.raises(RuntimeError), db.session.begin_nested():
        record(Line(MovementKind.TRANSFER, product, 2, from_location=a, to_location=b))
    db.session.commit()  # the first transfer stands; the half one was rolled back
    assert (on_hand(db, product, a), on_hand(db, product, b)) == (4, 1)
    assert balances.verify() == []


def test_a_take_refused_after_an_add_puts_the_add_back(db, make_product, make_location, stock):
    """Balances are written in the order of their ids (the one lock order): moving to a bin
    of a lower id adds there first. When the take from the other then refuses, the add is
    undone (on PostgreSQL by the opposite statement, no savepoint) and the caller's
    transaction still commits what it did before."""
    product, low, high = make_product(), make_location("LOW"), make_location("HIGH")
    assert low.id < high.id
    stock(product, high, 3)
    record(Line(MovementKind.TRANSFER, product, 1, from_location=high, to_location=low))
    with pytest.raises(InsufficientStock):
        record(Line(MovementKind.TRANSFER, product, 5, from_location=high, to_location=low,
                    client_op_id="too-many"))
    db.session.commit()
    assert (on_hand(db, product, high), on_hand(db, product, low)) == (2, 1)
    assert balances.verify() == []
    assert db.session.scalar(select(func.count()).select_from(Movement)
                             .where(Movement.client_op_id == "too-many")) == 0


def test_a_refused_take_changes_no_balance(db, make_product, make_location, stock):
    """The bin gives the units but the warehouse has promised them: the bin gets them back."""
    from warehouse_app.ledger.movements import Reserved
    from warehouse_app.ledger.reservations import balance, reserve
    product = make_product()
    north = make_location("NORTH", "warehouse")
    a = make_location("N-1", parent=north)
    stock(product, a, 5)
    reserve(product, north, 5)
    with pytest.raises(Reserved):
        record(Line(MovementKind.PICK, product, 1, from_location=a))
    db.session.commit()
    assert on_hand(db, product, a) == 5
    assert balance(product.id, north.id) == (5, 5)
    assert balances.verify() == []
