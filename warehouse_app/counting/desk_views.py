"""The supervisor's count pages: plan, the approval queue and its decisions, settings, reports."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from warehouse_app import csvfile
from warehouse_app.auth.access import role_required
from warehouse_app.auth.models import Role
from warehouse_app.auth.views import safe_next
from warehouse_app.catalog.products import by_sku
from warehouse_app.counting import approval, bp, planning, present, reports, tolerance
from warehouse_app.counting.documents import by_reference, in_callers_warehouses, status_words
from warehouse_app.counting.models import Count, CountStatus
from warehouse_app.errors import DomainError, ascii_digits
from warehouse_app.extensions import db

DECISIONS = {"approve": approval.approve, "reject": approval.reject,
             "recount": approval.recount, "cancel": approval.cancel}
DONE = {"approve": "approved: its adjustments are posted", "reject": "rejected: the books stand",
        "recount": "sent back for a recount", "cancel": "cancelled"}


def _user():
    return current_user._get_current_object()


def _codes(text: str) -> list[str]:
    return [c for c in (text or "").replace(",", " ").split() if c][:planning.MAX_CODES]


@bp.route("/plan", methods=["GET", "POST"], endpoint="plan")
@role_required(Role.SUPERVISOR)
def plan():
    """Open a count: today's proposal, or bins, zones, warehouses or a product by hand."""
    form = request.form
    if request.method == "POST":
        fields = {"locations": form.getlist("location") + _codes(form.get("codes", "")),
                  "product": form.get("product", "").strip() or None,
                  "blind": form.get("blind", "1") == "1", "note": form.get("note", "")}
        try:
            count = planning.open_count(fields, _user())
        except DomainError as err:
            db.session.rollback()
            flash(err.message, "error")
            return render_template("counting/plan.html", proposals=planning.propose(),
                                   form=form), err.status
        db.session.commit()
        flash(f"Count {count.reference} opened for {len(count.bins)} bin"
              f"{'' if len(count.bins) == 1 else 's'}. Staff find it under Count.", "ok")
        return redirect(url_for("counting.review", reference=count.reference), 303)
    return render_template("counting/plan.html", proposals=planning.propose(), form={})


@bp.get("/approvals", endpoint="approvals")
@role_required(Role.SUPERVISOR)
def approvals():
    """Submitted counts waiting for a decision: each discrepancy, who counted, recent moves."""
    counts = db.session.scalars(select(Count).where(Count.status == CountStatus.PENDING,
                                                    in_callers_warehouses())
                                .order_by(Count.submitted_at, Count.id)).all()
    queue = [(count, present.waiting_lines(count)) for count in counts]
    moves = present.recent_movements(sorted({line.location_id for _, lines in queue
                                             for line in lines}))
    return render_template("counting/approvals.html", queue=queue, moves=moves)


@bp.get("/<reference>/review", endpoint="review")
@role_required(Role.SUPERVISOR)
def review(reference: str):
    """Everything about one count, with the books: lines, variances, decisions."""
    count = by_reference(reference)
    waiting = present.waiting_lines(count)
    return render_template("counting/review.html", count=count, books=True,
                           bins=present.bins_of(count)[:present.SHOWN_BINS],
                           lines=present.current_lines(count),
                           decisions=present.decisions(count), said=status_words(count),
                           waiting=waiting, moves=present.recent_movements(
                               sorted({line.location_id for line in waiting})))


@bp.get("/<reference>/lines.csv", endpoint="lines_csv")
@role_required(Role.SUPERVISOR)
def lines_csv(reference: str):
    """Every line of a count with the books and the variance, as a spreadsheet."""
    count = by_reference(reference)
    lines = [line for group in present.current_lines(count).values() for line in group]
    return csvfile.download(f"{count.reference}.csv", [
        "location", "sku", "lot", "counted", "expected", "variance", "variance_value",
        "status", "reason"], [[line.location.code, line.product.sku, line.lot_code,
                               line.counted, line.expected, line.variance, line.variance_value,
                               line.status.value, line.reason] for line in lines])


@bp.post("/<reference>/decide/<action>", endpoint="decide")
@role_required(Role.SUPERVISOR)
def decide(reference: str, action: str):
    """Approve, reject, send back or cancel a count, with a reason."""
    if action not in DECISIONS:
        abort(404)
    count = by_reference(reference)
    extra = {"locations": request.form.getlist("location")} if action == "recount" else {}
    if action in ("approve", "reject") and request.form.getlist("line"):
        picked = request.form.getlist("line")  # some waiting lines only; the rest keep waiting
        extra["lines"] = [int(i) if ascii_digits(i) else i for i in picked]
    try:
        outcome = DECISIONS[action](count, _user(), request.form.get("note"), **extra)
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(safe_next(request.form.get("back"), url_for("counting.approvals")), 303)
    db.session.commit()
    said = f"Count {count.reference} {DONE[action]}."
    if action == "approve":
        said += f" {outcome.describe()}"
    flash(said, "ok")
    return redirect(url_for("counting.approvals"), 303)


def _save_settings(form) -> str:
    what = form.get("what")
    if what == "frequencies":
        planning.set_frequencies(form)
        return "Count frequencies saved."
    if what == "remove":
        raw = form.get("tolerance", "")
        tolerance.remove(int(raw) if raw.isdigit() else None)
        return "Tolerance removed."
    if what == "tolerance":
        target = form.get("target", "").strip()
        if form.get("target_kind") == "product":
            row = tolerance.save(form, product=by_sku(target, "target"))
        else:
            row = tolerance.save(form, category=tolerance.category_by_path(target))
        return f"Saved the {row} rule."
    raise DomainError("Choose what to save.", field="what")


@bp.route("/settings", methods=["GET", "POST"], endpoint="settings")
@role_required(Role.SUPERVISOR)
def settings():
    """Tolerances per product or category, and how often each ABC class is counted."""
    status = 200
    if request.method == "POST":
        try:
            said = _save_settings(request.form)
        except DomainError as err:
            db.session.rollback()
            flash(err.message, "error")
            status = err.status
        else:
            db.session.commit()
            flash(said, "ok")
            return redirect(url_for("counting.settings"), 303)
    return render_template("counting/settings.html", default=tolerance.default_rule(),
                           overrides=tolerance.overrides(), every=planning.frequencies(),
                           form=request.form), status


@bp.get("/reports", endpoint="reports")
@role_required(Role.SUPERVISOR)
def report_page():
    """Count accuracy and counts by person; CSV with ?format=csv."""
    name = request.args.get("report", "accuracy")
    try:
        table = reports.run(name, request.args)
    except DomainError as err:
        flash(err.message, "error")
        return render_template("counting/reports.html", table=None, name=name,
                               args=request.args), err.status
    if request.args.get("format") == "csv":
        return csvfile.download(f"count-{table.name}.csv", [k for k, _ in table.columns],
                                table.csv_rows())
    return render_template("counting/reports.html", table=table, name=name, args=request.args)
