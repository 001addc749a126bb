"""Purchase orders: partial receipts over days, discrepancies for a supervisor, bad documents."""
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from warehouse_app.errors import DomainError, Forbidden
from warehouse_app.ledger import balances
from warehouse_app.ledger.models import Movement, MovementKind
from warehouse_app.orders import purchasing
from warehouse_app.orders.models import (
    Discrepancy,
    DiscrepancyKind,
    DiscrepancyStatus,
    POStatus,
    PurchaseOrder,
    PurchaseOrderLine,
)


@pytest.fixture
def po(db, site, make_user):
    boss = make_user("boss", "supervisor")
    created = purchasing.create({"reference": "PO-1", "supplier": "Acme Mugs",
                                 "warehouse": "NORTH", "expected_date": "2030-03-01",
                                 "lines": [{"sku": "MUG", "qty": 10, "unit_cost": "2.00"},
                                           {"sku": "TEE", "qty": 4}]}, boss)
    db.session.commit()
    return created


def receipts(db) -> list[tuple]:
    db.session.commit()
    return [(m.product.sku, m.qty, m.to_location.code, m.reference, m.unit_cost)
            for m in db.session.scalars(select(Movement).where(
                Movement.kind == MovementKind.RECEIVE).order_by(Movement.id))]


def test_a_purchase_order_is_received_partly_over_several_days(db, site, po, make_user):
    staff = make_user("staff1")
    assert po.status is POStatus.OPEN and po.supplier.name == "Acme Mugs"
    purchasing.receive(po, {"location": "N-A-1", "code": "MUG", "qty": 4}, staff)
    db.session.commit()
    assert po.status is POStatus.PARTIAL
    # the next day
    purchasing.receive(po, {"location": "N-A-1", "code": "5901234123457", "qty": 6}, staff)
    purchasing.receive(po, {"location": "N-B-1", "code": "TEE", "qty": 4}, staff)
    db.session.commit()
    assert po.status is POStatus.RECEIVED
    assert [(line.product.sku, line.received, line.remaining) for line in po.lines] == [
        ("MUG", 10, 0), ("TEE", 4, 0)]
    assert receipts(db) == [("MUG", 4, "N-A-1", "PO-1", Decimal("2.0000")),
                            ("MUG", 6, "N-A-1", "PO-1", Decimal("2.0000")),
                            ("TEE", 4, "N-B-1", "PO-1", Decimal("0.0000"))]
    assert site.p.mug.avg_cost == Decimal("2.0000"), "the moving average follows the PO cost"
    assert balances.verify() == []


def test_a_replayed_receipt_line_posts_once(db, site, po, make_user):
    staff = make_user("staff1")
    for _ in range(3):
        done = purchasing.receive(po, {"location": "N-A-1", "code": "MUG", "qty": 2,
                                       "client_op_id": "op-1"}, staff)
        db.session.commit()
    assert done.replayed and po.lines[0].received == 2
    assert len(receipts(db)) == 1


def test_over_receipt_posts_the_expected_part_and_holds_the_excess(db, site, po, make_user):
    staff, boss = make_user("staff1"), make_user("boss2", "supervisor")
    purchasing.receive(po, {"location": "N-A-1", "code": "MUG", "qty": 8}, staff)
    flagged = purchasing.receive(po, {"location": "N-A-1", "code": "MUG", "qty": 5,
                                      "client_op_id": "op-over"}, staff).discrepancy
    again = purchasing.receive(po, {"location": "N-A-1", "code": "MUG", "qty": 5,
                                    "client_op_id": "op-over"}, staff)
    db.session.commit()
    assert again.discrepancy.id == flagged.id and again.replayed
    assert (flagged.kind, flagged.status, flagged.qty, flagged.expected) == (
        DiscrepancyKind.OVER_RECEIPT, DiscrepancyStatus.OPEN, 3, 2)
    assert [r[1] for r in receipts(db)] == [8, 2] and po.lines[0].received == 10
    with pytest.raises(Forbidden):
        purchasing.accept(flagged, staff)
    db.session.rollback()
    movement = purchasing.accept(flagged, boss)
    db.session.commit()
    assert (movement.qty, movement.reference, movement.unit_cost) == (3, "PO-1",
                                                                      Decimal("2.0000"))
    assert po.lines[0].received == 13 and flagged.status is DiscrepancyStatus.ACCEPTED
    with pytest.raises(DomainError, match="already accepted"):
        purchasing.accept(flagged, boss)
    assert balances.verify() == []


def test_a_product_not_on_the_po_and_an_unknown_code_are_flagged(db, site, po, make_user):
    staff, boss = make_user("staff1"), make_user("boss2", "supervisor")
    cap = purchasing.receive(po, {"location": "N-A-1", "code": "CAP", "qty": 2}, staff)
    odd = purchasing.receive(po, {"location": "N-A-1", "code": "NO-SUCH-9", "qty": 3}, staff)
    db.session.commit()
    assert (cap.discrepancy.kind, odd.discrepancy.kind) == (DiscrepancyKind.NOT_ON_ORDER,
                                                           DiscrepancyKind.UNKNOWN_PRODUCT)
    assert receipts(db) == []
    purchasing.dismiss(cap.discrepancy, boss)
    with pytest.raises(DomainError, match="name the SKU"):
        purchasing.accept(odd.discrepancy, boss)
    purchasing.accept(odd.discrepancy, boss, sku="CAP")
    db.session.commit()
    assert receipts(db) == [("CAP", 3, "N-A-1", "PO-1", Decimal("0.0000"))]
    added = po.lines[-1]
    assert (added.product.sku, added.qty, added.received) == ("CAP", 0, 3)
    assert cap.discrepancy.status is DiscrepancyStatus.DISMISSED


def test_receiving_into_another_warehouse_or_a_closed_po_is_refused(db, site, po, make_user):
    staff, boss = make_user("staff1"), make_user("boss2", "supervisor")
    with pytest.raises(DomainError, match="delivered to NORTH"):
        purchasing.receive(po, {"location": "S-1", "code": "MUG", "qty": 1}, staff)
    db.session.rollback()
    purchasing.close(po, boss)
    db.session.commit()
    with pytest.raises(DomainError, match="closed"):
        purchasing.receive(po, {"location": "N-A-1", "code": "MUG", "qty": 1}, staff)
    assert receipts(db) == []


@pytest.mark.parametrize("change, message", [
    ({"lines": [{"sku": "NOPE", "qty": 1}]}, "Line 1: no product with SKU NOPE"),
    ({"lines": [{"sku": "MUG", "qty": 0}]}, "Line 1: Quantity must be at least 1"),
    ({"lines": [{"sku": "MUG", "qty": "2"}]}, "Line 1: Quantity must be a whole number"),
    ({"lines": [{"sku": "MUG", "qty": 1}, {"sku": "MUG", "qty": 2}]}, "already on line 1"),
    ({"lines": []}, "at least one line"),
    ({"lines": {"sku": "MUG"}}, "lines is a list"),
    ({"lines": ["MUG"]}, "Line 1 is not an object"),
    ({"lines": [{"sku": "MUG", "qty": 1, "unit_cost": "-1"}]}, "Unit cost must be between"),
    ({"reference": "PO 2"}, "no spaces"),
    ({"reference": ""}, "reference is required"),
    ({"supplier": ""}, "supplier is required"),
    ({"expected_date": "03/01/2030"}, "YYYY-MM-DD"),
    ({"warehouse": "N-A-1"}, "not a warehouse"),
    ({"colour": "red"}, "colour is not a field"),
])
def test_bad_purchase_orders_are_refused_and_create_nothing(db, site, make_user, change,
                                                            message):
    fields = {"reference": "PO-2", "supplier": "Acme", "lines": [{"sku": "MUG", "qty": 1}],
              **change}
    with pytest.raises(DomainError, match=message):
        purchasing.create(fields, make_user("boss", "supervisor"))
    db.session.rollback()
    assert db.session.scalar(select(func.count(PurchaseOrder.id))) == 0
    assert db.session.scalar(select(func.count(PurchaseOrderLine.id))) == 0


def test_a_po_reference_is_used_once(db, site, po, make_user):
    with pytest.raises(DomainError, match="already exists") as refused:
        purchasing.create({"reference": "PO-1", "supplier": "X", "lines": [
            {"sku": "CAP", "qty": 1}]}, make_user("boss2", "supervisor"))
    assert refused.value.status == 409
    db.session.rollback()
    assert db.session.scalar(select(func.count(Discrepancy.id))) == 0


def test_a_supervisor_accepts_part_of_the_excess_of_an_over_receipt(db, site, po, make_user):
    staff, boss = make_user("staff1"), make_user("boss2", "supervisor")
    flagged = purchasing.receive(po, {"location": "N-A-1", "code": "MUG", "qty": 12},
                                 staff).discrepancy
    db.session.commit()
    assert (po.lines[0].received, flagged.qty, flagged.expected) == (10, 2, 10)
    with pytest.raises(DomainError, match="At most the 2 held"):
        purchasing.accept(flagged, boss, qty=3)
    db.session.rollback()
    assert purchasing.accept(flagged, boss, qty=1).qty == 1
    db.session.commit()
    assert (po.lines[0].received, po.lines[0].remaining) == (11, 0)
