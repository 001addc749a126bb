"""The fields every input schema is built from, and one way to load through a schema.

One marshmallow schema checks an input wherever it comes from: an API body (JSON, typed), a
page form or a CSV row (text). `Input(text=True)` first turns text into the fields' types
(each field's `from_text`) and "" into "not given" (each field's `blank`), so a form and a
file follow the JSON's rules. Messages name the field: "{field}" in a message stands for the
field's dotted name, filled in by `readable()`, the one reader of marshmallow's errors (the
API's answers and the domain's DomainError alike).

The stock-moving inputs (movement lines, picks, receipts, count lines) are built from the plain
helpers at the end (`text`, `printable_text`, `count`, `StrictBoolean`): JSON only, the
marshmallow messages prefixed with the field's name.
"""
from decimal import Decimal, InvalidOperation

from marshmallow import Schema, ValidationError, fields, missing, pre_load, validate

from warehouse_app.errors import DomainError, ascii_digits

DROP = object()  # a blank that means "not given": the key is left out
READABLE = {"Missing data for required field.": "{field} is required.",
            "Unknown field.": "{field} is not a field of this request.",
            "Field may not be null.": "{field} may not be null."}
TRUE, FALSE = {"yes", "y", "true", "1", "on"}, {"no", "n", "false", "0"}
WHOLE = "{whole}"  # begins a message that names what is wrong itself ("Line 2: ...")


class Length(validate.Length):
    """Text's length, its message naming the field (apispec documents it as marshmallow's)."""

    def __call__(self, value):
        if self.min and len(value) < self.min:
            raise ValidationError("{field} is required." if self.min == 1
                                  else f"{{field}} has at least {self.min} characters.")
        if self.max is not None and len(value) > self.max:
            raise ValidationError(f"{{field}} is longer than {self.max} characters.")
        return value


class Range(validate.Range):
    """A number's bounds, its message naming the field."""

    def __call__(self, value):
        try:
            return super().__call__(value)
        except ValidationError:
            raise ValidationError(f"{{field}} must be between {self.min:,} and "
                                  f"{self.max:,}.") from None


class Text(fields.String):
    """Text stripped of surrounding space, without control characters, within a length."""

    default_error_messages = {"invalid": "{{field}} must be text."}

    def __init__(self, limit: int, required: bool = False, least: int | None = None,
                 blank=missing, **kwargs):
        least = (1 if required else 0) if least is None else least
        kwargs.setdefault("validate", [])
        kwargs["validate"] = [Length(min=least, max=limit), *_listed(kwargs["validate"])]
        super().__init__(required=required, **kwargs)
        self.blank = blank

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if any(ord(ch) < 32 and ch not in "\n\t" for ch in text):
            raise ValidationError("{field} contains control characters.")
        return text


class Count(fields.Integer):
    """A whole number (JSON integer, not 1.5, "3" or true) within bounds; from text, digits."""

    default_error_messages = {"invalid": "{{field}} must be a whole number."}

    def __init__(self, low: int, high: int, blank=missing, **kwargs):
        super().__init__(strict=True, validate=Range(min=low, max=high), **kwargs)
        self.blank = blank

    @staticmethod
    def from_text(value: str):
        digits = value.strip().removeprefix("-")
        return int(value.strip()) if ascii_digits(digits) else value


class Money(fields.Decimal):
    """A non-negative amount below a limit, at most `places` decimal places; answered as a
    string to keep every digit. Bounds documented as numbers (apispec would write strings)."""

    default_error_messages = {"invalid": "{{field}} must be a number.",
                              "special": "{{field}} must be a number."}

    def __init__(self, limit: Decimal, places: int = 4, **kwargs):
        metadata = {"minimum": 0, "maximum": int(limit), **kwargs.pop("metadata", {})}
        super().__init__(as_string=True, allow_nan=False, metadata=metadata,
                         validate=Range(min=0, max=limit, max_inclusive=False), **kwargs)
        self.decimals = places

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise self.make_error("invalid")
        try:
            amount = Decimal(str(value).strip()) if isinstance(value, str) else value
        except InvalidOperation:
            raise self.make_error("invalid") from None
        number = super()._deserialize(amount, attr, data, **kwargs)
        if number.is_finite() and number.as_tuple().exponent < -self.decimals:
            raise ValidationError(f"{{field}} has at most {self.decimals} decimal places.")
        return number


class Flag(fields.Boolean):
    """JSON true or false only (1, "yes" and "true" are refused); from text, yes/no."""

    default_error_messages = {"invalid": "{{field}} must be true or false."}

    def __init__(self, blank=missing, **kwargs):
        super().__init__(**kwargs)
        self.blank = blank  # a form's unticked checkbox sends nothing or "": False

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value

    @staticmethod
    def from_text(value: str):
        word = value.strip().lower()
        return True if word in TRUE else False if word in FALSE else value


def choice(values, **kwargs) -> Text:
    """One of some words (e.g. an enum's values); from text, in any case."""
    values = list(values)
    field = Text(40, validate=validate.OneOf(values, error="{{field}} is one of {choices}."),
                 **kwargs)
    field.from_text = lambda value: value.strip().lower()
    return field


def _listed(validators) -> list:
    return list(validators) if isinstance(validators, (list, tuple)) else [validators]


class Input(Schema):
    """A schema for one input. `text=True`: a page form or CSV row, every value text."""

    def __init__(self, *args, text: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.text = text

    @pre_load
    def from_text(self, data, **kwargs):
        """Text into the fields' types; "" into "not given" (None where null is allowed)."""
        if not self.text or not isinstance(data, dict):
            return data
        typed = {}
        by_key = {f.data_key or name: f for name, f in self.load_fields.items()}
        for key, value in data.items():
            field = by_key.get(key)
            if field is not None and isinstance(value, str):
                if not value.strip():
                    value = getattr(field, "blank", missing)
                    if value is missing:
                        value = None if field.allow_none else DROP
                    if value is DROP:
                        continue
                elif hasattr(field, "from_text"):
                    value = field.from_text(value)
            typed[key] = value
        return typed


def readable(errors) -> list[tuple[str | None, str]]:
    """(field, message) for each bad field of marshmallow's error messages, in order: the
    field is the top-level name, the message names the dotted path."""
    if not isinstance(errors, dict):
        return [(None, first_message(errors, ())[1])]
    found = []
    for key, inner in errors.items():
        path, text = first_message(inner, (str(key),))
        found.append(_said(path, text))
    return found


def _said(path: tuple, text: str) -> tuple[str | None, str]:
    if not path or path[0] == "_schema":
        return None, text.replace("{field}", "input")
    name = ".".join(path)
    if text.startswith(WHOLE):
        return path[0], text.removeprefix(WHOLE)
    if "{field}" in text:
        return path[0], text.replace("{field}", name)
    if text in READABLE:
        return path[0], READABLE[text].format(field=name)
    return path[0], f"{name}: {text}"


def first_message(errors, path: tuple = ()) -> tuple[tuple, str]:
    """The path to the first message of marshmallow's nested error messages, and the message."""
    if isinstance(errors, dict) and errors:
        key = next(iter(errors))
        return first_message(errors[key], (*path, str(key)))
    if isinstance(errors, (list, tuple)) and errors:
        return first_message(errors[0], path)
    return path, str(errors)


def first_error(errors) -> tuple[str | None, str]:
    """The first bad field and its message: what a refused input answers, on every road."""
    if not errors:
        return None, "Invalid input."
    field, message = readable(errors)[0]
    if field is None and message == "Invalid input type.":
        message = "The body must be a JSON object."
    return field, message


def load(schema: Schema, data) -> dict:
    """The input checked and typed by its schema, or a DomainError naming the first bad field."""
    if not isinstance(data, dict):
        raise DomainError("The body must be a JSON object.")
    try:
        return schema.load(data)
    except ValidationError as err:
        field, message = first_error(err.messages)
        raise DomainError(message, field=field) from None


def problems(schema: Input, data: dict) -> list[tuple[str | None, str]]:
    """Every bad field of an input (a CSV row reports them all at once), nothing if good."""
    return readable(schema.validate(data))


# The plain helpers of the stock-moving inputs (JSON only).
# A NUL byte makes PostgreSQL fail a query (a 500): control characters in a code are bad input.
PRINTABLE = validate.Regexp(r"^[^\x00-\x1f]*$", error="Control characters are not allowed.")


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
