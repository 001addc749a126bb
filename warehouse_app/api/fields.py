"""Marshmallow fields the API schemas share: strict input, null-safe output through relations."""
from marshmallow import fields, missing

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
