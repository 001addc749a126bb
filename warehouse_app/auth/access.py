"""Who is asking: session users for pages, bearer tokens for other systems; role checks."""
from datetime import timedelta
from functools import wraps

from flask import abort, current_app, g, redirect, request, url_for
from flask_login import current_user, login_required

from warehouse_app.auth import bp
from warehouse_app.auth.models import Role, User
from warehouse_app.auth.scopes import check_token
from warehouse_app.auth.users import token_for
from warehouse_app.database import one_by, reading_first
from warehouse_app.errors import error_json, wants_json
from warehouse_app.extensions import csrf, login_manager
from warehouse_app.models import utcnow

TOKEN_TOUCH_EVERY = timedelta(minutes=1)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """The user of a login cookie, while the cookie's session version is still theirs."""
    number, _, version = user_id.partition(".")
    if not number.isdigit() or not version.isdigit() or int(number) > 2**31 - 1:
        return None
    with reading_first():  # a page's POST (a phone's scan) takes no write lock to find its user
        user = one_by(User.id, int(number))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


@login_manager.request_loader
def load_token_user(req) -> User | None:
    """A bearer token authenticates an API call for its user as the user is now (an inactive
    user's token is refused); its role caps the user's."""
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer ") or not req.path.startswith("/api/"):
        return None
    with reading_first():  # looking a token up writes nothing: no write lock for it
        token = token_for(header.removeprefix("Bearer ").strip())
        user = token.user if token is not None else None
    if token is None:
        return None
    g.api_token = token
    user.role_cap = token.role
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_EVERY:
        if req.method in ("GET", "HEAD", "OPTIONS"):
            g.touch_token = now  # after the answer (wiring.commit_reads): a read writes nothing
        else:
            token.last_used_at = now
    return user


@login_manager.unauthorized_handler
def unauthorized():
    if wants_json():
        return error_json(401, "unauthorized", "Log in or send a valid API token.")
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def effective_role() -> Role | None:
    """The caller's role of the moment: the user's role now, capped by a token's own role (a
    demoted user's old token loses what the user lost)."""
    if not current_user.is_authenticated:
        return None
    return current_user.acting_role


def role_required(role: Role):
    """Refuse (403) callers below this role; anonymous callers must log in first."""
    def decorate(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not has_role(role):
                if wants_json():
                    return error_json(403, "forbidden",
                                      f"This needs the {role.value} role.")
                abort(403, f"This page needs the {role.value} role.")
            return view(*args, **kwargs)
        return wrapped
    return decorate


def has_role(role: Role) -> bool:
    mine = effective_role()
    return mine is not None and mine >= role


def protect_api_session() -> None:
    """Session-authenticated API writes must carry the CSRF token; bearer tokens need none."""
    if (g.get("api_token") is None and request.method not in ("GET", "HEAD", "OPTIONS")
            and current_app.config["WTF_CSRF_ENABLED"]):  # as Flask-WTF's own check honours it
        csrf.protect()


@bp.before_app_request
def token_scope_and_rate():
    """A scoped bearer token is refused outside its areas before any API view runs (then the
    rate limit, warehouse_app/ratelimit.py, counts the call)."""
    return check_token()
