"""What may be sold: stock in a hold bin, or of a lot past its expiry date, is on hand but
not available.

available = on hand - reserved - held - expired, per product and warehouse (a unit both held
and expired counts once). Such units are never reserved, never offered on a pick list and
never picked to a customer: an expired lot goes to Scrap (an adjustment with reason expiry);
a hold bin's stock (returns land there) waits for a supervisor to release it (a transfer out)
or scrap it. Receiving a lot that has expired, or expires within EXPIRY_WARNING_DAYS, needs
the receiver's confirmation.
"""
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import func, select

from warehouse_app.errors import Conflict
from warehouse_app.extensions import db
from warehouse_app.ledger.models import Lot, StockLevel
from warehouse_app.locations.models import Location
from warehouse_app.models import utcnow


def today() -> date:
    """Today, in UTC (the day lots expire by)."""
    return utcnow().date()


def is_expired(expiry: date | None, on: date | None = None) -> bool:
    """A lot expires at the end of its expiry day."""
    return expiry is not None and expiry < (on or today())


def unsellable_units(product_id: int, warehouse_id: int | None = None) -> int:
    """Units of a product (in one warehouse, or everywhere) in hold bins or of expired lots."""
    query = (select(func.coalesce(func.sum(StockLevel.on_hand), 0))
             .join(Location, Location.id == StockLevel.location_id)
             .outerjoin(Lot, Lot.id == StockLevel.lot_id)
             .where(StockLevel.product_id == product_id,
                    Location.hold.is_(True) | (Lot.expiry < today())))
    if warehouse_id is not None:
        query = query.where(Location.warehouse_id == warehouse_id)
    return int(db.session.scalar(query))


def unsellable_by_warehouse(product_ids: list[int] | None = None) -> dict[tuple[int, int], int]:
    """(product id, warehouse id) -> units in hold bins or of expired lots."""
    query = (select(StockLevel.product_id, Location.warehouse_id,
                    func.sum(StockLevel.on_hand))
             .join(Location, Location.id == StockLevel.location_id)
             .outerjoin(Lot, Lot.id == StockLevel.lot_id)
             .where(StockLevel.on_hand > 0, Location.hold.is_(True) | (Lot.expiry < today()))
             .group_by(StockLevel.product_id, Location.warehouse_id))
    if product_ids is not None:
        query = query.where(StockLevel.product_id.in_(product_ids))
    return {(p, w): int(q) for p, w, q in db.session.execute(query)}


class HeldStock(Conflict):
    code = "held_stock"


def refuse_held(location: Location, sku: str) -> None:
    """A hold bin's stock is not picked: a supervisor releases or scraps it first."""
    if location.is_physical and location.hold:
        raise HeldStock(f"{location.code} is a hold bin: its {sku} waits for a supervisor to "
                        "release it (move it to a bin) or scrap it.", field="from_location")


class ExpiredLot(Conflict):
    code = "expired_lot"


class ExpiryWarning(Conflict):
    code = "expiry_warning"


def refuse_expired(lot: Lot | None, sku: str, on: date | None = None) -> None:
    """A pick to a customer never takes a lot expired on that day (today by default)."""
    if lot is not None and is_expired(lot.expiry, on):
        raise ExpiredLot(f"Lot {lot.code} of {sku} expired on {lot.expiry.isoformat()}: it "
                         "cannot be picked; scrap it (adjust, reason expiry).", field="lot")


def check_receipt_expiry(expiry: date | None, sku: str, confirmed) -> None:
    """Receiving an expired or nearly expired lot needs confirm_expiry: true."""
    if expiry is None or confirmed is True:
        return
    days = int(current_app.config.get("EXPIRY_WARNING_DAYS", 30))
    left = (expiry - today()).days
    if left < 0:
        said = f"expired on {expiry.isoformat()} ({-left} days ago)"
    elif left <= days:
        said = f"expires on {expiry.isoformat()}, in {left} days"
    else:
        return
    raise ExpiryWarning(f"This lot of {sku} {said}. Receive it anyway? Send confirm_expiry: "
                        "true to confirm.", field="expiry")


def warning_horizon() -> date:
    """Lots expiring before this day warn on receipt."""
    return today() + timedelta(days=int(current_app.config.get("EXPIRY_WARNING_DAYS", 30)))
