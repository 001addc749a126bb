"""Managing user accounts: change a role, deactivate, reactivate; never lose the last admin."""
from sqlalchemy import func, select

from warehouse_app.auth.models import Role, User
from warehouse_app.auth.users import parse_role
from warehouse_app.errors import Conflict, DomainError
from warehouse_app.extensions import db


def _other_admins(user: User) -> int:
    return db.session.scalar(select(func.count()).where(
        User.role == Role.ADMIN, User.active.is_(True), User.id != user.id))


def change_role(user: User, value, by: User) -> User:
    """Give a user another role; an admin cannot demote themselves or the last admin."""
    role = parse_role(value)
    if user.role is Role.ADMIN and role is not Role.ADMIN:
        if user.id == by.id:
            raise DomainError("You cannot take the admin role from yourself.", field="role")
        if not _other_admins(user):
            raise Conflict("This is the last admin; make another admin first.", field="role")
    user.role = role
    db.session.flush()
    return user


def set_active(user: User, active: bool, by: User) -> User:
    """Deactivate a user (they can no longer log in) or reactivate them."""
    if not active and user.id == by.id:
        raise DomainError("You cannot deactivate yourself.", field="active")
    if not active and user.role is Role.ADMIN and not _other_admins(user):
        raise Conflict("This is the last admin; make another admin first.", field="active")
    user.active = active
    db.session.flush()
    return user
