"""Login and logout pages; your own account (password, alert e-mail)."""
from urllib.parse import urlsplit

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from warehouse_app.auth import accounts, bp, users
from warehouse_app.auth.models import MailPreference, Role, User
from warehouse_app.database import reading_first
from warehouse_app.errors import DomainError
from warehouse_app.extensions import db


def safe_next(target: str | None, default: str | None = None) -> str:
    """Only a path on this site; anything else (another host, //evil, javascript:, a control
    character the browser or Werkzeug would drop to make /\t/evil into //evil) goes home."""
    default = default or url_for("web.home")
    if (not target or not target.startswith("/") or target.startswith("//") or "\\" in target
            or any(ord(ch) < 32 or ord(ch) == 127 for ch in target)):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with username and password; too many failures lock the name for a while."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(request.args.get("next")))
    if request.method == "GET":
        return render_template("auth/login.html", next=request.args.get("next", ""))
    username = request.form.get("username", "").strip()[:80]
    target = safe_next(request.form.get("next"))
    # Three short transactions, and the slow password check in none of them (on SQLite a
    # write transaction holds the one write lock every scan waits for).
    remaining = users.claim_attempt(username)
    db.session.commit()
    if remaining:
        minutes = max(1, int(remaining.total_seconds() // 60) + 1)
        flash(f"Too many failed attempts. Try again in {minutes} minute(s).", "error")
        return render_template("auth/login.html", next=target, username=username), 429
    with reading_first():
        user, stored = users.login_candidate(username)
    db.session.commit()
    if not users.password_matches(stored, request.form.get("password", "")):
        user = None
    users.record_login(username, user, request.remote_addr)
    db.session.commit()
    if user is None:
        flash("Wrong username or password.", "error")
        return render_template("auth/login.html", next=target, username=username), 401
    session.clear()  # a fresh session on login: nothing planted before it survives
    login_user(user, remember=bool(request.form.get("remember")))
    current_app.logger.info("login %s", user.username)
    return redirect(target)


PREFERENCES = [(MailPreference.IMMEDIATE.value, "Each alert at once"),
               (MailPreference.DIGEST.value, "One digest a day"),
               (MailPreference.NONE.value, "No mail")]


def _account_page(form=None, status=200):
    user = current_user
    shown = form or {"email": user.email or "", "alert_mail": user.alert_mail.value}
    return render_template("auth/account.html", form=shown, preferences=PREFERENCES,
                           reader=user.role in (Role.SUPERVISOR, Role.ADMIN)), status


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """Your account: where alerts reach you by e-mail, and how often."""
    if g.get("api_token") is not None:
        abort(403)
    if request.method == "GET":
        return _account_page()
    form = {"email": request.form.get("email", "")[:300],
            "alert_mail": request.form.get("alert_mail", "")[:20]}
    try:
        accounts.set_mail(current_user, form["email"], form["alert_mail"])
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return _account_page(form, err.status)
    db.session.commit()
    flash("Saved: " + (f"alerts by mail to {current_user.email}." if current_user.email
                       else "no alert mail (no address)."), "ok")
    return redirect(url_for("auth.account"), 303)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    """Change your own password (the current one first); your other sessions end."""
    if g.get("api_token") is not None:
        abort(403)
    if request.method == "GET":
        return render_template("auth/password.html")
    form = request.form
    try:
        if form.get("password", "") != form.get("confirm", ""):
            raise DomainError("The two new passwords differ.", field="confirm")
        accounts.set_password(current_user, form.get("password", ""),
                              current=form.get("current_password", ""))
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
        return render_template("auth/password.html"), err.status
    db.session.commit()
    login_user(db.session.get(User, current_user.id))  # this session, under the new version
    flash("Password changed. Your other devices are logged out.", "ok")
    return redirect(url_for("web.home"), 303)


@bp.post("/logout")
def logout():
    """Log out (a POST, so another site cannot log you out with a link), everywhere: a copied
    or remembered cookie of this user stops working too."""
    if current_user.is_authenticated and g.get("api_token") is None:
        current_user.end_sessions()
        db.session.commit()
    logout_user()
    flash("Logged out.", "ok")
    return redirect(url_for("auth.login"))
from warehouse_app.auth import token_pages  # noqa: E402,F401  (the token page)
