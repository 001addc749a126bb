"""What a picker or a receiver sends, checked once. The API's pick (POST
/api/v1/orders/<ref>/picks) and the phone's (POST /orders/pick/line, the same fields plus the
order it belongs to) load through PickIn's fields, and picking.pick() carries either out; a
purchase order's receipt (the API's, the phone's and the plain form's) loads through
ReceiptIn, and purchasing.receive() carries it out."""
from marshmallow import Schema, fields, pre_load, validate

from warehouse_app.database import MAX_ID
from warehouse_app.errors import ascii_digits
from warehouse_app.inputs import StrictBoolean, count, printable_text, text
from warehouse_app.ledger.movements import MAX_QTY


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
PICK_IN = PickIn()
PHONE_PICK = PhonePickSchema()
RECEIPT_IN = ReceiptIn()
RECEIPT_FORM = ReceiptFormSchema()
