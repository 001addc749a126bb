"""Posting a count's differences: one COUNT movement per line through the ledger's record().

A line that found more posts Count -> bin; one that found fewer posts bin -> Count; both carry
the count's reference. Losses post before gains (a serial found in another bin of the same
count moves cleanly). Everything runs in the caller's transaction: the view commits once.
"""
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import bindparam, select, update

from warehouse_app.catalog.models import Product
from warehouse_app.counting import shortfall
from warehouse_app.counting.models import Count, CountLine, LineStatus
from warehouse_app.counting.snapshot import chunks
from warehouse_app.errors import Conflict, InsufficientStock
from warehouse_app.extensions import db
from warehouse_app.ledger.models import MovementKind
from warehouse_app.ledger.movements import Line, record
from warehouse_app.locations.models import Location

LINE_COLUMNS = (CountLine.id, CountLine.bin_id, CountLine.location_id, CountLine.product_id,
                CountLine.lot_code, CountLine.counted, CountLine.expected, CountLine.unit_cost)


@dataclass
class Outcome:
    """What a submit or a decision did to a count's lines and the ledger."""

    count: Count
    matched: int = 0
    posted: int = 0
    waiting: int = 0
    units_in: int = 0
    units_out: int = 0
    value: Decimal = Decimal(0)
    released: list = field(default_factory=list)
    replayed: bool = False

    def describe(self) -> str:
        """'9 matched, 2 adjusted (+1 / -1 units, value -3.50), 1 waits for a supervisor.'"""
        parts = [f"{self.matched} matched"] if self.matched else []
        if self.posted:
            parts.append(f"{self.posted} adjusted (+{self.units_in} / −{self.units_out} units, "
                         f"value {self.value:+.2f})")
        if self.waiting:
            parts.append(f"{self.waiting} wait{'s' if self.waiting == 1 else ''} for a "
                         "supervisor")
        text = ", ".join(parts) or "nothing to adjust"
        if self.released:
            text += ". Reservations released: " + "; ".join(r.describe() for r in self.released)
        return text + "."


def lines(count: Count, status: LineStatus) -> list:
    """The count's lines in one status, as plain rows."""
    return db.session.execute(select(*LINE_COLUMNS).where(
        CountLine.count_id == count.id, CountLine.status == status)
        .order_by(CountLine.id)).all()


def loaded(rows) -> tuple[dict[int, Product], dict[int, Location]]:
    """The products and locations of some lines, each loaded once."""
    products, places = {}, {}
    for ids in chunks(sorted({r.product_id for r in rows})):
        products.update((p.id, p) for p in db.session.scalars(
            select(Product).where(Product.id.in_(ids))))
    for ids in chunks(sorted({r.location_id for r in rows})):
        places.update((loc.id, loc) for loc in db.session.scalars(
            select(Location).where(Location.id.in_(ids))))
    return products, places


def _line(count: Count, row, product: Product, location: Location) -> Line:
    diff = row.counted - row.expected
    ends = {"to_location": location} if diff > 0 else {"from_location": location}
    return Line(kind=MovementKind.COUNT, product=product, qty=abs(diff),
                lot=row.lot_code or None, reference=count.reference,
                note=f"Count {count.reference}: {row.counted} counted, {row.expected} on the "
                     "books", **ends)


def post(count: Count, rows, user, outcome: Outcome, release: bool) -> dict[int, str]:
    """Post each row's difference; rows that cannot post at submit come back with the reason.

    At submit (release=False) a loss of reserved units, or of units that have left the bin
    since it was counted, is not posted: it waits. On approval (release=True) reservations
    are released first and anything that still cannot post refuses the whole approval."""
    products, places = loaded(rows)
    blocked, done = {}, []
    for row in sorted(rows, key=lambda r: (r.counted - r.expected > 0, r.id)):
        product, location = products[row.product_id], places[row.location_id]
        loss = row.expected - row.counted
        if loss > 0 and not release and shortfall.short_by(product.id, location, loss):
            held = ", ".join(shortfall.orders_holding(product, location)[:5]) or "orders"
            blocked[row.id] = (f"Orders {held} have reserved these units; approving releases "
                               "them (the orders wait for stock).")
            continue
        if loss > 0 and release:
            outcome.released += shortfall.make_room(product, location, loss)
        try:
            movement = record(_line(count, row, product, location), user)
        except (InsufficientStock, Conflict) as err:
            if release:
                raise
            blocked[row.id] = f"Could not post: {err.message}"
            continue
        done.append({"id": row.id, "movement_id": movement.id})
        outcome.posted += 1
        outcome.units_in += max(-loss, 0)
        outcome.units_out += max(loss, 0)
        outcome.value += (row.counted - row.expected) * (product.avg_cost or Decimal(0))
    mark(done, LineStatus.APPROVED if release else LineStatus.POSTED)
    return blocked


_LINE = CountLine.__table__
_MARKS: dict[tuple, object] = {}


def mark(rows: list[dict], status: LineStatus) -> None:
    """Set the status (and any other columns) of lines given as [{"id": ..., ...}]: one
    executemany UPDATE per shape of row."""
    if not rows:
        return
    shapes: dict[tuple, list[dict]] = {}
    for row in rows:
        shapes.setdefault(tuple(sorted(k for k in row if k != "id")), []).append(row)
    for keys, group in shapes.items():
        db.session.execute(_mark(keys), [{"line": r["id"], "new_status": status,
                                          **{f"new_{k}": r[k] for k in keys}} for r in group])
    forget_lines()


def forget_lines() -> None:
    """Expire the count lines the session holds: a bulk UPDATE went around them."""
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, CountLine):
            db.session.expire(obj)


def _mark(keys: tuple):
    if keys not in _MARKS:
        _MARKS[keys] = (update(_LINE).where(_LINE.c.id == bindparam("line"))
                        .values(status=bindparam("new_status"),
                                **{k: bindparam(f"new_{k}") for k in keys}))
    return _MARKS[keys]
