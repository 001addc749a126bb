"""The speed machinery's look-ups (warehouse_app/speed/loader.py, reads.py): an object by a
unique column loaded as a query would load it, and a scan's look-ups read before its write."""
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select


def _columns(thing) -> dict:
    return {column.key: getattr(thing, column.key) for column in thing.__table__.columns}


def _load_both_ways(app, db, loader, value):
    """The loader's object (on SQLite read in no transaction, inside reading_first) and a
    query's, each in a fresh session."""
    from warehouse_app.database import reading_first
    from warehouse_app.speed.reads import holds_connection
    db.session.commit()
    db.session.expunge_all()
    with app.test_request_context("/", method="POST"), reading_first():
        loaded = loader.one(db.session(), value)
        began = holds_connection(db.session())
    db.session.expunge_all()
    queried = db.session.scalar(select(loader.model).where(loader.column == value))
    db.session.expunge_all()
    return loaded, queried, began


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # plugged in for SQLite only
def test_a_loaded_row_is_what_a_query_loads(app, db, make_product, make_location, make_user,
                                            engine_name):
    from warehouse_app.auth.models import ApiToken, Role, User
    from warehouse_app.auth.users import create_token, revoke_token
    from warehouse_app.catalog.models import Product, Tracking
    from warehouse_app.locations.models import Location
    from warehouse_app.speed.loader import Loader

    home = make_location("A-07", capacity=40)
    product = make_product("P-ALL", name="Über ☃", description="x" * 300, unit_cost="1.2345",
                           sale_price="9.99", reorder_point=5, lead_time_days=3,
                           tracking="lot", variant_group="TEE", variant="M / blue")
    product.home_location_id, product.active = home.id, False
    user = make_user("loaded", "supervisor")
    token, _secret = create_token("loaded-token", user, role=Role.STAFF, scopes=["read", "orders"])
    token.last_used_at = datetime(2026, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
    revoke_token(token)
    cases = [(Loader(Product.sku), "P-ALL"), (Loader(Location.code), "A-07"),
             (Loader(User.id), user.id), (Loader(ApiToken.name), "loaded-token")]
    for loader, value in cases:
        loaded, queried, began = _load_both_ways(app, db, loader, value)
        assert _columns(loaded) == _columns(queried)
        assert {type(v) for v in _columns(loaded).values()} == {
            type(v) for v in _columns(queried).values()}
        assert not began or engine_name == "postgresql"  # SQLite: read in no transaction
    loaded, _queried, _ = _load_both_ways(app, db, Loader(Product.sku), "P-ALL")
    assert loaded.tracking is Tracking.LOT and loaded.sale_price == Decimal("9.99")
    db.session.add(loaded)
    assert loaded.home_location.code == "A-07"  # a relationship loads when first asked for
    assert loaded.barcodes == []
    assert Loader(Product.sku).one(db.session(), "NO-SUCH") is None


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # plugged in for SQLite only
def test_a_loaded_object_changes_and_saves_like_a_queried_one(db, make_product):
    from warehouse_app.catalog.models import Product
    from warehouse_app.speed.loader import Loader
    make_product("P-SAVE")
    db.session.expunge_all()
    loaded = Loader(Product.sku).one(db.session(), "P-SAVE")
    assert loaded in db.session and not db.session.dirty
    loaded.name = "Renamed"
    db.session.commit()
    db.session.expunge_all()
    assert db.session.scalar(select(Product.name).where(Product.sku == "P-SAVE")) == "Renamed"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # plugged in for SQLite only
def test_the_sessions_own_copy_and_its_unsaved_changes_are_what_is_found(db, make_product):
    from warehouse_app.catalog import products
    from warehouse_app.catalog.models import Product
    from warehouse_app.speed.loader import Loader
    loader = Loader(Product.sku)
    held = make_product("P-HELD")
    assert loader.one(db.session(), "P-HELD") is held  # the session's copy, not a second one
    db.session.add(Product(sku="P-NEW", name="Not flushed yet"))
    found = loader.one(db.session(), "P-NEW")  # a query would flush it first: so does this
    assert found is not None and found.name == "Not flushed yet"
    held.sku = "P-MOVED"
    assert loader.one(db.session(), "P-HELD") is None
    assert products.by_sku("P-MOVED") is held
    db.session.rollback()


def test_a_scan_is_one_transaction_its_look_ups_take_none(app, client, staff, make_product,
                                                          make_location, stock):
    """The token, the product and the bins are read before the write begins, in no transaction
    of their own: a scan begins exactly one, the write (on SQLite, BEGIN IMMEDIATE)."""
    from sqlalchemy import event

    from warehouse_app.extensions import db
    from warehouse_app.insight import reorder
    product = make_product("P-1")
    reorder.known_demand(reorder.policy(), [product.id])  # as served: known for the day
    stock(product, make_location("A-01"), 5)
    make_location("A-02")
    seen = []
    event.listen(db.engine, "begin", began := lambda conn: seen.append("begin"))
    event.listen(db.engine, "commit", committed := lambda conn: seen.append("commit"))
    try:
        for body in ({"kind": "transfer", "from_location": "A-01", "to_location": "A-02"},
                     {"kind": "pick", "from_location": "A-02"},
                     {"kind": "receive", "to_location": "a-01 "}):
            seen.clear()
            response = client.post("/api/v1/movements", headers=staff,
                                   json={"sku": "P-1", "qty": 1, **body})
            assert response.status_code == 201, response.get_json()
            assert seen == ["begin", "commit"]
        for body, status in (({"sku": "NOPE", "kind": "receive", "to_location": "A-01"}, 404),
                             ({"sku": "P-1", "kind": "receive", "to_location": "NOPE"}, 404)):
            seen.clear()
            response = client.post("/api/v1/movements", headers=staff, json={"qty": 1, **body})
            assert response.status_code == status
            assert "commit" not in seen  # refused before anything was written
    finally:
        event.remove(db.engine, "begin", began)
        event.remove(db.engine, "commit", committed)


def _reads_demand(statement: str) -> bool:
    """The statement that sums a product's daily demand (reorder.demand_sums)."""
    return "FROM movement" in statement and "GROUP BY" in statement


def test_a_stale_reorder_point_is_worked_out_before_the_write_begins(app, client, staff,
                                                                      make_product,
                                                                      make_location,
                                                                      engine_name):
    """Working out a reorder point reads the product's demand (with a batch of others): on
    SQLite before the write begins, not while every other writer waits for the write lock."""
    from sqlalchemy import event

    from warehouse_app.database import may_write
    from warehouse_app.extensions import db
    make_product("P-COLD", reorder_point=3)
    make_location("A-01")
    # The token's first use is noted (once a minute) with the write, which then begins at once.
    assert client.get("/api/v1/products", headers=staff).status_code == 200
    seen = []
    event.listen(db.engine, "begin", began := lambda conn: seen.append(
        "write begins" if may_write() else "read begins"))
    event.listen(db.engine, "before_cursor_execute", ran := lambda conn, cursor, statement, *_:
                 seen.append("points" if _reads_demand(statement) else "other"))
    try:
        response = client.post("/api/v1/movements", headers=staff, json={
            "sku": "P-COLD", "qty": 2, "kind": "receive", "to_location": "A-01"})
        assert response.status_code == 201
    finally:
        event.remove(db.engine, "begin", began)
        event.remove(db.engine, "before_cursor_execute", ran)
    assert "points" in seen and "write begins" in seen
    if engine_name == "sqlite":  # PostgreSQL has no lock for the whole database to keep short
        assert seen.index("points") < seen.index("write begins"), seen
    from warehouse_app.insight.models import Alert
    db.session.commit()
    kinds = db.session.scalars(select(Alert.kind).where(Alert.cleared_at.is_(None))).all()
    assert [kind.value for kind in kinds] == ["low_stock"]  # 2 <= 3: raised with the receipt


def test_a_scans_look_ups_share_one_pooled_connection_per_block(app, client, staff,
                                                                 make_product, make_location,
                                                                 stock, engine_name):
    """On SQLite the token is read in one reading_first() block and the product and both bins
    in another, each on one connection from the pool, given back when the block ends; the write
    takes one more. (On PostgreSQL the request keeps one connection throughout.)"""
    from sqlalchemy import event

    from warehouse_app.extensions import db
    from warehouse_app.insight import reorder
    product = make_product("P-1")
    reorder.known_demand(reorder.policy(), [product.id])  # as served: known for the day
    stock(product, make_location("A-01"), 5)
    make_location("A-02")
    pool = db.engine.pool
    checkouts = []
    assert client.get("/api/v1/stock", headers=staff).status_code == 200  # the token's first
    db.session.commit()  # use notes when it was used (a write); then once a minute
    db.session.remove()  # as a served request finds it: nothing loaded, no transaction
    event.listen(pool, "checkout", counted := lambda *args: checkouts.append(1))
    try:
        response = client.post("/api/v1/movements", headers=staff, json={
            "sku": "P-1", "qty": 1, "kind": "transfer", "from_location": "A-01",
            "to_location": "A-02"})
    finally:
        event.remove(pool, "checkout", counted)
    assert response.status_code == 201, response.get_json()
    assert len(checkouts) == (3 if engine_name == "sqlite" else 1)
    assert pool.checkedout() == 0  # every one given back


def test_the_engine_of_a_session_is_its_bind_looked_up_once(app, db):
    from warehouse_app.database import engine_of
    session = db.session()
    assert engine_of(session) is session.get_bind() is db.engine
    session.info["engine"] = marker = object()
    assert engine_of(session) is marker  # remembered for the session's life
    db.session.remove()
    assert engine_of(db.session()) is db.engine  # a new session looks again
