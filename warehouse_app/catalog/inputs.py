"""What a product may be given as, checked once for every road: the API's JSON, the product
page's form and a row of a products CSV file load through these schemas (the form and the row
with `text=True`), and products.create/update carry out what they loaded."""
from marshmallow import ValidationError, fields, validate, validates_schema

from warehouse_app.catalog.models import BarcodeKind, Tracking
from warehouse_app.inputs import (
    READABLE,
    Count,
    Flag,
    Input,
    Money,
    Text,
    choice,
    first_message,
)

SKU_MAX, NAME_MAX, DESCRIPTION_MAX, CODE_MAX = 64, 200, 5000, 64
MAX_PACK, MAX_BARCODES = 100_000, 50
MAX_DAYS, MAX_POINT = 3650, 1_000_000_000
MAX_AMOUNT = 1_000_000_000
GS1_LENGTHS = {BarcodeKind.EAN8: 8, BarcodeKind.UPC: 12, BarcodeKind.EAN13: 13,
               BarcodeKind.GTIN: 14}
NO_SPACE = validate.Regexp(r"^\S*$", error="{{field}} has no spaces.")
HAND_SET = "Hand-set, it wins over the computed one; null clears it"


def ean_ok(digits: str) -> bool:
    """Whether the last digit is the GS1 check digit of the others."""
    body, check = digits[:-1], int(digits[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def guess_kind(code: str) -> BarcodeKind:
    """EAN/UPC/GTIN when the digits and check digit say so, else internal."""
    if code.isascii() and code.isdigit() and ean_ok(code):
        return {8: BarcodeKind.EAN8, 12: BarcodeKind.UPC, 13: BarcodeKind.EAN13,
                14: BarcodeKind.GTIN}.get(len(code), BarcodeKind.INTERNAL)
    return BarcodeKind.INTERNAL


def category_path(path: str) -> None:
    """A category path 'A > B > C' has no empty level."""
    if path and not all(part.strip() for part in path.split(">")):
        raise ValidationError("{field} has an empty level between two '>'.")


class BarcodeSchema(Input):
    """One barcode: its code, its kind (guessed from the digits when not given) and how many
    units one scan of it means."""

    code = Text(CODE_MAX, required=True, validate=NO_SPACE)
    kind = choice(k.value for k in BarcodeKind)
    pack_size = Count(1, MAX_PACK, metadata={"description": "Units one scan of it means"})

    @validates_schema
    def digits_agree(self, data, **kwargs):
        """A GS1 kind has its length and check digit; digits that look GS1 are right."""
        code, kind = data.get("code", ""), data.get("kind")
        digits = code.isascii() and code.isdigit()
        if kind is None and digits and len(code) in GS1_LENGTHS.values() and not ean_ok(code):
            raise ValidationError(f"{{field}}: {code} looks like an EAN/UPC but its check "
                                  "digit is wrong; give kind 'internal' to keep it as it is.",
                                  "code")
        wanted = GS1_LENGTHS.get(BarcodeKind(kind)) if kind else None
        if wanted and not (digits and len(code) == wanted and ean_ok(code)):
            raise ValidationError(f"{{field}}: {code} is not a valid {kind} (length or check "
                                  "digit).", "code")


class BarcodeSpec(fields.Field):
    """A barcode given as its code, or as {code, kind, pack_size}; from text, a CSV cell's
    token CODE, CODE:kind or CODE:kind:pack_size."""

    def __init__(self, **kwargs):
        metadata = {"oneOf": [{"type": "string", "maxLength": CODE_MAX},
                              {"$ref": "#/components/schemas/Barcode"}]}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = {"code": value}
        if not isinstance(value, dict):
            raise ValidationError("{field}: a barcode is a string or an object with a code.")
        schema = self.parent.parent if self.parent else None  # the product's, via the list
        return BarcodeSchema(text=getattr(schema, "text", False)).load(value)


class Barcodes(fields.List):
    """The product's barcodes (at most MAX_BARCODES); one message for the first bad one."""

    def __init__(self, **kwargs):
        super().__init__(BarcodeSpec(), validate=validate.Length(
            max=MAX_BARCODES, error="{{field}} holds at most {max} barcodes."), **kwargs)
        self.blank = []  # an empty form field or CSV cell: no barcodes

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            return super()._deserialize(value, attr, data, **kwargs)
        except ValidationError as err:
            path, text = first_message(err.messages)  # (index, field of the barcode)
            inner = path[1] if len(path) > 1 else None
            if "{field}" in text and inner not in (None, "code"):
                text = "{field}: " + text.replace("{field}", inner)
            elif "{field}" not in text:
                text = "{field}: " + (READABLE[text].format(field=inner or "barcode")
                                      if text in READABLE else text)
            raise ValidationError(text) from None

    @staticmethod
    def from_text(cell: str) -> list:
        """A form's or CSV cell's barcodes, separated by spaces."""
        kinds = {k.value for k in BarcodeKind}
        specs: list = []
        for token in cell.split():
            parts = token.rsplit(":", 2)
            if len(parts) == 3 and parts[1].lower() in kinds:
                specs.append({"code": parts[0], "kind": parts[1].lower(),
                              "pack_size": parts[2]})
            elif ":" in token and token.rsplit(":", 1)[1].lower() in kinds:
                code, kind = token.rsplit(":", 1)
                specs.append({"code": code, "kind": kind.lower()})
            else:
                specs.append(token)
        return specs


class ProductChangeSchema(Input):
    """Fields of a product a supervisor may change (PATCH); all optional."""

    sku = Text(SKU_MAX, least=1, validate=NO_SPACE)
    name = Text(NAME_MAX, least=1, blank="")  # an emptied form field is refused, not skipped
    description = Text(DESCRIPTION_MAX, allow_none=True)
    category = Text(400, allow_none=True, validate=category_path,
                    metadata={"description": 'A path, "A > B"'})
    supplier = Text(120, allow_none=True, metadata={"description": "Supplier name"})
    unit_cost = Money(MAX_AMOUNT, allow_none=True)
    sale_price = Money(MAX_AMOUNT, allow_none=True)
    reorder_point = Count(0, MAX_POINT, allow_none=True, metadata={"description": HAND_SET})
    safety_stock = Count(0, MAX_POINT, allow_none=True, metadata={"description": HAND_SET})
    lead_time_days = Count(0, MAX_DAYS)
    tracking = choice(t.value for t in Tracking)
    variant_group = Text(64, allow_none=True)
    variant = Text(64, allow_none=True)
    active = Flag()
    home_location = Text(40, allow_none=True, metadata={"description": "Code of its usual bin"})
    barcodes = Barcodes(metadata={"description": "Replaces the product's barcodes"})


class ProductCreateSchema(ProductChangeSchema):
    """A new product."""

    sku = Text(SKU_MAX, required=True, validate=NO_SPACE)
    name = Text(NAME_MAX, required=True, blank="")
