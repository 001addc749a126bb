"""Orders racing for the same stock: the conditional reservation, not luck, decides.

Each thread pushes its own app context (its own session and connection), waits at a barrier so
they really start together, places its order and commits, or rolls back and keeps the error.
"""
import threading

from sqlalchemy import func, select

from tests.orders.conftest import assert_books_agree, reserved
from warehouse_app.orders import reserving
from warehouse_app.orders.documents import OrderShort
from warehouse_app.orders.models import Order


def race(app, db, count: int, work) -> list:
    """Run work(i) in count threads released at once; each result, or the error it raised."""
    db.session.commit()
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


def order(i: int, lines: list[tuple[str, int]], **fields) -> str:
    return reserving.place({"reference": f"SO-{i}", "lines": [{"sku": s, "qty": q}
                                                                for s, q in lines],
                            **fields}).reference


def test_twelve_systems_order_the_last_unit_and_exactly_one_gets_it(app, db, site):
    site.stock(site.p.mug, site.bins.na1, 1)
    results = race(app, db, 12, lambda i: order(i, [("MUG", 1)], warehouse="NORTH"))
    won = [r for r in results if isinstance(r, str)]
    lost = [r for r in results if isinstance(r, OrderShort)]
    assert (len(won), len(lost)) == (1, 11), results
    assert all(err.status == 409 for err in lost)
    assert db.session.scalar(select(func.count(Order.id))) == 1
    assert reserved(db, site.p.mug, site.north) == 1
    assert_books_agree(db)


def test_auto_routed_orders_race_for_five_units_and_five_win(app, db, site):
    site.stock(site.p.mug, site.bins.na1, 3)
    site.stock(site.p.mug, site.bins.s1, 2)
    results = race(app, db, 10, lambda i: order(i, [("MUG", 1)]))
    won = [r for r in results if isinstance(r, str)]
    assert len(won) == 5, results
    assert all(isinstance(r, OrderShort) for r in results if not isinstance(r, str))
    assert (reserved(db, site.p.mug, site.north), reserved(db, site.p.mug, site.south)) == (3, 2)
    assert_books_agree(db)


def test_multi_line_orders_in_opposite_orders_neither_deadlock_nor_oversell(app, db, site):
    site.stock(site.p.mug, site.bins.na1, 4)
    site.stock(site.p.tee, site.bins.na2, 4)
    lines = [[("MUG", 1), ("TEE", 1)], [("TEE", 1), ("MUG", 1)]]
    results = race(app, db, 8, lambda i: order(i, lines[i % 2], warehouse="NORTH"))
    won = [r for r in results if isinstance(r, str)]
    assert len(won) == 4, results
    assert all(isinstance(r, OrderShort) for r in results if not isinstance(r, str)), results
    assert (reserved(db, site.p.mug, site.north), reserved(db, site.p.tee, site.north)) == (4, 4)
    assert_books_agree(db)


def test_backorders_racing_share_out_what_exists_without_overselling(app, db, site):
    site.stock(site.p.mug, site.bins.na1, 7)
    results = race(app, db, 6, lambda i: order(i, [("MUG", 2)], warehouse="NORTH",
                                              allow_backorder=True))
    assert all(isinstance(r, str) for r in results), results
    assert reserved(db, site.p.mug, site.north) == 7
    assert_books_agree(db)
