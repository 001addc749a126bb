"""The picker's pages: choose orders (or scan one), then the phone walk, and its JSON calls."""
from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from warehouse_app.auth.views import safe_next
from warehouse_app.errors import DomainError, ascii_digits
from warehouse_app.extensions import db
from warehouse_app.inputs import load
from warehouse_app.ledger.models import Movement
from warehouse_app.orders import bp, picking, picklists
from warehouse_app.orders.documents import order_by_reference, wave_by_code
from warehouse_app.orders.inputs import PHONE_PICK, PICK_IN
from warehouse_app.orders.models import Order, OrderLine, OrderPick, OrderStatus, Wave
from warehouse_app.scanning.resolver import resolve
from warehouse_app.scanning.workflows import session_json


@bp.get("/pick", endpoint="pick")
@login_required
def pick_start():
    """Scan an order to pick it, or tick several and pick them as one wave."""
    code = request.args.get("code", "").strip()[:256]
    if code:
        wave = db.session.scalar(select(Wave).where(Wave.code == code.upper()[:20]))
        if wave is not None:
            return redirect(url_for("orders.pick_wave", code=wave.code), 303)
        try:
            return redirect(url_for("orders.pick_order", reference=_order_code(code)), 303)
        except DomainError as err:
            flash(err.message, "error")
    waves = [w for w in db.session.scalars(select(Wave).order_by(Wave.id.desc()).limit(20))
             if picking.in_progress(w)]
    return render_template("orders/pick_start.html", orders=picking.pickable_orders(),
                           waves=waves, code=code)


def _order_code(code: str) -> str:
    """The order a scanned or typed code names."""
    scan = resolve(code)
    if scan.type != "order":
        raise DomainError(f"{code[:60]} is a {scan.type.replace('_', ' ')}, not an order.",
                          field="code")
    return scan.document.reference


@bp.post("/pick/wave")
@login_required
def start_wave():
    """Start one walk for the ticked orders."""
    refs = request.form.getlist("order")
    orders = [order_by_reference(ref, "orders") for ref in refs]
    try:
        wave = picking.start_wave(orders, current_user)
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for("orders.pick"), 303)
    db.session.commit()
    return redirect(url_for("orders.pick_wave", code=wave.code), 303)


def _page(title: str, orders: list[Order], list_url: str, back: str):
    pick_list = picklists.build(orders)
    return render_template("orders/pick.html", title=title, orders=orders, list_url=list_url,
                           posted_url=list_url.removesuffix("/list") + "/posted",
                           pick_list=pick_list, back=back)


@bp.get("/pick/wave/<code>")
@login_required
def pick_wave(code: str):
    """The phone walk for a wave of orders."""
    wave = wave_by_code(code)
    return _page(f"Pick wave {wave.code}", wave.orders,
                 url_for("orders.wave_list", code=wave.code), url_for("orders.pick"))


@bp.get("/pick/order/<reference>")
@login_required
def pick_order(reference: str):
    """The phone walk for one order."""
    order = order_by_reference(reference)
    return _page(f"Pick {order.reference}", [order],
                 url_for("orders.order_list", reference=order.reference),
                 url_for("orders.detail", reference=order.reference))


def _list_json(orders: list[Order]):
    pick_list = picklists.build(orders)
    live = [o for o in orders if o.status is not OrderStatus.CANCELLED]  # not "9 short"
    return jsonify({"tasks": [t.as_dict() for t in pick_list.tasks],
                    "missing": pick_list.missing,
                    "picked": sum(line.picked for o in live for line in o.lines),
                    "ordered": sum(line.qty for o in live for line in o.lines),
                    "orders": [{"reference": o.reference, "tote": n, "status": o.status.value,
                                "url": url_for("orders.detail", reference=o.reference)}
                               for n, o in enumerate(orders, start=1)]})


@bp.get("/pick/wave/<code>/list")
@login_required
def wave_list(code: str):
    """A wave's pick list (JSON), recomputed from the ledger."""
    return _list_json(wave_by_code(code).orders)


@bp.get("/pick/order/<reference>/list")
@login_required
def order_list(reference: str):
    """One order's pick list (JSON)."""
    return _list_json([order_by_reference(reference)])


def _posted_json(orders: list[Order]):
    picks = (select(OrderPick.movement_id).join(OrderLine, OrderLine.id == OrderPick.line_id)
             .where(OrderLine.order_id.in_([o.id for o in orders])))
    return jsonify(session_json(current_user, Movement.id.in_(picks)))


@bp.get("/pick/wave/<code>/posted")
@login_required
def wave_posted(code: str):
    """The caller's picks for a wave and the one undo would take back (survives a reload)."""
    return _posted_json(wave_by_code(code).orders)


@bp.get("/pick/order/<reference>/posted")
@login_required
def order_posted(reference: str):
    """The caller's picks for one order and the one undo would take back."""
    return _posted_json([order_by_reference(reference)])


@bp.post("/pick/line")
@login_required
def post_pick():
    """Post one pick from the phone; a replayed client_op_id answers 200 with the first."""
    data = load(PHONE_PICK, request.get_json(silent=True))  # the API's rules, and the order
    done = picking.pick(order_by_reference(data["order"], "order"), data, current_user)
    db.session.commit()
    m, line = done.movement, done.line
    return jsonify({"id": m.id, "sku": m.product.sku, "name": m.product.name, "qty": m.qty,
                    "from_location": m.from_location.code, "to_location": m.to_location.code,
                    "order": line.order.reference, "status": line.order.status.value,
                    "line": {"id": line.id, "picked": line.picked, "to_pick": line.to_pick},
                    "replayed": done.replayed}), 200 if done.replayed else 201


@bp.post("/pick/short")
@login_required
def post_short():
    """A bin held less than the ledger said: record it, flag the bin for a count."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise DomainError("A short pick is a JSON object.")
    shortage = picking.report_short(order_by_reference(data.get("order"), "order"), data,
                                    current_user)
    db.session.commit()
    return jsonify({"id": shortage.id, "location": shortage.location.code,
                    "sku": shortage.line.product.sku, "qty": shortage.qty,
                    "count_request": shortage.count_request_id}), 201


@bp.post("/pick/form")
@login_required
def pick_form():
    """One pick from the plain form, for a browser without JavaScript."""
    form = request.form
    order = order_by_reference(form.get("order"), "order")
    line_id, _, location = form.get("task", "").partition("@")
    data = {"line": int(line_id) if ascii_digits(line_id) else line_id, "location": location,
            "code": form.get("code"), "qty": form.get("qty") or None}
    if data["qty"] and ascii_digits(data["qty"]):
        data["qty"] = int(data["qty"])
    try:
        done = picking.pick(order, load(PICK_IN, data), current_user)
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
    else:
        db.session.commit()
        flash(f"Picked {done.movement.qty} × {done.movement.product.sku} from "
              f"{done.movement.from_location.code}.", "ok")
    return redirect(safe_next(request.form.get("back"), url_for("orders.pick")), 303)
