"""The phone's line: the ledger's movement (MovementFields, every shared field with its one
rule) in the phone's words: a flow instead of a kind, a scanned code instead of sku or
barcode (either may still be given), and a number of scans instead of a quantity. A damage or
loss report is the phone's adjustment out of a bin, loaded by the same fields and rules."""
from marshmallow import Schema, ValidationError, fields, post_load, pre_load, validate

from warehouse_app.errors import ascii_digits
from warehouse_app.inputs import count, text
from warehouse_app.ledger.inputs import LOCATION_MAX, NOTE_MAX, MovementFields
from warehouse_app.ledger.models import MovementKind, Reason
from warehouse_app.ledger.movements import MAX_QTY

FLOWS = {"receive": MovementKind.RECEIVE, "return": MovementKind.RETURN,
         "move": MovementKind.TRANSFER, "adjust": MovementKind.ADJUST}
MAX_SCANS = 10_000


class PhoneWords(Schema):
    """What only the phone sends (a base listed after MovementFields: its fields come first)."""

    flow = fields.String(required=True, validate=validate.OneOf(list(FLOWS)), metadata={
        "description": "receive, return, move (a transfer) or adjust"})
    code = fields.String(validate=validate.Length(min=1), metadata={
        "description": "What was scanned: a barcode, a SKU or a GS1 element string"})
    scans = count(1, MAX_SCANS, metadata={"description": "Units are scans x the pack size"})


class PhoneLineSchema(MovementFields, PhoneWords):
    """One confirmed line of a phone workflow: qty, or else a number of scans (1 if neither)."""

    NAMED_BY = ("code", "sku", "barcode")

    @post_load
    def as_movement(self, data, **kwargs):
        """The flow's movement kind, under the name the ledger's post_movement() reads."""
        return {**data, "kind": FLOWS[data["flow"]].value}


class PhoneFormSchema(PhoneLineSchema):
    """The same line from the plain form (a browser without JavaScript): every value is text."""

    @pre_load
    def form_text(self, data, **kwargs):
        """A form's whole numbers arrive as digits; "" is a field left out."""
        if not isinstance(data, dict):
            return data
        data = {k: v for k, v in data.items() if v != ""}  # an emptied qty: one scan
        for key in ("qty", "scans"):
            if isinstance(data.get(key), str) and ascii_digits(data[key].strip()):
                data[key] = int(data[key].strip())
        return data


REPORT_REASONS = (Reason.DAMAGE, Reason.LOSS, Reason.THEFT, Reason.EXPIRY)


def said_something(note: str) -> None:
    """A report's note says what happened: not only spaces."""
    if not note.strip():
        raise ValidationError("Say what happened.")


class ReportWords(Schema):
    """What a report adds to the movement's fields (a base listed after MovementFields)."""

    flow = fields.String(validate=validate.OneOf(["adjust"]), metadata={
        "description": "The phone sends its adjust line as it is"})
    code = fields.String(required=True, validate=validate.Length(min=1), metadata={
        "description": "What was scanned: a barcode, a SKU or a GS1 element string"})
    scans = count(1, MAX_SCANS, metadata={"description": "Units are scans x the pack size"})


class DamageReportSchema(MovementFields, ReportWords):
    """Units damaged, lost, stolen or expired in a bin: the phone's adjustment out of it, each
    field with the movement's rule; the bin, the reason and a note are required."""

    NAMED_BY = ("code",)

    qty = count(1, MAX_QTY, metadata={"description": "Default: scans x the pack size"})
    from_location = text(LOCATION_MAX, required=True)
    reason = fields.String(required=True, validate=validate.OneOf(
        [r.value for r in REPORT_REASONS], error="{{field}} is damage, loss, theft or expiry."))
    # The movement's note (its length, its message), which a report may not leave empty.
    note = fields.String(required=True, validate=[
        validate.Length(min=0, max=NOTE_MAX), said_something])

    class Meta:
        exclude = ("sku", "barcode", "to_location", "expiry", "reference", "unit_cost",
                   "confirm_cost", "confirm_expiry", "override_capacity")


# Built once, at import: a scan pays for no schema. qty keeps its rule but may be left out
# (then the scans count, one if not given).
PHONE_LINE = PhoneLineSchema(partial=("qty",))
PHONE_FORM = PhoneFormSchema(partial=("qty",))
DAMAGE_REPORT = DamageReportSchema()
