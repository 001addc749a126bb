"""The scanning pages a phone opens and the open work they need (six orders, a count): what
tests/web/test_page_weight.py weighs and bench/phones.py times."""
from dataclasses import dataclass

from flask import url_for
from sqlalchemy import select

from warehouse_app.auth.models import User
from warehouse_app.catalog.models import Product
from warehouse_app.counting import planning
from warehouse_app.extensions import db
from warehouse_app.ledger.models import WarehouseStock
from warehouse_app.locations.models import Location
from warehouse_app.orders import reserving


@dataclass
class Page:
    """A scanning page: where it is, its scan field, who opens it."""

    name: str
    path: str
    scan: str  # CSS selector of the field a scanner types into
    user: str = "staff"



def work_to_do() -> tuple[str, str]:
    """Six open orders of three lines from stock in MAIN and a count of aisle MAIN-A; their refs."""
    main = db.session.scalar(select(Location).where(Location.code == "MAIN"))
    skus = db.session.scalars(
        select(Product.sku).join(WarehouseStock, WarehouseStock.product_id == Product.id)
        .where(WarehouseStock.warehouse_id == main.id,
               WarehouseStock.on_hand - WarehouseStock.reserved >= 2)
        .order_by(Product.sku).limit(18)).all()
    orders = [reserving.place({"reference": f"SO-{n + 1:05d}", "customer": f"Customer {n + 1}",
                               "warehouse": "MAIN",
                               "lines": [{"sku": s, "qty": 1} for s in skus[n * 3:n * 3 + 3]]})
              for n in range(6)]
    boss = db.session.scalar(select(User).where(User.username == "supervisor"))
    count = planning.open_count({"locations": ["MAIN-A"]}, boss)
    return orders[0].reference, count.reference


def scan_pages(order: str, count: str) -> list[Page]:
    """Every scanning page (URLs from the blueprints: in a request context), with this order to
    pick and this count to count. tests/web/test_page_weight.py opens the same list."""
    flow = lambda name: url_for("scanning.flow_page", flow=name)  # noqa: E731
    return [
        Page("home", url_for("web.home"), "#scan-code"),
        Page("look-up", url_for("web.lookup"), "#scan-code"),
        Page("receive", flow("receive"), "#scan"),
        Page("move/put-away", flow("move"), "#scan"),
        Page("pick list", url_for("orders.pick"), "#scan-code"),
        Page("pick order", url_for("orders.pick_order", reference=order), "#scan"),
        Page("count", url_for("counting.count_page", reference=count), "#scan"),
        Page("return", flow("return"), "#scan"),
        Page("adjust", flow("adjust"), "#scan", user="supervisor"),  # staff may not adjust
        Page("labels", url_for("labels.index"), "#products-sku"),
    ]
