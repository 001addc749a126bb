"""The label routes: who may print, what each selection prints, and clear 4xx for bad asks."""
import pytest
from sqlalchemy import select

from warehouse_app.ledger.models import Movement

from .conftest import EAN
from .raster import pdf_text, rasterise, read


def error(response, status: int, code: str | None = None, field: str | None = None) -> dict:
    assert response.status_code == status, response.text[:300]
    body = response.json["error"]
    assert set(body) == {"code", "message", "field"}
    if code:
        assert body["code"] == code
    if field:
        assert body["field"] == field
    return body


def test_anonymous_pages_go_to_login_and_files_get_401(client, shop):
    response = client.get("/labels/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert client.get("/labels/bins.html?location=ZONE-A").status_code == 302
    for path in ("/labels/products.pdf?sku=TEE-M", "/labels/bins.zpl?location=ZONE-A"):
        error(client.get(path), 401, "unauthorized")


def test_staff_print_a_product_sheet_pdf(client, shop, staff, tmp_path):
    response = client.get("/labels/products.pdf?sku=TEE-M&sku=CREME-1&price=1")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    reads = read(rasterise(response.data, tmp_path, 300), 300)
    assert sorted(r.text for r in reads) == sorted([EAN, "CREME-1"])  # EAN when it has one
    printed = pdf_text(response.data, tmp_path)
    assert "Crème brûlée à l'érable, Łódź" in printed and "12.50" in printed


def test_a_scanned_barcode_picks_its_product_and_copies_repeat_it(client, shop, staff):
    from warehouse_app.labels import selection
    job = selection.build("products", _args(sku=f"{EAN}\nCREME-1", copies="3"), "pdf")
    assert [label.code for label in job.labels] == ["TEE-M"] * 3 + ["CREME-1"] * 3


def test_category_and_search_select_products(client, shop, staff):
    from warehouse_app.labels import selection
    job = selection.build("products", _args(category="Apparel"), "pdf")
    assert [label.code for label in job.labels] == ["LONG-1", "TEE-M"]  # subcategories too
    job = selection.build("products", _args(q="brûlée"), "pdf")
    assert [label.code for label in job.labels] == ["CREME-1"]


def _args(**values):
    from werkzeug.datastructures import MultiDict
    return MultiDict(values)


def test_a_zone_prints_its_bins_in_walking_order(client, shop, staff):
    from warehouse_app.labels import selection
    job = selection.build("bins", _args(location="zone-a", arrow="up"), "pdf")
    assert [(label.code, label.arrow) for label in job.labels] == [("A-01-01", "up"),
                                                                   ("A-01-02", "up")]
    job = selection.build("bins", _args(location="WH1"), "pdf")
    assert [label.code for label in job.labels] == ["A-01-01", "A-01-02"]
    job = selection.build("signs", _args(location="WH1"), "pdf")
    assert [label.code for label in job.labels] == ["WH1", "ZONE-A", "ZONE-B"]


def test_bin_labels_as_zpl_for_a_zebra(client, shop, staff):
    response = client.get("/labels/bins.zpl?location=ZONE-A&template=thermal-2x1")
    assert response.status_code == 200
    assert response.text.count("^XA") == 2 and response.text.count("^XZ") == 2
    assert "^FD>:A-01-01^FS" in response.text
    assert 'filename="bins-thermal-2x1.zpl"' in response.headers["Content-Disposition"]


def test_receipt_labels_by_reference_per_unit_and_per_case(client, shop, staff, tmp_path):
    from warehouse_app.labels import selection
    assert len(selection.build("receipts", _args(reference="DN-4711"), "pdf").labels) == 30
    job = selection.build("receipts", _args(movement=str(shop["receipt"].id), per="case"), "pdf")
    assert [label.lines[0] for label in job.labels] == ["TEE-M · case of 12"] * 2 + [
        "TEE-M · part case of 6"]  # the case barcode says 12 units
    response = client.get(f"/labels/receipts.pdf?movement={shop['receipt'].id}&per=case"
                          "&case=10&template=letter-3x10")
    reads = read(rasterise(response.data, tmp_path, 300), 300)
    assert [r.text for r in reads] == ["01040063813339311726123110LOT42A"] * 3
    assert "(01)04006381333931(17)261231(10)LOT42A" in pdf_text(response.data, tmp_path)


def test_receipt_labels_by_purchase_order(client, db, shop, staff, make_user, api_token):
    from warehouse_app.labels import selection
    from warehouse_app.ledger.movements import reverse
    from warehouse_app.orders import purchasing
    error(client.get("/labels/receipts.pdf?po=PO-1"), 404, field="po")
    po = purchasing.create({"reference": "PO-1", "supplier": "Acme",
                            "lines": [{"sku": "TEE-M", "qty": 10}]})
    db.session.commit()
    error(client.get("/labels/receipts.pdf?po=PO-1"), 404, field="po")  # nothing received yet
    user = make_user("dock")
    for qty, lot in ((4, "LOT-P1"), (2, "LOT-P2"), (1, "LOT-P3")):
        purchasing.receive(po, {"location": "A-01-01", "code": "TEE-M", "qty": qty, "lot": lot,
                                "expiry": "2099-01-01"}, user)
    db.session.commit()
    undone = db.session.scalars(select(Movement).where(Movement.reference == "PO-1")
                                .order_by(Movement.id.desc())).first()
    reverse(undone)
    db.session.commit()
    job = selection.build("receipts", _args(po="PO-1"), "pdf")
    assert len(job.labels) == 6  # 4 + 2; the reversed receipt prints nothing
    page = client.get("/labels/receipts.pdf?po=PO-1")
    assert page.status_code == 200 and page.mimetype == "application/pdf"
    assert client.get("/api/v1/labels/receipts.pdf?po=PO-1",
                      headers=api_token("staff")).status_code == 200


def test_a_movement_that_is_not_a_receipt_is_refused(client, shop, staff, db):
    from warehouse_app.ledger.movements import reverse
    undo = reverse(shop["receipt"])
    db.session.commit()
    error(client.get(f"/labels/receipts.pdf?movement={undo.id}"), 422, field="movement")
    error(client.get(f"/labels/receipts.pdf?movement={shop['receipt'].id}"), 422,
          field="movement")  # it was reversed
    error(client.get("/labels/receipts.pdf?reference=DN-4711"), 404, field="reference")


@pytest.mark.parametrize("path, status, code, field, named", [
    ("/labels/products.pdf?sku=NOPE-9", 404, "not_found", "sku", "NOPE-9"),
    ("/labels/bins.pdf?location=Z-404", 404, "not_found", "location", "Z-404"),
    ("/labels/bins.zpl?location=SUPPLIER", 422, "invalid", "location", "SUPPLIER"),
    ("/labels/products.pdf?sku=TEE-M&copies=0", 422, "out_of_range", "copies", "1"),
    ("/labels/products.pdf?sku=TEE-M&copies=100000", 422, "out_of_range", "copies", "1,000"),
    ("/labels/receipts.pdf?reference=DN-4711&copies=200", 422, "too_many", "per", "30"),
    ("/labels/products.pdf?sku=TEE-M&template=a5-99", 422, "unknown_template", "template",
     "a4-3x10, letter-3x10, thermal-2x1, thermal-4x6"),
    ("/labels/products.zpl?sku=TEE-M&template=a4-3x10", 422, "unknown_template", "template",
     "thermal-2x1"),
    ("/labels/products.pdf?sku=TEE-M&skip=30", 422, "out_of_range", "skip", "29"),
    ("/labels/products.pdf", 422, "nothing_selected", "sku", "SKU"),
    ("/labels/bins.pdf", 422, "nothing_selected", "location", "location"),
    ("/labels/receipts.zpl", 422, "nothing_selected", "reference", "receipt"),
    ("/labels/products.pdf?category=Toys", 404, "not_found", "category", "Toys"),
    ("/labels/products.pdf?q=zzz-none", 404, "not_found", "q", "zzz-none"),
    ("/labels/bins.pdf?location=ZONE-B", 404, "not_found", "location", "ZONE-B"),
    ("/labels/products.pdf?sku=TEE-M&symbology=pdf417", 422, "invalid", "symbology", "qr"),
])
def test_bad_requests_get_a_clear_json_error(client, shop, staff, path, status, code, field,
                                             named):
    body = error(client.get(path), status, code, field)
    assert named in body["message"]


def test_a_bad_print_page_request_shows_the_form_with_the_message(client, shop, staff):
    response = client.get("/labels/products.html?sku=TEE-M%0ANOPE-9&template=thermal-2x1")
    assert response.status_code == 404
    assert "No product with SKU or barcode NOPE-9." in response.text
    assert "TEE-M\nNOPE-9</textarea>" in response.text  # what was typed is kept
    assert 'value="thermal-2x1" data-cells="1" data-thermal="1" selected' in response.text


def test_print_page_is_svg_with_escaped_names_and_no_inline_script(client, shop, staff):
    response = client.get("/labels/products.html?sku=MARKUP-1&sku=CREME-1&template=a4-3x10")
    assert response.status_code == 200
    html = response.text
    assert html.count('<svg class="label-page"') == 1
    assert 'width="210mm" height="297mm"' in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in html  # the name, wrapped
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "<script>alert" not in html and "<script>" not in html
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "/labels/print.css?template=a4-3x10" in html
    css = client.get("/labels/print.css?template=a4-3x10")
    assert css.mimetype == "text/css"
    assert "@page { size: 210mm 297mm; margin: 0; }" in css.text
    assert client.get("/labels/fonts/sans.ttf").status_code == 200


def test_long_names_never_leave_their_label(app, shop):
    from warehouse_app.labels import content, designs, templates
    from warehouse_app.labels.layout import Text
    label = content.product_label(shop["tee"].__class__.query.filter_by(sku="LONG-1").one(),
                                  price=True)
    for tpl in templates.TEMPLATES.values():
        for prim in designs.draw(label, tpl):
            if isinstance(prim, Text):
                left = {"start": prim.x, "middle": prim.x - prim.width / 2,
                        "end": prim.x - prim.width}[prim.anchor]
                assert tpl.pad_x - 0.01 <= left and left + prim.width <= (
                    tpl.label_w - tpl.pad_x + 0.01), (tpl.name, prim.text)
                assert prim.y <= tpl.label_h - tpl.pad_y + 0.01, (tpl.name, prim.text)


def test_everyone_gets_the_labels_tile_and_a_form(client, staff):
    assert 'href="/labels/"' in client.get("/").text
    html = client.get("/labels/").text
    for action in ("/labels/products.html", "/labels/bins.html", "/labels/signs.html",
                   "/labels/receipts.html"):
        assert f'action="{action}"' in html
    assert 'formaction="/labels/products.pdf"' in html and "labels.js" in html
