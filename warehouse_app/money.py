"""Money: a cost or price read from what a person, a file or the API gave, and shown back.

The catalog (a product's cost and sale price) and the ledger (a receipt's unit cost) read costs
the same way; neither owns the rule, so it lives here, below both.
"""
from decimal import Decimal, InvalidOperation

from warehouse_app.errors import DomainError

MAX_COST = Decimal("1000000000")
COST_PLACES = Decimal("0.0001")


def parse_cost(value, field: str = "unit_cost") -> Decimal | None:
    """A unit cost: a non-negative decimal below a billion, or None when not given."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise DomainError("Unit cost must be a number.", field=field)
    try:
        cost = Decimal(str(value))
    except InvalidOperation:
        raise DomainError("Unit cost must be a number.", field=field) from None
    if not cost.is_finite() or cost < 0 or cost >= MAX_COST:
        raise DomainError("Unit cost must be between 0 and 1,000,000,000.", field=field)
    return cost.quantize(COST_PLACES)


def shown(value: Decimal | None) -> str:
    """A cost with two decimals, or more when it has them."""
    if value is None:
        return ""
    value = Decimal(value)
    cents = value.quantize(Decimal("0.01"))
    return f"{cents:.2f}" if cents == value else f"{value.normalize():f}"
