"""Products as CSV: export them with their barcodes, import (create or update) them."""
from collections import Counter

from sqlalchemy import insert, select
from sqlalchemy.orm import selectinload

from warehouse_app import codes, csvfile
from warehouse_app.catalog import products
from warehouse_app.catalog.inputs import (
    Barcodes,
    ProductChangeSchema,
    ProductCreateSchema,
    guess_kind,
)
from warehouse_app.catalog.models import Barcode, Product
from warehouse_app.errors import DomainError
from warehouse_app.extensions import db
from warehouse_app.inputs import load, problems

COLUMNS = ["sku", "name", "description", "category", "supplier", "unit_cost", "sale_price",
           "reorder_point", "safety_stock", "lead_time_days", "tracking", "variant_group",
           "variant", "active", "barcodes"]
REQUIRED = {"sku", "name"}


def barcode_cell(barcodes: list[Barcode]) -> str:
    """Barcodes separated by spaces; CODE:kind:pack_size unless the code alone says it all."""
    parts = []
    for b in barcodes:
        plain = b.pack_size == 1 and guess_kind(b.code) is b.kind
        parts.append(b.code if plain else f"{b.code}:{b.kind.value}:{b.pack_size}")
    return " ".join(parts)


def parse_barcodes(cell: str) -> list[dict | str]:
    """The barcodes of one cell, as the product schema reads them (CODE, CODE:kind[:pack])."""
    return Barcodes.from_text(cell or "")


def export_rows() -> list[list]:
    """One row per product (active or not), by SKU."""
    query = (select(Product).options(selectinload(Product.barcodes),
                                     selectinload(Product.supplier))
             .order_by(Product.sku))
    rows = []
    for p in db.session.scalars(query):
        rows.append([p.sku, p.name, p.description,
                     p.category.path if p.category else "",
                     p.supplier.name if p.supplier else "",
                     p.unit_cost, "" if p.sale_price is None else p.sale_price,
                     p.reorder_point, p.safety_stock, p.lead_time_days, p.tracking.value,
                     p.variant_group or "", p.variant or "",
                     "yes" if p.active else "no", barcode_cell(p.barcodes)])
    return rows


def row_fields(row: dict[str, str]) -> dict:
    """The product fields one row gives, as text; a column left out of the file changes
    nothing, an empty cell clears what may be cleared (the schema's text=True reads them)."""
    return {key: value for key, value in row.items() if key in COLUMNS}


def _import_row(row: dict[str, str]) -> str:
    sku = row["sku"].strip()
    existing = db.session.scalar(select(Product).where(Product.sku == sku)) if sku else None
    if existing is None:
        products.create(load(ProductCreateSchema(text=True), row_fields(row)))
        return "created"
    products.update(existing, load(ProductChangeSchema(text=True), row_fields(row)))
    return "updated"


def _codes(row: dict[str, str]) -> list[str]:
    """The scannable codes one row names: its SKU and its barcodes."""
    specs = parse_barcodes(row.get("barcodes", ""))
    listed = [row["sku"]] + [s["code"] if isinstance(s, dict) else s for s in specs]
    # The same code twice in one row is products.create's to refuse, as on every other road.
    return list(dict.fromkeys(code.strip() for code in listed))


def bad_cells(upload: csvfile.Upload) -> list[csvfile.RowError]:
    """Every bad cell of every line, found by the product schema without writing anything."""
    schema = ProductCreateSchema(text=True)
    return [csvfile.RowError(line, message, field)
            for line, row in upload.rows
            for field, message in problems(schema, row_fields(row))]


class NewProducts:
    """The rows of an import that create products whose codes are all free: checked in Python
    (products.unsaved) with one question about their codes, then written a batch at a time
    (csvfile.Many). The categories and suppliers the rows name are looked up (or made) once."""

    def __init__(self) -> None:
        self.unsaved: dict[int, tuple] = {}
        self.categories: dict[tuple[str, ...], int | None] = {}
        self.suppliers: dict[str, int | None] = {}

    def ready(self, rows) -> dict[int, str]:
        keys: dict[int, set[str]] = {}
        for line, row in rows:
            try:
                made = products.unsaved(load(ProductCreateSchema(text=True), row_fields(row)))
            except DomainError:
                continue  # the row-by-row check says what is wrong
            self.unsaved[line] = made
            keys[line] = {codes.key(made[0].sku)} | {codes.key(b["code"]) for b in made[1]}
        taken = codes.taken(set().union(*keys.values())) if keys else set()
        return {line: "created" for line, wanted in keys.items() if not wanted & taken}

    def write(self, rows) -> Counter:
        made = []
        for line, _row in rows:
            product, barcodes, levels, supplier = self.unsaved[line]
            product.category_id = self._category(levels)
            product.supplier_id = self._supplier(supplier)
            product.barcodes = [Barcode(**spec) for spec in barcodes]
            made.append(product)
        db.session.add_all(made)
        db.session.flush()
        db.session.execute(insert(codes.ScanCode), [  # a plain insert: a code taken meanwhile
            {"code": code, "kind": "product", "ref_id": product.id}  # fails the batch
            for product in made
            for code in {codes.key(product.sku)} | {codes.key(b.code) for b in product.barcodes}])
        return Counter(created=len(made))

    def forget(self) -> None:
        self.categories.clear()  # made in the batch that was undone
        self.suppliers.clear()

    def _category(self, levels: list[str]) -> int | None:
        if not levels:
            return None
        if tuple(levels) not in self.categories:
            self.categories[tuple(levels)] = products.category_from_path(" > ".join(levels)).id
        return self.categories[tuple(levels)]

    def _supplier(self, name: str) -> int | None:
        if not name:
            return None
        if name not in self.suppliers:
            self.suppliers[name] = products.supplier_named(name).id
        return self.suppliers[name]


def import_file(storage):
    """Create or update products from an uploaded file (or a request body, as a file); all
    rows or none, in short transactions (rows stand alone once no code is given twice). Every
    bad cell of every line is reported at once."""
    upload = csvfile.read(storage, REQUIRED, set(COLUMNS))
    twice = csvfile.once(upload, _codes, "Code")
    new = NewProducts()
    return csvfile.run(upload, _import_row, chunked=True,
                       errors=bad_cells(upload) + twice,
                       many=csvfile.Many(new.ready, new.write, new.forget))
