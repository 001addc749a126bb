"""CSV import and export of products, locations and opening stock."""
import io
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from warehouse_app.catalog.models import Barcode, Product
from warehouse_app.codes import ScanCode
from warehouse_app.ledger import balances
from warehouse_app.ledger.models import Movement, MovementKind, StockLevel
from warehouse_app.locations.models import Location

EAN = "4006381333931"
PRODUCTS = (
    "sku,name,category,supplier,unit_cost,reorder_point,tracking,barcodes\n"
    f"TEE-M,T-shirt M,Apparel > T-shirts,Acme,3.50,5,none,{EAN} CASE-M:internal:12\n"
    "MILK,Milk 1l,Food,,0.80,0,lot,\n"
)


def upload(client, what, text, name=None):
    data = text.encode() if isinstance(text, str) else text
    return client.post(f"/products/import/{what}",
                       data={"file": (io.BytesIO(data), name or f"{what}.csv")},
                       content_type="multipart/form-data")


def count(db, model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def supervisor(login_as, no_csrf):
    return login_as("supervisor")


def test_import_export_page_renders_for_supervisor(client, supervisor):
    html = client.get("/products/import").text
    assert "Import products" in html and "Import opening stock" in html
    assert 'enctype="multipart/form-data"' in html


def test_import_is_403_for_staff(client, login_as, no_csrf):
    login_as("staff")
    assert upload(client, "products", PRODUCTS).status_code == 403


def test_import_products_creates_them_with_barcodes(client, db, supervisor):
    response = upload(client, "products", PRODUCTS)
    assert response.status_code == 303
    assert "Imported products: 2 created" in client.get("/products/import").text
    tee = db.session.scalar(select(Product).where(Product.sku == "TEE-M"))
    assert tee.category.path == "Apparel > T-shirts" and tee.supplier.name == "Acme"
    assert {(b.code, b.kind.value, b.pack_size) for b in tee.barcodes} == {
        (EAN, "ean13", 1), ("CASE-M", "internal", 12)}


def test_import_products_updates_known_skus(client, db, supervisor, make_product):
    make_product("TEE-M", name="Old name")
    upload(client, "products", PRODUCTS)
    db.session.expire_all()
    assert db.session.scalar(select(Product.name).where(Product.sku == "TEE-M")) == "T-shirt M"
    assert count(db, Product) == 2


def test_import_with_bad_rows_imports_nothing_and_names_every_bad_line(client, db,
                                                                       supervisor):
    text = ("sku,name,reorder_point,barcodes\n"
            "GOOD-1,Good,1,\n"
            "BAD 1,Space in SKU,1,\n"
            "GOOD-2,Good too,1,\n"
            "BAD-2,,1,\n"
            "BAD-3,Negative,-4,\n"
            "GOOD-1,Same SKU twice,2,\n"
            f"BAD-4,Taken barcode,1,{EAN}\n"
            f"BAD-5,Taken again,1,{EAN}\n")
    response = upload(client, "products", text)
    assert response.status_code == 422
    html = response.text
    for line in (3, 5, 6, 7, 9):
        assert f"Line {line}:" in html
    assert "Code GOOD-1 is also on line 2" in html
    for line in (2, 4, 8):
        assert f"Line {line}:" not in html
    assert "nothing was imported" in html
    assert count(db, Product) == 0 and count(db, Barcode) == 0


def test_import_reports_a_row_with_too_many_cells(client, db, supervisor):
    response = upload(client, "products", "sku,name\nA,B,C\nOK,Fine\n")
    assert "Line 2: 3 cells but 2 columns." in response.text
    assert count(db, Product) == 0


@pytest.mark.parametrize(("name", "data", "message"), [
    ("products.xlsx", b"sku,name\nA,B\n", "is not a .csv file"),
    ("products.csv", b"sku,name\nA,\xff\xfe\n", "not UTF-8"),
    ("products.csv", b"PK\x03\x04\x00\x00binary", "not a text CSV file"),
    ("products.csv", b"name,price\nA,1\n", "Missing column(s): sku"),
    ("products.csv", b"sku,name,colour\nA,B,red\n", "Unknown column(s): colour"),
    ("products.csv", b"", "The file is empty"),
    ("products.csv", b"sku,name\n", "no rows"),
])
def test_import_refuses_bad_files_with_a_clear_message(client, db, supervisor, name, data,
                                                       message):
    response = upload(client, "products", data, name=name)
    assert response.status_code in (400, 422)
    assert message in response.text
    assert count(db, Product) == 0


def test_import_refuses_an_oversized_file(app, client, db, supervisor):
    app.config["IMPORT_MAX_BYTES"] = 100
    response = upload(client, "products", "sku,name\n" + "A,B\n" * 50)
    assert response.status_code == 400
    assert "larger than" in response.text


def test_import_without_a_file_says_choose_one(client, supervisor):
    response = client.post("/products/import/products", data={},
                           content_type="multipart/form-data")
    assert "Choose a CSV file" in response.text


def test_import_accepts_semicolons_and_a_bom(client, db, supervisor):
    upload(client, "products", "\ufeffsku;name\nA-1;Semi colon\n")
    assert db.session.scalar(select(Product.name)) == "Semi colon"


def test_export_products_round_trips(client, db, supervisor, make_product):
    make_product("TEE-M", name="T-shirt, \"M\"", category="Apparel > T-shirts",
                 supplier="Acme", unit_cost="3.5", sale_price="9.99", tracking="lot",
                 variant_group="TEE", variant="M / blue", reorder_point=4,
                 barcodes=[EAN, {"code": "CASE-M", "pack_size": 12},
                           {"code": "96385074", "kind": "internal"}])
    make_product("=HYPERLINK(1)", active=False)
    exported = client.get("/products/export/products.csv")
    assert exported.mimetype == "text/csv"
    assert "'=HYPERLINK(1),'=HYPERLINK(1)," in exported.text
    before = exported.text
    db.session.execute(Barcode.__table__.delete())
    db.session.execute(Product.__table__.delete())
    db.session.execute(ScanCode.__table__.delete().where(ScanCode.kind == "product"))
    db.session.commit()
    assert upload(client, "products", before).status_code == 303
    assert client.get("/products/export/products.csv").text == before


def test_export_escapes_formula_names_and_imports_them_back(client, db, supervisor,
                                                            make_product):
    make_product("F-1", name="=cmd|' /C calc'!A0")
    text = client.get("/products/export/products.csv").text
    assert ",'=cmd|" in text
    db.session.execute(Product.__table__.delete())
    db.session.execute(ScanCode.__table__.delete().where(ScanCode.kind == "product"))
    db.session.commit()
    upload(client, "products", text)
    assert db.session.scalar(select(Product.name)) == "=cmd|' /C calc'!A0"


def test_import_locations_builds_the_tree(client, db, supervisor):
    text = ("code,kind,name,parent,sequence,capacity\n"
            "wh1,warehouse,Main,,,\nA,zone,Aisle A,WH1,1,\nA-01,bin,,A,2,40\n")
    assert upload(client, "locations", text).status_code == 303
    bin_ = db.session.scalar(select(Location).where(Location.code == "A-01"))
    assert bin_.path == "WH1 / A / A-01" and bin_.capacity == 40 and bin_.sequence == 2


def test_import_locations_with_bad_rows_imports_nothing(client, db, supervisor):
    text = ("code,kind,parent,capacity\n"
            "WH1,warehouse,,\nA-01,bin,NOPE,\nA-02,shelf,WH1,\nA-03,bin,WH1,0\n")
    html = upload(client, "locations", text).text
    assert "Line 3: No location with code NOPE." in html
    assert "Line 4: kind is one of warehouse, zone, bin." in html
    assert "Line 5: capacity must be between 1 and 1,000,000,000." in html
    assert db.session.scalar(select(func.count()).where(Location.code == "WH1")) == 0


def test_export_locations_round_trips(client, db, supervisor, make_location):
    zone = make_location("Z1", "zone", sequence=3)
    make_location("A-01", parent=zone, capacity=10, name="Top shelf")
    make_location("A-00", parent=zone)
    before = client.get("/products/export/locations.csv").text
    assert before.index("WH1") < before.index("Z1") < before.index("A-01")
    db.session.execute(Location.__table__.delete().where(Location.parent_id.is_not(None)
                                                         & (Location.kind == "bin")))
    db.session.execute(Location.__table__.delete().where(Location.kind == "zone"))
    db.session.execute(Location.__table__.delete().where(Location.kind == "warehouse"))
    db.session.execute(ScanCode.__table__.delete().where(ScanCode.code.in_(["WH1", "Z1", "A-01",
                                                                           "A-00"])))
    db.session.commit()
    assert upload(client, "locations", before).status_code == 303
    assert client.get("/products/export/locations.csv").text == before


def test_import_opening_stock_posts_receipts(client, db, supervisor, make_product,
                                             make_location):
    make_product("TEE-M")
    make_product("MILK", tracking="lot")
    make_location("A-01")
    text = ("sku,location,qty,lot,expiry,unit_cost\n"
            "TEE-M,a-01,5,,,2.50\nMILK,A-01,3,L1,2027-03-31,0.80\n")
    assert upload(client, "stock", text).status_code == 303
    movements = db.session.scalars(select(Movement)).all()
    assert [m.kind for m in movements] == [MovementKind.RECEIVE] * 2
    assert all(m.from_location.code == "SUPPLIER" and m.user_id == supervisor.id
               for m in movements)
    assert movements[1].lot.expiry.isoformat() == "2027-03-31"
    assert balances.verify() == []


def test_opening_stock_with_bad_rows_posts_nothing(client, db, supervisor, make_product,
                                                   make_location):
    make_product("TEE-M")
    make_location("A-01")
    text = ("sku,location,qty,lot,expiry\n"
            "TEE-M,A-01,5,,\nNOPE,A-01,1,,\nTEE-M,ZZZ,1,,\nTEE-M,A-01,0,,\n"
            "TEE-M,A-01,1,L1,\nTEE-M,A-01,1,,31/12/2027\nTEE-M,SUPPLIER,1,,\n")
    html = upload(client, "stock", text).text
    for line, message in [(3, "No product with SKU NOPE."), (4, "No location with code ZZZ."),
                          (5, "Quantity must be at least 1."),
                          (6, "TEE-M is not tracked by lot or serial."),
                          (7, "is not a date like"),
                          (8, "SUPPLIER is not a warehouse, zone or bin.")]:
        assert f"Line {line}:" in html and message in html
    assert count(db, Movement) == 0 and count(db, StockLevel) == 0


def test_the_same_opening_stock_file_imports_only_once(client, db, supervisor, make_product,
                                                       make_location):
    make_product("TEE-M")
    make_location("A-01")
    text = "sku,location,qty\nTEE-M,A-01,5\n"
    upload(client, "stock", text)
    response = upload(client, "stock", text)
    assert "imported before" in response.text
    assert count(db, Movement) == 1


def test_export_stock_round_trips_as_opening_stock(client, db, supervisor, make_product,
                                                   make_location, stock):
    tee, milk = make_product("TEE-M"), make_product("MILK", tracking="lot")
    a, b = make_location("A-01"), make_location("B-01")
    stock(tee, a, 5, unit_cost="2")
    stock(milk, b, 3, lot="L1", expiry=None)
    before = client.get("/products/export/stock.csv").text
    assert "TEE-M,TEE-M,A-01,,,5,0,5,2" in before
    db.session.execute(StockLevel.__table__.update().values(on_hand=0))
    db.session.commit()
    assert upload(client, "stock", before).status_code == 303
    assert client.get("/products/export/stock.csv").text == before


# Big files go in short transactions (csvfile's `chunked`): checked first, then written.

@pytest.fixture
def one_row_a_chunk(monkeypatch):
    """Every row its own transaction, so a small file crosses many chunk boundaries."""
    from warehouse_app import csvfile
    monkeypatch.setattr(csvfile, "CHUNK_SECONDS", 0)


def test_a_chunked_import_is_still_all_or_nothing(client, db, supervisor, one_row_a_chunk):
    codes = count(db, ScanCode)
    rows = "".join(f"P-{n},Product {n}\n" for n in range(30))
    html = upload(client, "products", "sku,name\n" + rows + "BAD,\n").text
    assert "Line 32:" in html and "nothing was imported" in html
    assert count(db, Product) == 0 and count(db, ScanCode) == codes


def test_a_chunked_import_writes_every_row_and_commits_as_it_goes(client, db, supervisor,
                                                                  one_row_a_chunk):
    rows = "".join(f"P-{n},Product {n},CODE-{n}\n" for n in range(30))
    assert upload(client, "products", "sku,name,barcodes\n" + rows).status_code == 303
    assert count(db, Product) == 30 and count(db, Barcode) == 30
    assert "Imported products: 30 created" in client.get("/products/import").text


@pytest.mark.parametrize("second", ["p-1,Again", "P-2,Two,P-1", "P-2,Two,ean-9 EAN-9",
                                    "P-2,Two,EAN-7"])
def test_a_code_twice_in_one_file_is_a_bad_line(client, db, supervisor, second):
    text = f"sku,name,barcodes\nP-1,One,EAN-7\n{second}\n"
    html = upload(client, "products", text).text
    assert "Line 3:" in html and "is also on line" in html
    assert count(db, Product) == 0


def test_a_row_the_database_refuses_after_the_check_stops_the_import_and_says_where(app, db):
    """The check passed, then another writer took a key: the lines before are in, the rest
    not, and the answer says which."""
    from warehouse_app import csvfile
    from warehouse_app.catalog import products
    from warehouse_app.errors import DomainError

    upload_ = csvfile.Upload("p.csv", [(n + 2, {"sku": f"P-{n}", "name": "x"})
                                       for n in range(5)], [], b"")
    seen: dict[str, int] = {}

    def handle(row):
        seen[row["sku"]] = seen.get(row["sku"], 0) + 1
        if row["sku"] == "P-3" and seen["P-3"] == 2:  # its second pass: the write
            raise DomainError("SKU P-3 is already taken.")
        products.create(row)
        return "created"

    with app.test_request_context(method="POST"):
        with pytest.raises(csvfile.Interrupted) as err:
            csvfile.run(upload_, handle, chunked=True)
    assert "Line 5: SKU P-3 is already taken." in err.value.message
    assert "lines 2-4 were imported" in err.value.message
    db.session.rollback()
    assert sorted(db.session.scalars(select(Product.sku))) == ["P-0", "P-1", "P-2"]


def test_the_same_stock_file_twice_at_once_posts_once(app, db, make_product, make_location,
                                                      make_user, one_row_a_chunk):
    """Two uploads of one file that both passed the 'imported before' check: each line is an
    operation of its own, so the second replays the lines and posts nothing."""
    from warehouse_app import csvfile
    from warehouse_app.ledger import stock_csv

    make_product("TEE-M")
    make_location("A-01")
    user = make_user("boss", role="supervisor")
    text = b"sku,location,qty\n" + b"TEE-M,A-01,1\n" * 6
    rows = [(n + 2, {"sku": "TEE-M", "location": "A-01", "qty": "1"}) for n in range(6)]
    with app.test_request_context(method="POST"):
        for _ in range(2):
            stock_csv.receive(csvfile.Upload("s.csv", rows, [], text), user)
    assert count(db, Movement) == 6
    assert balances.verify() == []


def test_a_serial_number_twice_in_one_stock_file_is_a_bad_line(client, db, supervisor,
                                                               make_product, make_location):
    make_product("CAM", tracking="serial")
    make_location("A-01")
    html = upload(client, "stock", "sku,location,qty,lot\nCAM,A-01,1,SN1\nCAM,A-01,1,sn1\n").text
    assert "Line 3:" in html and "Serial number CAM sn1 is also on line 2" in html
    assert count(db, Movement) == 0


# New products whose codes are free are checked in Python and written many to a statement
# (catalog/csv_io.NewProducts); what they leave is what the row-by-row way leaves.

def test_new_products_written_many_at_once_are_whole(client, db, supervisor):
    from warehouse_app.audit.models import AuditEntry
    from warehouse_app.catalog.models import Category, Supplier
    from warehouse_app.scanning import resolver

    rows = "".join(f"N-{n},New {n},Shop > Aisle {n % 3},Acme,{n}.25,lot,CODE-{n}:internal:6\n"
                   for n in range(250))  # three batches
    text = "sku,name,category,supplier,unit_cost,tracking,barcodes\n" + rows
    codes_before = count(db, ScanCode)
    assert upload(client, "products", text).status_code == 303
    assert "Imported products: 250 created" in client.get("/products/import").text
    assert count(db, Product) == 250 and count(db, Barcode) == 250
    assert count(db, Category) == 4 and count(db, Supplier) == 1  # each made once
    last = db.session.scalar(select(Product).where(Product.sku == "N-249"))
    assert (last.name, last.category.path, last.supplier.name, last.unit_cost,
            last.avg_cost, last.tracking.value) == (
        "New 249", "Shop > Aisle 0", "Acme", Decimal("249.25"), Decimal("249.25"), "lot")
    assert [(b.code, b.kind.value, b.pack_size) for b in last.barcodes] == [
        ("CODE-249", "internal", 6)]
    assert resolver.resolve("CODE-249").product.id == last.id  # the code names it
    assert count(db, ScanCode) == codes_before + 500
    created = db.session.scalars(select(AuditEntry.entity).where(AuditEntry.action == "create"))
    assert {"barcode", "category", "product", "supplier"} <= set(created)
    assert db.session.scalar(select(func.count()).where(
        AuditEntry.entity == "product", AuditEntry.action == "create")) == 250


def test_a_file_of_new_and_known_products_names_every_bad_line(client, db, supervisor,
                                                               make_product):
    make_product("OLD", name="Old", barcodes=["OLD-CODE"])
    make_product("OTHER", name="Other", barcodes=["OTHER-CODE"])
    rows = "".join(f"N-{n},New {n},\n" for n in range(120))  # lines 2-121
    text = ("sku,name,barcodes\n" + rows + "OLD,Renamed,OLD-CODE\nN-X,Thief,OTHER-CODE\n"
            "N-Y,,\nN-Z,Dear,EAN-1 old\n")
    html = upload(client, "products", text).text
    assert "Line 123: Barcode OTHER-CODE already belongs to OTHER." in html
    assert "Line 124: name is required." in html
    assert "Line 125: Code old is also on line 122" in html
    assert "Line 122:" not in html and "3 bad row(s); nothing was imported" in html
    assert count(db, Product) == 2
    assert db.session.scalar(select(Product.name).where(Product.sku == "OLD")) == "Old"


def test_new_and_known_products_in_one_file(client, db, supervisor, make_product):
    make_product("OLD", name="Old")
    rows = "".join(f"N-{n},New {n}\n" for n in range(150))
    assert upload(client, "products", "sku,name\nOLD,Renamed\n" + rows).status_code == 303
    assert "150 created, 1 updated" in client.get("/products/import").text
    assert db.session.scalar(select(Product.name).where(Product.sku == "OLD")) == "Renamed"


def test_a_code_taken_between_the_check_and_a_batch_stops_at_its_line(app, db):
    """Another writer takes a code after the file was checked: the batch holding it is undone
    and its rows go one by one, so the lines before it are in and the answer names it."""
    from warehouse_app import csvfile
    from warehouse_app.catalog import csv_io, products

    upload_ = csvfile.Upload("p.csv", [(n + 2, {"sku": f"P-{n}", "name": "x",
                                                "barcodes": f"CODE-{n}"})
                                       for n in range(250)], [], b"")
    new = csv_io.NewProducts()

    def ready(rows):
        vouched = new.ready(rows)
        products.create({"sku": "THIEF", "name": "Thief", "barcodes": ["code-150"]})
        db.session.commit()
        return vouched

    with app.test_request_context(method="POST"):
        with pytest.raises(csvfile.Interrupted) as err:
            csvfile.run(upload_, csv_io._import_row, chunked=True,
                         many=csvfile.Many(ready, new.write, new.forget))
    assert "Line 152:" in err.value.message and "lines 2-151 were imported" in err.value.message
    db.session.rollback()
    assert count(db, Product) == 151  # 150 of the file and the thief
