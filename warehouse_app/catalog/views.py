"""Product admin pages: list, create, edit, barcodes, deactivate (supervisors and admins)."""
from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from warehouse_app.auth.access import role_required
from warehouse_app.auth.models import Role
from warehouse_app.catalog import bp, panels, products
from warehouse_app.catalog.inputs import ProductChangeSchema, ProductCreateSchema
from warehouse_app.catalog.models import Barcode, BarcodeKind, Category, Product, Supplier, Tracking
from warehouse_app.errors import DomainError
from warehouse_app.extensions import db
from warehouse_app.inputs import load
from warehouse_app.money import shown

PER_PAGE = 50
FORM_FIELDS = ("name", "description", "category", "supplier", "tracking", "variant_group",
               "variant", "reorder_point", "safety_stock", "lead_time_days", "unit_cost",
               "sale_price")
TRACKING = [(t.value, t.value.title()) for t in Tracking]
KINDS = [("", "Auto (from the digits)")] + [(k.value, k.value.upper()) for k in BarcodeKind]


def form_fields(form) -> dict:
    """The product fields a form posted, as text (the schema's text=True reads them)."""
    return {key: form.get(key, "") for key in FORM_FIELDS}


def form_values(product: Product) -> dict:
    """A product's fields as the form shows them."""
    values = {key: getattr(product, key) for key in FORM_FIELDS
              if key not in ("category", "supplier", "tracking")}
    values.update(category=product.category.path if product.category else "",
                  supplier=product.supplier.name if product.supplier else "",
                  tracking=product.tracking.value, sku=product.sku,
                  unit_cost=shown(product.unit_cost), sale_price=shown(product.sale_price))
    return values


def choices() -> dict:
    """Existing categories and suppliers, offered as suggestions."""
    categories = sorted(c.path for c in db.session.scalars(select(Category).limit(500)))
    suppliers = db.session.scalars(select(Supplier.name).order_by(Supplier.name).limit(500))
    return {"categories": categories, "suppliers": list(suppliers), "tracking": TRACKING,
            "kinds": KINDS}


def refuse(err: DomainError, template: str, **context):
    """Undo the attempt and show the page again with the reason."""
    db.session.rollback()
    flash(err.message, "error")
    return render_template(template, **context, **choices()), err.status


@bp.get("/")
@role_required(Role.SUPERVISOR)
def index():
    """Products by SKU, searchable, a page at a time."""
    q = request.args.get("q", "").strip()[:100]
    show_all = request.args.get("all") == "1"
    page = db.paginate(products.search(q, include_inactive=show_all), per_page=PER_PAGE,
                       error_out=False)
    on_hand = panels.on_hand([p.id for p in page.items])
    return render_template("catalog/list.html", page=page, q=q, show_all=show_all,
                           on_hand=on_hand)


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.SUPERVISOR)
def create():
    """A new product, with its barcodes."""
    if request.method == "GET":
        return render_template("catalog/form.html", form={}, product=None, **choices())
    fields = {**form_fields(request.form), "sku": request.form.get("sku", ""),
              "barcodes": request.form.get("barcodes", "")}
    try:
        product = products.create(load(ProductCreateSchema(text=True), fields))
    except DomainError as err:
        return refuse(err, "catalog/form.html", form=request.form, product=None)
    db.session.commit()
    flash(f"Created {product.sku}.", "ok")
    return redirect(url_for("catalog.edit", product_id=product.id), 303)


@bp.route("/<int:product_id>", methods=["GET", "POST"])
@role_required(Role.SUPERVISOR)
def edit(product_id: int):
    """Change a product's fields."""
    product = db.get_or_404(Product, product_id)
    if request.method == "GET":
        return render_template("catalog/form.html", form=form_values(product), product=product,
                               point=panels.reorder_point(product), **choices())
    try:
        products.update(product, load(ProductChangeSchema(text=True),
                                      form_fields(request.form)))
    except DomainError as err:
        return refuse(err, "catalog/form.html", form={**request.form, "sku": product.sku},
                      product=product)
    db.session.commit()
    flash(f"Saved {product.sku}.", "ok")
    return redirect(url_for("catalog.edit", product_id=product.id), 303)


def _specs(product: Product, skip: int | None = None) -> list[dict]:
    return [{"code": b.code, "kind": b.kind.value, "pack_size": b.pack_size}
            for b in product.barcodes if b.id != skip]


def _save_barcodes(product: Product, specs: list[dict], done: str):
    try:
        products.update(product, load(ProductChangeSchema(text=True), {"barcodes": specs}))
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for("catalog.edit", product_id=product.id, _anchor="barcodes"), 303)
    db.session.commit()
    flash(done, "ok")
    return redirect(url_for("catalog.edit", product_id=product.id, _anchor="barcodes"), 303)


@bp.post("/<int:product_id>/barcodes")
@role_required(Role.SUPERVISOR)
def add_barcode(product_id: int):
    """Add a barcode (its kind and how many units one scan means)."""
    product = db.get_or_404(Product, product_id)
    spec = {key: request.form.get(key, "") for key in ("code", "kind", "pack_size")}
    return _save_barcodes(product, _specs(product) + [spec],
                          f"Added barcode {spec['code'].strip()[:64]}.")


@bp.post("/<int:product_id>/barcodes/<int:barcode_id>/remove")
@role_required(Role.SUPERVISOR)
def remove_barcode(product_id: int, barcode_id: int):
    """Remove one barcode from a product."""
    product = db.get_or_404(Product, product_id)
    barcode = db.get_or_404(Barcode, barcode_id)
    if barcode.product_id != product.id:
        return redirect(url_for("catalog.edit", product_id=product.id), 303)
    return _save_barcodes(product, _specs(product, skip=barcode.id),
                          f"Removed barcode {barcode.code}.")


@bp.post("/<int:product_id>/active")
@role_required(Role.SUPERVISOR)
def set_active(product_id: int):
    """Deactivate a product (it can no longer be received) or reactivate it."""
    product = db.get_or_404(Product, product_id)
    active = request.form.get("active") == "1"
    products.update(product, {"active": active})
    db.session.commit()
    flash(f"{product.sku} {'reactivated' if active else 'deactivated'}.", "ok")
    return redirect(url_for("catalog.edit", product_id=product.id), 303)

