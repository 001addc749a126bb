"""The CSV importers and exports under fuzz.

Importers (products, locations, opening stock on the Import / Export page; orders, purchase
orders, carrier tracking on theirs) get random bytes, other encodings, BOMs, formula cells, huge
fields, broken quoting and missing or odd headers: never a 5xx, and a file that is refused
changes nothing (every table counted before and after). A file of good rows with one bad row
imports nothing and names the bad line. Exports: the app writes a leading ' before a cell a
spreadsheet would run as a formula (csvfile.safe_cell, undone on import); every CSV download is
checked for it, and hostile files round-trip through export and import.
"""
import csv
import io
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile.conftest import FIELDS, last_crash, row_counts, texts

# History "n days ago" and "this month" are read on a fixed day (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("fixed_clock")


SETTINGS = settings(deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))
IMPORTS = {  # where each file goes, and the columns it may have
    "products": ("/products/import/products",
                 ["sku", "name", "description", "category", "supplier", "unit_cost",
                  "sale_price", "reorder_point", "safety_stock", "lead_time_days", "tracking",
                  "variant_group", "variant", "active", "barcodes"]),
    "locations": ("/products/import/locations",
                  ["code", "kind", "name", "parent", "sequence", "capacity", "active"]),
    "stock": ("/products/import/stock", ["sku", "location", "qty", "lot", "expiry",
                                         "unit_cost"]),
    "orders": ("/orders/import", ["reference", "sku", "qty", "customer", "address", "postcode",
                                  "warehouse", "allow_backorder", "allow_split"]),
    "purchase orders": ("/orders/purchase/import", ["reference", "supplier", "sku", "qty",
                                                    "warehouse", "expected_date", "unit_cost"]),
    "tracking": ("/integrations/tracking", ["reference", "carrier", "tracking"]),
}
FORMULAS = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(1+1)",
            '=HYPERLINK("http://evil.example","x")', "=1+1", "-A1", "+cmd", "@A1"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def cell():
    """One hostile cell: formulas, markup, quotes, separators, newlines, unicode, huge."""
    return st.one_of(
        st.sampled_from(FORMULAS + ["", " ", '"', '""', "'", "'=1", ";", ",", "\n", "\r\n",
                                    "\x00", "\ufeff", "A-01", "P-1", "WH1", "1", "-1", "0",
                                    "yes", "bin", "lot", "2027-02-30", "1e999", "NaN",
                                    "<script>alert(1)</script>", "' OR 1=1 --"]),
        st.text(max_size=30),
        st.builds(lambda c, n: c * n, st.sampled_from(["x", "=", '"', "é"]),
                  st.integers(1000, 140_000)),
    )


def text_cell(limit: int = 60, path: bool = False):
    """Text an importer must accept and keep as it is: formulas, markup, quotes, separators,
    any printable unicode; a category path has no '>' here (it splits levels)."""
    printable = st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp"),
                              exclude_characters=">" if path else "")
    formula = st.sampled_from([f for f in FORMULAS if len(f) < limit])
    return st.one_of(formula, st.builds("'{}".format, formula),  # typed with a quote in front
                     st.sampled_from(["<b>x</b>", '"quoted"', "a,b;c", "''", "Ünï"]),
                     st.text(printable, min_size=1, max_size=limit)).filter(
        lambda t: t.strip() and not (path and "" in [p.strip() for p in t.split(">")]))


# What each importer's columns hold when a row is meant to be good.
GOOD = {
    "products": {"sku": st.sampled_from(["N-1", "N-2", "=N3", "-N4", "@N5", "+N6", "P-1"]),
                 "name": text_cell(200), "description": text_cell(), "category": text_cell(
                     path=True), "supplier": text_cell(120), "unit_cost": st.sampled_from(
                     ["", "1.5", "0"]), "reorder_point": st.sampled_from(["", "5"]),
                 "variant_group": text_cell(64), "variant": text_cell(64),
                 "active": st.sampled_from(["", "yes", "no"])},
    "locations": {"code": st.sampled_from(["L-1", "=B1", "@B2", "-B3", "+B4"]),
                  "kind": st.just("bin"), "name": text_cell(120), "parent": st.just("WH1"),
                  "sequence": st.sampled_from(["", "3"]), "capacity": st.sampled_from(["",
                                                                                       "9"])},
    "stock": {"sku": st.just("P-1"), "location": st.just("A-01"),
              "qty": st.sampled_from(["1", "2"]), "unit_cost": st.sampled_from(["", "2.5"])},
    "orders": {"reference": st.sampled_from(["SO-9", "=SO-8", "@SO-7"]), "sku": st.just("P-1"),
               "qty": st.just("1"), "customer": text_cell(200), "address": text_cell(200),
               "postcode": text_cell(20)},
    "purchase orders": {"reference": st.sampled_from(["PO-9", "=PO-8", "-PO-7"]),
                        "supplier": text_cell(120), "sku": st.just("P-1"), "qty": st.just("3")},
}
# One way per importer to make a row bad, whatever else it holds.
BAD = {"products": [{"sku": "BAD 1"}, {"name": ""}, {"reorder_point": "-4"},
                    {"name": "x" * 201}, {"tracking": "sometimes"}, {"name": "a\x01b"}],
       "locations": [{"kind": "shelf"}, {"parent": "NOPE"}, {"capacity": "0"},
                     {"name": "x" * 121}, {"code": "A B"}],
       "stock": [{"qty": "0"}, {"location": "NOWHERE"}, {"sku": "NOPE"},
                 {"qty": "-5"}, {"expiry": "31/12/2027"}],
       "orders": [{"qty": "0"}, {"sku": "NOPE"}, {"reference": "SO 1"},
                  {"customer": "x" * 201}],
       "purchase orders": [{"qty": "0"}, {"sku": "NOPE"}, {"supplier": ""},
                           {"reference": "PO/1"}]}


@st.composite
def good_rows(draw, what: str, min_size: int = 1) -> list[dict]:
    """Rows an importer takes; each key that names a document or product appears once."""
    columns = GOOD[what]
    rows = draw(st.lists(st.fixed_dictionaries(columns), min_size=min_size, max_size=4))
    key = {"products": "sku", "locations": "code", "orders": "reference",
           "purchase orders": "reference"}.get(what)
    return list({row[key]: row for row in rows}.values()) if key else rows


def write(rows: list[dict], columns: list[str], delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, delimiter=delimiter, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def header(columns: list[str]):
    """A first line: the right columns, some missing, unknown, doubled, or oddly written."""
    name = st.one_of(st.sampled_from(columns), st.sampled_from(["", "colour", "SKU ", " Name",
                                                                 "sku\x00", "=sku"]))
    return st.lists(name, min_size=0, max_size=len(columns) + 2)


@st.composite
def csv_file(draw) -> tuple[str, bytes, str]:
    """(importer, file bytes, file name) of every awkward kind."""
    what = draw(st.sampled_from(sorted(IMPORTS)))
    columns = IMPORTS[what][1]
    kind = draw(st.sampled_from(["bytes", "text", "text", "good", "good"]))
    if kind == "bytes":
        data = draw(st.binary(max_size=3000))
    elif kind == "good" and what in GOOD:  # good rows, then perhaps spoiled on the way
        text = write(draw(good_rows(what)), list(GOOD[what]), draw(st.sampled_from(",;")))
        data = draw(st.sampled_from([b"", b"\xef\xbb\xbf"])) + text.encode(draw(
            st.sampled_from(["utf-8", "utf-8", "utf-16", "cp1252"])), "replace")
    else:
        head = draw(st.one_of(st.just(columns), header(columns)))
        rows = draw(st.lists(st.lists(cell(), max_size=len(columns) + 2), max_size=6))
        delimiter = draw(st.sampled_from([",", ";", "\t"]))
        out = io.StringIO()
        writer = csv.writer(out, delimiter=delimiter, quoting=draw(
            st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONE])), escapechar="\\")
        for row in [head, *rows]:
            writer.writerow(row)
        text = out.getvalue()
        if draw(st.booleans()):
            text = text.replace('"', "", 1)  # an unbalanced quote
        encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-32",
                                         "latin-1", "cp1252", "utf-8"]))
        data = draw(st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe"])) + text.encode(
            encoding, "replace")
    name = draw(st.sampled_from(["file.csv", "FILE.CSV", "../../etc/passwd.csv",
                                 "file.csv.exe", "file.txt", "", "a\x00.csv", "файл.csv"]))
    return what, data, name


@pytest.fixture
def desk(db, make_product, make_location, stock, login_as, no_csrf, crash_as_500):
    """A product in a bin, a packed order to import against; an admin logged in."""
    from warehouse_app.orders import picking, reserving, shipping
    stock(make_product("P-1"), make_location("A-01"), 5)
    order = reserving.place({"reference": "SO-1", "lines": [{"sku": "P-1", "qty": 1}]})
    picking.pick(order, {"line": order.lines[0].id, "location": "A-01", "code": "P-1",
                         "qty": 1}, None)
    shipping.pack(order)
    db.session.commit()
    return login_as("admin")


def upload(client, what: str, data: bytes, name: str = "file.csv"):
    return client.post(IMPORTS[what][0], data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_any_file_gets_no_5xx_and_a_refused_file_changes_nothing(client, db, desk,
                                                                  crash_as_500):
    """Random bytes, other encodings and BOMs, odd headers, broken quoting, huge cells, odd
    file names, and good rows spoiled on the way, to each of the six importers."""
    tally = {"tried": 0, "imported": 0, "refused": 0}
    failures: list[str] = []

    @settings(SETTINGS, max_examples=180)
    @given(case=csv_file())
    def run(case):
        what, data, name = case
        before = row_counts()
        response = upload(client, what, data, name)
        tally["tried"] += 1
        if response.status_code >= 500:
            failures.append(f"{what} {name!r} {data[:60]!r}: {response.status_code} "
                            f"{last_crash(crash_as_500)}")
        elif response.status_code == 303 and "error" not in _flashes(client):
            tally["imported"] += 1
        else:
            tally["refused"] += 1
            if (after := row_counts()) != before:
                changed = {t: (before[t], after[t]) for t in after if after[t] != before[t]}
                failures.append(f"{what} refused ({response.status_code}) but changed "
                                f"{changed}: {data[:80]!r}")

    run()
    print(f"hostile: {tally['tried']} fuzzed CSV files to {len(IMPORTS)} importers: "
          f"{tally['imported']} imported, {tally['refused']} refused with nothing changed, "
          f"{len(failures)} failures")
    assert tally["refused"] >= 100 and tally["imported"] >= 10
    assert not failures, "\n".join(failures[:30])


def _flashes(client) -> str:
    """The categories of the messages the last request flashed (taken, so they do not pile
    up in the cookie over many requests)."""
    with client.session_transaction() as session:
        return " ".join(category for category, _ in session.pop("_flashes", []))


def _line_errors(body: str) -> list[int]:
    """The lines an import error page names."""
    return sorted({int(n) for n in re.findall(r"<li>Line (\d+):", body)})


def test_one_bad_row_among_hostile_good_rows_imports_nothing(client, db, desk, crash_as_500):
    """Good rows full of formulas, markup and unicode, one bad row anywhere: the file is
    refused with that line named, and nothing of the good rows is kept."""
    tally = {"files": 0, "rows": 0}
    failures: list[str] = []

    @settings(SETTINGS, max_examples=60)
    @given(data=st.data())
    def run(data):
        what = data.draw(st.sampled_from(sorted(GOOD)))
        rows = data.draw(good_rows(what))
        bad = {**data.draw(st.fixed_dictionaries(GOOD[what])),
               **{"sku": "BAD-1", "code": "BAD-1", "reference": "BAD-1"}}
        bad = {k: v for k, v in bad.items() if k in GOOD[what]}
        bad.update(data.draw(st.sampled_from(BAD[what])))
        at = data.draw(st.integers(0, len(rows)))
        rows.insert(at, bad)
        columns = list(dict.fromkeys([*GOOD[what], *bad]))
        before = row_counts()
        response = upload(client, what, write(rows, columns).encode())
        _flashes(client)
        tally["files"] += 1
        tally["rows"] += len(rows)
        body = response.get_data(as_text=True)
        if response.status_code >= 500:
            failures.append(f"{what}: {response.status_code} {last_crash(crash_as_500)}")
        elif response.status_code != 422 or _line_errors(body) != [at + 2]:
            failures.append(f"{what} bad row {bad} on line {at + 2}: {response.status_code}, "
                            f"said {re.findall(r'<li>(Line [^<]*)', body)} of {rows}")
        if (after := row_counts()) != before:
            changed = {t: (before[t], after[t]) for t in after if after[t] != before[t]}
            failures.append(f"{what} with a bad row changed {changed}")

    run()
    print(f"hostile: {tally['files']} files ({tally['rows']} rows, one bad in each) to "
          f"{len(GOOD)} importers, {len(failures)} imported something or named the wrong line")
    assert tally["files"] >= 50
    assert not failures, "\n".join(failures[:30])


def _snapshot(db, what: str) -> dict:
    """What the database holds of the products or locations a file may change."""
    from sqlalchemy import select

    from warehouse_app.catalog.models import Product
    from warehouse_app.locations.models import Location
    if what == "products":
        return {p.sku: (p.name, p.description, p.category.path if p.category else "",
                        p.supplier.name if p.supplier else "", p.variant_group, p.variant)
                for p in db.session.scalars(select(Product))}
    return {loc.code: loc.name for loc in db.session.scalars(select(Location))}


def unneutralised(text: str) -> list[str]:
    """Cells of a CSV download a spreadsheet would run as a formula."""
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row
            if cell.startswith(FORMULA_START) and not NUMBER.match(cell)]


def test_hostile_products_and_bins_round_trip_through_export_and_import(client, db, desk):
    """Imported text comes back out neutralised, and importing that export changes nothing."""
    failures: list[str] = []
    tally = {"files": 0, "cells": 0}

    @settings(SETTINGS, max_examples=25)
    @given(what=st.sampled_from(["products", "locations"]), data=st.data())
    def run(what, data):
        rows = data.draw(good_rows(what))
        response = upload(client, what, write(rows, list(GOOD[what])).encode())
        if response.status_code != 303 or "error" in _flashes(client):
            said = re.findall(r"<li>(Line [^<]*)", response.get_data(as_text=True))
            failures.append(f"{what} good file refused: {response.status_code} {said} {rows}")
            return
        stored = _snapshot(db, what)
        exported = client.get(f"/products/export/{what}.csv").get_data(as_text=True)
        tally["files"] += 1
        tally["cells"] += sum(len(row) for row in csv.reader(io.StringIO(exported)))
        if bad := unneutralised(exported):
            failures.append(f"{what} export runs formulas: {bad[:3]}")
        upload(client, what, exported.encode())
        _flashes(client)
        db.session.expire_all()
        if (again := _snapshot(db, what)) != stored:
            changed = {k: (stored.get(k), again.get(k)) for k in again if again[k] != stored.get(k)}
            failures.append(f"{what}: importing the export changed {changed}")

    run()
    print(f"hostile: {tally['files']} hostile files exported and imported back "
          f"({tally['cells']} cells), {len(failures)} changed or unneutralised")
    assert tally["files"] >= 20
    assert not failures, "\n".join(failures[:20])


def test_a_name_starting_with_a_quote_and_a_formula_sign_survives_export_and_import(
        client, db, desk, make_product):
    """"'=1" is what the user typed; the export must not turn it into "=1" on the way back."""
    make_product("Q-1", name="'=1+1", description="'@note")
    exported = client.get("/products/export/products.csv").get_data(as_text=True)
    upload(client, "products", exported.encode())
    db.session.expire_all()
    assert _snapshot(db, "products")["Q-1"][:2] == ("'=1+1", "'@note")


FORMULA_TEXT = texts(FORMULAS, FIELDS)


@pytest.fixture
def formulas(world):
    """Every free-text field a formula; a SKU, bin code and username that start like one."""
    from warehouse_app.orders import shipping
    from warehouse_app.orders.documents import order_by_reference
    built = world(FORMULA_TEXT, sku="=SKU+1", code="-B2", username="@victim")
    shipping.pack(order_by_reference(built["order"]))
    from warehouse_app.extensions import db
    db.session.commit()
    return built


def _downloads(w: dict) -> list[str]:
    from datetime import date
    today = date.today().isoformat()
    return ["/products/export/products.csv", "/products/export/locations.csv",
            "/products/export/stock.csv", f"/counting/{w['count']}/lines.csv",
            "/counting/reports?report=accuracy&format=csv",
            "/counting/reports?report=users&format=csv",
            f"/integrations/journal.csv?from={today}&to={today}",
            f"/api/v1/exports/journal.csv?from={today}&to={today}",
            "/integrations/shipments.csv", "/api/v1/exports/shipments?format=csv"]


def test_every_csv_download_neutralises_formula_cells(client, db, formulas, login_as):
    login_as("admin")
    failures, cells, neutralised = [], 0, 0
    for url in _downloads(formulas):
        response = client.get(url)
        assert response.status_code == 200 and response.mimetype == "text/csv", url
        rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
        cells += sum(len(row) for row in rows)
        neutralised += sum(cell.startswith("'") for row in rows for cell in row)
        if bad := unneutralised(response.get_data(as_text=True)):
            failures.append(f"{url}: {bad}")
    print(f"hostile: {len(FORMULAS)} formula payloads in {len(FIELDS) + 3} fields, "
          f"{len(_downloads(formulas))} CSV downloads, {cells} cells, {neutralised} "
          f"neutralised, {len(failures)} downloads with a live formula")
    assert neutralised >= 30  # the hostile text really was in the files
    assert not failures, "\n".join(failures)


def test_every_report_csv_neutralises_formula_cells(client, db, formulas, login_as):
    """The Reports pages offer each report as CSV (/api/v1/reports/<name>?format=csv)."""
    from warehouse_app.insight.reports.base import REGISTRY
    login_as("admin")
    failures, cells = [], 0
    for name in sorted(REGISTRY):
        response = client.get(f"/api/v1/reports/{name}?format=csv")
        assert response.status_code == 200 and response.mimetype == "text/csv", name
        text = response.get_data(as_text=True)
        cells += sum(len(row) for row in csv.reader(io.StringIO(text)))
        if bad := unneutralised(text):
            failures.append(f"/api/v1/reports/{name}?format=csv: {sorted(set(bad))}")
    print(f"hostile: {len(REGISTRY)} report CSVs, {cells} cells, {len(failures)} with "
          f"unneutralised formula cells")
    assert not failures, "\n".join(failures)
