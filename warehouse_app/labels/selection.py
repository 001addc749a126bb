"""Turning a request's arguments into a checked print job: which labels, on what, how many."""
from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from warehouse_app.auth import warehouses
from warehouse_app.catalog import products as catalog
from warehouse_app.catalog.models import Category, Product
from warehouse_app.errors import DomainError, NotFound, ascii_digits
from warehouse_app.extensions import db
from warehouse_app.labels import content, templates
from warehouse_app.labels.layout import Label
from warehouse_app.labels.templates import Template
from warehouse_app.locations import places
from warehouse_app.locations.csv_io import tree_order
from warehouse_app.locations.models import Location, LocationKind

MAX_LABELS = 5000  # one request; a PDF of 5,000 labels takes a few seconds
MAX_COPIES = 1000
MAX_CODES = 500  # codes typed or scanned into one request
TRUE = {"1", "on", "yes", "true", "y"}
KINDS = ("products", "bins", "signs", "receipts")
NAMES = {"products": "Product labels", "bins": "Bin labels", "signs": "Shelf and aisle signs",
         "receipts": "Receipt labels"}
PROVIDED = "label_sources"  # app.extensions: the kinds whose labels a room above reads


@dataclass
class Job:
    """A checked request: the labels in print order, the template and the cells to skip."""

    kind: str
    template: Template
    labels: list[Label]
    skip: int
    copies: int


def codes(args: MultiDict, name: str) -> list[str]:
    """Every code given as name=, several per field allowed (one per line, as scanned)."""
    found = [code for value in args.getlist(name) for code in value.split()]
    if len(found) > MAX_CODES:
        raise DomainError(f"At most {MAX_CODES} codes per request.", field=name,
                          code="too_many")
    return list(dict.fromkeys(found))


def whole(args: MultiDict, name: str, default: int, low: int, high: int) -> int:
    """A whole number argument within [low, high], else a 422 naming the field."""
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    if not ascii_digits(raw) or not low <= int(raw) <= high:
        raise DomainError(f"{name} is a whole number from {low:,} to {high:,}.", field=name,
                          code="out_of_range")
    return int(raw)


def choice(args: MultiDict, name: str, allowed: tuple[str, ...]) -> str:
    """One of the allowed values (the first when blank), else a 422 listing them."""
    value = (args.get(name) or "").strip().lower() or allowed[0]
    if value not in allowed:
        raise DomainError(f"{name} is one of {', '.join(allowed)}.", field=name)
    return value


def pick_template(args: MultiDict, kind: str, fmt: str) -> Template:
    """The template asked for, or this kind's default for the format."""
    sign = kind == "signs"
    fallback = templates.DEFAULTS[("thermal" if fmt == "zpl" else "sign" if sign else "sheet")
                                  + ("-sign" if sign and fmt == "zpl" else "")]
    return templates.get(args.get("template"), fallback)


def build(kind: str, args: MultiDict, fmt: str) -> Job:
    """The whole job for /labels/<kind>.<fmt>, or a DomainError saying what is wrong."""
    tpl = pick_template(args, kind, fmt)
    copies = whole(args, "copies", 1, 1, MAX_COPIES)
    skip = whole(args, "skip", 0, 0, tpl.per_page - 1)
    symbology = choice(args, "symbology", content.SYMBOLOGIES)
    labels = source(kind)(args, symbology, MAX_LABELS // copies)
    if len(labels) * copies > MAX_LABELS:
        raise DomainError(f"That is {len(labels) * copies:,} labels; at most {MAX_LABELS:,} "
                          "per request.", field="copies", code="too_many")
    return Job(kind, tpl, [label for label in labels for _ in range(copies)], skip, copies)


def _products(args: MultiDict, symbology: str, limit: int) -> list[Label]:
    found = _chosen_products(args, limit)
    price = (args.get("price") or "").strip().lower() in TRUE
    return [content.product_label(p, symbology, price) for p in found]


def _chosen_products(args: MultiDict, limit: int) -> list[Product]:
    chosen: dict[int, Product] = {}
    for code in codes(args, "sku"):
        product = _product(code)
        chosen.setdefault(product.id, product)
    if category := (args.get("category") or "").strip():
        for product in db.session.scalars(select(Product).where(
                Product.category_id.in_(_category_ids(category)), Product.active.is_(True))
                .order_by(Product.sku).limit(limit + 1)):
            chosen.setdefault(product.id, product)
    if q := (args.get("q") or "").strip():
        matches = db.session.scalars(catalog.search(q[:200]).limit(limit + 1)).all()
        if not matches:
            raise NotFound(f"No products match {q[:60]}.", field="q")
        for product in matches:
            chosen.setdefault(product.id, product)
    if not chosen and not category:
        raise DomainError("Choose products: scan or type SKUs, or give a category or a search.",
                          field="sku", code="nothing_selected")
    return _within(list(chosen.values()), limit, "category" if category else "sku")


def _product(code: str) -> Product:
    """A product by SKU, else by one of its barcodes; a 404 naming the code."""
    try:
        return catalog.by_sku(code)
    except NotFound:
        try:
            return catalog.by_barcode(code, field="sku")[0]
        except NotFound:
            raise NotFound(f"No product with SKU or barcode {code[:64]}.", field="sku") from None


def _category_ids(path: str) -> list[int]:
    """The category named by its path ('Apparel > T-shirts') and all categories under it."""
    rows = db.session.scalars(select(Category)).all()
    wanted = " > ".join(part.strip() for part in path.split(">")).lower()
    top = [c for c in rows if c.path.lower() == wanted] or [
        c for c in rows if c.name.lower() == wanted]
    if len(top) != 1:
        raise NotFound(f"No category {path[:80]}." if not top else
                       f"{path[:80]} names several categories; give its full path.",
                       field="category")
    ids, frontier = [top[0].id], [top[0].id]
    while frontier:
        frontier = [c.id for c in rows if c.parent_id in frontier]
        ids += frontier
    return ids


def _within(items: list, limit: int, field: str) -> list:
    if not items:
        raise NotFound("Nothing to print: the selection is empty.", field=field)
    if len(items) > limit:
        raise DomainError(f"That selection is more than {limit:,} labels; at most "
                          f"{MAX_LABELS:,} per request.", field=field, code="too_many")
    return items


def locations(args: MultiDict) -> list[Location]:
    """The physical locations named by location= codes; a 404 naming an unknown one."""
    found = []
    for code in codes(args, "location"):
        location = places.by_code(code)
        if not location.is_physical:
            raise DomainError(f"{location.code} is not a place in the warehouse.",
                              field="location")
        warehouses.check(location, field="location")
        found.append(location)
    if not found:
        raise DomainError("Choose a location: a bin, or a zone or warehouse for all its bins.",
                          field="location", code="nothing_selected")
    return found


def _below(roots: list[Location], kinds: set[LocationKind]) -> list[Location]:
    """Active locations of these kinds at or under the roots, in walking order."""
    order = tree_order()
    wanted: list[Location] = []
    for root in roots:
        inside = False
        for node in order:
            if node.id == root.id:
                inside = True
            elif inside and _depth(node) <= _depth(root):
                break
            if inside and node.kind in kinds and (node.active or node.id == root.id):
                wanted.append(node)
    return list(dict.fromkeys(wanted))


def _depth(location: Location) -> int:
    return location.path.count(" / ")


def _bins(args: MultiDict, symbology: str, limit: int) -> list[Label]:
    roots = locations(args)
    arrow = choice(args, "arrow", ("none", "up", "down"))
    found = _below(roots, {LocationKind.BIN})
    if not found:
        raise NotFound(f"No bins in {', '.join(r.code for r in roots)[:80]}.", field="location")
    return [content.bin_label(b, symbology, "" if arrow == "none" else arrow)
            for b in _within(found, limit, "location")]


def _signs(args: MultiDict, symbology: str, limit: int) -> list[Label]:
    roots = locations(args)
    found = [r for r in roots if r.kind is LocationKind.BIN]
    found += _below([r for r in roots if r.kind is not LocationKind.BIN],
                    {LocationKind.WAREHOUSE, LocationKind.ZONE})
    return [content.sign_label(s, symbology) for s in _within(found, limit, "location")]


SOURCES = {"products": _products, "bins": _bins, "signs": _signs}


def provide(app: Flask, kind: str, labels) -> None:
    """Let a room above print this kind: labels(args, symbology, limit) -> [Label] reads what
    they show (receipts: the ledger's movements and purchase orders, read by orders)."""
    if kind not in KINDS or kind in SOURCES:
        raise ValueError(f"{kind} is not a kind of label another room provides.")
    app.extensions.setdefault(PROVIDED, {})[kind] = labels


def source(kind: str):
    """What reads the labels of this kind; a 404 when no room provides it."""
    found = SOURCES.get(kind) or current_app.extensions.get(PROVIDED, {}).get(kind)
    if found is None:
        raise NotFound(f"This app prints no {kind} labels.", field="kind")
    return found
