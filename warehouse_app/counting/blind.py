"""A blind count is blind everywhere: while it is open, nobody below supervisor reads the book
quantities of its bins, on the count's screen or anywhere else (look-up, the stock API, a
product's balances)."""
from sqlalchemy import select

from warehouse_app.auth.access import has_role
from warehouse_app.auth.models import Role
from warehouse_app.counting.models import Count, CountBin, CountStatus
from warehouse_app.extensions import db


def hidden_bins() -> frozenset[int]:
    """Location ids whose books the current caller may not see now (none for supervisors)."""
    if has_role(Role.SUPERVISOR):
        return frozenset()
    return frozenset(db.session.scalars(
        select(CountBin.location_id).join(Count, Count.id == CountBin.count_id)
        .where(Count.status == CountStatus.OPEN, Count.blind.is_(True))))


def visible(rows, hidden: frozenset[int] | None = None) -> list:
    """Balance rows without those of bins under a blind count."""
    hidden = hidden_bins() if hidden is None else hidden
    return [row for row in rows if row.location_id not in hidden] if hidden else list(rows)


def visible_totals(totals: dict, rows, hidden: frozenset[int]) -> dict:
    """A product's totals less what its hidden bins hold (their books would show through)."""
    unseen = sum(row.on_hand for row in rows if row.location_id in hidden)
    if not unseen:
        return totals
    return {**totals, "on_hand": totals["on_hand"] - unseen,
            "available": totals["available"] - unseen}


def visible_movements(movements, hidden: frozenset[int]) -> list:
    """Movements without those into or out of a hidden bin (they add up to its books)."""
    if not hidden:
        return list(movements)
    return [m for m in movements
            if m.from_location_id not in hidden and m.to_location_id not in hidden]
