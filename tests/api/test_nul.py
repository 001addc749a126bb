"""A NUL byte anywhere in a request is refused before it reaches the database (PostgreSQL would
fail the query with a 500)."""
from sqlalchemy import func, select

from warehouse_app.catalog.models import Product


def test_nul_in_a_path_a_query_a_form_or_json_is_refused(client, db, api_token, make_product,
                                                         login_as, no_csrf):
    make_product("P-1")
    staff = api_token("admin")
    assert client.get("/api/v1/products/A%00B", headers=staff).status_code == 404
    answer = client.get("/api/v1/products?q=A%00B", headers=staff)
    assert answer.status_code == 422 and answer.get_json()["error"]["field"] == "q"
    posted = client.post("/api/v1/products", headers=staff,
                         json={"sku": "NEW-1", "name": "Mug", "barcodes": ["A\x00B"]})
    assert posted.status_code == 422
    assert posted.get_json()["error"]["field"] == "barcodes.0"
    nested = client.post("/api/v1/orders", headers=staff,
                         json={"reference": "O-1", "lines": [{"sku": "P-1\x00", "qty": 1}]})
    assert nested.get_json()["error"]["field"] == "lines.0.sku"
    login_as("admin")
    page = client.get("/lookup?code=P%00-1")
    assert page.status_code in (302, 303, 422)
    form = client.post("/catalog/products/new", data={"sku": "X\x00", "name": "n"})
    assert form.status_code in (302, 303, 422)
    assert db.session.scalar(select(func.count(Product.id))) == 1
