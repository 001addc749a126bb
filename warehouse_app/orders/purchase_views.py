"""Purchase order pages: list and choose one to receive, create (form or CSV), the phone
receipt page and its JSON call, and the supervisor's discrepancy queue."""
from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from warehouse_app import csvfile
from warehouse_app.auth.access import role_required
from warehouse_app.auth.models import Role
from warehouse_app.errors import DomainError, ascii_digits
from warehouse_app.extensions import db
from warehouse_app.inputs import load
from warehouse_app.ledger.models import Movement
from warehouse_app.orders import bp, csv_io, purchasing, routing
from warehouse_app.orders.documents import lines_from_text, po_by_reference, pos_of_caller
from warehouse_app.orders.inputs import RECEIPT_FORM, RECEIPT_IN
from warehouse_app.orders.models import (
    Discrepancy,
    DiscrepancyStatus,
    POStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReceipt,
)
from warehouse_app.scanning.resolver import resolve
from warehouse_app.scanning.workflows import session_json

PO_FORM = ("reference", "supplier", "warehouse", "expected_date")
HELD = {"over_receipt": "More than the PO still expects",
        "not_on_order": "Not on this purchase order",
        "unknown_product": "No product carries this code"}


@bp.get("/purchase/", endpoint="purchase_index")
@login_required
def purchase_index():
    """Purchase orders still expected; scan or type a PO reference to receive against it."""
    code = request.args.get("code", "").strip()[:256]
    if code:
        try:
            scan = resolve(code)
            if scan.type != "purchase_order":
                raise DomainError(f"{code[:60]} is a {scan.type.replace('_', ' ')}, not a "
                                  "purchase order.", field="code")
            return redirect(url_for("orders.po_receive", reference=scan.document.reference), 303)
        except DomainError as err:
            flash(err.message, "error")
    show_all = request.args.get("all") == "1"
    query = select(PurchaseOrder).order_by(PurchaseOrder.expected_date.is_(None),
                                           PurchaseOrder.expected_date, PurchaseOrder.id)
    query = query.where(pos_of_caller())
    if not show_all:
        query = query.where(PurchaseOrder.status.in_([POStatus.OPEN, POStatus.PARTIAL]))
    held = db.session.scalar(select(db.func.count(Discrepancy.id))
                             .where(Discrepancy.status == DiscrepancyStatus.OPEN,
                                    purchasing.discrepancies_of_caller()))
    return render_template("orders/po_list.html", pos=db.session.scalars(query.limit(200)).all(),
                           show_all=show_all, code=code, held=held)


@bp.route("/purchase/new", methods=["GET", "POST"])
@role_required(Role.SUPERVISOR)
def po_new():
    """Create a purchase order by hand."""
    warehouses = routing.rank(routing.active_warehouses(), routing.Destination())
    if request.method == "GET":
        return render_template("orders/po_new.html", form={}, warehouses=warehouses)
    fields = {key: request.form.get(key, "") for key in PO_FORM}
    try:
        fields["lines"] = lines_from_text(request.form.get("lines"), with_cost=True)
        po = purchasing.create(fields, current_user)
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return render_template("orders/po_new.html", form=request.form,
                               warehouses=warehouses), err.status
    db.session.commit()
    flash(f"Purchase order {po.reference} created.", "ok")
    return redirect(url_for("orders.po_detail", reference=po.reference), 303)


@bp.post("/purchase/import")
@role_required(Role.SUPERVISOR)
def po_import():
    """Create every purchase order of a CSV file, or none."""
    try:
        counts = csv_io.import_purchase_orders(request.files.get("file"), current_user)
    except csvfile.BadRows as err:
        db.session.rollback()
        flash(err.message, "error")
        return render_template("orders/import_errors.html", errors=err.errors[:500],
                               back=url_for("orders.purchase_index")), err.status
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for("orders.purchase_index"), 303)
    db.session.commit()
    flash(f"Imported {counts['purchase orders']} purchase orders.", "ok")
    return redirect(url_for("orders.purchase_index"), 303)


@bp.get("/purchase/<reference>")
@login_required
def po_detail(reference: str):
    """One purchase order: expected, received, and what was flagged."""
    po = po_by_reference(reference)
    flagged = db.session.scalars(select(Discrepancy).where(
        Discrepancy.purchase_order_id == po.id).order_by(Discrepancy.id)).all()
    return render_template("orders/po_detail.html", po=po, flagged=flagged, held=HELD)


@bp.post("/purchase/<reference>/close")
@role_required(Role.SUPERVISOR)
def po_close(reference: str):
    """Expect nothing more on this purchase order."""
    po = purchasing.close(po_by_reference(reference), current_user)
    db.session.commit()
    flash(f"Purchase order {po.reference} closed.", "ok")
    return redirect(url_for("orders.po_detail", reference=po.reference), 303)


@bp.get("/purchase/<reference>/receive")
@login_required
def po_receive(reference: str):
    """The phone page: scan the bin, then each product of the delivery."""
    po = po_by_reference(reference)
    return render_template("orders/po_receive.html", po=po)


@bp.get("/purchase/<reference>/posted")
@login_required
def po_posted(reference: str):
    """The caller's receipts on this purchase order and the one undo would take back, so
    "This session" and undo survive a reload of the phone's page."""
    po = po_by_reference(reference)
    receipts = (select(PurchaseReceipt.movement_id)
                .join(PurchaseOrderLine, PurchaseOrderLine.id == PurchaseReceipt.line_id)
                .where(PurchaseOrderLine.purchase_order_id == po.id))
    return jsonify(session_json(current_user, Movement.id.in_(receipts)))


def _receipt_json(po: PurchaseOrder, done: purchasing.Received) -> dict:
    lines = [{"sku": line.product.sku, "name": line.product.name, "qty": line.qty,
              "received": line.received, "remaining": line.remaining} for line in po.lines]
    out = {"status": po.status.value, "lines": lines, "replayed": done.replayed}
    if done.movement is not None:
        m = done.movement
        out.update(id=m.id, sku=m.product.sku, name=m.product.name, qty=m.qty,
                   to_location=m.to_location.code)
    return out


@bp.post("/purchase/<reference>/receive")
@login_required
def po_receive_line(reference: str):
    """Receive one line (JSON from the phone, or the plain form); flagged lines answer 409."""
    po = po_by_reference(reference)
    as_json = request.is_json
    data = request.get_json(silent=True) if as_json else {
        key: request.form.get(key) for key in ("location", "code", "qty", "lot", "expiry")}
    try:  # the API's rules (the form's text made numbers and dates by its schema)
        done = purchasing.receive(po, load(RECEIPT_IN if as_json else RECEIPT_FORM, data),
                                  current_user)
    except DomainError as err:
        if as_json:
            raise
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for("orders.po_receive", reference=po.reference), 303)
    db.session.commit()  # a discrepancy is kept even though the line is refused
    if done.discrepancy is not None and done.movement is not None:  # the excess only waits
        sku = done.movement.product.sku
        message = (f"Received the {done.movement.qty} × {sku} expected; {done.discrepancy.qty} "
                   f"× {sku} more than {po.reference} expects: put them aside, a supervisor "
                   "has been asked to accept or refuse them.")
        if not as_json:
            flash(message, "error")
            return redirect(url_for("orders.po_receive", reference=po.reference), 303)
        return jsonify({**_receipt_json(po, done), "held": message}), \
            200 if done.replayed else 201
    if done.discrepancy is not None:
        message = _held_message(po, done.discrepancy)
        if as_json:
            return jsonify({"error": {"code": done.discrepancy.kind.value, "message": message,
                                      "field": "code"}}), 409
        flash(message, "error")
    elif not as_json:
        flash(f"Received {done.movement.qty} × {done.movement.product.sku}.", "ok")
    if not as_json:
        return redirect(url_for("orders.po_receive", reference=po.reference), 303)
    return jsonify(_receipt_json(po, done)), 200 if done.replayed else 201


def _held_message(po: PurchaseOrder, flagged: Discrepancy) -> str:
    what = flagged.product.sku if flagged.product else flagged.code
    if flagged.kind.value == "over_receipt":
        why = f"only {flagged.expected} more {what} expected on {po.reference}"
    elif flagged.kind.value == "not_on_order":
        why = f"{what} is not on {po.reference}"
    else:
        why = f"no product here carries {what}"
    return (f"Not received: {why}. Put the {flagged.qty} × {what} aside: a supervisor has "
            "been asked to accept or refuse them.")


@bp.get("/purchase/discrepancies")
@role_required(Role.SUPERVISOR)
def discrepancies():
    """Receipt lines held for a supervisor."""
    return render_template("orders/discrepancies.html", flagged=purchasing.open_discrepancies(),
                           held=HELD)


@bp.post("/purchase/discrepancies/<int:discrepancy_id>/<action>")
@role_required(Role.SUPERVISOR)
def resolve_discrepancy(discrepancy_id: int, action: str):
    """Accept (the receipt posts) or dismiss a held line."""
    flagged = db.get_or_404(Discrepancy, discrepancy_id)
    try:
        if action == "accept":
            qty = request.form.get("qty", "")
            purchasing.accept(flagged, current_user, request.form.get("sku") or None,
                              int(qty) if ascii_digits(qty) else qty or None)
        elif action == "dismiss":
            purchasing.dismiss(flagged, current_user)
        else:
            raise DomainError("The action is accept or dismiss.", field="action")
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for("orders.discrepancies"), 303)
    db.session.commit()
    posted = flagged.movement_id and db.session.get(Movement, flagged.movement_id)
    what = flagged.product.sku if flagged.product else flagged.code
    flash(f"{'Received' if posted else 'Dismissed'}: {posted.qty if posted else flagged.qty} × "
          f"{what} on {flagged.purchase_order.reference}.", "ok")
    return redirect(url_for("orders.discrepancies"), 303)
