"""Threads racing through the write path: the database, not luck, keeps the ledger right.

Each thread pushes its own app context, so it has its own session and connection, and commits
or rolls back itself. A barrier releases them together so they really race.
"""
import threading

from sqlalchemy import func, select

from warehouse_app.catalog.models import Product
from warehouse_app.errors import InsufficientStock
from warehouse_app.ledger import balances
from warehouse_app.ledger.models import Movement, MovementKind, StockLevel
from warehouse_app.ledger.movements import Line, record
from warehouse_app.locations.models import Location


def race(app, db, count: int, work) -> list:
    """Run work(i) in count threads released at once; each result, or the error it raised."""
    db.session.commit()  # nothing of the test's may hold a lock while the threads run
    barrier, results = threading.Barrier(count), [None] * count

    def run(i: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                results[i] = work(i)
                db.session.commit()
            except Exception as err:  # noqa: BLE001 - the test inspects what each thread got
                db.session.rollback()
                results[i] = err

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return results


def on_hand(db, product_id: int, location_id: int) -> int:
    return db.session.scalar(select(StockLevel.on_hand).where(
        StockLevel.product_id == product_id, StockLevel.location_id == location_id)) or 0


def line(db, kind, product_id, qty, source_id=None, target_id=None, **fields) -> Line:
    """A line built from ids, with objects loaded in the calling thread's own session."""
    get = db.session.get
    return Line(kind, get(Product, product_id), qty,
                from_location=get(Location, source_id) if source_id else None,
                to_location=get(Location, target_id) if target_id else None, **fields)


def test_sixteen_pickers_for_ten_units_ten_win(app, db, make_product, make_location, stock):
    product, bin_ = make_product(), make_location("A-01-01")
    stock(product, bin_, 10)
    pid, lid = product.id, bin_.id

    results = race(app, db, 16,
                   lambda i: record(line(db, MovementKind.PICK, pid, 1, source_id=lid)).id)

    won = [r for r in results if isinstance(r, int)]
    lost = [r for r in results if isinstance(r, InsufficientStock)]
    assert (len(won), len(lost)) == (10, 6), results
    assert len(set(won)) == 10
    assert on_hand(db, pid, lid) == 0
    assert db.session.scalar(select(func.count(Movement.id))
                             .where(Movement.kind == MovementKind.PICK)) == 10
    assert balances.verify() == []


def test_same_client_op_id_twenty_times_in_a_row_posts_once(db, make_product, make_location):
    product, bin_ = make_product(), make_location("A-01-01")
    ids = []
    for _ in range(20):
        ids.append(record(Line(MovementKind.RECEIVE, product, 3, to_location=bin_,
                               client_op_id="phone-op-1")).id)
        db.session.commit()
    assert len(set(ids)) == 1
    assert db.session.scalar(select(func.count(Movement.id))) == 1
    assert on_hand(db, product.id, bin_.id) == 3


def test_same_client_op_id_from_twenty_threads_posts_once(app, db, make_product,
                                                           make_location):
    product, bin_ = make_product(), make_location("A-01-01")
    pid, lid = product.id, bin_.id

    results = race(app, db, 20, lambda i: record(line(
        db, MovementKind.RECEIVE, pid, 3, target_id=lid, client_op_id="phone-op-1")).id)

    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1
    assert db.session.scalar(select(func.count(Movement.id))) == 1
    assert on_hand(db, pid, lid) == 3
    assert balances.verify() == []


def test_same_client_op_id_racing_for_scarce_stock_picks_once(app, db, make_product,
                                                              make_location, stock):
    product, bin_ = make_product(), make_location("A-01-01")
    stock(product, bin_, 2)
    pid, lid = product.id, bin_.id

    results = race(app, db, 12, lambda i: record(line(
        db, MovementKind.PICK, pid, 2, source_id=lid, client_op_id="pick-op-1")).id)

    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1
    assert on_hand(db, pid, lid) == 0
    assert balances.verify() == []


def test_eight_receipts_into_a_new_bin_at_once_all_count(app, db, make_product, make_location):
    product, bin_ = make_product(), make_location("B-02-03")
    pid, lid = product.id, bin_.id

    results = race(app, db, 8, lambda i: record(line(
        db, MovementKind.RECEIVE, pid, i + 1, target_id=lid)).id)

    assert all(isinstance(r, int) for r in results), results
    assert on_hand(db, pid, lid) == sum(range(1, 9))
    assert db.session.scalar(select(func.count(StockLevel.id))
                             .where(StockLevel.product_id == pid)) == 1
    assert balances.verify() == []
