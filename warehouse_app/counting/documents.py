"""Finding counts (by id, reference or a scanned code), their status in words, and the lock.

A count's reference (CC-00012) is printed on its sheet; scanning it anywhere resolves to the
count (the resolver registered below), so the counting page opens it.
"""
from sqlalchemy import exists, select, true

from warehouse_app.auth import warehouses
from warehouse_app.counting.models import Count, CountBin, CountStatus
from warehouse_app.database import locked
from warehouse_app.errors import Conflict, NotFound
from warehouse_app.extensions import db
from warehouse_app.locations.models import Location
from warehouse_app.scanning.resolver import DOCUMENT_RESOLVERS, Scan

PREFIX = "CC-"
MAX_ID = 2**31  # ids are 32-bit integers: a bigger one names no count (and must not reach SQL)
UNRESOLVED = (CountStatus.OPEN, CountStatus.PENDING)
SAID = {CountStatus.OPEN: "is still being counted",
        CountStatus.PENDING: "was submitted and waits for a supervisor",
        CountStatus.DONE: "is done: its adjustments are posted",
        CountStatus.REJECTED: "was rejected: the books stood",
        CountStatus.CANCELLED: "was cancelled"}


def reference_for(count_id: int) -> str:
    """The printed reference of a count."""
    return f"{PREFIX}{count_id:05d}"


def by_id(count_id) -> Count:
    """A count by its id, or a 404."""
    known = isinstance(count_id, int) and 0 < count_id < MAX_ID
    found = db.session.get(Count, count_id) if known else None
    if found is None:
        raise NotFound(f"No count {str(count_id)[:20]}.", field="count")
    warehouses.check_document(found, f"Count {found.reference}", "count", every=True)
    return found


def in_callers_warehouses():
    """A WHERE clause keeping the counts all of whose bins are in the caller's warehouses."""
    kept = warehouses.caller()
    if kept is None:
        return true()
    return ~exists().where(CountBin.count_id == Count.id, CountBin.location_id.not_in(
        select(Location.id).where(Location.warehouse_id.in_(sorted(kept)))))


def by_reference(reference) -> Count:
    """A count by its reference (CC-00012), or a 404."""
    code = str(reference or "").strip().upper()[:20]
    found = db.session.scalar(select(Count).where(Count.reference == code))
    if found is None:
        raise NotFound(f"No count {code or '(none)'}.", field="count")
    warehouses.check_document(found, f"Count {found.reference}", "count", every=True)
    return found


def status_words(count: Count) -> str:
    """'Count CC-00012 was submitted and waits for a supervisor.'"""
    return f"Count {count.reference} {SAID[count.status]}."


def refuse_unless(count: Count, *allowed: CountStatus) -> None:
    """409 in plain words when a count is not in one of these states."""
    if count.status not in allowed:
        raise Conflict(status_words(count), field="count", code=f"count_{count.status.value}")


def lock(count: Count) -> Count:
    """Lock the count's row for this transaction (FOR UPDATE on PostgreSQL) and read it afresh.

    Every state change (submit, approve, reject, recount) starts here, so two supervisors
    approving at once are served one after the other and the second sees the first's status."""
    (fresh,) = locked(select(Count).where(Count.id == count.id))
    return fresh


def open_count_with_bin(location: Location) -> Count | None:
    """The count still being counted that holds this bin, if any."""
    return db.session.scalar(
        select(Count).join(CountBin, CountBin.count_id == Count.id)
        .where(CountBin.location_id == location.id, Count.status == CountStatus.OPEN)
        .order_by(Count.id.desc()).limit(1))


def _scan_count(code: str) -> Scan | None:
    """A scanned count reference."""
    if not code.upper().startswith(PREFIX):
        return None
    count = db.session.scalar(select(Count).where(Count.reference == code.upper()[:20]))
    if count is None:
        return None
    return Scan("count", code, document=count,
                extra={"id": count.id, "reference": count.reference,
                       "status": count.status.value})


if _scan_count not in DOCUMENT_RESOLVERS:
    DOCUMENT_RESOLVERS.append(_scan_count)
