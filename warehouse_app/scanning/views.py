"""The phone workflow pages and the JSON calls their script makes."""
import json
import re
from pathlib import Path

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from warehouse_app.assets import shell_version
from warehouse_app.auth.access import has_role, role_required
from warehouse_app.auth.models import Role
from warehouse_app.errors import DomainError, json_object
from warehouse_app.extensions import db
from warehouse_app.ledger.models import Movement, Reason
from warehouse_app.locations.places import by_code
from warehouse_app.scanning import bp, damage, decoder, putaway, workflows
from warehouse_app.scanning.inputs import FLOWS, PHONE_FORM, REPORT_REASONS
from warehouse_app.scanning.resolver import resolve
from warehouse_app.scanning.workflows import movement_json

FLOW_PAGES = {
    "receive": {"title": "Receive", "steps": ["bin", "product"], "into": True,
                "hint": "Scan the bin (or dock) you are receiving into."},
    "return": {"title": "Customer return", "steps": ["bin", "product"], "into": True,
               "hint": "Scan the bin the returned goods go into."},
    "move": {"title": "Put away / move", "steps": ["from", "product", "to"], "into": False,
             "hint": "Scan the bin you are taking stock from."},
    "adjust": {"title": "Adjust", "steps": ["bin", "product", "reason"], "into": False,
               "hint": "Scan the bin where stock was damaged, lost or found."},
}
ADJUST_REASONS = [r for r in Reason if r.value in ("damage", "loss", "theft", "expiry", "found")]


@bp.get("/<flow>")
@login_required
def flow_page(flow: str):
    """One workflow on one screen: a scan field, where you are, what was just posted."""
    page = FLOW_PAGES.get(flow) or abort(404)
    if flow == "adjust" and not has_role(Role.SUPERVISOR):  # staff report; a supervisor decides
        page = {**page, "title": "Report damage or loss",
                "hint": "Scan the bin where stock was damaged, lost or stolen."}
    docks = workflows.docks() if flow == "receive" else []
    reasons = ADJUST_REASONS if has_role(Role.SUPERVISOR) else REPORT_REASONS
    return render_template("scanning/flow.html", flow=flow, page=page, reasons=reasons,
                           form=request.args, docks=docks, can_adjust=has_role(Role.SUPERVISOR),
                           dock_prefix=current_app.config.get("RECEIVING_DOCK_PREFIX", "DOCK"))


@bp.post("/<flow>")
@login_required
def flow_form(flow: str):
    """The same line posted by a plain form, for a browser without JavaScript."""
    if flow not in FLOW_PAGES:
        abort(404)
    fields = {k: v for k, v in request.form.items() if k != "csrf_token" and v != ""}
    if flow == "adjust" and fields.get("reason") == "found" and "from_location" in fields:
        fields["to_location"] = fields.pop("from_location")  # found stock goes into the bin
    keep = {k: fields[k] for k in ("from_location", "to_location") if k in fields}
    try:
        movement = workflows.post_line({**fields, "flow": flow}, current_user, PHONE_FORM)
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for("scanning.flow_page", flow=flow, **keep)), 303
    db.session.commit()
    flash(f"Posted {movement.qty} × {movement.product.sku}: {movement.from_location.code} → "
          f"{movement.to_location.code}.", "ok")
    return redirect(url_for("scanning.flow_page", flow=flow, **keep)), 303


@bp.post("/resolve")
@login_required
def resolve_code():
    """What a scanned code is, with what the current step needs to know about it."""
    data = json_object()
    scan = resolve(data.get("code"))
    out = scan.as_dict()
    here = data.get("location")
    if scan.product is not None and here:
        location = by_code(here, "location")
        out["on_hand_here"] = workflows.on_hand_at(scan.product.id, location.id)
        if data.get("flow") == "move":
            qty = data.get("qty", 1)
            if isinstance(qty, bool) or not isinstance(qty, int) or not 1 <= qty <= 10**9:
                raise DomainError("qty is a whole number from 1.", field="qty")
            out["suggestions"] = [
                {"location": loc.code, "why": why}
                for loc, why in putaway.suggest(scan.product, qty=qty, exclude=location.id,
                                                warehouse_id=location.warehouse_id)]
    return jsonify(out)


@bp.post("/line")
@login_required
def post_line():
    """Post one confirmed line; a replayed client_op_id answers 200 with the first posting."""
    movement = workflows.post_line(request.get_json(silent=True), current_user)
    # The answer is what was just written: kept loaded rather than read back after the commit
    # (four queries in a transaction of their own), as the API's movements do.
    db.session().expire_on_commit = False
    db.session.commit()
    status = 200 if getattr(movement, "replayed", False) else 201
    return jsonify(movement_json(movement)), status


@bp.get("/posted")
@login_required
def posted_lines():
    """What this user posted in one workflow lately, for "Posted this session" and undo to
    survive a reload of the page."""
    flow = request.args.get("flow")
    if flow not in FLOWS:
        raise DomainError("flow is receive, move, adjust or return.", field="flow")
    return jsonify(workflows.session_json(current_user, Movement.kind == FLOWS[flow]))


@bp.post("/undo")
@login_required
def undo():
    """Undo a line by posting its reversal."""
    data = json_object()
    movement = workflows.undo(data.get("movement"), current_user, data.get("client_op_id"))
    db.session.commit()
    return jsonify(movement_json(movement)), 201


@bp.post("/decode")
@login_required
def decode():
    """Barcodes found in a camera frame or photo (multipart field 'image')."""
    upload = request.files.get("image")
    data = upload.read(decoder.MAX_BYTES + 1) if upload else b""
    return jsonify({"codes": [c.as_dict() for c in decoder.decode(data)]})


@bp.get("/sw.js")
def service_worker():
    """The service worker, allowed to control the whole site so the shell loads offline.

    Its cache is named after the static files it keeps: a deploy that changes any of them
    changes this script, so phones install the new worker, which drops the old copies
    instead of serving yesterday's JavaScript first."""
    script = Path(current_app.static_folder, "js", "sw.js").read_text()
    script = script.replace('"warehouse-shell-v1"', f'"warehouse-shell-{shell_version()}"')
    # The shell's files by the addresses the pages ask for (assets.py: ?v=<digest>).
    script = re.sub(r'"/static/([\w./-]+)"',
                    lambda m: json.dumps(url_for("static", filename=m.group(1))), script)
    response = Response(script, mimetype="text/javascript",
                        headers={"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"})
    return response


@bp.get("/putaway")
@role_required(Role.STAFF)
def putaway_hint():
    """Where to put a product away (JSON)."""
    scan = workflows.product_scan(request.args.get("code"))
    return jsonify([{"location": loc.code, "why": why}
                    for loc, why in putaway.suggest(scan.product)])

@bp.post("/report")
@login_required
def report_damage():
    """Staff report damaged, lost, stolen or expired stock in a bin; a supervisor decides."""
    found = damage.report(request.get_json(silent=True), current_user)
    db.session.commit()
    return jsonify({"id": found.id, "status": found.status.value, "sku": found.product.sku,
                    "qty": found.qty, "from_location": found.location.code,
                    "reason": found.reason.value}), 201


@bp.get("/reports")
@role_required(Role.SUPERVISOR)
def damage_reports():
    """The damage and loss reports waiting for a supervisor."""
    return render_template("scanning/reports.html", reports=damage.open_reports())


@bp.post("/reports/<int:report_id>/<any(approve, reject):action>")
@role_required(Role.SUPERVISOR)
def decide_report(report_id: int, action: str):
    """Approve (the adjustment posts) or reject a report."""
    decide = damage.approve if action == "approve" else damage.reject
    try:
        found = decide(report_id, current_user, request.form.get("note", ""))
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for("scanning.damage_reports")), 303
    db.session.commit()
    flash(f"Report {found.id} {found.status.value}: {found.qty} × {found.product.sku} in "
          f"{found.location.code}" + (" posted." if found.movement_id else "."), "ok")
    return redirect(url_for("scanning.damage_reports")), 303


from warehouse_app.scanning import transit_views  # noqa: E402,F401  (dispatch and arrivals pages)
