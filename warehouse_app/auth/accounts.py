"""Managing user accounts: change a role, deactivate, reactivate, set a password; never lose
the last admin. Every change reaches the user's sessions and tokens at once: both read the user's
role and state on every request (a token's own role only caps it)."""
from sqlalchemy import func, select

from warehouse_app.auth.models import Role, User
from warehouse_app.auth.users import (
    check_new_password,
    hash_password,
    parse_email,
    parse_preference,
    parse_role,
    password_matches,
)
from warehouse_app.errors import Conflict, DomainError
from warehouse_app.extensions import db


def _other_admins(user: User) -> int:
    return db.session.scalar(select(func.count()).where(
        User.role == Role.ADMIN, User.active.is_(True), User.id != user.id))


def change_role(user: User, value, by: User | None) -> User:
    """Give a user another role; an admin cannot demote themselves or the last admin (by None:
    the command line)."""
    role = parse_role(value)
    if user.role is Role.ADMIN and role is not Role.ADMIN:
        if by is not None and user.id == by.id:
            raise DomainError("You cannot take the admin role from yourself.", field="role")
        if not _other_admins(user):
            raise Conflict("This is the last admin; make another admin first.", field="role")
    user.role = role
    db.session.flush()
    return user


def set_active(user: User, active: bool, by: User | None) -> User:
    """Deactivate a user (they can no longer log in) or reactivate them."""
    if not active and by is not None and user.id == by.id:
        raise DomainError("You cannot deactivate yourself.", field="active")
    if not active and user.role is Role.ADMIN and not _other_admins(user):
        raise Conflict("This is the last admin; make another admin first.", field="active")
    user.active = active
    db.session.flush()
    return user


def set_password(user: User, password: str, *, current: str | None = None) -> User:
    """A new password; every session of the user (on every device) ends. With `current` (a
    user changing their own), that must be the password of the moment."""
    check_new_password(password)
    if current is not None and not password_matches(user.password_hash, current):
        raise DomainError("The current password is wrong.", field="current_password")
    user.password_hash = hash_password(password)
    user.end_sessions()
    db.session.flush()
    return user


def set_mail(user: User, email, alert_mail=None) -> User:
    """Where alerts reach the user (empty: nowhere) and, when given, how often (immediate,
    digest, none); both are checked before either changes."""
    address = parse_email(email)
    preference = parse_preference(alert_mail) if alert_mail is not None else user.alert_mail
    user.email, user.alert_mail = address, preference
    db.session.flush()
    return user
