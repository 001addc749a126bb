"""The audit log page."""
from warehouse_app.catalog import products


def test_audit_page_is_403_for_staff(client, login_as):
    login_as("staff")
    assert client.get("/audit/").status_code == 403


def test_audit_page_renders_for_supervisor(client, login_as, make_product):
    login_as("supervisor")
    make_product("TEE-M")
    html = client.get("/audit/").text
    assert "Audit log" in html and "TEE-M" in html and "create" in html


def test_audit_page_shows_who_and_before_after(client, db, login_as, make_product, no_csrf):
    user = login_as("supervisor")
    product = make_product("TEE-M", name="Old name")
    client.post(f"/products/{product.id}", data={"name": "New name"})
    html = client.get("/audit/?entity=product").text
    assert "<del>Old name</del> &rarr; <ins>New name</ins>" in html
    assert user.username in html


def test_audit_page_lists_newest_first(client, db, login_as, make_product):
    login_as("supervisor")
    product = make_product("TEE-M", name="First")
    products.update(product, {"name": "Second"})
    db.session.commit()
    html = client.get("/audit/?entity=product").text
    assert html.index("<ins>Second</ins>") < html.index("<ins>First</ins>")


def test_audit_page_filters_by_entity(client, login_as, make_product, make_location):
    login_as("supervisor")
    make_product("TEE-M")
    make_location("A-01")
    html = client.get("/audit/?entity=location").text
    assert "A-01" in html and "TEE-M" not in html


def test_audit_page_filters_by_one_thing(client, login_as, make_product):
    login_as("supervisor")
    first = make_product("TEE-M")
    make_product("MUG-1")
    html = client.get(f"/audit/?entity=product&id={first.id}").text
    assert "TEE-M" in html and "MUG-1" not in html


def test_audit_page_escapes_values(client, login_as, make_product):
    login_as("supervisor")
    make_product("XSS", name="<img src=x onerror=alert(1)>")
    html = client.get("/audit/").text
    assert "<img src=x" not in html and "&lt;img src=x" in html
