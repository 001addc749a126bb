"""Reorder suggestions grouped by supplier become purchase orders when a supervisor approves."""
import pytest
from sqlalchemy import select

from warehouse_app.orders.models import PurchaseOrder


@pytest.fixture
def short(db, shop, move, make_product):
    """Two products of one supplier below their reorder points, one without a supplier."""
    a = make_product("BOLT-1", reorder_point=20, supplier="Fixings Ltd", unit_cost="0.10")
    b = make_product("NUT-1", reorder_point=20, supplier="Fixings Ltd", unit_cost="0.05")
    c = make_product("ODD-1", reorder_point=5)
    for product in (a, b, c):
        move("receive", product, 3, to_location=shop["A"])
    return a, b, c


def test_the_reorder_page_groups_drafts_by_supplier(db, short, client, supervisor):
    text = client.get("/insight/reorder").get_data(as_text=True)
    assert text.index("Fixings Ltd") < text.index("(no supplier)")
    assert 'name="qty-BOLT-1"' in text and 'name="qty-NUT-1"' in text
    assert "Approve: create purchase order" in text and "Give these products a supplier" in text


def test_approving_a_draft_creates_an_open_purchase_order_with_the_edited_quantities(
        db, short, client, supervisor, no_csrf):
    response = client.post("/insight/reorder/approve",
                           data={"supplier": "Fixings Ltd", "qty-BOLT-1": "50", "qty-NUT-1": "0"})
    assert response.status_code == 303
    po = db.session.scalars(select(PurchaseOrder)).one()
    assert po.supplier.name == "Fixings Ltd" and po.reference.startswith("RO-")
    assert [(line.product.sku, line.qty) for line in po.lines] == [("BOLT-1", 50)]
    text = client.get("/insight/reorder").get_data(as_text=True)
    assert 'name="qty-BOLT-1"' not in text  # 3 available + 50 on order is above the point


def test_a_bad_quantity_creates_nothing(db, short, client, supervisor, no_csrf):
    for data in ({"supplier": "Fixings Ltd", "qty-BOLT-1": "lots"},
                 {"supplier": "Fixings Ltd", "qty-BOLT-1": "0"},
                 {"supplier": "(no supplier)", "qty-ODD-1": "5"}):
        assert client.post("/insight/reorder/approve", data=data).status_code == 303
    assert db.session.scalars(select(PurchaseOrder)).all() == []
