"""Planning counts: open one for bins, a zone, a warehouse or a product, or take today's
proposal (the ABC cycle, bins flagged by short picks, losses a supervisor did not accept).

The cycle: each ABC class (insight's ABC analysis: A = the products making 80 % of the value
sent to customers) is counted every N days (CountFrequency; A 30, B 90, C 180 by default). Each
day proposes ceil(products in class / N) of the class's products counted longest ago (never
counted first) and due, so every product comes round once per cycle at an even daily load.
"""
import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from uuid import uuid4

from sqlalchemy import func, insert, select

from warehouse_app import codes as scan_codes
from warehouse_app.auth import warehouses
from warehouse_app.auth.models import Role
from warehouse_app.catalog.models import Product
from warehouse_app.catalog.products import by_sku
from warehouse_app.counting.documents import UNRESOLVED, reference_for
from warehouse_app.counting.models import (
    BinStatus,
    Count,
    CountBin,
    CountFrequency,
    CountLine,
    LineStatus,
)
from warehouse_app.errors import Conflict, DomainError, Forbidden
from warehouse_app.extensions import db
from warehouse_app.insight.reports.base import Params
from warehouse_app.insight.reports.flow import abc
from warehouse_app.ledger import balances
from warehouse_app.ledger.models import CountRequest, StockLevel
from warehouse_app.locations.models import Location, LocationKind
from warehouse_app.locations.places import by_code
from warehouse_app.models import utcnow

FREQUENCIES = {"A": 30, "B": 90, "C": 180}
MAX_BINS = 5_000
MAX_CODES = 500
ABC_DAYS = 90
LOSS_DAYS = 30


def countable(location: Location) -> list[int]:
    """The bins under a place (itself for a bin), plus any place below holding stock itself."""
    if not location.is_physical:
        raise DomainError(f"{location.code} is a virtual location; count bins, zones or "
                          "warehouses.", field="locations")
    ids = balances.descendants(location)
    bins = set(db.session.scalars(select(Location.id).where(
        Location.id.in_(ids), Location.kind == LocationKind.BIN, Location.active.is_(True))))
    held = set(db.session.scalars(select(StockLevel.location_id).where(
        StockLevel.location_id.in_(ids), StockLevel.on_hand > 0)))
    return sorted(bins | held)


def _scope(fields: dict) -> tuple[list[int], Product | None]:
    codes, sku = fields.get("locations") or [], fields.get("product")
    if not isinstance(codes, list) or not all(isinstance(c, str) and c.isprintable()
                                              for c in codes):
        raise DomainError("locations is a list of location codes.", field="locations")
    if len(codes) > MAX_CODES:
        raise DomainError(f"At most {MAX_CODES} location codes.", field="locations")
    if sku not in (None, "") and not (isinstance(sku, str) and sku.isprintable()):
        raise DomainError("product is a SKU.", field="product")
    product = by_sku(sku, "product") if sku not in (None, "") else None
    if not codes and product is None:
        raise DomainError("Name the bins, zones or warehouses to count, or a product.",
                          field="locations")
    ids = sorted({i for code in codes for i in countable(by_code(code, "locations"))})
    if product is not None:
        holding = set(db.session.scalars(select(StockLevel.location_id).where(
            StockLevel.product_id == product.id, StockLevel.on_hand > 0)))
        ids = sorted(holding & set(ids)) if codes else sorted(holding)
    if not ids:
        what = f"{product.sku} is in no bin" if product else "There is no bin there"
        raise DomainError(f"{what} to count.", field="locations", code="nothing_to_count")
    if len(ids) > MAX_BINS:
        raise DomainError(f"A count holds at most {MAX_BINS:,} bins; {len(ids):,} named.",
                          field="locations")
    return ids, product


def busy_bins(ids) -> dict[int, str]:
    """Bins (of these) already in a count that is not finished: location id -> count ref."""
    found = {}
    for start in range(0, len(ids), 900):
        found.update(db.session.execute(
            select(CountBin.location_id, Count.reference).join(Count)
            .where(CountBin.location_id.in_(ids[start:start + 900]),
                   Count.status.in_(UNRESOLVED))).all())
    return found


def open_count(fields: dict, user) -> Count:
    """Open a count of some places (or of one product wherever it is), blind by default."""
    if user is None or not user.has_role(Role.SUPERVISOR):
        raise Forbidden("Only a supervisor can open a count.", field="count")
    if not isinstance(fields, dict):
        raise DomainError("A count is an object with locations (and perhaps a product).")
    ids, product = _scope(fields)
    outside = db.session.scalar(select(Location.code).where(
        Location.id.in_(ids), ~warehouses.clause(Location.warehouse_id, user)).limit(1))
    if outside is not None:
        raise Forbidden(f"{outside} is in a warehouse you are not kept to.", field="locations",
                        code="other_warehouse")
    if busy := busy_bins(ids):
        codes = dict(db.session.execute(select(Location.id, Location.code)
                                        .where(Location.id.in_(list(busy)[:5]))).all())
        named = ", ".join(f"{codes[i]} ({busy[i]})" for i in list(busy)[:5])
        raise Conflict(f"{len(busy)} of these bins are already being counted: {named}.",
                       field="locations", code="already_counting")
    blind = fields.get("blind", True)
    if not isinstance(blind, bool):
        raise DomainError("blind is true or false.", field="blind")
    note = fields.get("note") or ""
    if not isinstance(note, str) or len(note) > 200:
        raise DomainError("The note is text of at most 200 characters.", field="note")
    count = Count(reference=uuid4().hex[:20], blind=blind, note=note.strip(),
                  created_by_id=user.id)
    db.session.add(count)
    db.session.flush()
    count.reference = reference_for(count.id)
    scan_codes.claim(count.reference, "count", count.id, field="locations")
    db.session.execute(insert(CountBin), [
        {"count_id": count.id, "location_id": i, "product_id": product.id if product else None,
         "status": BinStatus.TO_COUNT, "round": 1, "disturbed": False} for i in ids])
    db.session.flush()
    db.session.expire(count, ["bins"])
    return count


def frequencies() -> dict[str, int]:
    """Days between counts per ABC class."""
    saved = dict(db.session.execute(select(CountFrequency.abc_class, CountFrequency.days)).all())
    return {cls: saved.get(cls, days) for cls, days in FREQUENCIES.items()}


def set_frequencies(values: dict) -> dict[str, int]:
    """Change the days between counts of the classes given (1 to 3650 each)."""
    for cls in FREQUENCIES:
        if values.get(cls) in (None, ""):
            continue
        text = str(values[cls]).strip()
        if not text.isdigit() or not 1 <= int(text) <= 3650:
            raise DomainError(f"Class {cls}: days between counts is a whole number from 1 to "
                              "3650.", field=cls)
        row = db.session.scalar(select(CountFrequency).where(CountFrequency.abc_class == cls))
        if row is None:
            row = CountFrequency(abc_class=cls, days=int(text))
            db.session.add(row)
        row.days = int(text)
    db.session.flush()
    return frequencies()


@dataclass
class Proposal:
    """A bin worth counting today, and why."""

    location: Location
    reasons: list[str] = field(default_factory=list)


def abc_classes() -> dict[int, str]:
    """Product id -> ABC class, from insight's ABC analysis (products with stock or sales)."""
    rows = abc(Params({"days": str(ABC_DAYS)})).rows
    ids = dict(db.session.execute(select(Product.sku, Product.id)).all())
    return {ids[r["sku"]]: r["class"] for r in rows if r["sku"] in ids and r["on_hand"] > 0}


def last_counted() -> dict[int, date]:
    """When each product was last counted (its bin closed in a count)."""
    rows = db.session.execute(
        select(CountLine.product_id, func.max(CountBin.closed_at))
        .join(CountBin, CountBin.id == CountLine.bin_id)
        .where(CountBin.closed_at.is_not(None), CountLine.status != LineStatus.SUPERSEDED)
        .group_by(CountLine.product_id))
    return {pid: at.date() for pid, at in rows if at is not None}


def due_products(today: date) -> dict[int, str]:
    """Products the ABC cycle proposes today, with why."""
    classes, last, every = abc_classes(), last_counted(), frequencies()
    chosen = {}
    for cls, days in every.items():
        members = [pid for pid, c in classes.items() if c == cls]
        quota = math.ceil(len(members) / days)
        due = [pid for pid in members if pid not in last or (today - last[pid]).days >= days]
        due.sort(key=lambda pid: (pid in last, last.get(pid, date.min), pid))
        for pid in due[:quota]:
            when = f"last counted {last[pid]}" if pid in last else "never counted"
            chosen[pid] = f"Class {cls} (every {days} days), {when}"
    return chosen


def _rejected_losses(since) -> dict[int, list[str]]:
    """Bins whose latest count found fewer units than the books and was rejected."""
    rows = db.session.execute(
        select(CountLine.location_id, Product.sku, CountBin.closed_at)
        .join(CountBin, CountBin.id == CountLine.bin_id)
        .join(Product, Product.id == CountLine.product_id)
        .where(CountLine.status == LineStatus.REJECTED,
               CountLine.counted < CountLine.expected,
               CountBin.closed_at >= datetime.combine(since, time(), UTC))).all()
    latest = dict(db.session.execute(
        select(CountBin.location_id, func.max(CountBin.closed_at))
        .where(CountBin.location_id.in_({r[0] for r in rows}))
        .group_by(CountBin.location_id)).all()) if rows else {}
    found: dict[int, list[str]] = {}
    for loc, sku, at in rows:
        if at >= latest.get(loc, at):
            found.setdefault(loc, []).append(f"A count found fewer {sku} and was rejected: "
                                             "the books may be high")
    return found


def propose(today: date | None = None) -> list[Proposal]:
    """Today's proposed bins (of the caller's warehouses): short picks first, then rejected
    losses, then the ABC cycle."""
    today = today or utcnow().date()
    reasons: dict[int, list[str]] = {}
    for loc, why in db.session.execute(select(CountRequest.location_id, CountRequest.reason)
                                       .where(CountRequest.resolved_at.is_(None))):
        reasons.setdefault(loc, []).append(why or "Flagged for a count")
    for loc, whys in _rejected_losses(today - timedelta(days=LOSS_DAYS)).items():
        reasons.setdefault(loc, []).extend(whys)
    due = due_products(today)
    if due:
        skus = dict(db.session.execute(select(Product.id, Product.sku)
                                       .where(Product.id.in_(list(due)))).all())
        for loc, pid in db.session.execute(select(StockLevel.location_id, StockLevel.product_id)
                                           .where(StockLevel.product_id.in_(list(due)),
                                                  StockLevel.on_hand > 0)):
            reasons.setdefault(loc, []).append(f"{skus[pid]}: {due[pid]}")
    for loc in busy_bins(list(reasons)):
        reasons.pop(loc, None)
    places = {loc.id: loc for loc in db.session.scalars(
        select(Location).where(Location.id.in_(list(reasons)), Location.active.is_(True),
                               warehouses.clause(Location.warehouse_id)))}
    found = [Proposal(places[i], sorted(set(whys), key=whys.index))
             for i, whys in reasons.items() if i in places]
    return sorted(found, key=lambda p: (not any("hort pick" in r for r in p.reasons),
                                        not any("rejected" in r for r in p.reasons),
                                        p.location.code))
