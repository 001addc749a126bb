"""The admin's API token page: list, create (the secret shown once, kept to some of its
user's warehouses if asked), revoke."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from warehouse_app.auth import bp, users, warehouses
from warehouse_app.auth.access import role_required
from warehouse_app.auth.models import ApiToken, Role, User
from warehouse_app.auth.scopes import SCOPES
from warehouse_app.errors import DomainError
from warehouse_app.extensions import db


def _page(status: int = 200, secret: str | None = None, form=None):
    people = db.session.scalars(db.select(User).where(User.active.is_(True))
                                .order_by(User.username)).all()
    tokens = users.all_tokens()
    return render_template("auth/tokens.html", tokens=tokens, people=people,
                           scopes=SCOPES, roles=[r.value for r in Role], secret=secret,
                           form=form or {}, sites=[w.code for w in warehouses.every()],
                           kept={p.id: warehouses.codes_of(p) for p in people
                                 if p.role is not Role.ADMIN},
                           token_kept={t.id: warehouses.codes_of_token(t) for t in tokens},
                           ticked=form.getlist("warehouses") if form else []), status


@bp.route("/tokens/", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def tokens():
    """Every API token; the form creates one for a user or an integration."""
    if request.method == "GET":
        return _page()
    form = request.form
    try:
        owner = users.by_username(form.get("user") or current_user.username)
        role = users.parse_role(form["role"]) if form.get("role") else None
        token, secret = users.create_token(form.get("name", ""), owner, role,
                                           form.getlist("scopes"))
        warehouses.keep_token(token, form.getlist("warehouses"))  # within its user's
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return _page(err.status, form=form)
    db.session.commit()
    flash(f"Token {token.name} created. Copy it now; it is not shown again.", "success")
    return _page(201, secret=secret)


@bp.post("/tokens/<int:token_id>/revoke")
@role_required(Role.ADMIN)
def revoke_token(token_id: int):
    """Revoke a token: its next request is refused."""
    token = db.get_or_404(ApiToken, token_id)
    users.revoke_token(token)
    db.session.commit()
    flash(f"Token {token.name} revoked.", "success")
    return redirect(url_for("auth.tokens"), 303)
