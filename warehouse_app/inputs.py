"""What every input schema shares: strict fields, and a refusal every road answers alike.

A page form, the phone's JSON, an API body and a CSV row meaning the same thing load through one
marshmallow schema (kept in the capability that carries the input out). Its first error becomes a
DomainError naming the field (422 invalid), which each road answers in its own shape; the API's
webargs errors are worded by the same first_error().
"""
from marshmallow import Schema, ValidationError, fields, validate

from warehouse_app.errors import DomainError

# A NUL byte makes PostgreSQL fail a query (a 500): control characters in a code are bad input.
PRINTABLE = validate.Regexp(r"^[^\x00-\x1f]*$", error="Control characters are not allowed.")
READABLE = {"Missing data for required field.": "{field} is required.",
            "Unknown field.": "{field} is not a field of this request.",
            "Field may not be null.": "{field} may not be null."}


def text(limit: int, required: bool = False, **kwargs) -> fields.String:
    """A string of at most `limit` characters (at least one when required)."""
    length = validate.Length(min=1 if required else 0, max=limit)
    return fields.String(required=required, validate=length, **kwargs)


def printable_text(limit: int, required: bool = False, **kwargs) -> fields.String:
    """A code, lot or client_op_id: printable text of at most `limit` characters."""
    return fields.String(required=required, validate=[
        validate.Length(min=1 if required else 0, max=limit), PRINTABLE], **kwargs)


def count(low: int, high: int, **kwargs) -> fields.Integer:
    """A whole number (JSON integer, not 1.5, "3" or true) within bounds."""
    return fields.Integer(strict=True, validate=validate.Range(min=low, max=high), **kwargs)


class StrictBoolean(fields.Boolean):
    """JSON true or false only: 1, "yes" and "true" are refused."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def load(schema: Schema, data) -> dict:
    """The data a schema loads, or a DomainError (422 invalid) naming its first bad field."""
    try:
        return schema.load(data)
    except ValidationError as err:
        field, message = first_error(err.messages)
        raise DomainError(message, field=field) from None


def first_error(errors) -> tuple[str | None, str]:
    """The first bad field's top-level name and a readable message, from a schema's errors."""
    path, message = _first(errors, ())
    if not path or path[0] == "_schema":
        if message == "Invalid input type.":
            message = "The body must be a JSON object."
        return None, message
    name = ".".join(path)
    if message in READABLE:
        return path[0], READABLE[message].format(field=name)
    return path[0], f"{name}: {message}"


def _first(errors, path: tuple) -> tuple[tuple, str]:
    if isinstance(errors, dict) and errors:
        key = next(iter(errors))
        return _first(errors[key], (*path, str(key)))
    if isinstance(errors, (list, tuple)) and errors:
        return _first(errors[0], path)
    return path, str(errors)
