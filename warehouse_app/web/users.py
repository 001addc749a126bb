"""Users admin pages (admins only): list, create, change role, keep to warehouses,
deactivate."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from warehouse_app.auth import accounts, users, warehouses
from warehouse_app.auth.access import role_required
from warehouse_app.auth.models import Role, User
from warehouse_app.errors import DomainError
from warehouse_app.extensions import db
from warehouse_app.web import bp

ROLES = [(r.value, r.value.title()) for r in Role]


def _page(form=None, status=200):
    people = db.session.scalars(select(User).order_by(User.active.desc(), User.username)).all()
    return render_template("web/users.html", people=people, roles=ROLES, form=form or {},
                           sites=[w.code for w in warehouses.every()],
                           kept={u.id: warehouses.codes_of(u) for u in people}), status


def _done(message: str):
    db.session.commit()
    flash(message, "ok")
    return redirect(url_for("web.users"), 303)


def _refused(err: DomainError, form=None):
    db.session.rollback()
    flash(err.message, "error")
    return _page(form, err.status)


@bp.route("/users/", methods=["GET", "POST"], endpoint="users")
@role_required(Role.ADMIN)
def users_page():
    """Everyone who can log in; the form below adds a user."""
    if request.method == "GET":
        return _page()
    form = request.form
    try:
        user = users.create_user(form.get("username", ""), form.get("password", ""),
                                 users.parse_role(form.get("role", "staff")),
                                 form.get("full_name", "").strip()[:120],
                                 email=form.get("email", "")[:300])
        kept = warehouses.keep_user(user, form.getlist("warehouses"))
    except DomainError as err:
        return _refused(err, {"username": form.get("username", ""), "role": form.get("role"),
                              "full_name": form.get("full_name", ""),
                              "email": form.get("email", "")[:300],
                              "warehouses": form.getlist("warehouses")})
    return _done(f"Created {user.role.value} {user.username}{_where(kept)}.")


def _where(kept) -> str:
    return f", kept to {', '.join(w.code for w in kept)}" if kept else ""


@bp.post("/users/<int:user_id>/role")
@role_required(Role.ADMIN)
def user_role(user_id: int):
    """Give a user another role."""
    user = db.get_or_404(User, user_id)
    try:
        accounts.change_role(user, request.form.get("role"), by=current_user)
    except DomainError as err:
        return _refused(err)
    return _done(f"{user.username} is now {user.role.value}.")


@bp.post("/users/<int:user_id>/warehouses")
@role_required(Role.ADMIN)
def user_warehouses(user_id: int):
    """Keep a user to some warehouses (none ticked: every one); at once for their sessions and
    tokens. An admin works in every warehouse whatever the list."""
    user = db.get_or_404(User, user_id)
    try:
        kept = warehouses.keep_user(user, request.form.getlist("warehouses"))
    except DomainError as err:
        return _refused(err)
    if not kept:
        return _done(f"{user.username} works in every warehouse.")
    return _done(f"{user.username} is kept to {', '.join(w.code for w in kept)}"
                 + (" (an admin still works in every one)." if user.role is Role.ADMIN
                    else "."))


@bp.post("/users/<int:user_id>/active")
@role_required(Role.ADMIN)
def user_active(user_id: int):
    """Deactivate a user, or let them log in again."""
    user = db.get_or_404(User, user_id)
    active = request.form.get("active") == "1"
    try:
        accounts.set_active(user, active, by=current_user)
    except DomainError as err:
        return _refused(err)
    return _done(f"{user.username} {'reactivated' if active else 'deactivated'}.")


@bp.post("/users/<int:user_id>/password")
@role_required(Role.ADMIN)
def user_password(user_id: int):
    """Reset a user's password; their sessions on every device end."""
    user = db.get_or_404(User, user_id)
    try:
        accounts.set_password(user, request.form.get("password", ""))
    except DomainError as err:
        return _refused(err)
    return _done(f"New password set for {user.username}; their sessions have ended.")
