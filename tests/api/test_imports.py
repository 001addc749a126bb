"""POST /api/v1/products/import: the import page's importer for other systems. All or nothing,
every bad cell of every line reported at once, a SKU twice in one file refused."""
import io

import pytest
from sqlalchemy import func, select

from warehouse_app.catalog.models import Product

URL = "/api/v1/products/import"
EAN = "4006381333931"
GOOD = ("sku,name,category,supplier,unit_cost,reorder_point,tracking,barcodes\n"
        f"TEE-M,T-shirt M,Apparel > T-shirts,Acme,3.50,5,none,{EAN}\n"
        "MILK,Milk 1l,Food,,0.80,,lot,\n")
# Line 2: three bad cells; line 3: good; line 4: two bad cells; line 5: a bad barcode.
BAD = ("sku,name,unit_cost,reorder_point,tracking,barcodes,active\n"
       "OK-1,,-2,ten,none,,yes\n"
       "OK-2,Fine,1.00,3,lot,,\n"
       "has space,Two,1.00,-1,sometimes,,\n"
       "OK-3,Three,1.00,1,none,4006381333932,maybe\n")


def products(db) -> int:
    return db.session.scalar(select(func.count(Product.id)))


def send(client, headers, text, content_type="text/csv"):
    return client.post(URL, data=text.encode(), headers={**headers, "Content-Type": content_type})


@pytest.fixture
def sup(api_token):
    return api_token("supervisor")


def test_a_good_file_creates_then_updates(db, client, sup):
    answer = send(client, sup, GOOD)
    assert answer.status_code == 201, answer.json
    assert answer.json == {"created": 2, "updated": 0}
    tee = db.session.scalar(select(Product).where(Product.sku == "TEE-M"))
    assert (tee.reorder_point, tee.supplier.name, [b.code for b in tee.barcodes]) == (
        5, "Acme", [EAN])
    again = send(client, sup, GOOD.replace("T-shirt M", "T-shirt medium"))
    assert again.json == {"created": 0, "updated": 2}


def test_every_bad_cell_of_every_line_is_listed_and_nothing_is_imported(db, client, sup):
    answer = send(client, sup, BAD)
    assert answer.status_code == 422, answer.json
    error = answer.json["error"]
    assert error["code"] == "bad_rows" and error["field"] == "file"
    cells = {(row["line"], row["field"]) for row in error["rows"]}
    assert cells == {(2, "name"), (2, "unit_cost"), (2, "reorder_point"),
                     (4, "sku"), (4, "reorder_point"), (4, "tracking"),
                     (5, "barcodes"), (5, "active")}
    assert all(row["message"] for row in error["rows"])
    assert "3 bad row(s)" in error["message"]
    assert products(db) == 0


def test_a_sku_twice_in_one_file_is_refused(db, client, sup):
    answer = send(client, sup, "sku,name\nDUP-1,First\nDUP-2,Other\ndup-1,Second\n")
    assert answer.status_code == 422
    rows = answer.json["error"]["rows"]
    assert [(r["line"], "also on line 2" in r["message"]) for r in rows] == [(4, True)]
    assert products(db) == 0


@pytest.mark.parametrize("body, content_type, status, code", [
    (GOOD, "application/json", 415, "not_csv"),
    ('{"sku": "X"}', "application/json", 415, "not_csv"),
    (GOOD, "multipart/form-data; boundary=x", 415, "not_csv"),
    ("", "text/csv", 400, "bad_file"),
    ("sku,name\n", "text/csv", 400, "bad_file"),
    ("name\nNo SKU\n", "text/csv", 400, "bad_file"),
    ("sku,name,colour\nX,Y,red\n", "text/csv", 400, "bad_file"),
    ("sku,name\nA,B\x00\n", "text/csv", 400, "bad_file"),
])
def test_a_body_that_is_no_products_file_is_refused_and_imports_nothing(
        db, client, sup, body, content_type, status, code):
    answer = send(client, sup, body, content_type)
    assert answer.status_code == status, answer.json
    assert answer.json["error"]["code"] == code
    assert products(db) == 0


def test_a_non_utf8_body_is_refused(db, client, sup):
    answer = client.post(URL, data="sku,name\nA,Caf\xe9\n".encode("latin-1"),
                         headers={**sup, "Content-Type": "text/csv"})
    assert answer.status_code == 400 and products(db) == 0


def test_staff_cannot_import(db, client, api_token):
    assert send(client, api_token("staff"), GOOD).status_code == 403
    assert products(db) == 0


def test_the_import_page_lists_the_same_bad_cells(db, client, login_as, no_csrf):
    login_as("supervisor")
    answer = client.post("/products/import/products",
                         data={"file": (io.BytesIO(BAD.encode()), "products.csv")},
                         content_type="multipart/form-data")
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert page.count("<li>Line 2:") == 3 and page.count("<li>Line 4:") == 3
    assert page.count("<li>Line 5:") == 2 and "<li>Line 3:" not in page
    assert products(db) == 0


def test_locations_import_creates_a_tree_and_lists_every_bad_cell(db, client, sup):
    from warehouse_app.locations.models import Location
    good = ("code,kind,name,parent,capacity\n"
            "WH9,warehouse,Main,,\nZ9,zone,Zone,WH9,\nB9,bin,,Z9,50\n")
    answer = client.post("/api/v1/locations/import", data=good.encode(),
                         headers={**sup, "Content-Type": "text/csv"})
    assert answer.status_code == 201, answer.json
    assert answer.json == {"created": 3, "updated": 0}
    before = db.session.scalar(select(func.count(Location.id)))
    bad = ("code,kind,name,parent,capacity,active\n"
           "B10,shelf,,Z9,0,maybe\n"
           "B11,bin,,Z9,5,\n"
           "b11,bin,,Z9,5,\n")
    answer = client.post("/api/v1/locations/import", data=bad.encode(),
                         headers={**sup, "Content-Type": "text/csv"})
    assert answer.status_code == 422, answer.json
    cells = {(r["line"], r["field"]) for r in answer.json["error"]["rows"]}
    assert cells == {(2, "kind"), (2, "capacity"), (2, "active"), (4, "code")}
    assert db.session.scalar(select(func.count(Location.id))) == before


def test_stock_import_receives_and_lists_every_bad_cell(db, client, sup, make_product,
                                                        make_location):
    from warehouse_app.ledger import balances
    product = make_product("SOAP")
    make_location("A-01")
    good = "sku,location,qty,unit_cost\nSOAP,A-01,12,1.50\n"
    answer = client.post("/api/v1/stock/import", data=good.encode(),
                         headers={**sup, "Content-Type": "text/csv"})
    assert answer.status_code == 201, answer.json
    assert answer.json == {"received": 1}
    assert balances.totals(product.id)["on_hand"] == 12
    bad = ("sku,location,qty,expiry,unit_cost\n"
           ",A-01,0,2027-02-30,-1\n"
           "SOAP,A-01,3,,\n"
           "SOAP,,four,,\n")
    answer = client.post("/api/v1/stock/import", data=bad.encode(),
                         headers={**sup, "Content-Type": "text/csv"})
    assert answer.status_code == 422, answer.json
    cells = {(r["line"], r["field"]) for r in answer.json["error"]["rows"]}
    assert cells == {(2, "sku"), (2, "qty"), (2, "expiry"), (2, "unit_cost"), (4, "location"),
                     (4, "qty")}
    assert balances.totals(product.id)["on_hand"] == 12
