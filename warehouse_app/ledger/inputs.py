"""A movement as it comes in, and the one function that posts it.

MovementFields holds every field a movement is given by, each with its one rule; the API's body
(MovementInSchema) and the phone's line (scanning/inputs.py) are derived from it. post_movement()
carries out what either loaded: it finds the product and the bins, builds the Line and posts it.
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from warehouse_app.auth.models import Role
from warehouse_app.catalog import products
from warehouse_app.catalog.models import Product
from warehouse_app.database import reading_first
from warehouse_app.errors import DomainError, Forbidden
from warehouse_app.inputs import StrictBoolean, count, text
from warehouse_app.ledger import sourcing, transit
from warehouse_app.ledger.models import Movement, MovementKind, Reason
from warehouse_app.ledger.movements import MAX_COST, MAX_QTY, Line, check_qty, record
from warehouse_app.locations import places

POSTABLE_KINDS = ("receive", "pick", "transfer", "return", "adjust")
LOCATION_MAX, LOT_MAX, NOTE_MAX = 40, 64, 2000  # a bin's code, a lot, a movement's note
# Optional movement fields where a form's or scanner's "" means "not given".
LOSSES = frozenset({Reason.DAMAGE, Reason.LOSS, Reason.THEFT, Reason.EXPIRY})
BLANK_MEANS_ABSENT = frozenset({"sku", "barcode", "from_location", "to_location", "lot",
                                "expiry", "reason", "unit_cost", "client_op_id"})


def op_id(value) -> str | None:
    """A client_op_id given outside a schema (an undo, a short pick, a count's action): text of
    at most 64 characters, or None when left out."""
    if value in (None, ""):
        return None
    if not isinstance(value, str) or len(value) > 64:
        raise DomainError("client_op_id is text of at most 64 characters.", field="client_op_id")
    return value


def money(**kwargs) -> fields.Decimal:
    """A non-negative amount below a billion; answered as a string to keep every digit."""
    # Bounds written out as numbers: apispec would document the Decimal bounds as strings.
    metadata = {"minimum": 0, "maximum": int(MAX_COST), **kwargs.pop("metadata", {})}
    return fields.Decimal(as_string=True, allow_nan=False,
                          validate=validate.Range(min=0, max=MAX_COST, max_inclusive=False),
                          metadata=metadata, **kwargs)


class MovementFields(Schema):
    """The fields of a movement, each with its one rule, whoever sends it."""

    NAMED_BY = ("sku", "barcode")  # the fields that may name the product: exactly one is given

    sku = text(64)
    barcode = text(64, metadata={"description": "Names the product instead of sku; qty stays "
                                                 "in base units, even for a pack barcode"})
    qty = count(1, MAX_QTY, required=True, metadata={"description": "In base units"})
    from_location = text(LOCATION_MAX, allow_none=True)
    to_location = text(LOCATION_MAX, allow_none=True)
    lot = text(LOT_MAX, allow_none=True)
    expiry = fields.Date(allow_none=True)
    reason = fields.String(allow_none=True, validate=validate.OneOf([r.value for r in Reason]))
    note = text(NOTE_MAX)
    reference = text(120)
    unit_cost = money(allow_none=True, metadata={"description": "Receipts only"})
    confirm_cost = StrictBoolean(metadata={
        "description": "Post a unit cost over 5x or under 1/5 of the product's average cost "
                       "(else 409 cost_unusual)"})
    client_op_id = text(64, allow_none=True,
                        metadata={"description": "Makes a retry safe: a known id answers 200 "
                                                 "with the first movement"})
    confirm_expiry = StrictBoolean(metadata={
        "description": "Receive a lot that has expired or expires within EXPIRY_WARNING_DAYS "
                       "(without it: 409 expiry_warning)"})
    override_capacity = text(300, allow_none=True, metadata={
        "description": "Supervisor only: the reason to fill the bin over its capacity (kept "
                       "in the audit trail); without it such a movement is 409 over_capacity"})

    @pre_load
    def blank_is_absent(self, data, **kwargs):
        """Forms and scanners send "" for a field they leave out."""
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if not (v == "" and k in BLANK_MEANS_ABSENT)}
        return data

    @validates_schema
    def names_one_product(self, data, **kwargs):
        """Exactly one of the fields that name the product."""
        given = [name for name in self.NAMED_BY if name in data]
        if len(given) > 1:
            raise ValidationError(f"Give {' or '.join(self.NAMED_BY)}, not both.", given[-1])
        if not any(data.get(name) for name in self.NAMED_BY):
            raise ValidationError(f"Name the product with {' or '.join(self.NAMED_BY)}.",
                                  self.NAMED_BY[0])


class MovementKindField(Schema):
    """The API's word for what a movement is (a base listed after MovementFields: marshmallow
    puts the fields of later bases first, and a missing kind is the first thing to answer)."""

    kind = fields.String(required=True, validate=validate.OneOf(POSTABLE_KINDS))


class MovementInSchema(MovementFields, MovementKindField):
    """One movement to post; the kind implies the virtual end (Supplier, Customer...)."""


MOVEMENT_IN = MovementInSchema()  # built once: a schema instance per request costs a scan time


@dataclass
class Named:
    """The product a movement names, and what the naming itself says (a scanned GS1 code
    carries a lot and an expiry; a pack's barcode a number of units per scan)."""

    product: Product
    pack_size: int = 1
    lot: str | None = None
    expiry: date | None = None


def named_product(data: dict) -> Named:
    """The product a loaded movement names by sku or barcode."""
    if data.get("sku"):
        return Named(products.by_sku(data["sku"], field="sku"))
    product, pack_size = products.by_barcode(data["barcode"], field="barcode")
    return Named(product, pack_size)


def post_movement(data: dict, user, name: Callable[[dict], Named] = named_product) -> Movement:
    """Post one movement loaded by a schema derived from MovementFields (the API's, the
    phone's): a pick from a warehouse or zone takes from its sellable bins."""
    kind = MovementKind(data["kind"])
    if kind is MovementKind.ADJUST and not user.has_role(Role.SUPERVISOR):
        raise Forbidden("An adjustment needs the supervisor role.", field="kind")
    with reading_first():  # the product and the bins are found before the write lock is taken
        named = name(data)
        ends = {key: places.by_code(data[key], field=key) if data.get(key) else None
                for key in ("from_location", "to_location")}
    reason = Reason(data["reason"]) if data.get("reason") else None
    _check_adjustment(kind, reason, **ends)
    qty = data["qty"] if "qty" in data else check_qty(data.get("scans", 1) * named.pack_size)
    line = Line(kind=kind, product=named.product, qty=qty, **ends,
                lot=data.get("lot") or named.lot, expiry=data.get("expiry") or named.expiry,
                reason=reason, note=data.get("note", "").strip(),
                reference=data.get("reference", ""), unit_cost=data.get("unit_cost"),
                client_op_id=data.get("client_op_id") or None,
                confirm_expiry=data.get("confirm_expiry") is True,
                override_capacity=data.get("override_capacity"),
                confirm_cost=data.get("confirm_cost", False))
    transit.refuse_cross_site(line)
    if sourcing.takes_from_bins(line):  # a till's sale: the ledger chooses the bins
        return sourcing.pick(line, user=user)
    return record(line, user)


def _check_adjustment(kind: MovementKind, reason: Reason | None, from_location,
                      to_location) -> None:
    """An adjustment takes stock out of one bin (damage, loss...) or finds it in one."""
    if kind is not MovementKind.ADJUST:
        return
    if from_location is not None and to_location is not None:
        raise DomainError("An adjustment takes stock out of a bin or finds it in one, not both.",
                          field="to_location")
    into = to_location is not None
    if (reason is Reason.FOUND and not into) or (reason in LOSSES and into):
        raise DomainError("Found stock goes into a bin; damage, loss, theft and expiry come "
                          "out of one.", field="reason")
