"""Phone pages for stock between warehouses: dispatch at the source, receive by scan there."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from warehouse_app.catalog import products
from warehouse_app.errors import DomainError, ascii_digits
from warehouse_app.extensions import db
from warehouse_app.ledger import transit
from warehouse_app.locations import places
from warehouse_app.scanning import bp

DISPATCH_FORM = ("code", "qty", "from_location", "to_warehouse", "lot")


def _qty(value) -> int | None:
    text = (value or "").strip()
    return int(text) if ascii_digits(text) else None


def _page(template: str, endpoint: str, fields, act, said) -> object:
    """A transit page: GET shows the form and what is in transit; POST does act(form), then
    commits and says said(result), or rolls back and shows the form again with the reason."""
    if request.method == "GET":
        return render_template(template, form={}, transits=transit.in_transit())
    form = {key: request.form.get(key, "") for key in fields}
    try:
        done = act(form)
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return render_template(template, form=form, transits=transit.in_transit()), err.status
    db.session.commit()
    flash(said(done), "ok")
    return redirect(url_for(endpoint), 303)


@bp.route("/transit/dispatch", methods=["GET", "POST"])
@login_required
def dispatch():
    """Send stock from a bin here to another warehouse: it is in transit until received."""
    def act(form):
        qty = _qty(form["qty"])
        if qty is None:
            raise DomainError("Quantity must be a whole number.", field="qty")
        return transit.dispatch(products.by_sku(form["code"].strip(), field="code"), qty,
                                places.by_code(form["from_location"], field="from_location"),
                                form["to_warehouse"], lot=form["lot"].strip() or None,
                                user=current_user)
    return _page("scanning/dispatch.html", "scanning.dispatch", DISPATCH_FORM, act,
                 lambda sent: f"Dispatched {sent.qty} × {sent.product.sku} to "
                              f"{sent.to_warehouse.code}: transit {sent.code}. Write it on the "
                              "parcel.")


@bp.route("/transit/arrivals", methods=["GET", "POST"])
@login_required
def arrivals():
    """Scan a transit's code and the bin it goes into: the units are here."""
    return _page("scanning/arrivals.html", "scanning.arrivals", ("transit", "location"),
                 lambda form: transit.receive(transit.by_code(form["transit"]),
                                              form["location"], user=current_user),
                 lambda got: f"Received {got.qty} × {got.product.sku} into "
                             f"{got.to_location.code} (transit {got.code}).")
