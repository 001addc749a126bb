"""What pages, the phone and the API show of a count: blind for staff.

On a blind count (the default) staff see only what they counted: never the books' quantity,
never a variance, never a line the snapshot added for a product nobody counted (that would
say what the books expect). Supervisors see everything; a count opened as not blind shows
staff the books too.
"""
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from warehouse_app.auth.access import has_role
from warehouse_app.auth.models import Role, User
from warehouse_app.catalog.models import Product
from warehouse_app.counting.models import Count, CountBin, CountDecision, CountLine, LineStatus
from warehouse_app.extensions import db
from warehouse_app.ledger.models import Movement
from warehouse_app.ledger.walking import walk_keys

RECENT = 8
SHOWN_BINS = 300  # a review page lists this many bins; the CSV has every line


def sees_books(count: Count) -> bool:
    """May the current caller see expected quantities and variances of this count?"""
    return not count.blind or has_role(Role.SUPERVISOR)


def walked(cbins: list[CountBin]) -> list[CountBin]:
    """Bins in walking order (warehouse, zone and bin sequence, code)."""
    keys = walk_keys({b.location.warehouse_id for b in cbins if b.location.warehouse_id})
    return sorted(cbins, key=lambda b: (keys.get(b.location_id, ()), b.location.code))


def bins_of(count: Count) -> list[CountBin]:
    """The count's bins with their locations, in walking order."""
    return walked(db.session.scalars(select(CountBin).where(CountBin.count_id == count.id)
                                     .options(selectinload(CountBin.location),
                                              selectinload(CountBin.product))).all())


def current_lines(count: Count) -> dict[int, list[CountLine]]:
    """Bin id -> its lines of the current round (superseded ones left out)."""
    rows = db.session.scalars(
        select(CountLine).join(CountBin, CountBin.id == CountLine.bin_id)
        .where(CountLine.count_id == count.id, CountLine.round == CountBin.round)
        .options(selectinload(CountLine.product), selectinload(CountLine.location))
        .order_by(CountLine.id)).all()
    found: dict[int, list[CountLine]] = {}
    for line in rows:
        found.setdefault(line.bin_id, []).append(line)
    return found


def line_json(line: CountLine, books: bool) -> dict:
    """One line; its status and the books' side only when allowed."""
    out = {"id": line.id, "sku": line.product.sku, "name": line.product.name,
           "location": line.location.code if line.location else None,
           "lot": line.lot_code or None, "counted_qty": line.counted}
    if books:  # a line's status (matched or not) would tell staff about the books too
        variance = line.variance
        out.update(status=line.status.value, expected_qty=line.expected, variance=variance,
                   variance_value=str(line.variance_value) if variance is not None else None,
                   reason=line.reason or None, movement=line.movement_id)
    return out


def bin_json(cbin: CountBin, lines: list[CountLine], books: bool, me: int | None) -> dict:
    """One bin of a count, with the lines the caller may see."""
    shown = [line for line in lines if books or line.counted_by_id is not None]
    return {"location": cbin.location.code, "status": cbin.status.value, "round": cbin.round,
            "product": cbin.product.sku if cbin.product else None,
            "recount": cbin.round > 1, "not_me": cbin.not_by_id is not None and
            cbin.not_by_id == me, "disturbed": cbin.disturbed if books else None,
            "lines": [line_json(line, books) for line in shown]}


def count_json(count: Count) -> dict:
    """A count as the API and the phone show it to the current caller."""
    from flask_login import current_user
    books, me = sees_books(count), getattr(current_user, "id", None)
    lines = current_lines(count)
    bins = [bin_json(b, lines.get(b.id, []), books, me) for b in bins_of(count)]
    users = {u.id: u.username for u in db.session.scalars(select(User).where(User.id.in_(
        {i for i in (count.created_by_id, count.submitted_by_id) if i})))}
    out = {"id": count.id, "reference": count.reference, "status": count.status.value,
           "blind": count.blind, "note": count.note,
           "created_at": count.created_at.isoformat(),
           "created_by": users.get(count.created_by_id),
           "submitted_at": count.submitted_at.isoformat() if count.submitted_at else None,
           "submitted_by": users.get(count.submitted_by_id),
           "books_shown": books, "bins": bins,
           "summary": {"bins": len(bins),
                       "bins_counted": sum(b["status"] == "closed" for b in bins),
                       "lines": sum(len(b["lines"]) for b in bins)}}
    if books:
        every = [line for group in lines.values() for line in group]
        out["summary"].update({s.value: sum(line.status is s for line in every)
                               for s in LineStatus if s is not LineStatus.SUPERSEDED})
    return out


def recent_movements(location_ids) -> dict[int, list[Movement]]:
    """The last few movements in and out of each of these bins (for the approval queue)."""
    found: dict[int, list[Movement]] = {}
    for loc in location_ids:
        found[loc] = list(db.session.scalars(
            select(Movement).where((Movement.from_location_id == loc)
                                   | (Movement.to_location_id == loc))
            .options(selectinload(Movement.product), selectinload(Movement.user),
                     selectinload(Movement.from_location), selectinload(Movement.to_location))
            .order_by(Movement.created_at.desc(), Movement.id.desc()).limit(RECENT)))
    return found


def decisions(count: Count) -> list[CountDecision]:
    """Everything decided about a count, oldest first."""
    return list(db.session.scalars(select(CountDecision).where(CountDecision.count_id == count.id)
                                   .options(selectinload(CountDecision.user))
                                   .order_by(CountDecision.id)))


def waiting_lines(count: Count) -> list[CountLine]:
    """A pending count's lines waiting for a supervisor, with who counted them."""
    return list(db.session.scalars(
        select(CountLine).where(CountLine.count_id == count.id,
                                CountLine.status == LineStatus.WAITING)
        .join(Product).options(selectinload(CountLine.product), selectinload(CountLine.bin),
                               selectinload(CountLine.location))
        .order_by(CountLine.location_id, Product.sku)))
