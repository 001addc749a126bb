"""A small warehouse to count: MAIN with zones Z-A (bins A-1, A-2, A-3) and Z-B (bin B-1),
products MUG (barcode 5901234123457, average cost 2.00), TEE (cost 10.00) and a lot-tracked
HONEY; a supervisor and two staff counters. Nothing is in stock until a test puts it there."""
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from warehouse_app.counting import approval, counting, planning
from warehouse_app.counting.models import CountLine
from warehouse_app.ledger import balances


@pytest.fixture
def floor(db, make_location, make_product, make_user, stock):
    main = make_location("MAIN", "warehouse")
    za = make_location("Z-A", "zone", parent=main, sequence=1)
    zb = make_location("Z-B", "zone", parent=main, sequence=2)
    bins = SimpleNamespace(a1=make_location("A-1", "bin", parent=za, sequence=1),
                           a2=make_location("A-2", "bin", parent=za, sequence=2),
                           a3=make_location("A-3", "bin", parent=za, sequence=3),
                           b1=make_location("B-1", "bin", parent=zb, sequence=1))
    products = SimpleNamespace(
        mug=make_product("MUG", name="Blue mug", barcodes=["5901234123457"]),
        tee=make_product("TEE", name="T-shirt"),
        honey=make_product("HONEY", name="Honey jar", tracking="lot"))
    people = SimpleNamespace(boss=make_user("boss", "supervisor"),
                             pat=make_user("pat", "staff"), sam=make_user("sam", "staff"))
    db.session.commit()

    def put(product, location, qty, cost="2.00", **fields):
        return stock(product, location, qty, unit_cost=cost, **fields)
    return SimpleNamespace(main=main, za=za, zb=zb, bins=bins, p=products, u=people, put=put)


@pytest.fixture
def open_count(db, floor):
    """open_count(*codes, **fields) -> a committed count of those places, opened by the boss."""
    def make(*codes, **fields):
        count = planning.open_count({"locations": list(codes), **fields}, floor.u.boss)
        db.session.commit()
        return count
    return make


@pytest.fixture
def tally(db, floor):
    """tally(count, bin_code, {code: qty}, user=pat, close=True): count a bin as a phone does."""
    def run(count, code, found: dict, user=None, close=True, **extra):
        user = user or floor.u.pat
        for what, qty in found.items():
            counting.add(count, {"location": code, "code": what, "qty": qty, **extra}, user)
        if close:
            counting.close_bin(count, {"location": code, "empty": not found}, user)
        db.session.commit()
    return run


def lines_of(db, count) -> dict:
    """(bin, sku, lot) -> (counted, expected, status) of every line that is not superseded."""
    db.session.expire_all()
    rows = db.session.scalars(select(CountLine).where(CountLine.count_id == count.id)
                              .order_by(CountLine.id)).all()
    return {(r.location.code, r.product.sku, r.lot_code): (r.counted, r.expected, r.status.value)
            for r in rows if r.status.value != "superseded"}


def on_hand(db, product, location) -> int:
    """What the cached balance says now."""
    db.session.expire_all()
    return sum(row.on_hand for row in balances.stock_rows(product_id=product.id,
                                                           location_ids=[location.id]))


def books_agree(db) -> None:
    """The ledger proves every balance (what `flask ledger verify` checks)."""
    db.session.commit()
    assert balances.verify() == []


def submit(db, count, user):
    """Submit as a user and commit; the outcome."""
    outcome = approval.submit(count, user)
    db.session.commit()
    return outcome
