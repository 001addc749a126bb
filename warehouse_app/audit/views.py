"""Audit trail page: who changed what and when, newest first (supervisors+)."""
from flask import render_template, request
from sqlalchemy import select

from warehouse_app.audit import bp
from warehouse_app.audit.models import AuditEntry
from warehouse_app.auth.access import role_required
from warehouse_app.auth.models import Role
from warehouse_app.extensions import db

PER_PAGE = 30
VALUE_MAX = 120


def changes(entry: AuditEntry) -> list[tuple[str, object, object]]:
    """(field, before, after) of an entry; a create or delete shows only its non-empty values."""
    before, after = entry.before or {}, entry.after or {}
    shown = []
    for key in sorted(set(before) | set(after)):
        old, new = _short(before.get(key)), _short(after.get(key))
        if entry.action == "update" or (old or new) not in (None, "", False, 0, "0.0000"):
            shown.append((key, old, new))
    return shown


def _short(value):
    """A value cut to a readable length."""
    if isinstance(value, str) and len(value) > VALUE_MAX:
        return value[:VALUE_MAX] + "…"
    return value


@bp.get("/")
@role_required(Role.SUPERVISOR)
def index():
    """Every recorded change, newest first, optionally of one kind of thing or one thing."""
    entity = request.args.get("entity", "").strip()[:40]
    entity_id = request.args.get("id", type=int)
    query = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    page = db.paginate(query, per_page=PER_PAGE, error_out=False)
    entities = db.session.scalars(select(AuditEntry.entity).distinct()
                                  .order_by(AuditEntry.entity)).all()
    return render_template("audit/list.html", page=page, entity=entity, entity_id=entity_id,
                           entities=entities, changes=changes)
