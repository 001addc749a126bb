"""Creating, changing and finding products and their barcodes."""
from decimal import Decimal

from sqlalchemy import func, or_, select

from warehouse_app import codes
from warehouse_app.catalog.inputs import (
    ProductChangeSchema,
    ProductCreateSchema,
    guess_kind,
)
from warehouse_app.catalog.models import Barcode, BarcodeKind, Category, Product, Supplier, Tracking
from warehouse_app.database import one_by
from warehouse_app.errors import Conflict, DomainError, NotFound
from warehouse_app.extensions import db
from warehouse_app.inputs import load
from warehouse_app.money import parse_cost

TEXT_FIELDS = ("name", "description", "variant_group", "variant")
HAND_SET = ("reorder_point", "safety_stock")  # null: not hand-set, worked out
EDITABLE = frozenset(ProductChangeSchema().fields) - {"sku"}


def clean_text(value, field: str, limit: int, required: bool = False) -> str:
    """Text stripped of surrounding space, within a length, present when required."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise DomainError(f"{field} must be text.", field=field)
    value = value.strip()
    if required and not value:
        raise DomainError(f"{field} is required.", field=field)
    if len(value) > limit:
        raise DomainError(f"{field} is longer than {limit} characters.", field=field)
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in value):
        raise DomainError(f"{field} contains control characters.", field=field)
    return value


def by_sku(sku, field: str = "sku") -> Product:
    """The product with this SKU, or a 404 naming it."""
    if not isinstance(sku, str) or not sku.strip():
        raise DomainError("A SKU is required.", field=field)
    product = with_sku(sku.strip())
    if product is None:
        raise NotFound(f"No product with SKU {sku.strip()[:64]}.", field=field)
    return product


def with_sku(sku: str) -> Product | None:
    """The product with exactly this SKU, if any."""
    return one_by(Product.sku, sku)


def barcode_of(code: str) -> Barcode | None:
    """The barcode row with exactly this code, if any."""
    return one_by(Barcode.code, code)


def by_barcode(code, field: str = "barcode") -> tuple[Product, int]:
    """The product a barcode is printed on, and how many units one scan of it means."""
    if not isinstance(code, str) or not code.strip():
        raise DomainError("A barcode is required.", field=field)
    barcode = barcode_of(code.strip())
    if barcode is None:
        raise NotFound(f"No product with barcode {code.strip()[:64]}.", field=field)
    return barcode.product, barcode.pack_size


def search(q: str = "", include_inactive: bool = False):
    """Products whose SKU, name or barcode contains q, by SKU."""
    query = select(Product).order_by(Product.sku)
    if q := (q or "").strip():  # % and _ are searched for, not wildcards (autoescape)
        low = q.lower()
        query = query.where(or_(
            func.lower(Product.sku).contains(low, autoescape=True),
            func.lower(Product.name).contains(low, autoescape=True),
            Product.id.in_(select(Barcode.product_id).where(
                Barcode.code.contains(q, autoescape=True)))))
    if not include_inactive:
        query = query.where(Product.active.is_(True))
    return query


def category_levels(path) -> list[str]:
    """The names of the levels of a category path 'A > B > C', checked (none when empty)."""
    path = clean_text(path, "category", 400)
    if not path:
        return []
    levels = [part.strip() for part in path.split(">")]
    if not all(levels):
        raise DomainError("A category path has an empty level.", field="category")
    return levels


def category_from_path(path) -> Category | None:
    """The category 'A > B > C', created level by level when missing."""
    parent = None
    for name in category_levels(path):
        node = db.session.scalar(select(Category).where(
            Category.name == name,
            Category.parent_id.is_(None) if parent is None else Category.parent_id == parent.id))
        if node is None:
            node = Category(name=name[:120], parent=parent)
            db.session.add(node)
            db.session.flush()
        parent = node
    return parent


def supplier_named(name) -> Supplier | None:
    """The supplier with this name, created when new."""
    name = clean_text(name, "supplier", 120)
    if not name:
        return None
    supplier = db.session.scalar(select(Supplier).where(Supplier.name == name))
    if supplier is None:
        supplier = Supplier(name=name)
        db.session.add(supplier)
        db.session.flush()
    return supplier


def _check_barcodes_free(specs: list[dict], product: Product | None) -> None:
    codes = [s["code"] for s in specs]
    if len(set(codes)) != len(codes):
        raise Conflict("The same barcode is listed twice.", field="barcodes",
                       code="duplicate_barcode")
    for code in codes:
        owner = db.session.scalar(select(Barcode).where(Barcode.code == code))
        if owner is not None and (product is None or owner.product_id != product.id):
            raise Conflict(f"Barcode {code} already belongs to {owner.product.sku}.",
                           field="barcodes", code="duplicate_barcode")
        clash = db.session.scalar(select(Product).where(Product.sku == code))
        if clash is not None and clash is not product:
            raise Conflict(f"Barcode {code} is the SKU of another product.", field="barcodes",
                           code="duplicate_barcode")


def _apply(product: Product, data: dict) -> None:
    """Set what a loaded input gives (products.inputs checked it)."""
    for key in TEXT_FIELDS:
        if key in data:
            setattr(product, key,
                    data[key] or (None if key.startswith("variant") else ""))
    for key in HAND_SET:
        if key in data:
            setattr(product, key, data[key])
    if data.get("lead_time_days") is not None:
        product.lead_time_days = data["lead_time_days"]
    if "unit_cost" in data:
        cost = parse_cost(data["unit_cost"])
        product.unit_cost = cost if cost is not None else Decimal(0)
        if not product.avg_cost:
            product.avg_cost = product.unit_cost
    if "sale_price" in data:
        product.sale_price = parse_cost(data["sale_price"], field="sale_price")
    if "category" in data:
        product.category = category_from_path(data["category"])
    if "supplier" in data:
        product.supplier = supplier_named(data["supplier"])
    if "tracking" in data:
        product.tracking = Tracking(data["tracking"])
    if "home_location" in data:
        product.home_location = _home(data["home_location"])
    if "active" in data:
        product.active = data["active"]


def _home(code):
    """The bin a product normally lives in (a location code), or None to clear it."""
    from warehouse_app.locations.places import by_code
    if code in (None, ""):
        return None
    location = by_code(code, field="home_location")
    if not location.is_physical:
        raise DomainError(f"{location.code} is not a place in the warehouse.",
                          field="home_location")
    return location


def create(fields: dict) -> Product:
    """A new product with its barcodes; a SKU or barcode already used is a 409."""
    data = load(ProductCreateSchema(), fields)
    sku = data["sku"]
    if db.session.scalar(select(func.count()).where(Product.sku == sku)):
        raise Conflict(f"SKU {sku} is already used.", field="sku", code="duplicate_sku")
    if db.session.scalar(select(func.count()).where(Barcode.code == sku)):
        raise Conflict(f"SKU {sku} is already a barcode of another product.", field="sku",
                       code="duplicate_sku")
    barcodes = _barcode_list(data.get("barcodes"))
    product = Product(sku=sku, name="")
    _apply(product, data)
    _check_barcodes_free(barcodes, None)
    product.barcodes = [Barcode(**spec) for spec in barcodes]
    db.session.add(product)
    db.session.flush()
    codes.claim(product.sku, "product", product.id, field="sku")
    for spec in barcodes:
        codes.claim(spec["code"], "product", product.id, field="barcodes")
    return product


def unsaved(fields: dict) -> tuple[Product, list[dict], list[str], str]:
    """create()'s checks that need no database, for many new products at once (an import):
    the product (not in the session, without category, supplier or barcodes), its barcodes,
    its category's levels and its supplier's name. Whether its codes are free is the caller's
    to ask, for all of them in one question (codes.taken)."""
    data = load(ProductCreateSchema(), fields)
    product = Product(sku=data["sku"], name="")
    _apply(product, {k: v for k, v in data.items() if k not in ("category", "supplier")})
    barcodes = _barcode_list(data.get("barcodes"))
    if len({b["code"] for b in barcodes}) != len(barcodes):
        raise Conflict("The same barcode is listed twice.", field="barcodes",
                       code="duplicate_barcode")
    return product, barcodes, category_levels(data.get("category")), data.get("supplier") or ""


def _barcode_list(specs: list[dict] | None) -> list[dict]:
    """Loaded barcodes as rows: the kind guessed from the digits when not given."""
    return [{"code": s["code"], "kind": BarcodeKind(s["kind"]) if s.get("kind")
             else guess_kind(s["code"]), "pack_size": s.get("pack_size", 1)}
            for s in specs or []]


def update(product: Product, fields: dict) -> Product:
    """Change some fields; a barcodes list replaces the product's barcodes."""
    data = load(ProductChangeSchema(), fields)
    if "sku" in data and data["sku"] != product.sku:
        raise DomainError("A SKU cannot change; create a new product instead.", field="sku")
    barcodes = _barcode_list(data["barcodes"]) if "barcodes" in data else None
    _apply(product, data)
    if barcodes is not None:
        _check_barcodes_free(barcodes, product)
        keep = {b.code: b for b in product.barcodes}
        new = []
        for spec in barcodes:
            barcode = keep.get(spec["code"]) or Barcode(code=spec["code"])
            barcode.kind, barcode.pack_size = spec["kind"], spec["pack_size"]
            new.append(barcode)
        gone = set(keep) - {b.code for b in new}
        product.barcodes = new
        db.session.flush()
        for code in gone:
            if codes.key(code) != codes.key(product.sku):
                codes.release(code, "product", product.id)
        for barcode in new:
            codes.claim(barcode.code, "product", product.id, field="barcodes")
    db.session.flush()
    return product
