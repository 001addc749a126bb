"""Configuration read from the environment."""
import os
import secrets
from pathlib import Path


def _secret_key(instance_path: str) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the instance folder."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        return f"sqlite:///{Path(instance_path) / 'warehouse.db'}"
    if url.startswith("postgres://"):  # the spelling some hosts hand out
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


class Config:
    """Settings for a running app; every value can come from the environment."""

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "") == "1"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None  # a phone left on a shelf all shift must still post
    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
    # A caller with no valid login sends at most this much (a login form is far smaller):
    # refused before the body is read (bodies.py).
    ANON_MAX_CONTENT_LENGTH = int(os.environ.get("ANON_MAX_CONTENT_LENGTH", 64 * 1024))
    JSON_MAX_DEPTH = 20  # brackets in a JSON body; deeper is a 400
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    RECEIVING_DOCK_PREFIX = os.environ.get("RECEIVING_DOCK_PREFIX", "DOCK")  # one-tap receive bins
    LOGIN_MAX_FAILURES = 5
    API_RATE_LIMIT = int(os.environ.get("API_RATE_LIMIT", 600))  # calls per caller per window
    API_RATE_WINDOW = int(os.environ.get("API_RATE_WINDOW", 60))  # seconds; limit 0 = none
    # Where Flask-Limiter keeps the counts (warehouse_app/ratelimit.py): memory:// counts per
    # worker process; redis://host:6379 is shared by every worker and machine using it.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "warehouse")
    LOGIN_LOCK_MINUTES = 15
    # A count difference worth more than this (at the cost when the bin closed) is approved by
    # an admin only.
    COUNT_ADMIN_ABOVE = int(os.environ.get("COUNT_ADMIN_ABOVE", 1000))
    # Internal hosts a webhook may still go to (comma-separated names or addresses); any other
    # loopback, private, link-local, multicast or metadata address is refused.
    WEBHOOK_ALLOWED_HOSTS = os.environ.get("WEBHOOK_ALLOWED_HOSTS", "")
    # SQLite: the speed machinery (warehouse_app/speed/: scans take turns, writers queue, look-ups
    # before the write lock); 0 serves the same app on plain SQLAlchemy.
    SPEED = os.environ.get("SPEED", "1") != "0"
    # A folder searched first for the label fonts (DejaVu Sans), before the system's.
    LABEL_FONT_DIR = os.environ.get("LABEL_FONT_DIR", "")
    # Receiving a lot that expires within this many days (or has expired) asks to confirm.
    EXPIRY_WARNING_DAYS = int(os.environ.get("EXPIRY_WARNING_DAYS", 30))
    # A camera frame nothing reads at once is retried (inverted, scaled up, turned...) for at
    # most about this many milliseconds of CPU; then the phone sends the next frame.
    DECODE_BUDGET_MS = int(os.environ.get("DECODE_BUDGET_MS", 50))

    # Alert e-mails (`flask alerts mail`, insight/mail.py) go through this SMTP server.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "localhost")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", 25))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")  # empty: no login
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "") == "1"  # STARTTLS after connecting
    MAIL_USE_SSL = os.environ.get("MAIL_USE_SSL", "") == "1"  # TLS from the start (port 465)
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "warehouse@localhost")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", 10))  # seconds per SMTP exchange
    MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", 50))  # then it is given up
    # A mail claimed by a run that died (killed mid-send) is taken again after this long.
    MAIL_CLAIM_MINUTES = int(os.environ.get("MAIL_CLAIM_MINUTES", 30))
    # The address the app is reached at, for the link in each mail (empty: no link).
    APP_BASE_URL = os.environ.get("APP_BASE_URL", "")

    API_TITLE = "Warehouse API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    # No ReDoc/Swagger UI (they load from a CDN): api/docs.py serves /api/v1/docs itself.

    @classmethod
    def from_instance(cls, instance_path: str, given: dict) -> dict:
        """Values that depend on the instance folder (database file, generated key)."""
        values = {}
        if "SECRET_KEY" not in given:
            values["SECRET_KEY"] = _secret_key(instance_path)
        if "SQLALCHEMY_DATABASE_URI" not in given:
            values["SQLALCHEMY_DATABASE_URI"] = _database_url(instance_path)
        return values
