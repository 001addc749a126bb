"""One road per input: the same product sent as API JSON, as the product page's form and as a
one-row CSV import is refused for the same field with the same message and writes nothing, or
is written the same way (catalog/inputs.py checks all three, products.create carries it out)."""
from decimal import Decimal

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from tests.support import one_road
from warehouse_app.catalog.models import Barcode, Category, Product, Supplier
from warehouse_app.codes import ScanCode

EAN = "4006381333931"
ROADS = ("api", "form", "csv")


def typed(**fields):
    """A case's JSON body and, beside it, the text a form or CSV cell gives for it."""
    text = {}
    for key, value in fields.items():
        if key == "barcodes":
            text[key] = " ".join(b if isinstance(b, str) else
                                 ":".join(str(b[k]) for k in ("code", "kind", "pack_size")
                                          if k in b) for b in value)
        elif isinstance(value, bool):
            text[key] = "yes" if value else "no"
        else:
            text[key] = str(value)
    return fields, text


def send(road, client, headers, case):
    return one_road.send(road, client, headers, case,
                         api="/api/v1/products", form="/products/new",
                         columns=("sku", "name"))


def refused_alike(road, status, field, said, want_field, want_message):
    """The road refused the input naming the field, with the message the API gives."""
    assert status in (409, 422), (road, status, said)
    if road == "form":  # the page re-renders the form with the message
        assert str(escape(want_message)) in said, (road, want_message)
        return
    assert (field, said) == (want_field, want_message), road


def written(db) -> dict:
    db.session.commit()
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (Product, Barcode, Category, Supplier, ScanCode)}


@pytest.fixture
def roads(client, login_as, no_csrf, api_token):
    """Every road open to a supervisor: bearer headers for the API and the CSV import, and a
    logged-in session for the page."""
    headers = api_token("supervisor")
    login_as("supervisor")
    return headers


BAD = {
    "missing sku": (typed(name="Tee"), "sku", "sku is required."),
    "sku with a space": (typed(sku="TEE M", name="Tee"), "sku", "sku has no spaces."),
    "name too long": (typed(sku="TEE", name="x" * 201), "name",
                      "name is longer than 200 characters."),
    "name empty": (typed(sku="TEE", name=" "), "name", "name is required."),
    "description too long": (typed(sku="TEE", name="Tee", description="d" * 5001),
                             "description", "description is longer than 5000 characters."),
    "unit_cost not a number": (typed(sku="TEE", name="Tee", unit_cost="abc"), "unit_cost",
                               "unit_cost must be a number."),
    "unit_cost negative": (typed(sku="TEE", name="Tee", unit_cost=-1), "unit_cost",
                           "unit_cost must be between 0 and 1,000,000,000."),
    "unit_cost too many decimals": (typed(sku="TEE", name="Tee", unit_cost="1.23456"),
                                    "unit_cost", "unit_cost has at most 4 decimal places."),
    "sale_price too big": (typed(sku="TEE", name="Tee", sale_price="1000000000"), "sale_price",
                           "sale_price must be between 0 and 1,000,000,000."),
    "tracking unknown": (typed(sku="TEE", name="Tee", tracking="box"), "tracking",
                         "tracking is one of none, lot, serial."),
    "reorder_point negative": (typed(sku="TEE", name="Tee", reorder_point=-1), "reorder_point",
                               "reorder_point must be between 0 and 1,000,000,000."),
    "reorder_point a fraction": (typed(sku="TEE", name="Tee", reorder_point=1.5),
                                 "reorder_point", "reorder_point must be a whole number."),
    "lead_time_days too long": (typed(sku="TEE", name="Tee", lead_time_days=3651),
                                "lead_time_days", "lead_time_days must be between 0 and 3,650."),
    "active neither": (typed(sku="TEE", name="Tee", active="maybe"), "active",
                       "active must be true or false."),  # not a field of the page's form
    "category empty level": (typed(sku="TEE", name="Tee", category="A > > B"), "category",
                             "category has an empty level between two '>'."),
    "barcode check digit": (typed(sku="TEE", name="Tee", barcodes=["4006381333932"]),
                            "barcodes", "barcodes: 4006381333932 looks like an EAN/UPC but its "
                            "check digit is wrong; give kind 'internal' to keep it as it is."),
    "barcode kind not its digits": (
        typed(sku="TEE", name="Tee", barcodes=[{"code": "12345", "kind": "ean13"}]),
        "barcodes", "barcodes: 12345 is not a valid ean13 (length or check digit)."),
    "barcode too long": (typed(sku="TEE", name="Tee", barcodes=["B" * 65]), "barcodes",
                         "barcodes is longer than 64 characters."),
    "barcode pack_size zero": (
        typed(sku="TEE", name="Tee", barcodes=[{"code": "CASE", "kind": "internal",
                                                "pack_size": 0}]),
        "barcodes", "barcodes: pack_size must be between 1 and 100,000."),
    "barcode twice": (typed(sku="TEE", name="Tee", barcodes=["CODE-1", "CODE-1"]), "barcodes",
                      "The same barcode is listed twice."),
}


@pytest.mark.parametrize(("name", "road"), [
    (name, road) for name in BAD for road in ROADS
    if not (road == "form" and BAD[name][1] == "active")])  # the page's own button sets it
def test_a_bad_product_is_refused_alike_on_every_road(db, client, roads, road, name):
    case, field, message = BAD[name]
    before = written(db)
    status, got_field, said = send(road, client, roads, case)
    refused_alike(road, status, got_field, said, field, message)
    assert written(db) == before


@pytest.mark.parametrize("road", ROADS)
def test_a_barcode_or_sku_already_taken_is_refused_alike(db, client, roads, road, make_product):
    make_product("OTHER", barcodes=[EAN])
    before = written(db)
    status, field, said = send(road, client, roads, typed(sku="TEE", name="Tee",
                                                          barcodes=[EAN]))
    refused_alike(road, status, field, said, "barcodes",
                  f"Barcode {EAN} already belongs to OTHER.")
    status, field, said = send(road, client, roads, typed(sku="OTHER", name="Again"))
    if road == "csv":  # a row with a known SKU updates that product instead
        assert status == 201 and db.session.scalar(
            select(Product.name).where(Product.sku == "OTHER")) == "Again"
        return
    refused_alike(road, status, field, said, "sku", "SKU OTHER is already used.")
    assert written(db) == before


def test_a_barcode_kind_unknown_is_refused_alike_by_the_api_and_the_barcode_form(
        db, client, roads, make_product):
    product = make_product("TEE")
    answer = client.patch("/api/v1/products/TEE", headers=roads,
                          json={"barcodes": [{"code": "X1", "kind": "qr"}]})
    message = "barcodes: kind is one of ean13, ean8, upc, gtin, code128, internal."
    assert answer.status_code == 422
    assert answer.json["error"] == {"code": "invalid", "field": "barcodes", "message": message}
    page = client.post(f"/products/{product.id}/barcodes",
                       data={"code": "X1", "kind": "qr", "pack_size": "2"},
                       follow_redirects=True)
    assert str(escape(message)) in page.text
    assert written(db)["Barcode"] == 0


GOOD = typed(sku="TEE-M", name=" T-shirt M ", description="Cotton", category="Apparel > Tees",
             supplier="Acme", unit_cost="3.5", sale_price="9.99", reorder_point=5,
             safety_stock=2, lead_time_days=10, tracking="lot", variant_group="TEE",
             variant="M / blue", active=True,
             barcodes=[EAN, {"code": "CASE-M", "kind": "internal", "pack_size": 12}])


def as_stored(product: Product) -> dict:
    return {"sku": product.sku, "name": product.name, "description": product.description,
            "category": product.category.path, "supplier": product.supplier.name,
            "unit_cost": product.unit_cost, "avg_cost": product.avg_cost,
            "sale_price": product.sale_price, "reorder_point": product.reorder_point,
            "safety_stock": product.safety_stock, "lead_time_days": product.lead_time_days,
            "tracking": product.tracking.value, "variant_group": product.variant_group,
            "variant": product.variant, "active": product.active,
            "barcodes": [(b.code, b.kind.value, b.pack_size) for b in product.barcodes]}


@pytest.mark.parametrize("road", ROADS)
def test_a_good_product_is_written_the_same_on_every_road(db, client, roads, road):
    status, field, said = send(road, client, roads, GOOD)
    assert status in (201, 303), (status, field, said)
    db.session.commit()
    product = db.session.scalar(select(Product).where(Product.sku == "TEE-M"))
    assert as_stored(product) == {
        "sku": "TEE-M", "name": "T-shirt M", "description": "Cotton",
        "category": "Apparel > Tees", "supplier": "Acme", "unit_cost": Decimal("3.5"),
        "avg_cost": Decimal("3.5"), "sale_price": Decimal("9.99"), "reorder_point": 5,
        "safety_stock": 2, "lead_time_days": 10, "tracking": "lot", "variant_group": "TEE",
        "variant": "M / blue", "active": True,
        "barcodes": [(EAN, "ean13", 1), ("CASE-M", "internal", 12)]}
