"""Product admin pages: roles, create, edit, barcodes, deactivate."""
import pytest
from sqlalchemy import func, select

from warehouse_app.catalog.models import Barcode, Product

EAN = "4006381333931"


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("path", ["/products/", "/products/new", "/products/import",
                                  "/products/export/products.csv"])
def test_product_pages_are_403_for_staff(client, login_as, path):
    login_as("staff")
    assert client.get(path).status_code == 403


def test_product_writes_are_403_for_staff(client, login_as, make_product, no_csrf):
    login_as("staff")
    product = make_product("TEE-M")
    assert client.post("/products/new", data={"sku": "X", "name": "X"}).status_code == 403
    assert client.post(f"/products/{product.id}/active", data={"active": "0"}).status_code == 403


def test_product_list_renders_for_supervisor(client, login_as, make_product):
    login_as("supervisor")
    make_product("TEE-M", name="T-shirt M")
    html = client.get("/products/").text
    assert "TEE-M" in html and "T-shirt M" in html


def test_product_list_renders_for_admin(client, login_as):
    login_as("admin")
    assert client.get("/products/").status_code == 200


def test_product_list_searches_by_name_and_barcode(client, login_as, make_product):
    login_as("supervisor")
    make_product("TEE-M", name="T-shirt M", barcodes=[EAN])
    make_product("MUG-1", name="Mug")
    html = client.get(f"/products/?q={EAN}").text
    assert "TEE-M" in html and "MUG-1" not in html
    assert "MUG-1" in client.get("/products/?q=mug").text


def test_product_list_pages_by_fifty(client, login_as, make_product):
    login_as("supervisor")
    for number in range(55):
        make_product(f"P-{number:03}")
    first, second = client.get("/products/").text, client.get("/products/?page=2").text
    assert "P-049" in first and "P-050" not in first
    assert "P-050" in second and "Page 2 of 2" in second


def test_product_list_hides_deactivated_unless_asked(client, login_as, make_product):
    login_as("supervisor")
    make_product("OLD-1", active=False)
    assert "OLD-1" not in client.get("/products/").text
    assert "OLD-1" in client.get("/products/?all=1").text


def test_create_product_with_every_field(client, db, login_as, no_csrf):
    login_as("supervisor")
    response = client.post("/products/new", data={
        "sku": "TEE-M", "name": "T-shirt M", "barcodes": EAN, "category": "Apparel > T-shirts",
        "supplier": "Acme", "tracking": "lot", "variant_group": "TEE", "variant": "M",
        "reorder_point": "5", "safety_stock": "2", "lead_time_days": "10",
        "unit_cost": "3.5", "sale_price": "9.99", "description": "Cotton"})
    assert response.status_code == 303
    product = db.session.scalar(select(Product).where(Product.sku == "TEE-M"))
    assert product.category.path == "Apparel > T-shirts"
    assert product.supplier.name == "Acme"
    assert (product.reorder_point, product.safety_stock, product.lead_time_days) == (5, 2, 10)
    assert str(product.unit_cost) == "3.5000" and product.tracking.value == "lot"
    assert [b.code for b in product.barcodes] == [EAN]


def test_create_with_duplicate_sku_shows_message_and_changes_nothing(client, db, login_as,
                                                                     make_product, no_csrf):
    login_as("supervisor")
    make_product("TEE-M", name="Original")
    response = client.post("/products/new", data={"sku": "TEE-M", "name": "Copy",
                                                   "category": "New > Branch"})
    assert response.status_code == 409
    assert "SKU TEE-M is already used" in response.text
    assert 'value="Copy"' in response.text  # the form keeps what was typed
    assert count(db, Product) == 1
    assert db.session.scalar(select(Product.name)) == "Original"


def test_create_with_too_long_barcode_shows_message_and_changes_nothing(client, db,
                                                                        login_as, no_csrf):
    login_as("supervisor")
    response = client.post("/products/new", data={"sku": "TEE-M", "name": "T",
                                                   "barcodes": "9" * 65})
    assert response.status_code == 422
    assert "barcodes is longer than 64 characters" in response.text
    assert count(db, Product) == 0 and count(db, Barcode) == 0


def test_create_with_barcode_of_another_product_changes_nothing(client, db, login_as,
                                                                make_product, no_csrf):
    login_as("supervisor")
    make_product("OTHER", barcodes=[EAN])
    response = client.post("/products/new", data={"sku": "TEE-M", "name": "T",
                                                   "barcodes": EAN})
    assert response.status_code == 409
    assert f"Barcode {EAN} already belongs to OTHER" in response.text
    assert count(db, Product) == 1 and count(db, Barcode) == 1


def test_edit_page_shows_the_product(client, login_as, make_product):
    login_as("supervisor")
    product = make_product("TEE-M", name="T-shirt M", category="Apparel > T-shirts")
    html = client.get(f"/products/{product.id}").text
    assert 'value="T-shirt M"' in html and 'value="Apparel &gt; T-shirts"' in html


def test_edit_changes_fields(client, db, login_as, make_product, no_csrf):
    login_as("supervisor")
    product = make_product("TEE-M")
    response = client.post(f"/products/{product.id}", data={
        "name": "Renamed", "category": "A > B", "supplier": "Acme", "tracking": "serial",
        "reorder_point": "7", "unit_cost": "1.25", "sale_price": "", "variant": "L"})
    assert response.status_code == 303
    db.session.expire_all()
    product = db.session.get(Product, product.id)
    assert (product.name, product.category.path, product.supplier.name) == ("Renamed", "A > B",
                                                                            "Acme")
    assert product.reorder_point == 7 and product.tracking.value == "serial"
    assert product.variant == "L" and product.sale_price is None


def test_edit_with_bad_input_shows_message_and_changes_nothing(client, db, login_as,
                                                               make_product, no_csrf):
    login_as("supervisor")
    product = make_product("TEE-M", name="Keep")
    response = client.post(f"/products/{product.id}", data={
        "name": "Changed", "category": "New > Cat", "reorder_point": "-3"})
    assert response.status_code == 422
    assert "reorder_point must be between 0 and 1,000,000,000" in response.text
    db.session.expire_all()
    assert db.session.get(Product, product.id).name == "Keep"
    assert db.session.get(Product, product.id).category is None


def test_edit_unknown_product_is_404(client, login_as):
    login_as("supervisor")
    assert client.get("/products/999").status_code == 404


def test_add_pack_barcode(client, db, login_as, make_product, no_csrf):
    login_as("supervisor")
    product = make_product("TEE-M", barcodes=[EAN])
    response = client.post(f"/products/{product.id}/barcodes",
                           data={"code": "CASE-12", "kind": "internal", "pack_size": "12"},
                           follow_redirects=True)
    assert "Added barcode CASE-12" in response.text
    barcode = db.session.scalar(select(Barcode).where(Barcode.code == "CASE-12"))
    assert barcode.pack_size == 12 and barcode.product_id == product.id


def test_add_barcode_of_another_product_is_refused(client, db, login_as, make_product,
                                                   no_csrf):
    login_as("supervisor")
    make_product("OTHER", barcodes=[EAN])
    product = make_product("TEE-M")
    response = client.post(f"/products/{product.id}/barcodes", data={"code": EAN},
                           follow_redirects=True)
    assert f"Barcode {EAN} already belongs to OTHER" in response.text
    assert count(db, Barcode) == 1


def test_add_barcode_with_bad_check_digit_is_refused(client, db, login_as, make_product,
                                                     no_csrf):
    login_as("supervisor")
    product = make_product("TEE-M")
    response = client.post(f"/products/{product.id}/barcodes",
                           data={"code": "4006381333932", "kind": "ean13"},
                           follow_redirects=True)
    assert "4006381333932 is not a valid ean13" in response.text
    assert count(db, Barcode) == 0


def test_remove_barcode(client, db, login_as, make_product, no_csrf):
    login_as("supervisor")
    product = make_product("TEE-M", barcodes=[EAN, "INT-1"])
    barcode = db.session.scalar(select(Barcode).where(Barcode.code == "INT-1"))
    response = client.post(f"/products/{product.id}/barcodes/{barcode.id}/remove",
                           follow_redirects=True)
    assert "Removed barcode INT-1" in response.text
    assert db.session.scalars(select(Barcode.code)).all() == [EAN]


def test_deactivate_and_reactivate_product(client, db, login_as, make_product, no_csrf):
    login_as("supervisor")
    product = make_product("TEE-M")
    client.post(f"/products/{product.id}/active", data={"active": "0"})
    db.session.expire_all()
    assert db.session.get(Product, product.id).active is False
    client.post(f"/products/{product.id}/active", data={"active": "1"})
    db.session.expire_all()
    assert db.session.get(Product, product.id).active is True


def test_product_form_has_csrf_token(client, login_as):
    login_as("supervisor")
    assert 'name="csrf_token"' in client.get("/products/new").text
