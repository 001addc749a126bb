"""Fulfilment routing: which warehouse ships an order.

A warehouse that can ship every line complete wins. Among several: the nearest to the delivery
address (haversine when the order and the warehouse carry coordinates), else the one sharing
the longest postcode prefix, then the configured priority (1 first; empty last), then the code.
When none can ship it complete but several together can, a split is proposed and only made
when the caller confirms it (allow_split). With allow_backorder, the warehouse that covers the
most units takes the order and the rest waits. A supervisor may re-route an order.
"""
import math
from dataclasses import dataclass

from sqlalchemy import select

from warehouse_app.auth import warehouses as kept
from warehouse_app.errors import DomainError, ascii_digits
from warehouse_app.extensions import db
from warehouse_app.ledger.models import WarehouseStock
from warehouse_app.locations.models import Location, LocationKind
from warehouse_app.orders.documents import OrderShort, SplitProposed, Wanted, coordinate

EARTH_KM = 6371.0088
NOWHERE = float("inf")


@dataclass(frozen=True)
class Destination:
    """Where an order goes, as far as it is known."""

    latitude: float | None = None
    longitude: float | None = None
    postcode: str = ""


@dataclass
class Planned:
    """One order line as it will be created: qty from a warehouse, reserve of it reserved now."""

    wanted: Wanted
    warehouse: Location
    qty: int
    reserve: int


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points, in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


def _postcode(value: str | None) -> str:
    return "".join((value or "").upper().split())


def shared_prefix(a: str | None, b: str | None) -> int:
    """How many leading characters two postcodes share (spaces and case ignored)."""
    a, b = _postcode(a), _postcode(b)
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def distance(warehouse: Location, dest: Destination) -> float:
    """Kilometres from a warehouse to the destination, or infinity when either has no point."""
    if None in (dest.latitude, dest.longitude, warehouse.latitude, warehouse.longitude):
        return NOWHERE
    return haversine_km(warehouse.latitude, warehouse.longitude, dest.latitude, dest.longitude)


def rank(warehouses: list[Location], dest: Destination) -> list[Location]:
    """Warehouses best first: nearest, then shared postcode, then priority, then code."""
    def key(w: Location):
        priority = w.priority if w.priority is not None else math.inf
        return (distance(w, dest), -shared_prefix(w.postcode, dest.postcode), priority, w.code)
    return sorted(warehouses, key=key)


def active_warehouses() -> list[Location]:
    """Active warehouses an order may ship from: the caller's, when they are kept to some."""
    return list(db.session.scalars(select(Location).where(
        Location.kind == LocationKind.WAREHOUSE, Location.active.is_(True),
        kept.clause(Location.id))))


def availability(product_ids: list[int], warehouse_ids: list[int]) -> dict[tuple, int]:
    """Available (on hand - reserved) per (product id, warehouse id)."""
    if not product_ids or not warehouse_ids:
        return {}
    ws = WarehouseStock
    rows = db.session.execute(select(ws.product_id, ws.warehouse_id, ws.on_hand - ws.reserved)
                              .where(ws.product_id.in_(product_ids),
                                     ws.warehouse_id.in_(warehouse_ids)))
    return {(p, w): max(int(free), 0) for p, w, free in rows}


def plan(lines: list[Wanted], dest: Destination, warehouse: Location | None = None,
         allow_backorder: bool = False, allow_split: bool = False) -> list[Planned]:
    """Where each line ships from and how much of it is reserved now, or why it cannot be."""
    candidates = [warehouse] if warehouse is not None else rank(active_warehouses(), dest)
    if not candidates:
        raise OrderShort([_short(w, 0) for w in lines], "anywhere: there is no warehouse")
    free = availability([w.product.id for w in lines], [c.id for c in candidates])
    covered = [c for c in candidates if all(free.get((w.product.id, c.id), 0) >= w.qty
                                            for w in lines)]
    if covered:
        return [Planned(w, covered[0], w.qty, w.qty) for w in lines]
    if warehouse is None:
        split = _split(lines, candidates, free)
        if split is not None:
            if allow_split:
                return split
            raise SplitProposed(proposal(split))
    if allow_backorder:
        best = max(candidates, key=lambda c: (_units(lines, c, free), -candidates.index(c)))
        return [Planned(w, best, w.qty, min(w.qty, free.get((w.product.id, best.id), 0)))
                for w in lines]
    if warehouse is not None:
        short = [_short(w, free.get((w.product.id, warehouse.id), 0)) for w in lines
                 if free.get((w.product.id, warehouse.id), 0) < w.qty]
        raise OrderShort(short, f"in {warehouse.code}")
    totals = {w.product.id: sum(free.get((w.product.id, c.id), 0) for c in candidates)
              for w in lines}
    raise OrderShort([_short(w, totals[w.product.id]) for w in lines
                      if totals[w.product.id] < w.qty], "in all warehouses together")


def _short(w: Wanted, available: int) -> dict:
    return {"sku": w.product.sku, "wanted": w.qty, "available": available}


def _units(lines: list[Wanted], warehouse: Location, free: dict) -> int:
    return sum(min(w.qty, free.get((w.product.id, warehouse.id), 0)) for w in lines)


def _split(lines: list[Wanted], candidates: list[Location], free: dict) -> list[Planned] | None:
    """Fewest warehouses first: the one covering most of what is left, again and again."""
    left = {w.number: w.qty for w in lines}
    free, planned, unused = dict(free), [], list(candidates)
    while any(left.values()) and unused:
        def covers(c: Location) -> int:
            return sum(min(left[w.number], free.get((w.product.id, c.id), 0)) for w in lines)
        best = max(unused, key=lambda c: (covers(c), -unused.index(c)))
        if covers(best) == 0:
            return None
        unused.remove(best)
        for w in lines:
            take = min(left[w.number], free.get((w.product.id, best.id), 0))
            if take:
                planned.append(Planned(w, best, take, take))
                left[w.number] -= take
    return planned if not any(left.values()) else None


def proposal(planned: list[Planned]) -> list[dict]:
    """A split as the caller sees it: per warehouse, the SKUs and quantities it would ship."""
    out: dict[str, list] = {}
    for p in planned:
        out.setdefault(p.warehouse.code, []).append({"sku": p.wanted.product.sku, "qty": p.qty})
    return [{"warehouse": code, "lines": lines} for code, lines in out.items()]


def configure(warehouse: Location, fields: dict) -> Location:
    """Set where a warehouse is and how much it is preferred; empty values clear them."""
    if warehouse.kind is not LocationKind.WAREHOUSE:
        raise DomainError(f"{warehouse.code} is not a warehouse.", field="warehouse")
    lat = coordinate(fields.get("latitude"), "latitude", 90)
    lon = coordinate(fields.get("longitude"), "longitude", 180)
    if (lat is None) != (lon is None):
        raise DomainError("Give latitude and longitude together.", field="latitude")
    postcode = fields.get("postcode") or ""
    if not isinstance(postcode, str) or len(postcode.strip()) > 20:
        raise DomainError("A postcode is text of at most 20 characters.", field="postcode")
    priority = fields.get("priority")
    if priority in (None, ""):
        priority = None
    elif isinstance(priority, str) and ascii_digits(priority.strip()):
        priority = int(priority.strip())
    if priority is not None and (isinstance(priority, bool) or not isinstance(priority, int)
                                 or not 1 <= priority <= 1000):
        raise DomainError("Priority is a whole number from 1 (ships first) to 1000, or empty.",
                          field="priority")
    warehouse.latitude, warehouse.longitude = lat, lon
    warehouse.postcode, warehouse.priority = postcode.strip().upper() or None, priority
    db.session.flush()
    return warehouse
