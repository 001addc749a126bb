"""Marshmallow fields the API schemas share: strict input, null-safe output through relations."""
from marshmallow import ValidationError, fields, missing

from warehouse_app.inputs import StrictBoolean, text  # noqa: F401  (the API schemas' import)


class Through:
    """Reads a dotted attribute (`product.sku`) and answers null when any step is missing."""

    def get_value(self, obj, attr, accessor=None, default=missing):
        for part in (self.attribute or attr).split("."):
            if obj is None:
                return None
            obj = obj.get(part) if isinstance(obj, dict) else getattr(obj, part, None)
        return obj


class PathString(Through, fields.String):
    """A string read through related objects, e.g. a location's parent code."""


class PathDate(Through, fields.Date):
    """A date read through related objects, e.g. a movement's lot expiry."""


class BarcodeSpec(fields.Field):
    """A barcode given as its code, or as {code, kind, pack_size}."""

    def __init__(self, schema, **kwargs):
        metadata = {"oneOf": [{"type": "string", "maxLength": 64},
                              {"$ref": "#/components/schemas/Barcode"}]}
        super().__init__(metadata=metadata, **kwargs)
        self.schema = schema

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            value = {"code": value}
        if not isinstance(value, dict):
            raise ValidationError("A barcode is a string or an object with a code.")
        return self.schema().load(value)
