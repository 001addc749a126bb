"""Users, passwords, the failed-login throttle, and API tokens."""
import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, inspect, select
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.security import check_password_hash, generate_password_hash

from warehouse_app.auth.models import ApiToken, LoginFailure, Role, User
from warehouse_app.auth.scopes import parse_scopes
from warehouse_app.errors import Conflict, DomainError, NotFound
from warehouse_app.extensions import db
from warehouse_app.models import utcnow
from warehouse_app.prepared import Loader

PASSWORD_MIN = 8
TOKEN_PREFIX = "wh_"
_TOKEN_BY_DIGEST = Loader(ApiToken, ApiToken.token_hash)
_USER_BY_ID = Loader(User, User.id)


def parse_role(value) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise DomainError("Role is staff, supervisor or admin.", field="role") from None


def hash_password(password: str) -> str:
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    return generate_password_hash(password, method=method)


def create_user(username: str, password: str, role: Role = Role.STAFF,
                full_name: str = "") -> User:
    """A new user; the username is unique and the password at least 8 characters."""
    username = (username or "").strip()
    if not username or len(username) > 80 or any(ch.isspace() for ch in username):
        raise DomainError("A username is 1 to 80 characters without spaces.", field="username")
    if len(password or "") < PASSWORD_MIN:
        raise DomainError(f"A password has at least {PASSWORD_MIN} characters.",
                          field="password")
    if db.session.scalar(select(func.count()).where(func.lower(User.username)
                                                    == username.lower())):
        raise Conflict(f"User {username} already exists.", field="username")
    user = User(username=username, password_hash=hash_password(password), role=role,
                full_name=full_name)
    db.session.add(user)
    db.session.flush()
    return user


def by_username(username: str) -> User:
    user = db.session.scalar(select(User).where(func.lower(User.username)
                                                == (username or "").strip().lower()))
    if user is None:
        raise NotFound(f"No user {username}.", field="username")
    return user


def lock_remaining(username: str) -> timedelta | None:
    """How long this username stays locked after too many failed logins, if it is."""
    cfg = current_app.config
    window = timedelta(minutes=cfg["LOGIN_LOCK_MINUTES"])
    since = utcnow() - window
    recent = db.session.scalars(
        select(LoginFailure.at).where(LoginFailure.username == username.lower(),
                                      LoginFailure.at >= since)
        .order_by(LoginFailure.at.desc()).limit(cfg["LOGIN_MAX_FAILURES"])).all()
    if len(recent) < cfg["LOGIN_MAX_FAILURES"]:
        return None
    return recent[-1] + window - utcnow()


def authenticate(username: str, password: str, remote_addr: str = "") -> User | None:
    """The user when the password is right; records failures for the throttle."""
    username = (username or "").strip()[:80]
    user = db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))
    if user is not None and user.active and check_password_hash(user.password_hash,
                                                                password or ""):
        db.session.execute(delete(LoginFailure).where(LoginFailure.username == username.lower()))
        return user
    db.session.add(LoginFailure(username=username.lower(), remote_addr=(remote_addr or "")[:64]))
    return None


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
    session = db.session()
    token = _TOKEN_BY_DIGEST.one(session, _digest(secret))
    if token is None or token.revoked_at is not None:
        return None
    if "user" in inspect(token).unloaded:  # its user too, without a lazy load's query
        set_committed_value(token, "user", _USER_BY_ID.one(session, token.user_id))
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
