"""The single write path: every change of stock is a movement posted here, and nowhere else.

post() validates nothing about the business; it inserts the ledger row and moves the quantity
between the two cached balances in the caller's transaction (no savepoint: a refusal half-way
undoes the steps already written, and anything else leaves a transaction that only rolls back).
The decrement is a conditional UPDATE backed by a CHECK, so two phones racing for the last
unit cannot both win on either engine. record() and reverse() build validated movements for it.
"""
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from blinker import signal
from sqlalchemy import bindparam, case, event, func, literal_column, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from warehouse_app.auth import warehouses
from warehouse_app.auth.models import Role
from warehouse_app.catalog.models import Product, Tracking
from warehouse_app.database import engine_of, reading_first
from warehouse_app.errors import Conflict, DomainError, Forbidden, InsufficientStock
from warehouse_app.extensions import db
from warehouse_app.ledger import capacity
from warehouse_app.ledger.models import (
    Lot,
    Movement,
    MovementKind,
    Reason,
    StockLevel,
    WarehouseStock,
)
from warehouse_app.ledger.sellable import check_receipt_expiry, refuse_expired, refuse_held
from warehouse_app.locations.models import PHYSICAL_KINDS, VIRTUAL_CODES, Location, LocationKind
from warehouse_app.locations.places import virtual
from warehouse_app.money import COST_PLACES, MAX_COST, parse_cost  # noqa: F401  (MAX_COST: api)

MAX_QTY = 1_000_000_000

# For each kind: which location kinds may stand at each end.
PHYSICAL = PHYSICAL_KINDS
SHAPES: dict[MovementKind, list[tuple[frozenset, frozenset]]] = {
    MovementKind.RECEIVE: [(frozenset({LocationKind.SUPPLIER}), PHYSICAL)],
    MovementKind.PICK: [(PHYSICAL, frozenset({LocationKind.CUSTOMER}))],
    MovementKind.TRANSFER: [(PHYSICAL, PHYSICAL)],
    MovementKind.RETURN: [(frozenset({LocationKind.CUSTOMER}), PHYSICAL)],
    MovementKind.ADJUST: [(PHYSICAL, frozenset({LocationKind.ADJUSTMENT, LocationKind.SCRAP})),
                          (frozenset({LocationKind.ADJUSTMENT}), PHYSICAL)],
    MovementKind.COUNT: [(PHYSICAL, frozenset({LocationKind.COUNT})),
                         (frozenset({LocationKind.COUNT}), PHYSICAL)],
}
# The virtual end a kind implies when the caller names only the physical one.
IMPLIED_FROM = {MovementKind.RECEIVE: LocationKind.SUPPLIER,
                MovementKind.RETURN: LocationKind.CUSTOMER,
                MovementKind.ADJUST: LocationKind.ADJUSTMENT,
                MovementKind.COUNT: LocationKind.COUNT}
IMPLIED_TO = {MovementKind.PICK: LocationKind.CUSTOMER,
              MovementKind.ADJUST: LocationKind.ADJUSTMENT,
              MovementKind.COUNT: LocationKind.COUNT}
SCRAP_REASONS = frozenset({Reason.DAMAGE, Reason.EXPIRY})
# Sent with each newly posted movement (not a replay), inside the caller's transaction.
movement_posted = signal("movement-posted")
# Sent with the product a movement is about to move, before its write begins (on SQLite before
# the database's one write lock is taken): what listeners will need inside the write (a reorder
# point, say) is made ready here, not while every other writer waits.
movement_coming = signal("movement-coming")
# Sent with a movement about to be reversed (not a replay), inside the caller's transaction:
# the document the movement belongs to (an order's pick, a purchase order's receipt, a count's
# adjustment) refuses with a Conflict naming its own undo, or answers a function that brings
# the document in step once the reversal is posted (called with the reversal).
movement_reversing = signal("movement-reversing")


def post(m: Movement) -> Movement:
    """Record one movement and move its quantity between balances, atomically."""
    if m.client_op_id and (seen := _by_op_id(m.client_op_id)):
        return _same_op(seen, m)
    return _post(m)


def _post(m: Movement) -> Movement:
    session = db.session()
    if engine_of(session).dialect.name == "sqlite":
        _apply_alone(session, session.connection(), m)
    else:
        try:
            _apply(session, session.connection(), m)
        except (InsufficientStock, SerialInStock, _RacedReplay):
            # A retry of the same operation raced us and won: answer with its movement.
            if m.client_op_id and (seen := _by_op_id(m.client_op_id)):
                return _same_op(seen, m)
            raise
    _adopt(session, m)
    movement_posted.send(m)
    return m


class _RacedReplay(Exception):
    """Another transaction posted a movement with this client_op_id while this one ran."""


def _apply(session: Session, connection, m: Movement) -> None:
    """The statements of one movement on PostgreSQL, in the one lock order every write path
    keeps, so that two transactions never wait for each other in a circle (a deadlock):

    1. the product's row, for a receipt (FOR NO KEY UPDATE: its moving average is folded in
       last, from the stock it then sees; the foreign keys of other writers' rows only take
       KEY SHARE locks, which this does not block);
    2. the serial number's row, when a serial enters or leaves the stock;
    3. the bins' balances, by location id;
    4. the warehouses' balances, by warehouse id;
    5. the ledger row.
    A transaction posting several movements posts them by product, then location (count
    approvals, shipments, stock imports sort theirs so).

    No savepoint (two more round trips per movement): what may refuse (a take, a serial
    already in stock, the ledger row of an operation a racing retry posted first) is a
    conditional statement that fails nothing in the database, and the steps already written
    are undone by the opposite statements, on rows this transaction holds. Anything else
    failing half-way marks the session, whose transaction can then only be rolled back."""
    undo = []
    try:
        if m.kind is MovementKind.RECEIVE:
            connection.execute(_LOCK_PRODUCT, {"p": m.product_id})
        if _serial_step(connection, m):
            undo.append(_serial_back)
        bins = [(location.id, step, back) for location, step, back in (
                    (m.from_location, _take, _untake), (m.to_location, _add, _unadd))
                if location.is_physical]
        source, target = _warehouses(m)
        houses = [(warehouse, step, back) for warehouse, step, back in (
                      (source, _take_from_warehouse, _untake_from_warehouse),
                      (target, _add_to_warehouse, _unadd_to_warehouse))
                  if warehouse is not None]
        for _id, step, back in sorted(bins, key=_first) + sorted(houses, key=_first):
            step(connection, m)
            undo.append(back)
        _insert(connection, m, _INSERT_ONCE if m.client_op_id else None)
        if m.id is None:
            raise _RacedReplay()
    except (InsufficientStock, SerialInStock, _RacedReplay):
        for back in reversed(undo):
            back(connection, m)
        raise
    except BaseException:
        session.info[_BROKEN] = session.get_nested_transaction() or session.get_transaction()
        raise


def _first(pair: tuple) -> int:
    return pair[0]


def _add(connection, m: Movement) -> None:
    _add_on_hand(connection, m.product_id, m.to_location_id, m.lot_id, m.qty)


# The opposite of each step of _apply, for a movement refused half-way on PostgreSQL.
def _untake(connection, m: Movement) -> None:
    connection.execute(_BUMP[m.lot_id is not None],
                       _key(m.product_id, m.from_location_id, m.lot_id, m.qty))


def _unadd(connection, m: Movement) -> None:
    connection.execute(_BUMP[m.lot_id is not None],
                       _key(m.product_id, m.to_location_id, m.lot_id, -m.qty))


def _untake_from_warehouse(connection, m: Movement) -> None:
    source, _target = _warehouses(m)
    connection.execute(_WS_BUMP_BACK, {"p": m.product_id, "w": source, "q": m.qty,
                                       "r": getattr(m, "release_reserved", 0)})


def _unadd_to_warehouse(connection, m: Movement) -> None:
    _source, target = _warehouses(m)
    connection.execute(_WS_BUMP, {"p": m.product_id, "w": target, "q": -m.qty})


def _serial_back(connection, m: Movement) -> None:
    arriving = m.to_location.is_physical and not m.from_location.is_physical
    connection.execute(_SERIAL_SET, {"lot": m.lot_id, "flag": 0 if arriving else 1})


# SQLite: BEGIN IMMEDIATE gave this transaction the database's only write lock, so nobody can
# race it and a savepoint (two more statements per movement) buys nothing. Three statements
# may refuse: a serial's arrival, which comes first; the bin's take, which then has written
# nothing more; and the warehouse's take, after which the bin's take is put back. Anything
# else failing half-way marks the session: its transaction can then only be rolled back,
# never committed with half a movement in it.
_BROKEN = "ledger_broken"


def _apply_alone(session: Session, connection, m: Movement) -> None:
    try:
        _serial_step(connection, m, leaving_too=False)  # may refuse: before anything is written
        if m.from_location.is_physical:
            _take(connection, m)
        try:
            _take_from_warehouse(connection, m)
        except InsufficientStock:
            if m.from_location.is_physical:
                connection.execute(_BUMP[m.lot_id is not None],
                                   _key(m.product_id, m.from_location_id, m.lot_id, m.qty))
            raise
        if m.to_location.is_physical:
            _add_on_hand(connection, m.product_id, m.to_location_id, m.lot_id, m.qty)
        _add_to_warehouse(connection, m)
        _insert(connection, m)
        if m.from_location.is_physical and not m.to_location.is_physical:
            _serial_step(connection, m)  # a serial leaving the stock
    except (InsufficientStock, SerialInStock):
        raise
    except BaseException:
        session.info[_BROKEN] = session.get_nested_transaction() or session.get_transaction()
        raise


@event.listens_for(Session, "before_commit")
def _refuse_half_movement(session: Session) -> None:
    if session.info.get(_BROKEN) is not None:
        raise RuntimeError("A movement failed half-way; this transaction must be rolled back.")


# The ledger row is written with one Core INSERT and the session then adopts the object as
# already loaded: a unit-of-work flush of a fresh Movement cost four times the INSERT itself.
# An adopted row whose transaction (or savepoint) rolls back is expunged again, so a reused
# SQLite rowid can never meet a stale object.
_MOVEMENT = Movement.__table__
_MOVEMENT_COLUMNS = [column for column in _MOVEMENT.columns if column.key != "id"]
_INSERT_MOVEMENT = _MOVEMENT.insert()  # its id: lastrowid, or RETURNING on PostgreSQL
_ADOPTED = "ledger_adopted"


# PostgreSQL: a racing retry of the same operation that committed first makes this insert
# write nothing (it waits for that transaction, then finds the id taken), not spoil the
# transaction with a unique violation.
_INSERT_ONCE = postgresql.insert(_MOVEMENT).on_conflict_do_nothing(
    index_elements=[_MOVEMENT.c.client_op_id]).returning(_MOVEMENT.c.id)


def _insert(connection, m: Movement, statement=None) -> None:
    values, given = {}, vars(m)
    for column in _MOVEMENT_COLUMNS:
        value = getattr(m, column.key)
        if value is None and column.default is not None:  # what a flush would have filled in
            default = column.default
            value = default.arg(None) if default.is_callable else default.arg
            setattr(m, column.key, value)
        elif column.key not in given:  # never set (reversal_of_id, say): known to be None, else
            set_committed_value(m, column.key, value)  # reading it would query (see _adopt)
        values[column.key] = value
    if statement is None:
        m.id = connection.execute(_INSERT_MOVEMENT, values).inserted_primary_key[0]
    else:
        row = connection.execute(statement, values).fetchone()
        m.id = row[0] if row is not None else None


def _adopt(session: Session, m: Movement) -> None:
    make_transient_to_detached(m)
    session.add(m)
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_ADOPTED, []).append((transaction, m))


def _within(transaction, outer) -> bool:
    while transaction is not None and transaction is not outer:
        transaction = transaction.parent
    return transaction is not None


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, previous) -> None:
    if session.info.get(_BROKEN) is not None and _within(session.info[_BROKEN], previous):
        del session.info[_BROKEN]  # the half movement went with what was rolled back
    kept = []
    for transaction, m in session.info.get(_ADOPTED, []):
        if not _within(transaction, previous):
            kept.append((transaction, m))
        elif m in session:
            session.expunge(m)
    session.info[_ADOPTED] = kept


@event.listens_for(Session, "after_commit")
def _forget_committed(session: Session) -> None:
    session.info.pop(_ADOPTED, None)


# The statements post() runs for every movement, built once: building a statement costs
# several times more than running it on SQLite. Core tables, not ORM entities: the session
# keeps no StockLevel objects in step anyway (synchronize_session was off).
_LEVEL = StockLevel.__table__
_KEY = (_LEVEL.c.product_id == bindparam("p"), _LEVEL.c.location_id == bindparam("l"))
_NO_LOT, _THIS_LOT = _LEVEL.c.lot_id.is_(None), _LEVEL.c.lot_id == bindparam("lot")
_TAKE = {lot: (update(_LEVEL).where(*_KEY, cond, _LEVEL.c.on_hand >= bindparam("q"))
               .values(on_hand=_LEVEL.c.on_hand - bindparam("q")))
         for lot, cond in ((False, _NO_LOT), (True, _THIS_LOT))}
_BUMP = {lot: (update(_LEVEL).where(*_KEY, cond)
               .values(on_hand=_LEVEL.c.on_hand + bindparam("q")))
         for lot, cond in ((False, _NO_LOT), (True, _THIS_LOT))}
_HELD = {lot: select(_LEVEL.c.on_hand).where(*_KEY, cond)
         for lot, cond in ((False, _NO_LOT), (True, _THIS_LOT))}
# rowcount is not reliable for INSERT .. ON CONFLICT on psycopg, hence RETURNING.
_CREATE = {name: dialect.insert(_LEVEL).on_conflict_do_nothing().returning(_LEVEL.c.id)
           for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))}
# SQLite adds in one statement, creating the row if need be (PostgreSQL would spend a value of
# the id sequence on every add that finds its row, so it updates first and creates when not).
_UPSERT = sqlite.insert(_LEVEL).values(
    product_id=bindparam("p"), location_id=bindparam("l"), lot_id=bindparam("lot"),
    on_hand=bindparam("q"), reserved=0)
_UPSERT = (_UPSERT.on_conflict_do_update(
    index_elements=[_LEVEL.c.product_id, _LEVEL.c.location_id,
                    func.coalesce(_LEVEL.c.lot_id, literal_column("0"))],
    set_={"on_hand": _LEVEL.c.on_hand + _UPSERT.excluded.on_hand}))
_PRODUCT = Product.__table__
_STOCK_OF = select(func.coalesce(func.sum(_LEVEL.c.on_hand), 0)).where(
    _LEVEL.c.product_id == _PRODUCT.c.id).scalar_subquery()
_COST, _QTY = bindparam("cost", type_=_PRODUCT.c.avg_cost.type), bindparam("q")
_BEFORE = _STOCK_OF - _QTY  # the stock this receipt joins
_AVERAGE_IN = update(_PRODUCT).where(_PRODUCT.c.id == bindparam("p")).values(
    avg_cost=case((_BEFORE <= 0, _COST), else_=func.round(
        (func.coalesce(_PRODUCT.c.avg_cost, 0) * _BEFORE + _COST * _QTY) / _STOCK_OF, 4))
).returning(_PRODUCT.c.avg_cost)
_OP_ID = select(Movement.__table__.c.id).where(
    Movement.__table__.c.client_op_id == bindparam("op"))
_LOCK_PRODUCT = select(_PRODUCT.c.id).where(_PRODUCT.c.id == bindparam("p")).with_for_update(
    key_share=True)  # FOR NO KEY UPDATE
_LOT = Lot.__table__
# A serial number is in stock at most once: its lot row says whether it is (a CHECK keeps the
# flag 0 or 1), and arriving is a conditional UPDATE two receipts cannot both win.
_SERIAL_ARRIVES = (update(_LOT).where(_LOT.c.id == bindparam("lot"), _LOT.c.serial_in_stock == 0)
                   .values(serial_in_stock=1))
_SERIAL_LEAVES = update(_LOT).where(_LOT.c.id == bindparam("lot")).values(serial_in_stock=0)
_SERIAL_SET = (update(_LOT).where(_LOT.c.id == bindparam("lot"))
               .values(serial_in_stock=bindparam("flag")))


def _key(product_id: int, location_id: int, lot_id: int | None, qty: int) -> dict:
    return {"p": product_id, "l": location_id, "lot": lot_id, "q": qty}


def _take(connection, m: Movement) -> None:
    key = _key(m.product_id, m.from_location_id, m.lot_id, m.qty)
    lot = m.lot_id is not None
    if connection.execute(_TAKE[lot], key).rowcount != 1:
        held = connection.execute(_HELD[lot], key).scalar() or 0
        raise InsufficientStock(m.product.sku, m.from_location.code, m.qty, held)


def _add_on_hand(connection, product_id: int, location_id: int, lot_id: int | None,
                 qty: int) -> None:
    """Add to a balance, creating its row the first time (a racing creator is tolerated)."""
    key, bump = _key(product_id, location_id, lot_id, qty), _BUMP[lot_id is not None]
    if connection.dialect.name == "sqlite":
        connection.execute(_UPSERT, key)
        return
    if connection.execute(bump, key).rowcount == 1:
        return
    created = connection.execute(_CREATE[connection.dialect.name], {
        "product_id": product_id, "location_id": location_id, "lot_id": lot_id, "on_hand": qty,
        "reserved": 0}).scalar()
    if created is None:
        connection.execute(bump, key)


_WS = WarehouseStock.__table__
_WS_ROW = (_WS.c.product_id == bindparam("p"), _WS.c.warehouse_id == bindparam("w"))
# Out of a warehouse: only unreserved stock, unless the movement releases its order's promise.
_WS_TAKE = (update(_WS).where(*_WS_ROW, _WS.c.reserved >= bindparam("r"),
                              _WS.c.on_hand - bindparam("q") >= _WS.c.reserved - bindparam("r"))
            .values(on_hand=_WS.c.on_hand - bindparam("q"),
                    reserved=_WS.c.reserved - bindparam("r")))
# A pick from a warehouse or zone (post_together) also leaves its held and expired units ("u")
# beside what orders reserved: what it takes is sellable stock orders were not promised.
_WS_TAKE_SELLABLE = (update(_WS).where(*_WS_ROW, _WS.c.reserved >= bindparam("r"),
                                       _WS.c.on_hand - bindparam("q") - bindparam("u")
                                       >= _WS.c.reserved - bindparam("r"))
                     .values(on_hand=_WS.c.on_hand - bindparam("q"),
                             reserved=_WS.c.reserved - bindparam("r")))
_WS_BUMP = update(_WS).where(*_WS_ROW).values(on_hand=_WS.c.on_hand + bindparam("q"))
_WS_BUMP_BACK = update(_WS).where(*_WS_ROW).values(
    on_hand=_WS.c.on_hand + bindparam("q"), reserved=_WS.c.reserved + bindparam("r"))
_WS_CREATE = {name: dialect.insert(_WS).on_conflict_do_nothing().returning(_WS.c.id)
              for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))}


def _serial_step(connection, m: Movement, leaving_too: bool = True) -> bool:
    """A serial number entering the stock (from a virtual location; refused when it is in
    stock already) or, with leaving_too, leaving it; True when its flag was written."""
    if m.lot_id is None or m.product.tracking is not Tracking.SERIAL:
        return False
    arriving, leaving = m.to_location.is_physical, m.from_location.is_physical
    if arriving and not leaving:
        if connection.execute(_SERIAL_ARRIVES, {"lot": m.lot_id}).rowcount != 1:
            raise SerialInStock(f"Serial {m.lot.code} of {m.product.sku} is already in stock.",
                                field="lot")
        return True
    if leaving and not arriving and leaving_too:
        connection.execute(_SERIAL_LEAVES, {"lot": m.lot_id})
        return True
    return False


class SerialInStock(Conflict):
    code = "serial_in_stock"


def _warehouses(m: Movement) -> tuple[int | None, int | None]:
    """The warehouses a movement leaves and enters; none when it stays inside one."""
    source = m.from_location.warehouse_id if m.from_location.is_physical else None
    target = m.to_location.warehouse_id if m.to_location.is_physical else None
    if source == target and not getattr(m, "release_reserved", 0):
        return None, None
    return source, target


def _take_from_warehouse(connection, m: Movement) -> None:
    """Out of a warehouse: only what orders have not reserved (or this order's own promise)."""
    source, _target = _warehouses(m)
    if source is None:
        return
    key = {"p": m.product_id, "w": source, "q": m.qty, "r": getattr(m, "release_reserved", 0)}
    if connection.execute(_WS_TAKE, key).rowcount != 1:
        on_hand, reserved = connection.execute(
            select(_WS.c.on_hand, _WS.c.reserved).where(*_WS_ROW), key).first() or (0, 0)
        raise Reserved(m.product.sku, m.from_location.warehouse.code, m.qty,
                       int(on_hand) - int(reserved))


def _add_to_warehouse(connection, m: Movement) -> None:
    _source, target = _warehouses(m)
    if target is None:
        return
    key = {"p": m.product_id, "w": target, "q": m.qty}
    if connection.execute(_WS_BUMP, key).rowcount != 1:
        created = connection.execute(_WS_CREATE[connection.dialect.name], {
            "product_id": m.product_id, "warehouse_id": target, "on_hand": m.qty,
            "reserved": 0}).scalar()
        if created is None:
            connection.execute(_WS_BUMP, key)


class Reserved(InsufficientStock):
    """The stock is there, but orders have reserved it."""

    code = "reserved"

    def __init__(self, sku: str, warehouse: str, wanted: int, free: int):
        Conflict.__init__(self, f"{sku} in {warehouse} is reserved for orders: only {max(free, 0)} "
                                f"may move, {wanted} asked.", field="qty")
        self.available = max(free, 0)


def post_together(ms: list[Movement], unsellable: int = 0, release: int = 0) -> list[Movement]:
    """Post several movements of one product out of one warehouse's bins as one operation,
    all or nothing (a pick from a warehouse or zone split across bins, ledger/sourcing.py):
    all to Customer, or all to one bin of the same warehouse (an order's packing bin).

    In the one lock order: the serial numbers leaving, the bins by id, the warehouse's balance
    once for the total (leaving `unsellable` held and expired units beside what orders
    reserved, less the `release` of its own order's promise), then the ledger rows in the order
    given. On PostgreSQL one savepoint holds them: whatever refuses (a bin another pick emptied
    meanwhile) undoes every part. On SQLite the caller chose the bins under the write lock, so
    nothing can have changed; should a step still refuse, the session is marked and its
    transaction can only be rolled back."""
    session = db.session()
    if engine_of(session).dialect.name == "sqlite":
        try:
            _apply_together(session.connection(), ms, unsellable, release)
        except BaseException:
            session.info[_BROKEN] = session.get_nested_transaction() or session.get_transaction()
            raise
    else:
        with session.begin_nested():
            _apply_together(session.connection(), ms, unsellable, release)
    for m in ms:
        _adopt(session, m)
        movement_posted.send(m)
    return ms


def _apply_together(connection, ms: list[Movement], unsellable: int, release: int) -> None:
    first = ms[0]
    for m in sorted(ms, key=lambda m: m.lot_id or 0):
        _serial_step(connection, m)
    steps = [(m.from_location_id, m.lot_id or 0, _take, m) for m in ms]
    if first.to_location.is_physical:
        steps += [(m.to_location_id, m.lot_id or 0, _add, m) for m in ms]
    for _location, _lot, step, m in sorted(steps, key=lambda s: s[:2]):
        step(connection, m)
    if not first.to_location.is_physical:
        total = sum(m.qty for m in ms)
        key = {"p": first.product_id, "w": first.from_location.warehouse_id, "q": total,
               "u": unsellable, "r": release}
        if connection.execute(_WS_TAKE_SELLABLE, key).rowcount != 1:
            on_hand, reserved = connection.execute(
                select(_WS.c.on_hand, _WS.c.reserved).where(*_WS_ROW), key).first() or (0, 0)
            raise Reserved(first.product.sku, first.from_location.warehouse.code, total,
                           int(on_hand) - int(reserved) + release - unsellable)
    for m in ms:
        _insert(connection, m)


def _by_op_id(client_op_id: str) -> Movement | None:
    row = db.session.connection().execute(_OP_ID, {"op": client_op_id}).fetchone()
    found = row[0] if row else None
    return db.session.get(Movement, found) if found is not None else None


def _same_op(seen: Movement, m: Movement, lot_code: str | None = None) -> Movement:
    """A replay must describe the same movement in every field it was sent with; a reused id
    with anything different (another cost, lot, reason, reference...) is a mistake: 409."""
    mine = {"sku": m.product_id, "qty": m.qty, "from_location": m.from_location_id,
            "to_location": m.to_location_id}
    theirs = {"sku": seen.product_id, "qty": seen.qty, "from_location": seen.from_location_id,
              "to_location": seen.to_location_id}
    if m.kind is not None:
        mine.update(kind=m.kind, reason=m.reason, reference=m.reference or "",
                    note=m.note or "")
        theirs.update(kind=seen.kind, reason=seen.reason, reference=seen.reference or "",
                      note=seen.note or "")
    if lot_code is not None or m.lot_id is not None or m.kind is not None:
        mine["lot"] = lot_code if lot_code is not None else m.lot_id
        theirs["lot"] = ((seen.lot.code if seen.lot is not None else "")
                         if lot_code is not None else seen.lot_id)
    if m.unit_cost is not None:
        mine["unit_cost"], theirs["unit_cost"] = m.unit_cost, seen.unit_cost
    differ = [name for name in mine if mine[name] != theirs[name]]
    if differ:
        raise Conflict(f"client_op_id {m.client_op_id} was already used for another movement "
                       f"(its {', '.join(differ)} differ).",
                       field="client_op_id", code="client_op_id_reused")
    seen.replayed = True
    return seen


@dataclass
class Line:
    """What a caller asks to move, before it is checked."""

    kind: MovementKind
    product: Product
    qty: int
    from_location: Location | None = None
    to_location: Location | None = None
    lot: str | None = None
    expiry: date | None = None
    reason: Reason | None = None
    note: str = ""
    reference: str = ""
    unit_cost: Decimal | None = None
    client_op_id: str | None = None
    # A cost typed by a person (phone, API) is checked against the average: None, not checked
    # (a purchase order's agreed cost, an import); False, refused when unusual; True, confirmed.
    confirm_cost: bool | None = None
    at: datetime | None = None  # when it happened, for history loaded after the fact
    release_reserved: int = 0  # units of an order's reservation this movement fulfils
    # A person receiving: True when they confirmed an expired or nearly expired lot, False
    # when not (then such a receipt is refused with expiry_warning); None: no person (a seed).
    confirm_expiry: bool | None = None
    # A supervisor's reason for filling a bin over its capacity (else 409 over_capacity).
    override_capacity: str | None = None
    from_transit: bool = False  # a transit received at its destination (ledger/transit.py)
    to_transit: bool = False  # dispatched towards another warehouse (its transit bin)


def record(line: Line, user=None) -> Movement:
    """Check one line against the rules of its kind and post it."""
    check_qty(line.qty)
    if movement_coming.receivers:
        with reading_first():
            movement_coming.send(line.product)
    source, target = _ends(line)
    _check_shape(line.kind, source, target)
    # Nobody moves stock in a warehouse they are not kept to (a dispatch leaves for another).
    warehouses.check(source, user, "from_location")
    if not line.to_transit:
        warehouses.check(target, user, "to_location")
    if line.client_op_id and (seen := _by_op_id(line.client_op_id)):
        # A retry answers the first movement before rules its own posting changed (a serial
        # now in stock) can refuse it.
        given_cost = (parse_cost(line.unit_cost)
                      if line.kind is MovementKind.RECEIVE and line.unit_cost is not None
                      else None)
        return _same_op(seen, Movement(kind=line.kind, product_id=line.product.id,
                                       qty=line.qty, from_location_id=source.id,
                                       to_location_id=target.id, reason=line.reason,
                                       reference=line.reference or "", note=line.note or "",
                                       unit_cost=given_cost, client_op_id=line.client_op_id),
                        lot_code=(line.lot or "").strip())
    if line.kind is MovementKind.ADJUST and line.reason is None:
        raise DomainError("An adjustment needs a reason (damage, loss, theft, expiry, found...).",
                          field="reason")
    if target.is_physical and not target.active:
        raise DomainError(f"Location {target.code} is deactivated.", field="to_location")
    if line.kind is MovementKind.RECEIVE and not line.product.active:
        raise DomainError(f"Product {line.product.sku} is deactivated.", field="sku")
    lot = _lot_for(line, source)
    # A count records what is there, however full; every other movement keeps to capacity.
    over = None if line.kind is MovementKind.COUNT else capacity.check(
        target, line.qty, capacity.clean_override(line.override_capacity), user)
    _unsellable_rules(line, source, target, lot, user)
    cost = _cost_for(line)
    if line.kind is MovementKind.RECEIVE and line.unit_cost is not None \
            and line.confirm_cost is not None:
        check_typed_cost(line.product, line.unit_cost, cost, line.confirm_cost)
    m = Movement(kind=line.kind, product=line.product, product_id=line.product.id, qty=line.qty,
                 from_location=source, from_location_id=source.id,
                 to_location=target, to_location_id=target.id,
                 lot=lot, lot_id=lot.id if lot else None, reason=line.reason,
                 note=line.note or "", reference=line.reference or "", unit_cost=cost,
                 user_id=getattr(user, "id", None), client_op_id=line.client_op_id or None)
    if line.at is not None:
        m.created_at = line.at
    m.release_reserved = line.release_reserved
    posted = _post(m)  # the client_op_id was looked up above
    if over is not None and posted is m:
        capacity.audit(posted, over)
    if posted is m and line.kind is MovementKind.RECEIVE:
        _average_in(line.product, line.qty, cost)
    return posted


def _unsellable_rules(line: Line, source: Location, target: Location, lot: Lot | None,
                      user) -> None:
    """Held and expired stock is not sold; returns wait in hold; expiring receipts ask first."""
    if line.kind is MovementKind.PICK:
        refuse_held(source, line.product.sku)
        if lot is not None:  # expired on the day it happened (history loaded later too)
            refuse_expired(lot, line.product.sku, on=line.at.date() if line.at else None)
    # History loaded after the fact (line.at) records returns where they went.
    if line.kind is MovementKind.RETURN and not target.hold and line.at is None:
        raise DomainError(f"A return lands in a hold bin, to be inspected; {target.code} is not "
                          "one (mark a returns bin as hold).", field="to_location",
                          code="not_hold_bin")
    if (line.kind is MovementKind.TRANSFER and source.hold and user is not None
            and not line.from_transit and not user.has_role(Role.SUPERVISOR)):
        raise Forbidden(f"{source.code} is a hold bin: only a supervisor releases its stock.",
                        field="from_location")
    if line.kind is MovementKind.RECEIVE and lot is not None and line.confirm_expiry is not None:
        check_receipt_expiry(lot.expiry or line.expiry, line.product.sku, line.confirm_expiry)


def check_qty(qty) -> int:
    """Quantities are whole units from 1 to a billion."""
    if isinstance(qty, bool) or not isinstance(qty, int):
        raise DomainError("Quantity must be a whole number.", field="qty")
    if qty < 1:
        raise DomainError("Quantity must be at least 1.", field="qty")
    if qty > MAX_QTY:
        raise DomainError(f"Quantity must be at most {MAX_QTY:,}.", field="qty")
    return qty


def _ends(line: Line) -> tuple[Location, Location]:
    source, target = line.from_location, line.to_location
    if source is None and line.kind in IMPLIED_FROM and target is not None and target.is_physical:
        source = _virtual(IMPLIED_FROM[line.kind])
    if target is None and line.kind in IMPLIED_TO and source is not None and source.is_physical:
        kind = IMPLIED_TO[line.kind]
        if line.kind is MovementKind.ADJUST and line.reason in SCRAP_REASONS:
            kind = LocationKind.SCRAP
        target = _virtual(kind)
    if source is None:
        raise DomainError(f"A {line.kind.value} needs the location it comes from.",
                          field="from_location")
    if target is None:
        raise DomainError(f"A {line.kind.value} needs the location it goes to.",
                          field="to_location")
    if source.id == target.id:
        raise DomainError("From and to are the same location.", field="to_location")
    return source, target


# The virtual locations never change once the first migration made them: each process keeps a
# detached copy per database and hands each session its own without a query.
_VIRTUALS: dict[tuple, Location] = {}


def _virtual(kind: LocationKind) -> Location:
    """The virtual location of a kind (Supplier, Customer...), in this session."""
    known = db.session.info.setdefault("virtual_locations", {})
    location = known.get(kind)
    if location is not None and location in db.session:
        return location
    key = (db.engine, kind)
    if key in _VIRTUALS:
        location = db.session.merge(_VIRTUALS[key], load=False)
    else:
        location = db.session.scalar(select(Location).where(
            Location.code == VIRTUAL_CODES[kind]))
        if location is None:  # made now, in a transaction that may roll back: not remembered
            location = virtual(kind)
        else:
            copy = Location(**{c.key: getattr(location, c.key)
                               for c in Location.__table__.columns})
            make_transient_to_detached(copy)
            _VIRTUALS[key] = copy
    known[kind] = location
    return location


def virtual_end(kind: LocationKind) -> Location:
    """The virtual location of a kind (Customer, Supplier...), in this session, usually
    without a query."""
    return _virtual(kind)


def _check_shape(kind: MovementKind, source: Location, target: Location) -> None:
    for allowed_from, allowed_to in SHAPES.get(kind, []):
        if source.kind in allowed_from and target.kind in allowed_to:
            return
    raise DomainError(
        f"A {kind.value} cannot go from {source.code} ({source.kind.value}) "
        f"to {target.code} ({target.kind.value}).", field="kind")


def _lot_for(line: Line, source: Location) -> Lot | None:
    product = line.product
    code = (line.lot or "").strip()
    if product.tracking is Tracking.NONE:
        if code:
            raise DomainError(f"{product.sku} is not tracked by lot or serial.", field="lot")
        return None
    what = "serial number" if product.tracking is Tracking.SERIAL else "lot"
    if not code:
        raise DomainError(f"{product.sku} needs a {what}.", field="lot")
    if len(code) > 64:
        raise DomainError(f"The {what} is longer than 64 characters.", field="lot")
    if product.tracking is Tracking.SERIAL and line.qty != 1:
        raise DomainError("A serial-numbered item moves one at a time.", field="qty")
    lot = db.session.scalar(select(Lot).where(Lot.product_id == product.id, Lot.code == code))
    arriving = not source.is_physical
    if lot is None:
        if not arriving:
            raise InsufficientStock(product.sku, source.code, line.qty, 0, field="lot")
        lot = _new_lot(product.id, code, line.expiry)
    elif line.expiry and lot.expiry is None:
        lot.expiry = line.expiry
    if product.tracking is Tracking.SERIAL and arriving and _serial_in_stock(lot):
        raise SerialInStock(f"Serial {code} of {product.sku} is already in stock.", field="lot")
    return lot


def _new_lot(product_id: int, code: str, expiry: date | None) -> Lot:
    """A lot first seen now; two receipts of the same new lot at once make one row (the second
    finds the first's once it commits)."""
    dialect = postgresql if engine_of(db.session()).dialect.name == "postgresql" else sqlite
    db.session.execute(dialect.insert(Lot).values(product_id=product_id, code=code,
                                                  expiry=expiry)
                       .on_conflict_do_nothing(index_elements=["product_id", "code"]))
    return db.session.scalar(select(Lot).where(Lot.product_id == product_id, Lot.code == code))


def _serial_in_stock(lot: Lot) -> bool:
    held = db.session.scalar(select(func.coalesce(func.sum(StockLevel.on_hand), 0))
                             .where(StockLevel.lot_id == lot.id))
    return held > 0


COST_FACTOR = 5  # a typed cost over 5x or under 1/5 of the average asks to be confirmed


def check_typed_cost(product: Product, typed, cost: Decimal, confirmed: bool) -> None:
    """A unit cost a person typed: at most 4 decimal places (a barcode scanned into the cost
    field is not rounded into a price), and near the product's average unless confirmed."""
    if Decimal(str(typed)).as_tuple().exponent < -4:
        raise DomainError("Unit cost has at most 4 decimal places: was a code scanned into "
                          "the cost?", field="unit_cost", code="cost_invalid")
    average = product.avg_cost or Decimal(0)
    if confirmed or average <= 0:
        return
    if cost > average * COST_FACTOR or cost * COST_FACTOR < average:
        raise Conflict(f"{cost.normalize():f} is far from {product.sku}'s average cost of "
                       f"{average.normalize():f}. Check it, or confirm it to post it.",
                       field="unit_cost", code="cost_unusual")


def _cost_for(line: Line) -> Decimal:
    if line.kind is MovementKind.RECEIVE and line.unit_cost is not None:
        return parse_cost(line.unit_cost)
    return (line.product.avg_cost or Decimal(0)).quantize(COST_PLACES)  # as the column keeps it


def _average_in(product: Product, qty: int, cost: Decimal) -> None:
    """Fold a receipt into the product's moving average cost, in one statement: the stock
    before it (all the product's stock now, less this receipt) at the old average, plus this
    receipt at its cost. On PostgreSQL the product's row is locked since the receipt began
    (_apply), so the stock this statement sees holds every earlier receipt."""
    average = db.session.connection().execute(
        _AVERAGE_IN, {"p": product.id, "q": qty, "cost": cost}).scalar_one()
    # What we just wrote: no need to read it back. The product's own unit_cost (its list
    # cost) is not a receipt's: one mistyped receipt must not become the catalogue's cost.
    set_committed_value(product, "avg_cost", Decimal(average).quantize(COST_PLACES))


def reverse(movement: Movement, user=None, note: str = "",
            client_op_id: str | None = None) -> Movement:
    """Undo a movement with its mirror image; the original stays in the ledger."""
    if movement.kind is MovementKind.REVERSAL:
        raise Conflict("A reversal cannot itself be reversed; post a new movement.",
                       field="movement")
    already = db.session.scalar(select(Movement).where(Movement.reversal_of_id == movement.id))
    if already is not None:
        if client_op_id and already.client_op_id == client_op_id:
            return already
        raise Conflict(f"Movement {movement.id} was already reversed.", field="movement")
    warehouses.check(movement.from_location, user, "movement")
    warehouses.check(movement.to_location, user, "movement")
    follow = [answer for _receiver, answer in movement_reversing.send(movement) if answer]
    m = Movement(kind=MovementKind.REVERSAL, product=movement.product,
                 product_id=movement.product_id, qty=movement.qty,
                 from_location=movement.to_location, from_location_id=movement.to_location_id,
                 to_location=movement.from_location, to_location_id=movement.from_location_id,
                 lot=movement.lot, lot_id=movement.lot_id, reason=Reason.CORRECTION,
                 note=note or f"Reversal of movement {movement.id}",
                 reference=movement.reference, unit_cost=movement.unit_cost,
                 user_id=getattr(user, "id", None), client_op_id=client_op_id or None,
                 reversal_of=movement, reversal_of_id=movement.id)
    posted = post(m)
    if posted is m:
        for step in follow:
            step(posted)
    return posted
