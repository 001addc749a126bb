"""A count's adjustments follow the count: reversing one would leave the count saying the
bin held what it no longer holds, so the reversal is refused and a new count corrects it."""
from warehouse_app.errors import Conflict
from warehouse_app.ledger.models import Movement, MovementKind
from warehouse_app.ledger.movements import movement_reversing


class CountAdjustment(Conflict):
    code = "document_conflict"


@movement_reversing.connect
def _count_adjustment(movement: Movement):
    if movement.kind is not MovementKind.COUNT:
        return None
    bin_ = movement.from_location if movement.from_location.is_physical else \
        movement.to_location
    raise CountAdjustment(
        f"Movement {movement.id} is an adjustment of count {movement.reference or '?'}; "
        f"count {bin_.code} again to correct it.", field="movement")
