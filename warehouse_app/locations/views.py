"""Location admin pages: browse the tree, search, create, edit, deactivate (supervisors+)."""
from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import func, or_, select

from warehouse_app.auth import warehouses
from warehouse_app.auth.access import role_required
from warehouse_app.auth.models import Role
from warehouse_app.errors import DomainError
from warehouse_app.extensions import db
from warehouse_app.inputs import load
from warehouse_app.locations import bp, editing, sites  # noqa: F401  (sites: auth's names)
from warehouse_app.locations.inputs import LocationCreateSchema, LocationPatchSchema
from warehouse_app.locations.models import PHYSICAL_KINDS, Location

PER_PAGE = 50
KINDS = [("bin", "Bin"), ("zone", "Zone"), ("warehouse", "Warehouse")]
CREATE_FIELDS = ("code", "kind", "name", "parent", "sequence", "capacity", "hold")


def browse_query(q: str, parent: Location | None):
    """Matches of a search anywhere, else the children of a location (or the warehouses), in
    the caller's warehouses."""
    query = select(Location).where(Location.kind.in_(PHYSICAL_KINDS),
                                   warehouses.clause(Location.warehouse_id))
    if q:
        low = q.lower()  # % and _ are searched for, not wildcards
        query = query.where(or_(func.lower(Location.code).contains(low, autoescape=True),
                                func.lower(Location.name).contains(low, autoescape=True)))
    elif parent is not None:
        query = query.where(Location.parent_id == parent.id)
    else:
        query = query.where(Location.parent_id.is_(None))
    return query.order_by(Location.sequence, Location.code)


def child_counts(ids: list[int]) -> dict[int, int]:
    """How many locations hang directly under each of these."""
    if not ids:
        return {}
    rows = db.session.execute(select(Location.parent_id, func.count())
                              .where(Location.parent_id.in_(ids)).group_by(Location.parent_id))
    return dict(rows.all())


@bp.get("/")
@role_required(Role.SUPERVISOR)
def index():
    """Warehouses, then what is inside the one chosen; or search every code and name."""
    q = request.args.get("q", "").strip()[:60]
    within = request.args.get("within", type=int)
    parent = db.get_or_404(Location, within) if within else None
    warehouses.check(parent, field="within")  # another warehouse's: 403 with a message
    page = db.paginate(browse_query(q, parent), per_page=PER_PAGE, error_out=False)
    counts = child_counts([loc.id for loc in page.items])
    return render_template("locations/list.html", page=page, q=q, parent=parent,
                           counts=counts, chain=ancestors(parent))


def ancestors(location: Location | None) -> list[Location]:
    """The location and its parents, warehouse first (the breadcrumbs)."""
    chain = []
    while location is not None:
        chain.insert(0, location)
        location = location.parent
    return chain


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.SUPERVISOR)
def create():
    """A new warehouse, zone or bin under a parent."""
    if request.method == "GET":
        form = {"parent": request.args.get("parent", ""), "kind": request.args.get("kind", "bin")}
        return render_template("locations/form.html", form=form, location=None, kinds=KINDS)
    try:
        location = editing.create(load(LocationCreateSchema(text=True), {
            key: request.form[key] for key in CREATE_FIELDS if key in request.form}))
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return render_template("locations/form.html", form=request.form, location=None,
                               kinds=KINDS), err.status
    db.session.commit()
    flash(f"Created {location.kind.value} {location.code}.", "ok")
    return redirect(url_for("locations.index", within=location.parent_id), 303)


@bp.route("/<int:location_id>", methods=["GET", "POST"])
@role_required(Role.SUPERVISOR)
def edit(location_id: int):
    """Change a location's name, walking sequence and capacity."""
    location = db.get_or_404(Location, location_id)
    warehouses.check(location, field="code")  # another warehouse's: 303 with a message
    if request.method == "GET":
        form = {"name": location.name, "sequence": location.sequence,
                "capacity": location.capacity, "hold": location.hold}
        return render_template("locations/form.html", form=form, location=location)
    try:
        editing.update(location, load(LocationPatchSchema(text=True), {
            key: request.form.get(key, "") for key in editing.EDITABLE}))
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return render_template("locations/form.html", form=request.form,
                               location=location), err.status
    db.session.commit()
    flash(f"Saved {location.code}.", "ok")
    return redirect(url_for("locations.edit", location_id=location.id), 303)


@bp.post("/<int:location_id>/active")
@role_required(Role.SUPERVISOR)
def set_active(location_id: int):
    """Deactivate an empty location and everything below it, or reactivate it."""
    location = db.get_or_404(Location, location_id)
    active = request.form.get("active") == "1"
    try:
        editing.set_active(location, active)
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return redirect(url_for("locations.edit", location_id=location_id), 303)
    db.session.commit()
    flash(f"{location.code} {'reactivated' if active else 'deactivated'}.", "ok")
    return redirect(url_for("locations.edit", location_id=location.id), 303)
