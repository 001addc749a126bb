"""Search terms are text, not patterns; a refused page action never sends the user off-site."""
from sqlalchemy import select

from warehouse_app.catalog import products
from warehouse_app.catalog.models import Product


def test_percent_and_underscore_are_searched_for_not_wildcards(db, make_product, client,
                                                                login_as, make_location):
    for sku, name in (("A_1", "Half_price mug"), ("AB1", "Mug"), ("C-9", "100% cotton tee")):
        make_product(sku, name=name)
    db.session.commit()

    def found(q: str) -> list[str]:
        return [p.sku for p in db.session.scalars(products.search(q))]
    assert found("a_1") == ["A_1"]  # not AB1 as well
    assert found("%") == ["C-9"]
    assert found("_") == ["A_1"]
    assert found("100%") == ["C-9"]
    assert found("mug") == ["AB1", "A_1"]  # by SKU
    make_location("X_1")
    make_location("XY1")
    login_as("admin")
    page = client.get("/locations/?q=x_1").get_data(as_text=True)
    assert "X_1" in page and "XY1" not in page
    assert len(db.session.scalars(select(Product)).all()) == 3


def test_a_refused_page_action_goes_back_only_to_this_site(client, login_as):
    login_as("supervisor")
    evil = client.get("/orders/NOPE", headers={"Referer": "https://evil.example/x"})
    assert evil.status_code == 303 and evil.headers["Location"] == "/"
    back = client.get("/orders/NOPE", headers={"Referer": "http://localhost/orders/?status=open"})
    assert back.status_code == 303 and back.headers["Location"] == "/orders/?status=open"
    for sneaky in ("http://localhost//evil.example/", "http://localhost/\\evil.example",
                   "javascript:alert(1)"):
        answer = client.get("/orders/NOPE", headers={"Referer": sneaky})
        assert answer.status_code == 303 and answer.headers["Location"] == "/", sneaky
