"""Two warehouses with zones and bins in walking order, products, and helpers to read back."""
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from warehouse_app.ledger import balances
from warehouse_app.ledger.models import WarehouseStock
from warehouse_app.orders.models import FINAL, Order, OrderLine


@pytest.fixture
def site(db, make_location, make_product, stock):
    """NORTH (Leeds) and SOUTH (Brighton). NORTH: zone N-A (sequence 2) with bins N-A-2, N-A-1
    (sequences 1, 2: the walk goes N-A-2 first), zone N-B (sequence 1, walked first) with N-B-1.
    SOUTH: one zone, bins S-1, S-2. Products MUG, TEE, CAP; nothing in stock yet."""
    north = make_location("NORTH", "warehouse")
    south = make_location("SOUTH", "warehouse")
    north.latitude, north.longitude, north.postcode = 53.80, -1.55, "LS1 4AP"
    south.latitude, south.longitude, south.postcode = 50.82, -0.14, "BN1 1AA"
    na = make_location("N-A", "zone", parent=north, sequence=2)
    nb = make_location("N-B", "zone", parent=north, sequence=1)
    sz = make_location("S-Z", "zone", parent=south, sequence=1)
    bins = SimpleNamespace(
        na2=make_location("N-A-2", "bin", parent=na, sequence=1),
        na1=make_location("N-A-1", "bin", parent=na, sequence=2),
        nb1=make_location("N-B-1", "bin", parent=nb, sequence=1),
        s1=make_location("S-1", "bin", parent=sz, sequence=1),
        s2=make_location("S-2", "bin", parent=sz, sequence=2))
    products = SimpleNamespace(mug=make_product("MUG", name="Blue mug", barcodes=["5901234123457"]),
                               tee=make_product("TEE", name="T-shirt"),
                               cap=make_product("CAP", name="Cap"))
    db.session.commit()
    return SimpleNamespace(north=north, south=south, bins=bins, p=products, stock=stock)


def reserved(db, product, warehouse) -> int:
    """warehouse_stock.reserved of a product in a warehouse."""
    db.session.commit()
    return db.session.scalar(select(WarehouseStock.reserved).where(
        WarehouseStock.product_id == product.id,
        WarehouseStock.warehouse_id == warehouse.id)) or 0


def assert_books_agree(db) -> None:
    """The ledger proves every balance and every document, and warehouse_stock.reserved is
    exactly what open order lines hold."""
    db.session.commit()
    assert balances.verify_all() == []
    held = dict(((p, w), int(q)) for p, w, q in db.session.execute(
        select(OrderLine.product_id, OrderLine.warehouse_id, func.sum(OrderLine.reserved))
        .join(Order).where(Order.status.not_in(list(FINAL)))
        .group_by(OrderLine.product_id, OrderLine.warehouse_id)) if q)
    cached = {(p, w): int(r) for p, w, r in db.session.execute(
        select(WarehouseStock.product_id, WarehouseStock.warehouse_id, WarehouseStock.reserved))
        if r}
    assert held == cached
