"""Order pages: the list, a new order (form or CSV), one order and its actions, routing settings."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from warehouse_app import csvfile
from warehouse_app.auth import warehouses as kept
from warehouse_app.auth.access import role_required
from warehouse_app.auth.models import Role
from warehouse_app.errors import DomainError
from warehouse_app.extensions import db
from warehouse_app.inputs import load
from warehouse_app.orders import (  # noqa: F401  (pick_views, purchase_views: their pages)
    bp,
    csv_io,
    pick_views,
    picklists,
    purchase_views,
    reserving,
    routing,
    shipping,
)
from warehouse_app.orders.documents import (
    OrderShort,
    SplitProposed,
    lines_from_text,
    order_by_reference,
    warehouse_by_code,
)
from warehouse_app.orders.inputs import ORDER_TEXT
from warehouse_app.orders.models import FINAL, Order, OrderLine, OrderStatus

PER_PAGE = 50
FILTERS = {"active": "To do", "backorder": "Backorders", "shipped": "Shipped",
           "cancelled": "Cancelled", "all": "All"}
ORDER_FORM = ("reference", "customer", "address", "postcode", "latitude", "longitude",
              "warehouse", "allow_backorder", "allow_split")


@bp.get("/")
@login_required
def index():
    """Orders, newest first, filtered by what is left to do."""
    shown = request.args.get("show", "active")
    query = select(Order).order_by(Order.created_at.desc(), Order.id.desc())
    if kept.caller() is not None:  # orders shipping from one of the caller's warehouses
        query = query.where(Order.lines.any(kept.clause(OrderLine.warehouse_id)))
    if shown == "active":
        query = query.where(Order.status.not_in(list(FINAL)))
    elif shown in {s.value for s in OrderStatus}:
        query = query.where(Order.status == OrderStatus(shown))
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    return render_template("orders/list.html", page=page, shown=shown, filters=FILTERS)


def _suggested_reference() -> str:
    return f"SO-{(db.session.scalar(select(func.count(Order.id))) or 0) + 1:05d}"


def _warehouses():
    return routing.rank(routing.active_warehouses(), routing.Destination())


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Place an order by hand: it reserves stock at once, or says what is short."""
    form = request.form if request.method == "POST" else {"reference": _suggested_reference()}
    if request.method == "GET":
        return render_template("orders/new.html", form=form, warehouses=_warehouses())
    fields = {key: form.get(key, "") for key in ORDER_FORM}
    try:
        fields["lines"] = lines_from_text(form.get("lines"))
        order = reserving.place(load(ORDER_TEXT, fields), current_user)
    except (SplitProposed, OrderShort) as err:
        db.session.rollback()
        return render_template("orders/new.html", form=form, warehouses=_warehouses(),
                               proposal=getattr(err, "proposal", None),
                               short=getattr(err, "lines", None), message=err.message), 409
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return render_template("orders/new.html", form=form, warehouses=_warehouses()), err.status
    db.session.commit()
    reserved = sum(line.reserved for line in order.lines)
    waiting = sum(line.waiting for line in order.lines)
    where = " + ".join(w.code for w in order.warehouses)
    flash(f"Order {order.reference} placed: {reserved} units reserved in {where}"
          + (f"; {waiting} wait for stock." if waiting else "."), "ok")
    return redirect(url_for("orders.detail", reference=order.reference), 303)


@bp.post("/import")
@login_required
def import_csv():
    """Place every order of a CSV file, or none."""
    try:
        counts = csv_io.import_orders(request.files.get("file"), current_user)
    except csvfile.BadRows as err:
        db.session.rollback()
        flash(err.message, "error")
        return render_template("orders/import_errors.html", errors=err.errors[:500],
                               back=url_for("orders.index")), err.status
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for("orders.index"), 303)
    db.session.commit()
    flash(f"Imported {counts['orders']} orders.", "ok")
    return redirect(url_for("orders.index"), 303)


@bp.get("/<reference>")
@login_required
def detail(reference: str):
    """One order: its lines, where they ship from, and what can be done next."""
    order = order_by_reference(reference)
    return render_template("orders/detail.html", order=order, warehouses=_warehouses(),
                           staged=bool(shipping.staged_picks(order)))


def _act(reference: str, work, done: str):
    """Run one action on an order, commit, and come back to it with a message."""
    order = order_by_reference(reference)
    try:
        work(order)
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for("orders.detail", reference=order.reference), 303)
    db.session.commit()
    flash(done.format(order=order), "ok")
    return redirect(url_for("orders.detail", reference=order.reference), 303)


@bp.post("/<reference>/cancel")
@login_required
def cancel(reference: str):
    """Cancel an order; its reservations are released."""
    return _act(reference, lambda o: reserving.cancel(o, current_user),
                "Order {order.reference} cancelled; its stock is free again.")


@bp.post("/<reference>/confirm")
@login_required
def confirm(reference: str):
    """A held order's sale went through: release it for picking."""
    return _act(reference, lambda o: reserving.confirm(o, current_user),
                "Order {order.reference} confirmed: it can be picked.")


@bp.post("/<reference>/reserve")
@login_required
def reserve(reference: str):
    """Reserve stock that has arrived for the units still waiting."""
    return _act(reference, reserving.fill_backorders,
                "Reserved what is available for {order.reference}: {order.status.value}.")


@bp.post("/<reference>/pack")
@login_required
def pack(reference: str):
    """Mark a picked order packed."""
    return _act(reference, lambda o: shipping.pack(o, current_user),
                "Order {order.reference} packed.")


@bp.post("/<reference>/ship")
@login_required
def ship(reference: str):
    """Ship with a carrier and tracking number."""
    form = request.form
    done = ("Order {order.reference} shipped with {order.carrier}, {order.tracking}."
            if form.get("short") != "backorder" else
            "Order {order.reference}: what was picked shipped with {order.carrier}, "
            "{order.tracking}; the rest stays open and reserved as a backorder.")
    return _act(reference, lambda o: shipping.ship(o, form.get("carrier"), form.get("tracking"),
                                                   current_user, short=form.get("short")), done)


@bp.post("/<reference>/route")
@role_required(Role.SUPERVISOR)
def reroute(reference: str):
    """Supervisor override: ship the order from another warehouse."""
    return _act(reference, lambda o: reserving.reroute(o, request.form.get("warehouse"),
                                                       current_user),
                "Order {order.reference} now ships from another warehouse.")


@bp.route("/warehouses", methods=["GET", "POST"])
@role_required(Role.SUPERVISOR)
def warehouses():
    """Where each warehouse is and its priority, for choosing who ships an order."""
    if request.method == "POST":
        warehouse = warehouse_by_code(request.form.get("warehouse"))
        try:
            routing.configure(warehouse, request.form)
        except DomainError as err:
            db.session.rollback()
            flash(f"{warehouse.code}: {err.message}", "error")
            return render_template("orders/warehouses.html", warehouses=_warehouses(),
                                   failed=warehouse.code, form=request.form), err.status
        db.session.commit()
        flash(f"Saved {warehouse.code}.", "ok")
        return redirect(url_for("orders.warehouses"), 303)
    return render_template("orders/warehouses.html", warehouses=_warehouses(), form={})


@bp.app_template_global()
def packing_bin(warehouse) -> str:
    """The code of a warehouse's packing bin, or an empty string."""
    found = picklists.packing_location(warehouse)
    return found.code if found else ""
