"""Receipt labels: one per unit or per case of goods received, found by movement, reference
or purchase order (the receipts posted against it that stand).

The labels package prints what it is given; the receipts are read here, where the ledger's
movements and the purchase orders are known, and handed to it as the "receipts" kind.
"""
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from warehouse_app.auth import warehouses
from warehouse_app.errors import DomainError, NotFound, ascii_digits
from warehouse_app.extensions import db
from warehouse_app.labels import content, selection
from warehouse_app.labels.layout import Label
from warehouse_app.ledger.models import Movement, MovementKind
from warehouse_app.orders import bp
from warehouse_app.orders.models import PurchaseOrder, PurchaseOrderLine, PurchaseReceipt

PER = ("unit", "case")


def by_movement(value: str) -> list[Movement]:
    """The receive movement with this id."""
    if not ascii_digits(value):
        raise DomainError("movement is a movement id (a whole number).", field="movement")
    movement = db.session.get(Movement, int(value)) if len(value) < 12 else None
    if movement is None:
        raise NotFound(f"No movement {value[:20]}.", field="movement")
    if movement.kind is not MovementKind.RECEIVE:
        raise DomainError(f"Movement {movement.id} is a {movement.kind.value}, not a receipt.",
                          field="movement")
    if _reversed([movement.id]):
        raise DomainError(f"Movement {movement.id} was reversed.", field="movement")
    return [movement]


def by_reference(value: str) -> list[Movement]:
    """Every receive movement posted under this reference that was not reversed."""
    found = db.session.scalars(select(Movement).where(
        Movement.kind == MovementKind.RECEIVE, Movement.reference == value[:120])
        .order_by(Movement.id)).all()
    undone = _reversed([m.id for m in found])
    found = [m for m in found if m.id not in undone]
    if not found:
        raise NotFound(f"No receipt with reference {value[:60]}.", field="reference")
    return found


def by_purchase_order(value: str) -> list[Movement]:
    """Every receipt posted against a purchase order (accepted discrepancies too), not
    reversed."""
    po = db.session.scalar(select(PurchaseOrder).where(PurchaseOrder.reference == value[:64]))
    if po is None:
        raise NotFound(f"No purchase order {value[:60]}.", field="po")
    found = db.session.scalars(
        select(Movement).join(PurchaseReceipt, PurchaseReceipt.movement_id == Movement.id)
        .join(PurchaseOrderLine, PurchaseOrderLine.id == PurchaseReceipt.line_id)
        .where(PurchaseOrderLine.purchase_order_id == po.id).order_by(Movement.id)).all()
    undone = _reversed([m.id for m in found])
    found = [m for m in found if m.id not in undone]
    if not found:
        raise NotFound(f"Nothing has been received on {po.reference} yet.", field="po")
    return found


SOURCES = {"movement": by_movement, "reference": by_reference, "po": by_purchase_order}


def _reversed(ids: list[int]) -> set[int]:
    if not ids:
        return set()
    return set(db.session.scalars(select(Movement.reversal_of_id)
                                  .where(Movement.reversal_of_id.in_(ids))))


def movements(args: MultiDict) -> list[Movement]:
    """The receipts named by movement=, reference= or po=."""
    for name, find in SOURCES.items():
        if value := (args.get(name) or "").strip():
            found = find(value)
            for movement in found:  # 403 other_warehouse for receipts into another's bins
                warehouses.check(movement.to_location, field=name)
            return found
    raise DomainError("Choose a receipt: its movement id, its reference or its purchase order.",
                      field="reference", code="nothing_selected")


def case_size(args: MultiDict, movement: Movement) -> int:
    """Units per case: case= if given, else the product's largest pack barcode."""
    raw = (args.get("case") or "").strip()
    if raw:
        if not ascii_digits(raw) or not 1 <= int(raw) <= 100_000:
            raise DomainError("case is a whole number of units from 1 to 100,000.",
                              field="case", code="out_of_range")
        return int(raw)
    packs = [b.pack_size for b in movement.product.barcodes if b.pack_size > 1]
    if not packs:
        raise DomainError(f"{movement.product.sku} has no case barcode; give case= units "
                          "per case.", field="case")
    return max(packs)


def labels(args: MultiDict, symbology: str, limit: int) -> list[Label]:
    """Labels for every unit or case of the chosen receipts, within limit."""
    per = (args.get("per") or "unit").strip().lower()
    if per not in PER:
        raise DomainError("per is unit or case.", field="per")
    found, plan = movements(args), []
    for movement in found:
        case = case_size(args, movement) if per == "case" else 1
        plan.append((movement, case))
    total = sum(content.cases(m.qty, case) for m, case in plan)
    if total > limit:
        raise DomainError(f"That receipt needs {total:,} labels, more than the "
                          f"{limit:,} one request may print.", field="per", code="too_many")
    return [label for movement, case in plan
            for label in content.receipt_labels(receipt(movement), per, case, symbology)]


def receipt(movement: Movement) -> content.Receipt:
    """What a label prints of a receive movement."""
    lot = movement.lot
    return content.Receipt(product=movement.product, qty=movement.qty,
                           received_at=movement.created_at, to_code=movement.to_location.code,
                           reference=movement.reference, lot=lot.code if lot else None,
                           expiry=lot.expiry if lot else None)


@bp.record_once
def _receipts_kind(state) -> None:
    """The label pages and the API print receipt labels from these receipts."""
    selection.provide(state.app, "receipts", labels)
