"""Marshmallow fields the API schemas share: strict input, null-safe output through relations."""
from marshmallow import fields, missing, validate


def text(limit: int, required: bool = False, **kwargs) -> fields.String:
    """A string of at most `limit` characters (at least one when required)."""
    length = validate.Length(min=1 if required else 0, max=limit)
    return fields.String(required=required, validate=length, **kwargs)


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


class StrictBoolean(fields.Boolean):
    """JSON true or false only: 1, "yes" and "true" are refused."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value
