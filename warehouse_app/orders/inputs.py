"""What a customer order, a picker or a receiver sends, checked once. A new order (the API's
JSON, the order page's form and the rows of an orders CSV file, the form and the file with
`text=True`) loads through OrderIn, and reserving.place() carries it out. The API's pick (POST
/api/v1/orders/<ref>/picks) and the phone's (POST /orders/pick/line, the same fields plus the
order it belongs to) load through PickIn's fields, and picking.pick() carries either out; a
purchase order's receipt (the API's, the phone's and the plain form's) loads through
ReceiptIn, and purchasing.receive() carries it out."""
from marshmallow import (
    Schema,
    ValidationError,
    fields,
    pre_load,
    validate,
    validates_schema,
)

from warehouse_app.database import MAX_ID
from warehouse_app.errors import ascii_digits
from warehouse_app.inputs import (
    READABLE,
    WHOLE,
    Count,
    Flag,
    Input,
    Range,
    StrictBoolean,
    Text,
    count,
    first_message,
    printable_text,
    text,
)
from warehouse_app.ledger.movements import MAX_QTY
from warehouse_app.orders.documents import FORBIDDEN_IN_REFERENCE, MAX_LINES
from warehouse_app.orders.models import REFERENCE_MAX

HOLD_MINUTES_MAX = 7 * 24 * 60
LINE_WORDS = {"qty": "Quantity"}  # a line's field as its message names it
LINE_READABLE = {"Unknown field.": "{field} is not a field of a line."}


def reference_rule(value: str) -> None:
    """A document reference has no spaces and no URL characters."""
    if any(ch.isspace() or ch in FORBIDDEN_IN_REFERENCE for ch in value):
        raise ValidationError("{field} has no spaces and none of / ? # % \\.")


class Degrees(fields.Float):
    """A latitude (limit 90) or longitude (limit 180): a number, not true or NaN; from text,
    the number written."""

    default_error_messages = {"invalid": "{{field}} must be a number.",
                              "special": "{{field}} must be a number."}

    def __init__(self, limit: int, **kwargs):
        super().__init__(allow_nan=False, allow_none=True,
                         validate=Range(min=-limit, max=limit), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class OrderLineIn(Input):
    """One line of an order: a product by its SKU and the units wanted."""

    sku = Text(64, required=True)
    qty = Count(1, MAX_QTY, required=True)


class OrderLine(fields.Field):
    """One line, loaded as the order is (text from a form or a file)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, dict):
            raise ValidationError("is not an object with sku and qty.")
        schema = self.parent.parent if self.parent else None  # the order's, via the list
        return OrderLineIn(text=getattr(schema, "text", False)).load(value)


class OrderLines(fields.List):
    """An order's lines (1 to MAX_LINES); a bad one answers "Line N: ..." on every road."""

    def __init__(self, **kwargs):
        super().__init__(OrderLine(), required=True, validate=validate.Length(
            min=1, max=MAX_LINES, error="An order has 1 to {max} {{field}}."),
            metadata={"items": {"$ref": "#/components/schemas/OrderLineIn"}}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, list):
            raise ValidationError("{field} is a list of {sku, qty}.")
        try:
            return super()._deserialize(value, attr, data, **kwargs)
        except ValidationError as err:
            path, said = first_message(err.messages)  # (index, field of the line)
            number = int(path[0]) + 1 if path and str(path[0]).isdigit() else 1
            if len(path) < 2:  # the line itself
                raise ValidationError(f"{WHOLE}Line {number} {said}") from None
            name = LINE_WORDS.get(path[1], path[1])
            said = (READABLE | LINE_READABLE).get(said, said).replace("{field}", name)
            raise ValidationError(f"{WHOLE}Line {number}: {said}") from None


class OrderIn(Input):
    """A new order: it reserves its stock at once, or is refused with 409."""

    reference = Text(REFERENCE_MAX, required=True, validate=reference_rule)
    lines = OrderLines()
    warehouse = Text(40, allow_none=True, metadata={
        "description": "Ship from this warehouse (code); else the app chooses"})
    customer = Text(200)
    address = Text(1000)
    postcode = Text(20)
    latitude = Degrees(90)
    longitude = Degrees(180)
    allow_backorder = Flag(blank=False, metadata={
        "description": "Reserve what exists; the rest waits instead of a 409"})
    allow_split = Flag(blank=False, metadata={
        "description": "Accept a split across warehouses when none ships it complete"})
    hold = Flag(blank=False, metadata={
        "description": "A web store's checkout: reserve now, pick only once confirmed "
                       "(POST .../confirm) or release (POST .../cancel)"})
    hold_minutes = Count(1, HOLD_MINUTES_MAX, allow_none=True, metadata={
        "description": "With hold: unconfirmed after this long, the order is cancelled and "
                       "its stock freed (default 30)"})

    @validates_schema
    def together(self, data, **kwargs):
        """Latitude and longitude come together; hold_minutes only with hold."""
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise ValidationError("Give {field} and longitude together.", "latitude")
        if data.get("hold_minutes") is not None and not data.get("hold"):
            raise ValidationError("{field} needs hold.", "hold_minutes")


def line_id(**kwargs) -> fields.Integer:
    """An order line's id (its line_id in the order's answer)."""
    return count(1, MAX_ID, metadata={"description": "The order line's line_id"}, **kwargs)


class PickIn(Schema):
    """Units of an order line taken from a bin (to the packing bin when the warehouse has one)."""

    line = line_id(required=True)
    location = printable_text(40, required=True, metadata={
        "description": "The bin's code; or the warehouse's or a zone's, whose sellable bins "
                       "the ledger then takes from (earliest expiry, pick face, fullest)"})
    code = text(256, required=True, metadata={"description": "The SKU or barcode scanned"})
    qty = count(1, MAX_QTY, allow_none=True,
                metadata={"description": "Default: the scanned barcode's pack size"})
    lot = printable_text(64, allow_none=True)
    client_op_id = printable_text(64, allow_none=True, metadata={
        "description": "Makes a retry safe: a known id answers 200 with the first pick"})


class OrderWord(Schema):
    """The order a phone's pick belongs to (the API names it in the URL). A base listed after
    PickIn: marshmallow puts its field first."""

    order = fields.String(required=True, validate=validate.Length(min=1))


class PhonePickSchema(PickIn, OrderWord):
    """The phone's pick: the API's fields, each with its rule, and the order's reference."""


class ReceiptIn(Schema):
    """One scanned line of a delivery, received into a bin against the purchase order."""

    code = text(256, required=True, metadata={"description": "SKU, barcode or GS1 scan"})
    qty = count(1, MAX_QTY, allow_none=True,
                metadata={"description": "Default: the scanned barcode's pack size"})
    location = printable_text(40, required=True, metadata={"description": "The bin's code"})
    lot = printable_text(64, allow_none=True, metadata={"description": "Default: the GS1 lot"})
    expiry = fields.Date(allow_none=True, metadata={"description": "Default: the GS1 expiry"})
    client_op_id = printable_text(64, allow_none=True, metadata={
        "description": "Makes a retry safe: a known id answers 200 with the first result"})
    confirm_expiry = StrictBoolean(metadata={
        "description": "Receive a lot that has expired or expires within EXPIRY_WARNING_DAYS "
                       "(without it: 409 expiry_warning)"})
    override_capacity = printable_text(300, allow_none=True, metadata={
        "description": "Supervisor only: the reason to fill the bin over its capacity"})


class ReceiptFormSchema(ReceiptIn):
    """The same receipt from the plain form (a browser without JavaScript): all text."""

    @pre_load
    def form_text(self, data, **kwargs):
        """A field left empty is not given; a quantity arrives as digits."""
        if not isinstance(data, dict):
            return data
        data = {k: v for k, v in data.items() if v not in ("", None)}
        if isinstance(data.get("qty"), str) and ascii_digits(data["qty"].strip()):
            data["qty"] = int(data["qty"].strip())
        return data


# Built once, at import: a scan pays for no schema.
ORDER_IN = OrderIn()
ORDER_TEXT = OrderIn(text=True)
PICK_IN = PickIn()
PHONE_PICK = PhonePickSchema()
RECEIPT_IN = ReceiptIn()
RECEIPT_FORM = ReceiptFormSchema()
