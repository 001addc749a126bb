"""Users, their roles, API tokens and failed-login records."""
import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, Index, String, func, literal_column
from sqlalchemy.orm import Mapped, mapped_column, relationship

from warehouse_app.extensions import db
from warehouse_app.models import utcnow


class Role(enum.Enum):
    STAFF = "staff"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def __ge__(self, other: "Role") -> bool:
        return self.rank >= other.rank


class MailPreference(enum.Enum):
    """How alerts reach a supervisor or admin who has an e-mail address (insight/mail.py)."""

    IMMEDIATE = "immediate"  # one mail per alert, on the next `flask alerts mail`
    DIGEST = "digest"        # one mail a day listing that day's alerts
    NONE = "none"            # no mail


def role_enum():
    return Enum(Role, values_callable=lambda e: [m.value for m in e], native_enum=False,
                length=20, validate_strings=True)


class User(UserMixin, db.Model):
    """A person who logs in: staff scan, supervisors approve, admins manage."""

    __audited__ = True
    __audit_hidden__ = frozenset({"password_hash"})
    # One user per name whatever its case: the database refuses "caseuser" beside "CaseUser".
    __table_args__ = (Index("uq_user_username_lower", func.lower(literal_column("username")),
                            unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(role_enum(), default=Role.STAFF)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Part of every login cookie: logging out (or a new password) counts it up, so a cookie
    # copied before, or a "remember me" on another phone, no longer opens the app.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # Ids of the warehouses the user is kept to, space-separated; empty: every warehouse (an
    # admin always has every one). Kept on the row, so the login that loads the user has them
    # without a query of its own (auth/warehouses.py reads and writes them).
    warehouses: Mapped[str] = mapped_column(String(1000), default="", server_default="")
    # Where alerts reach a supervisor or admin (none: they get no mail), and how often.
    email: Mapped[str | None] = mapped_column(String(254))
    alert_mail: Mapped[MailPreference] = mapped_column(
        Enum(MailPreference, values_callable=lambda e: [m.value for m in e], native_enum=False,
             length=10, validate_strings=True),
        default=MailPreference.IMMEDIATE, server_default=MailPreference.IMMEDIATE.value)

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}.{self.session_version}"

    def end_sessions(self) -> None:
        """Every login cookie of this user, on every device, stops working."""
        self.session_version = (self.session_version or 0) + 1

    # Set for one request by a bearer token that acts for this user: the token's own role
    # caps the user's (a plain attribute, never stored).
    role_cap = None  # Role | None

    @property
    def acting_role(self) -> Role:
        """The role this user acts with now: their current role, capped by a token's."""
        cap = self.role_cap
        return self.role if cap is None or cap >= self.role else cap

    def has_role(self, role: Role) -> bool:
        return self.acting_role >= role

    def __str__(self) -> str:
        return self.username


class ApiToken(db.Model):
    """A bearer token for another system; only its SHA-256 is stored."""

    __audited__ = True
    __audit_hidden__ = frozenset({"token_hash"})
    __audit_ignored__ = frozenset({"last_used_at"})  # bookkeeping, not a change anyone made

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    role: Mapped[Role] = mapped_column(role_enum(), default=Role.STAFF)
    # Space-separated scopes (read, stock-write, orders, admin); empty: the role's full rights.
    scopes: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # Ids of the warehouses the token is kept to (within its user's), as on User.
    warehouses: Mapped[str] = mapped_column(String(1000), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    def __str__(self) -> str:
        return self.name


class LoginFailure(db.Model):
    """One failed login, kept for the throttle (shared by every worker through the database)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    remote_addr: Mapped[str] = mapped_column(String(64), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class LoginThrottle(db.Model):
    """Login attempts a user name has used in its current window. An attempt is claimed with
    one conditional UPDATE before the password is checked, so forty wrong passwords sent at
    once check only the first LOGIN_MAX_FAILURES of them; a right password clears the row."""

    username: Mapped[str] = mapped_column(String(80), primary_key=True)  # lower-cased
    attempts: Mapped[int] = mapped_column(default=0)
    window_start: Mapped[datetime] = mapped_column(default=utcnow)
