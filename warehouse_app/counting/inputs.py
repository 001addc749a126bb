"""What a counter sends, checked once: a typed total (the API's POST /api/v1/counts/<id>/lines
and the phone's /counting/<ref>/set load CountLineIn; counting.set_counted() carries it out) and
the phone's scan in a bin (CountScanIn; counting.add())."""
from marshmallow import Schema

from warehouse_app.inputs import count, printable_text
from warehouse_app.ledger.movements import MAX_QTY


class CountLineIn(Schema):
    """What was found of a product (and lot) in a bin: it replaces any earlier count."""

    sku = printable_text(64, required=True)
    location = printable_text(40, required=True)
    lot = printable_text(64, allow_none=True)
    counted_qty = count(0, MAX_QTY, required=True)
    client_op_id = printable_text(64, allow_none=True)


class CountScanIn(Schema):
    """One scan (or typed quantity) of a product in a bin: it adds to what was counted."""

    location = printable_text(40, required=True)
    code = printable_text(256, required=True)
    qty = count(1, MAX_QTY, allow_none=True, metadata={"description": "Default: the pack size"})
    lot = printable_text(64, allow_none=True)
    client_op_id = printable_text(64, allow_none=True)


# Built once, at import: a scan pays for no schema.
COUNT_LINE_IN = CountLineIn()
COUNT_SCAN_IN = CountScanIn()
