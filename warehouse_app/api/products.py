"""Products: list, create, read with stock, change."""
from marshmallow import fields, validate

from warehouse_app.api.paging import PageArgs, page_schema, paginate
from warehouse_app.api.schemas import ProductDetailSchema, ProductSchema
from warehouse_app.api.wiring import blueprint
from warehouse_app.auth.access import role_required
from warehouse_app.auth.models import Role
from warehouse_app.catalog import products
from warehouse_app.catalog.inputs import ProductChangeSchema, ProductCreateSchema
from warehouse_app.catalog.models import Product
from warehouse_app.counting import blind
from warehouse_app.extensions import db
from warehouse_app.insight import reorder
from warehouse_app.ledger import balances

blp = blueprint("products", "/products", "Products, their barcodes and their stock.")
ProductPageSchema = page_schema(ProductSchema, "ProductPage")


class ProductQuery(PageArgs):
    q = fields.String(load_default="", validate=validate.Length(max=200),
                      metadata={"description": "Part of the SKU, name or a barcode"})
    include_inactive = fields.Boolean(load_default=False)


class Stocked:
    """A product seen with its balances, as ProductDetailSchema dumps it."""

    def __init__(self, product: Product):
        self.product = product
        rows, hidden = balances.stock_rows(product.id), blind.hidden_bins()
        totals = blind.visible_totals(balances.totals_seen(product.id, rows), rows, hidden)
        self.on_hand, self.reserved = totals["on_hand"], totals["reserved"]
        self.available = totals["available"]
        self.locations = blind.visible(rows, hidden)
        found = reorder.current_points([product.id])  # none for a deactivated product
        self.reorder = {"reorder_point": found[0].reorder_point, "source": found[0].source,
                        "safety_stock": round(found[0].safety_stock, 3),
                        "computed": round(found[0].computed, 3),
                        "computed_safety_stock": round(found[0].computed_safety, 3),
                        "model": found[0].model, "lead_demand": round(found[0].lead_demand, 3),
                        "forecast_error": round(found[0].sd_daily, 3)} if found else None

    def __getattr__(self, name: str):
        return getattr(self.product, name)


@blp.route("", methods=["GET"])
@blp.arguments(ProductQuery, location="query")
@blp.response(200, ProductPageSchema)
def list_products(args):
    """List products by SKU; q searches SKU, name and barcodes."""
    query = products.search(args["q"], include_inactive=args["include_inactive"])
    return paginate(query, args["page"], args["per_page"])


@blp.route("", methods=["POST"])
@role_required(Role.SUPERVISOR)
@blp.arguments(ProductCreateSchema)
@blp.response(201, ProductDetailSchema)
def create_product(data):
    """Create a product with its barcodes (supervisor or above)."""
    product = products.create(data)
    db.session.commit()
    return Stocked(product)


@blp.route("/<path:sku>", methods=["GET"])
@blp.response(200, ProductDetailSchema)
def get_product(sku):
    """One product with on_hand, reserved and available, in total and per location."""
    return Stocked(products.by_sku(sku))


@blp.route("/<path:sku>", methods=["PATCH"])
@role_required(Role.SUPERVISOR)
@blp.arguments(ProductChangeSchema)
@blp.response(200, ProductDetailSchema)
def update_product(data, sku):
    """Change some fields of a product; a barcodes list replaces its barcodes."""
    product = products.update(products.by_sku(sku), data)
    db.session.commit()
    return Stocked(product)
