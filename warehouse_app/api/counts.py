"""Cycle counts: open, read (blind for staff), count lines, submit, approve, reject, recount."""
from flask import request
from flask_login import current_user
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from warehouse_app.api.fields import StrictBoolean
from warehouse_app.api.schemas import CostOut
from warehouse_app.api.wiring import blueprint
from warehouse_app.auth.access import role_required
from warehouse_app.auth.models import Role
from warehouse_app.counting import approval, counting, planning, present
from warehouse_app.counting.documents import by_id, in_callers_warehouses, status_words
from warehouse_app.counting.inputs import COUNT_LINE_IN
from warehouse_app.counting.models import Count, CountStatus
from warehouse_app.errors import DomainError
from warehouse_app.extensions import db

blp = blueprint("counts", "/counts", "Cycle counts: blind counting, tolerances, approval.")
LISTED = 200
# A NUL byte makes PostgreSQL fail a query: control characters are bad input, not a 500.
PRINTABLE = validate.Regexp(r"^[^\x00-\x1f]*$", error="Control characters are not allowed.")


def text(limit: int, required: bool = False, **kwargs) -> fields.String:
    """A string of at most `limit` printable characters (at least one when required)."""
    return fields.String(required=required, validate=[
        validate.Length(min=1 if required else 0, max=limit), PRINTABLE], **kwargs)


class CountIn(Schema):
    """A new count: bins, zones or warehouses (all their bins), and/or one product."""

    locations = fields.List(text(40, required=True), validate=validate.Length(
        max=planning.MAX_CODES), metadata={"description": "Location codes"})
    product = text(64, allow_none=True, metadata={
        "description": "Count only this SKU (in the locations named, else wherever it is)"})
    blind = StrictBoolean(metadata={"description": "Hide the books from staff (default true)"})
    note = text(200)


class CountCloseIn(Schema):
    empty = StrictBoolean(metadata={"description": "Confirm a bin where nothing was counted "
                                                  "is empty"})
    client_op_id = text(64, allow_none=True)


class CountSubmitIn(Schema):
    client_op_id = text(64, allow_none=True)


class CountDecisionIn(Schema):
    note = text(500, allow_none=True, metadata={"description": "Why (into the audit trail); "
                                                              "required to reject or recount"})


class CountLinesDecisionIn(CountDecisionIn):
    lines = fields.List(fields.Integer(strict=True), validate=validate.Length(min=1, max=10_000),
                        metadata={"description": "Waiting line ids to decide on (default: "
                                                 "every waiting line); the rest keep waiting"})


class CountRecountIn(CountDecisionIn):
    locations = fields.List(text(40, required=True), metadata={
        "description": "Bins to send back (default: every bin with a waiting line)"})


class CountLineOut(Schema):
    """A counted line; the books' side only for supervisors (or a count that is not blind)."""

    id = fields.Integer()
    sku = fields.String()
    name = fields.String()
    location = fields.String(allow_none=True)
    lot = fields.String(allow_none=True)
    counted_qty = fields.Integer()
    status = fields.String(metadata={"description": "Books shown only"})
    expected_qty = fields.Integer(allow_none=True, metadata={"description": "Books shown only"})
    variance = fields.Integer(allow_none=True)
    variance_value = CostOut(allow_none=True)
    reason = fields.String(allow_none=True)
    movement = fields.Integer(allow_none=True)


class CountBinOut(Schema):
    location = fields.String()
    status = fields.String(metadata={"description": "to_count, counting or closed"})
    round = fields.Integer()
    product = fields.String(allow_none=True, metadata={"description": "Counted for this SKU only"})
    recount = fields.Boolean()
    not_me = fields.Boolean(metadata={"description": "You may not recount it"})
    disturbed = fields.Boolean(allow_none=True)
    lines = fields.List(fields.Nested(CountLineOut))


class CountOut(Schema):
    id = fields.Integer()
    reference = fields.String()
    status = fields.String(metadata={"description": "open, pending, done, rejected, cancelled"})
    blind = fields.Boolean()
    note = fields.String()
    created_at = fields.String()
    created_by = fields.String(allow_none=True)
    submitted_at = fields.String(allow_none=True)
    submitted_by = fields.String(allow_none=True)
    books_shown = fields.Boolean()
    bins = fields.List(fields.Nested(CountBinOut))
    summary = fields.Dict(keys=fields.String(), values=fields.Integer())
    said = fields.String()
    result = fields.Dict(metadata={"description": "What the step did"})
    recount = fields.List(fields.String())


class CountBrief(Schema):
    id = fields.Integer()
    reference = fields.String()
    status = fields.String()
    blind = fields.Boolean()
    created_at = fields.String()


class CountListOut(Schema):
    items = fields.List(fields.Nested(CountBrief))
    total = fields.Integer()


class CountProposalOut(Schema):
    location = fields.String()
    reasons = fields.List(fields.String())


class CountProposalsOut(Schema):
    items = fields.List(fields.Nested(CountProposalOut))
    total = fields.Integer()


def _user():
    return current_user._get_current_object()


def _count(count_id: int) -> Count:
    return by_id(count_id)


def _result(count: Count, outcome=None, **extra) -> dict:
    """The count as the caller may see it, with what the step did."""
    out = present.count_json(count)
    out["said"] = status_words(count)
    if outcome is not None:
        out["result"] = {"matched": outcome.matched, "posted": outcome.posted,
                         "waiting": outcome.waiting, "replayed": outcome.replayed,
                         "released": [vars(r) for r in outcome.released]}
        if not present.sees_books(count):  # staff learn how many wait, not which or by how much
            out["result"] = {"waiting": outcome.waiting, "replayed": outcome.replayed}
    out.update(extra)
    return out


@blp.route("", methods=["GET"])
@blp.response(200, CountListOut)
def list_counts():
    """Counts, newest first; `?status=open|pending|done|rejected|cancelled`."""
    query = select(Count).order_by(Count.id.desc()).limit(LISTED)
    wanted = request.args.get("status")
    if wanted:
        try:
            query = query.where(Count.status == CountStatus(wanted))
        except ValueError:
            raise DomainError("status is one of: " + ", ".join(s.value for s in CountStatus),
                              field="status") from None
    found = db.session.scalars(query.where(in_callers_warehouses())).all()
    return {"items": [{"id": c.id, "reference": c.reference, "status": c.status.value,
                       "blind": c.blind, "created_at": c.created_at.isoformat()}
                      for c in found], "total": len(found)}


@blp.route("", methods=["POST"])
@role_required(Role.SUPERVISOR)
@blp.arguments(CountIn)
@blp.response(201, CountOut)
def open_count(data):
    """Open a count (supervisor); 409 when a bin is already in an unfinished count."""
    count = planning.open_count(data, _user())
    db.session.commit()
    return _result(count), 201


@blp.route("/proposals", methods=["GET"])
@role_required(Role.SUPERVISOR)
@blp.response(200, CountProposalsOut)
def proposals():
    """Today's proposed bins: short picks, rejected losses, the ABC cycle."""
    found = planning.propose()
    return {"items": [{"location": p.location.code, "reasons": p.reasons} for p in found],
            "total": len(found)}


@blp.route("/<int:count_id>", methods=["GET"])
@blp.response(200, CountOut)
def get_count(count_id: int):
    """A count with its bins and lines; staff on a blind count see only what was counted."""
    return _result(_count(count_id))


@blp.route("/<int:count_id>/lines", methods=["POST"])
@blp.arguments(COUNT_LINE_IN)
@blp.response(201, CountLineOut)
@blp.alt_response(200, schema=CountLineOut, description="A replayed client_op_id: the first answer")
def count_line(data, count_id: int):
    """Record what was counted of a product (and lot) in one of the count's bins."""
    done = counting.set_counted(_count(count_id), data, _user())
    db.session.commit()
    line = done.line
    return present.line_json(line, present.sees_books(line.bin.count)), (
        200 if done.replayed else 201)


@blp.route("/<int:count_id>/bins/<location>/close", methods=["POST"])
@blp.arguments(CountCloseIn)
@blp.response(200, CountOut)
def close_bin(data, count_id: int, location: str):
    """Done with a bin: what was not counted there is not there (empty: confirm it is empty)."""
    count = _count(count_id)
    counting.close_bin(count, {**data, "location": location}, _user())
    db.session.commit()
    return _result(count)


@blp.route("/<int:count_id>/submit", methods=["POST"])
@blp.arguments(CountSubmitIn)
@blp.response(200, CountOut)
def submit(data, count_id: int):
    """Submit: within tolerance adjustments post now; the rest waits for a supervisor."""
    count = _count(count_id)
    outcome = approval.submit(count, _user(), data.get("client_op_id"))
    db.session.commit()
    return _result(count, outcome)


@blp.route("/<int:count_id>/approve", methods=["POST"])
@role_required(Role.SUPERVISOR)
@blp.arguments(CountLinesDecisionIn)
@blp.response(200, CountOut)
def approve(data, count_id: int):
    """Post the waiting differences, all or `lines` (supervisor, never one who counted in it;
    a difference worth over COUNT_ADMIN_ABOVE: admin); 409 unless the count waits."""
    count = _count(count_id)
    outcome = approval.approve(count, _user(), data.get("note"), data.get("lines"))
    db.session.commit()
    return _result(count, outcome)


@blp.route("/<int:count_id>/reject", methods=["POST"])
@role_required(Role.SUPERVISOR)
@blp.arguments(CountLinesDecisionIn)
@blp.response(200, CountOut)
def reject(data, count_id: int):
    """Refuse the waiting differences, all or `lines` (supervisor, with a reason, never one
    who counted in it): the books stand."""
    count = _count(count_id)
    approval.reject(count, _user(), data.get("note"), data.get("lines"))
    db.session.commit()
    return _result(count)


@blp.route("/<int:count_id>/recount", methods=["POST"])
@role_required(Role.SUPERVISOR)
@blp.arguments(CountRecountIn)
@blp.response(200, CountOut)
def recount(data, count_id: int):
    """Send bins with waiting lines back to be counted by someone else (supervisor)."""
    count = _count(count_id)
    sent = approval.recount(count, _user(), data.get("note"), data.get("locations"))
    db.session.commit()
    return _result(count, recount=sent)
