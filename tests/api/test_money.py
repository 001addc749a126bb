"""Money is for supervisors: costs and values are left out of what staff read."""
import pytest

COSTS = ("unit_cost", "avg_cost")


@pytest.fixture
def costed(make_product, make_location, stock):
    product = make_product("P-1", unit_cost="4.20")
    stock(product, make_location("A-01"), 5, unit_cost="4.20")
    return product


def test_staff_read_products_without_costs(client, staff, supervisor, costed):
    for url in ("/api/v1/products/P-1", "/api/v1/products"):
        body = client.get(url, headers=staff).json
        item = body if "sku" in body else body["items"][0]
        assert not set(COSTS) & set(item), (url, item)
        assert "4.2" not in str(body)
        seen = client.get(url, headers=supervisor).json
        item = seen if "sku" in seen else seen["items"][0]
        assert item["unit_cost"] == "4.2000" and item["avg_cost"] == "4.2000"


def test_staff_read_movements_without_costs(client, staff, supervisor, costed):
    posted = client.post("/api/v1/movements", headers=staff,
                         json={"kind": "receive", "sku": "P-1", "qty": 1,
                               "to_location": "A-01", "unit_cost": "5"})
    assert posted.status_code == 201
    assert "unit_cost" not in posted.json
    ledger = client.get("/api/v1/movements", headers=staff).json["items"]
    assert ledger and all("unit_cost" not in m for m in ledger)
    assert "unit_cost" in client.get("/api/v1/movements", headers=supervisor).json["items"][0]


def test_a_supervisors_token_capped_to_staff_reads_no_costs(client, db, make_user, costed):
    from warehouse_app.auth.models import Role
    from warehouse_app.auth.users import create_token
    _, secret = create_token("capped", make_user("sam", "supervisor"), Role.STAFF)
    db.session.commit()
    body = client.get("/api/v1/products/P-1",
                      headers={"Authorization": f"Bearer {secret}"}).json
    assert "unit_cost" not in body


def test_staff_see_no_cost_on_a_purchase_order(client, staff, supervisor, login_as, costed):
    made = client.post("/api/v1/purchase-orders", headers=supervisor,
                       json={"reference": "PO-1", "supplier": "Acme",
                             "lines": [{"sku": "P-1", "qty": 3, "unit_cost": "7.77"}]})
    assert made.status_code == 201, made.json
    assert "7.77" in str(made.json)
    assert "7.77" not in str(client.get("/api/v1/purchase-orders/PO-1", headers=staff).json)
    login_as("staff")
    page = client.get("/orders/purchase/PO-1")
    assert page.status_code == 200 and "P-1" in page.text
    assert "7.77" not in page.text
    login_as("supervisor")
    assert "7.77" in client.get("/orders/purchase/PO-1").text
