"""The audit trail records every change that is not a movement."""
from sqlalchemy import select

from warehouse_app.audit.models import AuditEntry
from warehouse_app.catalog import products


def entries(db, entity):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.entity == entity)
                              .order_by(AuditEntry.id)).all()


def test_creating_a_product_records_its_values(db, make_product):
    make_product("SKU-9", name="Blue mug", reorder_point=4)
    (entry,) = [e for e in entries(db, "product") if e.action == "create"]
    assert entry.after["sku"] == "SKU-9"
    assert entry.after["reorder_point"] == 4
    assert entry.actor == "cli"


def test_changing_a_product_records_before_and_after(db, make_product):
    product = make_product("SKU-9", name="Blue mug")
    products.update(product, {"name": "Red mug"})
    db.session.commit()
    update = [e for e in entries(db, "product") if e.action == "update"][-1]
    assert update.before == {"name": "Blue mug"}
    assert update.after == {"name": "Red mug"}


def test_password_hash_never_reaches_the_trail(db, make_user):
    make_user("sam", "staff")
    (entry,) = entries(db, "user")
    assert entry.after["password_hash"] == "(changed)"


def test_receipts_do_not_write_audit_entries(db, make_product, make_location, stock):
    product, bin_ = make_product(), make_location()
    before = len(entries(db, "product"))
    stock(product, bin_, 3, unit_cost="2.50")
    assert len(entries(db, "product")) == before


def test_rolled_back_changes_leave_no_entry(db, make_product):
    product = make_product("SKU-9", name="Blue mug")
    products.update(product, {"name": "Red mug"})
    db.session.rollback()
    assert [e.action for e in entries(db, "product")] == ["create"]
