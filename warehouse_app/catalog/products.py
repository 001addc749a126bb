"""Creating, changing and finding products and their barcodes."""
from decimal import Decimal

from sqlalchemy import func, or_, select

from warehouse_app import codes
from warehouse_app.catalog.models import Barcode, BarcodeKind, Category, Product, Supplier, Tracking
from warehouse_app.errors import Conflict, DomainError, NotFound, ascii_digits
from warehouse_app.extensions import db
from warehouse_app.money import parse_cost
from warehouse_app.prepared import Loader

SKU_MAX, NAME_MAX, DESCRIPTION_MAX, CODE_MAX = 64, 200, 5000, 64
MAX_PACK = 100_000
_BY_SKU = Loader(Product, Product.sku)
_BY_BARCODE = Loader(Barcode, Barcode.code)
MAX_DAYS = 3650
MAX_POINT = 1_000_000_000
INT_FIELDS = {"reorder_point": MAX_POINT, "safety_stock": MAX_POINT, "lead_time_days": MAX_DAYS}
HAND_SET = ("reorder_point", "safety_stock")  # empty or null: not hand-set, worked out
TEXT_FIELDS = {"name": NAME_MAX, "description": DESCRIPTION_MAX, "variant_group": 64,
               "variant": 64}
EDITABLE = (set(INT_FIELDS) | set(TEXT_FIELDS)
            | {"unit_cost", "sale_price", "category", "supplier", "tracking", "active", "barcodes",
               "home_location"})


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


def clean_sku(value) -> str:
    sku = clean_text(value, "sku", SKU_MAX, required=True)
    if any(ch.isspace() for ch in sku):
        raise DomainError("A SKU has no spaces.", field="sku")
    return sku


def clean_int(value, field: str, limit: int) -> int:
    if isinstance(value, str) and ascii_digits(value.strip()):
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise DomainError(f"{field} must be a whole number.", field=field)
    if value < 0 or value > limit:
        raise DomainError(f"{field} must be between 0 and {limit:,}.", field=field)
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
    return _BY_SKU.one(db.session(), sku)


def barcode_of(code: str) -> Barcode | None:
    """The barcode row with exactly this code, if any."""
    return _BY_BARCODE.one(db.session(), code)


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


def _ean_ok(digits: str) -> bool:
    body, check = digits[:-1], int(digits[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def guess_kind(code: str) -> BarcodeKind:
    """EAN/UPC/GTIN when the digits and check digit say so, else internal."""
    if code.isdigit() and _ean_ok(code):
        return {8: BarcodeKind.EAN8, 12: BarcodeKind.UPC, 13: BarcodeKind.EAN13,
                14: BarcodeKind.GTIN}.get(len(code), BarcodeKind.INTERNAL)
    return BarcodeKind.INTERNAL


GS1_LENGTHS = {BarcodeKind.EAN8: 8, BarcodeKind.UPC: 12, BarcodeKind.EAN13: 13,
               BarcodeKind.GTIN: 14}


def clean_barcode(spec) -> dict:
    """A barcode given as a string or {code, kind, pack_size}, checked."""
    if isinstance(spec, str):
        spec = {"code": spec}
    if not isinstance(spec, dict):
        raise DomainError("A barcode is a string or an object with a code.", field="barcodes")
    code = clean_text(spec.get("code"), "barcodes", CODE_MAX, required=True)
    if any(ch.isspace() for ch in code):
        raise DomainError("A barcode has no spaces.", field="barcodes")
    kind_value = spec.get("kind")
    try:
        kind = BarcodeKind(kind_value) if kind_value else guess_kind(code)
    except ValueError:
        names = ", ".join(k.value for k in BarcodeKind)
        raise DomainError(f"Unknown barcode kind {str(kind_value)[:20]}; use one of {names}.",
                          field="barcodes") from None
    if (not kind_value and code.isdigit() and len(code) in GS1_LENGTHS.values()
            and not _ean_ok(code)):
        raise DomainError(f"{code} looks like an EAN/UPC but its check digit is wrong; "
                          "give kind 'internal' to keep it as it is.", field="barcodes")
    if kind in GS1_LENGTHS and not (code.isdigit() and len(code) == GS1_LENGTHS[kind]
                                    and _ean_ok(code)):
        raise DomainError(f"{code} is not a valid {kind.value} (length or check digit).",
                          field="barcodes")
    pack = spec.get("pack_size", 1)
    pack = clean_int(pack, "pack_size", MAX_PACK)
    if pack < 1:
        raise DomainError("pack_size must be at least 1.", field="pack_size")
    return {"code": code, "kind": kind, "pack_size": pack}


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


def _apply(product: Product, fields: dict) -> None:
    unknown = set(fields) - EDITABLE - {"sku"}
    if unknown:
        raise DomainError(f"Unknown field {sorted(unknown)[0]}.", field=sorted(unknown)[0])
    for key, limit in TEXT_FIELDS.items():
        if key in fields:
            value = clean_text(fields[key], key, limit, required=(key == "name"))
            setattr(product, key, value or (None if key.startswith("variant") else ""))
    for key, limit in INT_FIELDS.items():
        if key in fields and fields[key] not in (None, ""):
            setattr(product, key, clean_int(fields[key], key, limit))
        elif key in fields and key in HAND_SET:
            setattr(product, key, None)
    if "unit_cost" in fields:
        cost = parse_cost(fields["unit_cost"])
        product.unit_cost = cost if cost is not None else Decimal(0)
        if not product.avg_cost:
            product.avg_cost = product.unit_cost
    if "sale_price" in fields:
        product.sale_price = parse_cost(fields["sale_price"], field="sale_price")
    if "category" in fields:
        product.category = category_from_path(fields["category"])
    if "supplier" in fields:
        product.supplier = supplier_named(fields["supplier"])
    if "tracking" in fields and fields["tracking"] not in (None, ""):
        try:
            product.tracking = Tracking(fields["tracking"])
        except ValueError:
            raise DomainError("tracking is none, lot or serial.", field="tracking") from None
    if "home_location" in fields:
        product.home_location = _home(fields["home_location"])
    if "active" in fields:
        if not isinstance(fields["active"], bool):
            raise DomainError("active must be true or false.", field="active")
        product.active = fields["active"]


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
    if not isinstance(fields, dict):
        raise DomainError("A product is an object.")
    sku = clean_sku(fields.get("sku"))
    if db.session.scalar(select(func.count()).where(Product.sku == sku)):
        raise Conflict(f"SKU {sku} is already used.", field="sku", code="duplicate_sku")
    if db.session.scalar(select(func.count()).where(Barcode.code == sku)):
        raise Conflict(f"SKU {sku} is already a barcode of another product.", field="sku",
                       code="duplicate_sku")
    barcodes = _barcode_list(fields.get("barcodes"))
    product = Product(sku=sku, name="")
    _apply(product, {"name": fields.get("name"), **{k: v for k, v in fields.items()
                                                    if k not in ("sku", "barcodes", "name")}})
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
    if not isinstance(fields, dict):
        raise DomainError("A product is an object.")
    product = Product(sku=clean_sku(fields.get("sku")), name="")
    _apply(product, {"name": fields.get("name"),
                     **{k: v for k, v in fields.items()
                        if k not in ("sku", "barcodes", "name", "category", "supplier")}})
    barcodes = _barcode_list(fields.get("barcodes"))
    if len({b["code"] for b in barcodes}) != len(barcodes):
        raise Conflict("The same barcode is listed twice.", field="barcodes",
                       code="duplicate_barcode")
    return (product, barcodes, category_levels(fields.get("category")),
            clean_text(fields.get("supplier"), "supplier", 120))


def _barcode_list(value) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise DomainError("barcodes is a list.", field="barcodes")
    if len(value) > 50:
        raise DomainError("At most 50 barcodes per product.", field="barcodes")
    return [clean_barcode(spec) for spec in value]


def update(product: Product, fields: dict) -> Product:
    """Change some fields; a barcodes list replaces the product's barcodes."""
    if not isinstance(fields, dict):
        raise DomainError("A product change is an object.")
    if "sku" in fields and fields["sku"] != product.sku:
        raise DomainError("A SKU cannot change; create a new product instead.", field="sku")
    barcodes = _barcode_list(fields["barcodes"]) if "barcodes" in fields else None
    _apply(product, {k: v for k, v in fields.items() if k not in ("sku", "barcodes")})
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
