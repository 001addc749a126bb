"""Stock balances per product, location and lot."""
from marshmallow import fields, validate

from warehouse_app.api.paging import PageArgs, page_schema, paginate
from warehouse_app.api.schemas import StockRowSchema
from warehouse_app.api.wiring import blueprint
from warehouse_app.auth import warehouses
from warehouse_app.catalog import products
from warehouse_app.counting import blind
from warehouse_app.ledger import balances
from warehouse_app.ledger.models import StockLevel
from warehouse_app.locations import places

blp = blueprint("stock", "/stock", "Balances: what is where.")


# A NUL byte in a filter made PostgreSQL fail the query (a 500): refused as bad input instead.
PRINTABLE = validate.Regexp(r"^[^\x00-\x1f]*$", error="Control characters are not allowed.")


class StockQuery(PageArgs):
    sku = fields.String(validate=[validate.Length(max=64), PRINTABLE])
    location = fields.String(validate=[validate.Length(max=40), PRINTABLE],
                             metadata={"description": "A bin, or a zone or warehouse with "
                                                      "everything under it"})


StockPage = page_schema(StockRowSchema, "StockPage")


@blp.route("", methods=["GET"])
@blp.arguments(StockQuery, location="query")
@blp.response(200, StockPage)
def list_stock(args):
    """Non-zero balances, by location code, for a product and/or under a location, a page at
    a time; only the caller's warehouses, and no bin under an open blind count for staff."""
    product_id = products.by_sku(args["sku"]).id if args.get("sku") else None
    location_ids = None
    if args.get("location"):
        location = places.by_code(args["location"])
        warehouses.check(location, field="location")
        location_ids = balances.descendants(location)
    query = balances.stock_query(product_id, location_ids)
    if hidden := blind.hidden_bins():
        query = query.where(StockLevel.location_id.not_in(sorted(hidden)))
    return paginate(query, args["page"], args["per_page"])
