"""What the product pages show from rooms above the catalog: stock on hand (the look-up's)
and the reorder point in force beside the computed one (insight's).

The catalog knows products, not stock: those rooms provide these when their blueprints are
registered (`provide()` from a `record_once`), so the pages show them without the catalog
importing either. An app without them shows no stock and no point.
"""
from collections.abc import Callable

from flask import Flask, current_app

KEY = "catalog_panels"
SLOTS = {
    "on_hand": "product ids -> {product id: total on hand}",
    "reorder_point": "a product -> its reorder point in force, or None",
}


def provide(app: Flask, **providers: Callable) -> None:
    """Fill some of the SLOTS for this app's product pages."""
    unknown = sorted(set(providers) - set(SLOTS))
    if unknown:
        raise TypeError(f"No product page slot named {', '.join(unknown)}.")
    app.extensions.setdefault(KEY, {}).update(providers)


def _provider(slot: str) -> Callable | None:
    return current_app.extensions.get(KEY, {}).get(slot)


def on_hand(product_ids: list[int]) -> dict[int, int]:
    """Total on hand of each of these products (none when no room provides stock)."""
    found = _provider("on_hand")
    return found(product_ids) if found and product_ids else {}


def reorder_point(product):
    """The product's reorder point in force (None when none is, or none is provided)."""
    found = _provider("reorder_point")
    return found(product) if found else None
