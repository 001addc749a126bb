"""Count tolerances: how far a counted line may differ from the books and still post at submit.

A rule is found for each product: its own, else its category's, else the nearest ancestor
category's, else the app's default (COUNT_TOLERANCE_UNITS, COUNT_TOLERANCE_PCT and
COUNT_TOLERANCE_VALUE; strict: 1 unit and 2 %, no value cap). A line is within when every limit
of its rule holds: |variance| <= units, |variance| / expected <= pct (a product found where the
books expected none is 100 % off), and |variance| x cost <= value when a value cap is set.
"""
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask import current_app
from sqlalchemy import select

from warehouse_app.catalog.models import Category, Product
from warehouse_app.counting.models import CountTolerance
from warehouse_app.errors import DomainError
from warehouse_app.extensions import db

DEFAULTS = {"COUNT_TOLERANCE_UNITS": 1, "COUNT_TOLERANCE_PCT": "2",
            "COUNT_TOLERANCE_VALUE": None}
MAX_UNITS = 1_000_000
MAX_AMOUNT = Decimal("1000000000")


@dataclass(frozen=True)
class Rule:
    """The limits one product's lines are held to, and where they come from."""

    units: int
    pct: Decimal
    value: Decimal | None = None
    source: str = "default"

    def within(self, expected: int, counted: int, unit_cost: Decimal | None) -> bool:
        """True when a line's variance stays inside every limit."""
        off = abs(counted - expected)
        if off == 0:
            return True
        if off > self.units:
            return False
        if expected == 0 or Decimal(off) * 100 > self.pct * expected:
            return False
        return self.value is None or off * (unit_cost or Decimal(0)) <= self.value

    def describe(self) -> str:
        """'1 unit and 2 %' (and the value cap when set)."""
        text = f"{self.units} unit{'' if self.units == 1 else 's'} and {self.pct.normalize():f} %"
        return text + (f" and {self.value:.2f} in value" if self.value is not None else "")


def default_rule() -> Rule:
    """The app-wide rule from the config."""
    config = current_app.config
    value = config.get("COUNT_TOLERANCE_VALUE", DEFAULTS["COUNT_TOLERANCE_VALUE"])
    return Rule(int(config.get("COUNT_TOLERANCE_UNITS", DEFAULTS["COUNT_TOLERANCE_UNITS"])),
                Decimal(str(config.get("COUNT_TOLERANCE_PCT", DEFAULTS["COUNT_TOLERANCE_PCT"]))),
                None if value in (None, "") else Decimal(str(value)))


def _rule(row: CountTolerance, source: str) -> Rule:
    return Rule(row.max_units, Decimal(row.max_pct), row.max_value, source)


def rules_for(product_ids) -> dict[int, Rule]:
    """The rule of each product, in three queries whatever the number of products."""
    ids = sorted(set(product_ids))
    default = default_rule()
    rows = db.session.scalars(select(CountTolerance)).all()
    if not rows:
        return dict.fromkeys(ids, default)
    own = {r.product_id: r for r in rows if r.product_id is not None}
    by_category = {r.category_id: r for r in rows if r.category_id is not None}
    parents = dict(db.session.execute(select(Category.id, Category.parent_id)).all())
    names = dict(db.session.execute(select(Category.id, Category.name)).all())
    categories = {}
    for start in range(0, len(ids), 500):
        categories.update(db.session.execute(select(Product.id, Product.category_id).where(
            Product.id.in_(ids[start:start + 500]))).all())
    found = {}
    for pid in ids:
        if pid in own:
            found[pid] = _rule(own[pid], "product")
            continue
        found[pid] = default
        node, seen = categories.get(pid), set()
        while node is not None and node not in seen:
            if node in by_category:
                found[pid] = _rule(by_category[node], f"category {names.get(node, '')}")
                break
            seen.add(node)
            node = parents.get(node)
    return found


def _whole(value, field: str, most: int) -> int:
    text = str(value).strip() if value is not None else ""
    if not text.isdigit() or int(text) > most:
        raise DomainError(f"{field.replace('_', ' ').capitalize()} must be a whole number from "
                          f"0 to {most:,}.", field=field)
    return int(text)


def _amount(value, field: str, most: Decimal, required: bool) -> Decimal | None:
    text = str(value).strip() if value is not None else ""
    if not text:
        if required:
            raise DomainError(f"{field.replace('_', ' ').capitalize()} is required.", field=field)
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise DomainError(f"{field.replace('_', ' ').capitalize()} must be a number.",
                          field=field) from None
    if not amount.is_finite() or not 0 <= amount <= most:
        raise DomainError(f"{field.replace('_', ' ').capitalize()} must be between 0 and "
                          f"{most:,}.", field=field)
    return amount.quantize(Decimal("0.0001"))


def save(fields: dict, product: Product | None = None,
         category: Category | None = None) -> CountTolerance:
    """Set the tolerance of a product or a category (one of them), replacing any earlier one."""
    if (product is None) == (category is None):
        raise DomainError("A tolerance is for one product or one category.", field="target")
    units = _whole(fields.get("max_units"), "max_units", MAX_UNITS)
    pct = _amount(fields.get("max_pct"), "max_pct", Decimal(100), required=True)
    value = _amount(fields.get("max_value"), "max_value", MAX_AMOUNT, required=False)
    query = select(CountTolerance).where(
        CountTolerance.product_id == product.id if product is not None
        else CountTolerance.category_id == category.id)
    row = db.session.scalar(query)
    if row is None:
        row = CountTolerance(product=product, category=category)
        db.session.add(row)
    row.max_units, row.max_pct, row.max_value = units, pct, value
    db.session.flush()
    return row


def remove(tolerance_id) -> CountTolerance:
    """Drop one override: its products fall back to their category's rule or the default."""
    row = db.session.get(CountTolerance, tolerance_id) if isinstance(tolerance_id, int) else None
    if row is None:
        raise DomainError("No such tolerance.", field="tolerance", code="not_found", status=404)
    db.session.delete(row)
    db.session.flush()
    return row


def overrides() -> list[CountTolerance]:
    """Every product and category override, categories first."""
    rows = db.session.scalars(select(CountTolerance)).all()
    return sorted(rows, key=lambda r: (r.product_id is not None,
                                       str(r.category) if r.category else r.product.sku))


def category_by_path(path) -> Category:
    """An existing category named by its path 'A > B', or a 404."""
    names = [part.strip() for part in str(path or "").split(">")]
    if not all(names):
        raise DomainError("Name a category by its path, e.g. Kitchen > Mugs.", field="category")
    node = None
    for name in names:
        node = db.session.scalar(select(Category).where(
            Category.name == name,
            Category.parent_id.is_(None) if node is None else Category.parent_id == node.id))
        if node is None:
            raise DomainError(f"No category {path!s:.100}.", field="category", code="not_found",
                              status=404)
    return node
