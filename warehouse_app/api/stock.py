"""Stock balances per product, location and lot."""
from marshmallow import Schema, fields, validate

from warehouse_app.api.schemas import StockRowSchema
from warehouse_app.api.wiring import blueprint
from warehouse_app.catalog import products
from warehouse_app.counting import blind
from warehouse_app.ledger import balances
from warehouse_app.locations import places

blp = blueprint("stock", "/stock", "Balances: what is where.")


# A NUL byte in a filter made PostgreSQL fail the query (a 500): refused as bad input instead.
PRINTABLE = validate.Regexp(r"^[^\x00-\x1f]*$", error="Control characters are not allowed.")


class StockQuery(Schema):
    sku = fields.String(validate=[validate.Length(max=64), PRINTABLE])
    location = fields.String(validate=[validate.Length(max=40), PRINTABLE],
                             metadata={"description": "A bin, or a zone or warehouse with "
                                                      "everything under it"})


@blp.route("", methods=["GET"])
@blp.arguments(StockQuery, location="query")
@blp.response(200, StockRowSchema(many=True))
def list_stock(args):
    """Non-zero balances, by location code, for a product and/or under a location."""
    product_id = products.by_sku(args["sku"]).id if args.get("sku") else None
    location_ids = None
    if args.get("location"):
        location_ids = balances.descendants(places.by_code(args["location"]))
    return blind.visible(balances.stock_rows(product_id, location_ids))
