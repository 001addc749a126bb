"""Request and response schemas: the OpenAPI document is generated from these (the inputs a
capability carries out are its own: MovementInSchema is the ledger's)."""
from marshmallow import INCLUDE, Schema, fields, missing

from warehouse_app.api.fields import PathDate, PathString, text
from warehouse_app.catalog.models import BarcodeKind, Tracking
from warehouse_app.inputs import count
from warehouse_app.ledger.models import MovementKind, Reason
from warehouse_app.locations.models import LocationKind

# Amounts are answered as decimal strings ("2.5000"), so documented as such.
MONEY_OUT = {"type": "string", "format": "decimal"}


class CostOut(fields.Decimal):
    """An amount only a supervisor or admin reads: left out of the answer for anyone below.
    Money is for supervisors: staff move units, not value."""

    def __init__(self, **kwargs):
        metadata = {**MONEY_OUT, "description": "Supervisors and admins only",
                    **kwargs.pop("metadata", {})}
        super().__init__(as_string=True, metadata=metadata, **kwargs)

    def serialize(self, attr, obj, accessor=None, **kwargs):
        if not sees_money():
            return missing
        return super().serialize(attr, obj, accessor, **kwargs)


def sees_money() -> bool:
    """Whether the caller may read costs and values (supervisor or above)."""
    from warehouse_app.auth.access import has_role
    from warehouse_app.auth.models import Role
    return has_role(Role.SUPERVISOR)


class ErrorBodySchema(Schema):
    """Some errors say more (a 409 insufficient_stock lists the short lines): documented open."""

    class Meta:
        unknown = INCLUDE

    code = fields.String(metadata={"description": "e.g. not_found, insufficient_stock"})
    message = fields.String(metadata={"description": "Readable, for a person"})
    field = fields.String(allow_none=True, metadata={"description": "The input at fault"})


class ErrorSchema(Schema):
    """Every 4xx answer."""

    error = fields.Nested(ErrorBodySchema)


class BarcodeSchema(Schema):
    code = text(64, required=True)
    kind = fields.Enum(BarcodeKind, by_value=True)
    pack_size = count(1, 100_000, metadata={"description": "Units one scan of it means"})


class ProductSchema(Schema):
    sku = fields.String()
    name = fields.String()
    description = fields.String()
    category = PathString(attribute="category.path", allow_none=True)
    supplier = PathString(attribute="supplier.name", allow_none=True)
    unit_cost = CostOut()
    avg_cost = CostOut()
    sale_price = fields.Decimal(as_string=True, allow_none=True, metadata=MONEY_OUT)
    reorder_point = fields.Integer(allow_none=True, metadata={
        "description": "Hand-set (null: worked out from demand)"})
    safety_stock = fields.Integer(allow_none=True, metadata={
        "description": "Hand-set (null: worked out from demand)"})
    lead_time_days = fields.Integer()
    tracking = fields.Enum(Tracking, by_value=True)
    variant_group = fields.String(allow_none=True)
    variant = fields.String(allow_none=True)
    active = fields.Boolean()
    home_location = PathString(attribute="home_location.code", allow_none=True)
    barcodes = fields.List(fields.Nested(BarcodeSchema))


class StockAtSchema(Schema):
    """A product's balance in one location (and lot)."""

    location = PathString(attribute="location.code")
    lot = PathString(attribute="lot.code", allow_none=True)
    on_hand = fields.Integer()
    reserved = fields.Integer()
    available = fields.Integer()


class StockRowSchema(StockAtSchema):
    sku = PathString(attribute="product.sku")


class ReorderInForceSchema(Schema):
    """Which reorder point is in force, and the computed one beside it."""

    reorder_point = fields.Integer(metadata={"description": "In force"})
    source = fields.String(metadata={"enum": ["override", "hand-set", "computed"],
                                     "description": "Whose number it is"})
    safety_stock = fields.Float(metadata={"description": "In force: hand-set or computed"})
    computed = fields.Float(metadata={"description": "lead_demand + computed_safety_stock"})
    computed_safety_stock = fields.Float(metadata={
        "description": "z x forecast_error x sqrt(lead time)"})
    model = fields.String(metadata={"enum": ["naive", "weekly", "yearly"],
                                    "description": "The demand forecast's model, chosen by "
                                                   "backtest"})
    lead_demand = fields.Float(metadata={"description": "Forecast units over the lead time"})
    forecast_error = fields.Float(metadata={
        "description": "The forecast's error per day: its backtest RMSE"})


class ProductDetailSchema(ProductSchema):
    """A product with its stock in total and per location."""

    on_hand = fields.Integer()
    reserved = fields.Integer()
    available = fields.Integer()
    locations = fields.List(fields.Nested(StockAtSchema))
    reorder = fields.Nested(ReorderInForceSchema, allow_none=True, metadata={
        "description": "The reorder point in force (none for a deactivated product)"})


class LocationSchema(Schema):
    code = fields.String()
    name = fields.String()
    kind = fields.Enum(LocationKind, by_value=True)
    parent = PathString(attribute="parent.code", allow_none=True)
    path = fields.String()
    sequence = fields.Integer()
    capacity = fields.Integer(allow_none=True)
    active = fields.Boolean()
    hold = fields.Boolean(metadata={"description": "A hold bin: its stock is not available"})




class ReverseSchema(Schema):
    note = text(2000)
    client_op_id = text(64, allow_none=True)


class MovementPartSchema(Schema):
    id = fields.Integer()
    kind = fields.Enum(MovementKind, by_value=True)
    sku = PathString(attribute="product.sku")
    qty = fields.Integer()
    from_location = PathString(attribute="from_location.code")
    to_location = PathString(attribute="to_location.code")
    lot = PathString(attribute="lot.code", allow_none=True)
    expiry = PathDate(attribute="lot.expiry", allow_none=True)
    reason = fields.Enum(Reason, by_value=True, allow_none=True)
    note = fields.String()
    reference = fields.String()
    unit_cost = CostOut()
    user = PathString(attribute="user.username", allow_none=True)
    client_op_id = fields.String(allow_none=True)
    reversal_of = fields.Integer(attribute="reversal_of_id", allow_none=True)
    created_at = fields.DateTime()


class MovementSchema(MovementPartSchema):
    movements = fields.List(fields.Nested(MovementPartSchema), metadata={
        "description": "Only on a pick whose from_location is a warehouse or zone: the "
                       "movements it posted, one per bin (and lot), in the order taken; their "
                       "qty add up to the answer's qty, and the answer's id is the first's"})
