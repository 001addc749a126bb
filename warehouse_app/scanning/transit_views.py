"""Phone pages for stock between warehouses: dispatch at the source, receive by scan there."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from warehouse_app.catalog import products
from warehouse_app.errors import DomainError
from warehouse_app.extensions import db
from warehouse_app.ledger import transit
from warehouse_app.locations import places
from warehouse_app.scanning import bp

DISPATCH_FORM = ("code", "qty", "from_location", "to_warehouse", "lot")


def _qty(value) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isdigit() else None


@bp.route("/transit/dispatch", methods=["GET", "POST"])
@login_required
def dispatch():
    """Send stock from a bin here to another warehouse: it is in transit until received."""
    if request.method == "GET":
        return render_template("scanning/dispatch.html", form={},
                               transits=transit.in_transit())
    form = {key: request.form.get(key, "") for key in DISPATCH_FORM}
    try:
        qty = _qty(form["qty"])
        if qty is None:
            raise DomainError("Quantity must be a whole number.", field="qty")
        sent = transit.dispatch(products.by_sku(form["code"].strip(), field="code"), qty,
                                places.by_code(form["from_location"], field="from_location"),
                                form["to_warehouse"], lot=form["lot"].strip() or None,
                                user=current_user)
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return render_template("scanning/dispatch.html", form=form,
                               transits=transit.in_transit()), err.status
    db.session.commit()
    flash(f"Dispatched {sent.qty} × {sent.product.sku} to {sent.to_warehouse.code}: transit "
          f"{sent.code}. Write it on the parcel.", "ok")
    return redirect(url_for("scanning.dispatch"), 303)


@bp.route("/transit/arrivals", methods=["GET", "POST"])
@login_required
def arrivals():
    """Scan a transit's code and the bin it goes into: the units are here."""
    if request.method == "GET":
        return render_template("scanning/arrivals.html", form={},
                               transits=transit.in_transit())
    form = {key: request.form.get(key, "") for key in ("transit", "location")}
    try:
        got = transit.receive(transit.by_code(form["transit"]), form["location"],
                              user=current_user)
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return render_template("scanning/arrivals.html", form=form,
                               transits=transit.in_transit()), err.status
    db.session.commit()
    flash(f"Received {got.qty} × {got.product.sku} into {got.to_location.code} "
          f"(transit {got.code}).", "ok")
    return redirect(url_for("scanning.arrivals"), 303)
