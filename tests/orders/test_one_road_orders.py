"""One road per input: the same order sent as API JSON, as the order page's form and as a CSV
import (one row a line) is refused for the same field with the same message and writes nothing,
or is placed the same way (orders/inputs.py's OrderIn checks all three, reserving.place()
carries it out)."""
import csv
import io

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from tests.orders.conftest import reserved
from warehouse_app.orders.models import Order, OrderLine

ROADS = ("api", "form", "csv")
HEADER = ("reference", "customer", "address", "postcode", "latitude", "longitude", "warehouse",
          "allow_backorder", "allow_split")


def as_text(value) -> str:
    """What a form field or a CSV cell holds for a JSON value."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def send(road, client, headers, body):
    """(status, field, message) of one road's answer; field is None where the road's answer
    does not name it (the pages show only the message)."""
    if road == "api":
        answer = client.post("/api/v1/orders", json=body, headers=headers)
        error = (answer.json or {}).get("error") or {}
        return answer.status_code, error.get("field"), error.get("message")
    header = {key: as_text(body.get(key)) for key in HEADER}
    lines = body.get("lines", [])
    if road == "form":
        rows = "\n".join(f"{line['sku']} {as_text(line['qty'])}" for line in lines)
        answer = client.post("/orders/new", data={**header, "lines": rows})
        return answer.status_code, None, answer.text
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*HEADER, "sku", "qty"])
    writer.writeheader()
    for number, line in enumerate(lines or [{"sku": "", "qty": ""}]):
        first = header if number == 0 else {"reference": header["reference"]}
        writer.writerow({**first, "sku": line["sku"], "qty": as_text(line["qty"])})
    answer = client.post("/orders/import",
                         data={"file": (io.BytesIO(out.getvalue().encode()), "orders.csv")})
    return answer.status_code, None, answer.text


def written(db, site) -> tuple:
    db.session.commit()
    return (db.session.scalar(select(func.count()).select_from(Order)),
            db.session.scalar(select(func.count()).select_from(OrderLine)),
            reserved(db, site.p.mug, site.north), reserved(db, site.p.tee, site.north))


@pytest.fixture
def roads(site, client, login_as, no_csrf, api_token):
    """MUG 5 and TEE 3 in NORTH; bearer headers for the API, a logged-in page session."""
    site.stock(site.p.mug, site.bins.na1, 5)
    site.stock(site.p.tee, site.bins.nb1, 3)
    login_as("staff")
    return api_token("staff")


GOOD = {"reference": "SO-9", "lines": [{"sku": "MUG", "qty": 1}]}
LINE_ONE = "Line 1: "
BAD = {
    "missing reference": ({"lines": GOOD["lines"]}, 422, "reference", "reference is required."),
    "reference with a space": ({**GOOD, "reference": "SO 9"}, 422, "reference",
                               "reference has no spaces and none of / ? # % \\."),
    "reference too long": ({**GOOD, "reference": "R" * 65}, 422, "reference",
                           "reference is longer than 64 characters."),
    "customer too long": ({**GOOD, "customer": "c" * 201}, 422, "customer",
                          "customer is longer than 200 characters."),
    "address too long": ({**GOOD, "address": "a" * 1001}, 422, "address",
                         "address is longer than 1000 characters."),
    "postcode too long": ({**GOOD, "postcode": "p" * 21}, 422, "postcode",
                          "postcode is longer than 20 characters."),
    # A file cannot hold an order without a line: its one row, with no sku, is refused for that.
    "no lines": ({**GOOD, "lines": []}, 422, "lines", "An order has 1 to 500 lines.",
                 LINE_ONE + "sku is required."),
    "too many lines": ({**GOOD, "lines": [{"sku": f"S{n}", "qty": 1} for n in range(501)]},
                       422, "lines", "An order has 1 to 500 lines."),
    "unknown sku": ({**GOOD, "lines": [{"sku": "NOPE", "qty": 1}]}, 404, "lines",
                    LINE_ONE + "no product with SKU NOPE."),
    "qty 0": ({**GOOD, "lines": [{"sku": "MUG", "qty": 0}]}, 422, "lines",
              LINE_ONE + "Quantity must be between 1 and 1,000,000,000."),
    "qty -1": ({**GOOD, "lines": [{"sku": "MUG", "qty": -1}]}, 422, "lines",
               LINE_ONE + "Quantity must be between 1 and 1,000,000,000."),
    "qty 1.5": ({**GOOD, "lines": [{"sku": "MUG", "qty": 1.5}]}, 422, "lines",
                LINE_ONE + "Quantity must be a whole number."),
    "qty x": ({**GOOD, "lines": [{"sku": "MUG", "qty": "x"}]}, 422, "lines",
              LINE_ONE + "Quantity must be a whole number."),
    "one sku on two lines": ({**GOOD, "lines": [{"sku": "MUG", "qty": 1},
                                                {"sku": "MUG", "qty": 2}]}, 422, "lines",
                             "Line 2: MUG is already on line 1; put it on one line."),
    "latitude alone": ({**GOOD, "latitude": 53.8}, 422, "latitude",
                       "Give latitude and longitude together."),
    "latitude out of range": ({**GOOD, "latitude": 91, "longitude": 0}, 422, "latitude",
                              "latitude must be between -90 and 90."),
    "longitude not a number": ({**GOOD, "latitude": 1, "longitude": "east"}, 422, "longitude",
                               "longitude must be a number."),
    "allow_backorder neither": ({**GOOD, "allow_backorder": "maybe"}, 422, "allow_backorder",
                                "allow_backorder must be true or false."),
    "warehouse unknown": ({**GOOD, "warehouse": "NOWHERE"}, 404, "warehouse",
                          "No warehouse with code NOWHERE."),
    "warehouse a bin": ({**GOOD, "warehouse": "N-A-1"}, 422, "warehouse",
                        "N-A-1 is a bin, not a warehouse."),
}


@pytest.mark.parametrize("road", ROADS)
@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_a_bad_order_is_refused_alike_on_every_road_and_writes_nothing(client, db, site, roads,
                                                                       road, case):
    body, status, want_field, want_message, *in_file = BAD[case]
    before = written(db, site)
    got_status, field, said = send(road, client, roads, body)
    assert written(db, site) == before
    if road == "api":
        assert (got_status, field, said) == (status, want_field, want_message)
    elif road == "form":  # the page shows the form again with the message, the API's status
        assert got_status == status and str(escape(want_message)) in said, said[:2000]
    else:  # the file is refused whole, each bad order named by the line its first row is on
        want_message = in_file[0] if in_file else want_message
        assert got_status == 422 and f"Line 2: {escape(want_message)}" in said, said[:2000]


@pytest.mark.parametrize("road", ROADS)
def test_a_reference_already_used_is_refused_on_every_road(client, db, site, roads, road):
    assert client.post("/api/v1/orders", json=GOOD, headers=roads).status_code == 201
    before = written(db, site)
    status, field, said = send(road, client, roads, {**GOOD, "lines": [{"sku": "TEE",
                                                                       "qty": 1}]})
    assert written(db, site) == before
    want = "Order SO-9 already exists."
    if road == "api":
        assert (status, field, said) == (409, "reference", want)
    else:
        assert status == (409 if road == "form" else 422) and want in said


def placed(db, reference: str) -> tuple:
    db.session.commit()
    order = db.session.scalar(select(Order).where(Order.reference == reference))
    return (order.customer, order.address, order.postcode, order.latitude, order.longitude,
            order.allow_backorder, order.status.value,
            sorted((line.product.sku, line.warehouse.code, line.qty, line.reserved)
                   for line in order.lines))


@pytest.mark.parametrize("extra", [
    {},  # no customer, address or place: the app chooses the warehouse
    {"customer": " Ada Lovelace ", "address": "1 Park Row", "postcode": "LS1 5AB",
     "latitude": 53.8, "longitude": -1.55, "warehouse": "north", "allow_backorder": True},
], ids=["bare", "everything"])
def test_the_same_order_is_placed_alike_on_every_road(client, db, site, roads, extra):
    results = []
    for road in ROADS:
        body = {"reference": f"SO-{road}", "lines": [{"sku": "MUG", "qty": 1},
                                                      {"sku": "TEE", "qty": 1}], **extra}
        status, _, said = send(road, client, roads, body)
        assert status in (201, 303), (road, said)
        results.append(placed(db, f"SO-{road}"))
    assert results[0] == results[1] == results[2]
    assert results[0][-1] == [("MUG", "NORTH", 1, 1), ("TEE", "NORTH", 1, 1)]
    assert written(db, site)[2:] == (3, 3)
