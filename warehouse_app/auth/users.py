"""Users, passwords, the failed-login throttle, and API tokens."""
import hashlib
import os
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import case, delete, func, inspect, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.security import check_password_hash, generate_password_hash

from warehouse_app.auth.models import (
    ApiToken,
    LoginFailure,
    LoginThrottle,
    MailPreference,
    Role,
    User,
)
from warehouse_app.auth.scopes import parse_scopes
from warehouse_app.database import one_by
from warehouse_app.errors import Conflict, DomainError, NotFound
from warehouse_app.extensions import db
from warehouse_app.models import utcnow

PASSWORD_MIN = 8
TOKEN_PREFIX = "wh_"


def parse_role(value) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise DomainError("Role is staff, supervisor or admin.", field="role") from None


def parse_email(value) -> str | None:
    """An e-mail address as written to the user (its domain normalised); empty: none."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str) or len(value.strip()) > 254:
        raise DomainError("An e-mail address is at most 254 characters.", field="email")
    try:
        found = validate_email(value.strip(), check_deliverability=False)
    except EmailNotValidError as err:
        raise DomainError(f"{value.strip()[:80]} is not an e-mail address: {err}",
                          field="email") from None
    return found.normalized


def parse_preference(value) -> MailPreference:
    """immediate, digest or none."""
    try:
        return MailPreference(value)
    except ValueError:
        raise DomainError("Alert mail is immediate, digest or none.",
                          field="alert_mail") from None


# Hashing a password costs about 100 ms of CPU (scrypt), on purpose. Six people logging in
# over and over took most of the CPU from the scans. So a worker process hashes on one thread
# of its own at a low CPU priority (nice 10, Linux: about a tenth of a usual thread's share
# when the CPU is busy): scans get the CPU first, and logins take turns (a login is seldom; a
# scan is every few seconds). At nice 19 logins waited up to 10 s on a loaded machine.
NICE = 10
_hasher: tuple[int, ThreadPoolExecutor] | None = None


def _lowest_priority() -> None:
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)
    except OSError:  # not allowed here: it runs at the usual priority
        pass


def _hashing(work, *args):
    """Run work(*args) on the process's password thread and wait for it."""
    global _hasher
    if _hasher is None or _hasher[0] != os.getpid():  # a forked worker starts its own
        _hasher = (os.getpid(), ThreadPoolExecutor(1, "password", initializer=_lowest_priority))
    return _hasher[1].submit(work, *args).result()


def hash_password(password: str) -> str:
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return _hashing(generate_password_hash, password, method)


def create_user(username: str, password: str, role: Role = Role.STAFF,
                full_name: str = "", email: str | None = None,
                alert_mail: str = "immediate") -> User:
    """A new user; the username is unique and the password at least 8 characters; alerts reach
    a supervisor or admin with an e-mail address (at once, in a daily digest, or not)."""
    email, preference = parse_email(email), parse_preference(alert_mail)
    username = (username or "").strip()
    if not username or len(username) > 80 or any(ch.isspace() for ch in username):
        raise DomainError("A username is 1 to 80 characters without spaces.", field="username")
    check_new_password(password)
    hashed = hash_password(password)  # slow: before the first query (which may write-lock)
    if db.session.scalar(select(func.count()).where(func.lower(User.username)
                                                    == username.lower())):
        raise Conflict(f"User {username} already exists.", field="username")
    user = User(username=username, password_hash=hashed, role=role, full_name=full_name,
                email=email, alert_mail=preference)
    db.session.add(user)
    db.session.flush()
    return user


def check_new_password(password) -> None:
    """A password is text of at least PASSWORD_MIN characters (and at most 1,000)."""
    if not isinstance(password, str) or not PASSWORD_MIN <= len(password) <= 1000:
        raise DomainError(f"A password has at least {PASSWORD_MIN} characters (at most 1000).",
                          field="password")


def by_username(username: str) -> User:
    user = db.session.scalar(select(User).where(func.lower(User.username)
                                                == (username or "").strip().lower()))
    if user is None:
        raise NotFound(f"No user {username}.", field="username")
    return user


def claim_attempt(username: str) -> timedelta | None:
    """Take one login attempt for a name before its password is checked: None when taken, else
    how long the name stays locked. One conditional UPDATE decides, so many attempts sent at
    once cannot all slip in before the first failures are written (on either engine)."""
    cfg, now, name = current_app.config, utcnow(), _throttle_name(username)
    window = timedelta(minutes=cfg["LOGIN_LOCK_MINUTES"])
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    db.session.execute(dialect.insert(LoginThrottle).values(
        username=name, attempts=0, window_start=now).on_conflict_do_nothing())
    fresh = LoginThrottle.window_start <= now - window  # the last window is over: a new one
    taken = db.session.execute(
        update(LoginThrottle).where(LoginThrottle.username == name,
                                    (LoginThrottle.attempts < cfg["LOGIN_MAX_FAILURES"]) | fresh)
        .values(attempts=case((fresh, 1), else_=LoginThrottle.attempts + 1),
                window_start=case((fresh, now), else_=LoginThrottle.window_start)))
    if taken.rowcount == 1:
        return None
    start = db.session.scalar(select(LoginThrottle.window_start)
                              .where(LoginThrottle.username == name))
    return max(start + window - now, timedelta(seconds=1))


def _throttle_name(username: str) -> str:
    return (username or "").strip()[:80].lower()


# Checked when no such user exists, so an unknown name costs the same time as a known one.
_NOBODY = {}


def _nobody_hash() -> str:
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    if method not in _NOBODY:
        _NOBODY[method] = generate_password_hash(secrets.token_urlsafe(16), method=method)
    return _NOBODY[method]


def login_candidate(username: str) -> tuple[User | None, str]:
    """The user a login names (None if unknown or deactivated) and the hash to check the
    password against: read, so the caller can end the transaction before the slow check."""
    name = _throttle_name(username)
    user = db.session.scalar(select(User).where(func.lower(User.username) == name))
    if user is None or not user.active:
        return None, _nobody_hash()
    return user, user.password_hash


def password_matches(stored_hash: str, password: str) -> bool:
    """The slow part of a login: run it outside any transaction."""
    return _hashing(check_password_hash, stored_hash, password or "")


def record_login(username: str, user: User | None, remote_addr: str = "") -> None:
    """After the check: a success clears the name's attempts, a failure is kept (and logged)."""
    name = _throttle_name(username)
    if user is not None:
        db.session.execute(delete(LoginThrottle).where(LoginThrottle.username == name))
        db.session.execute(delete(LoginFailure).where(LoginFailure.username == name))
        return
    db.session.add(LoginFailure(username=name, remote_addr=(remote_addr or "")[:64]))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(name: str, user: User, role: Role | None = None,
                 scopes=()) -> tuple[ApiToken, str]:
    """A new API token; the secret is returned once and only its hash is kept."""
    scopes = parse_scopes(scopes)
    name = (name or "").strip()
    if not name or len(name) > 80:
        raise DomainError("A token name is 1 to 80 characters.", field="name")
    if db.session.scalar(select(func.count()).where(ApiToken.name == name)):
        raise Conflict(f"A token named {name} exists already.", field="name")
    role = role or user.role
    if not user.has_role(role):
        raise DomainError(f"A token cannot have more rights than {user.username}.", field="role")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(name=name, user=user, role=role, token_hash=_digest(secret),
                     prefix=secret[:10], scopes=scopes)
    db.session.add(token)
    db.session.flush()
    return token, secret


def token_for(secret: str) -> ApiToken | None:
    """The live token with this secret, if any."""
    if not secret or len(secret) > 200:
        return None
    # Its user in the same round trip (a database server across a socket).
    token = one_by(ApiToken.token_hash, _digest(secret), joinedload(ApiToken.user, innerjoin=True))
    if token is None or token.revoked_at is not None:
        return None
    if "user" in inspect(token).unloaded:  # its user too, without a lazy load's query
        set_committed_value(token, "user", one_by(User.id, token.user_id))
    if not token.user.active:
        return None
    return token


def revoke_token(token: ApiToken) -> ApiToken:
    """Revoke a token: it is refused from the next request on."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    db.session.flush()
    return token


def all_tokens() -> list[ApiToken]:
    """Every token, newest first."""
    return list(db.session.scalars(select(ApiToken).order_by(ApiToken.id.desc())))
