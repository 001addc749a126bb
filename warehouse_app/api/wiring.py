"""What every API blueprint shares: authentication, CSRF for sessions, JSON errors, read commits.

flask-smorest would answer errors in its own shape app-wide; the Api subclass turns that off and
each API blueprint answers HTTP errors (webargs validation above all) here, in the shape
`{"error": {"code", "message", "field"}}` that errors.py uses for domain errors.
"""
from flask import g, request
from flask_login import current_user
from flask_smorest import Blueprint
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from warehouse_app.auth.access import protect_api_session
from warehouse_app.errors import clash, error_json
from warehouse_app.extensions import csrf, db, login_manager
from warehouse_app.inputs import readable

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
UPLOADS = frozenset({"api_scan.decode_image"})  # these take multipart files, not JSON
CSV_BODIES = frozenset({"api_imports.import_products", "api_imports.import_locations",
                        "api_imports.import_stock"})  # these take a text/csv body


def blueprint(name: str, url_prefix: str, description: str) -> Blueprint:
    """An API blueprint with the shared guard, error answers and read commits."""
    # "api_" keeps clear of the pages' blueprints (locations, catalog...); it is also the spec tag.
    blp = Blueprint(f"api_{name}", __name__, url_prefix=f"/api/v1{url_prefix}",
                    description=description)
    blp.before_request(guard)
    blp.after_request(commit_reads)
    blp.register_error_handler(HTTPException, http_error)
    blp.register_error_handler(IntegrityError, integrity_error)
    csrf.exempt(blp)  # bearer calls need no token; guard() checks it for session calls
    return blp


def guard():
    """Every API call is authenticated; session writes carry CSRF; bodies are JSON."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    protect_api_session()
    if request.endpoint in UPLOADS:
        return None
    if request.endpoint in CSV_BODIES:  # the view checks its content type, after the role
        return None
    if (request.method not in SAFE_METHODS and request.get_data(cache=True)
            and not request.is_json):
        return error_json(400, "not_json",
                          "Send the body as JSON, with Content-Type: application/json.")
    return None


def commit_reads(response):
    """After a read, note the token's last use; a busy database never fails a read.

    The note is written only now, after the answer was built: set earlier, it would be flushed
    by the read's first query, and a database busy with a writer would fail the read.
    """
    token, touched = g.get("api_token"), g.pop("touch_token", None)
    if request.method in SAFE_METHODS and (touched or db.session.dirty or db.session.new):
        try:
            if touched and token is not None:
                token.last_used_at = touched
            db.session.commit()
        except OperationalError:
            db.session.rollback()
    return response


def http_error(err: HTTPException):
    """An HTTP error (bad JSON, failed validation, CSRF) as one JSON error."""
    if isinstance(err, CSRFError):
        return error_json(400, "csrf_failed", f"{err.description} Reload the page and retry.")
    messages = (getattr(err, "data", None) or {}).get("messages")
    if err.code == 400 and messages:
        return error_json(400, "invalid_json", "The body is not valid JSON.")
    if messages:
        field, message = first_error(messages)
        return error_json(err.code or 422, "invalid", message, field)
    code = (err.name or "error").lower().replace(" ", "_")
    return error_json(err.code or 500, code, err.description or err.name)


def integrity_error(err: IntegrityError):
    """A unique key taken by a request that committed at the same moment (errors.clash says
    which rule it broke)."""
    db.session.rollback()
    return error_json(409, *clash(err))


def first_error(messages: dict) -> tuple[str | None, str]:
    """The first bad field's top-level name and a readable message, from webargs' messages."""
    errors = next(iter(messages.values()), {})  # {"json": {...}} or {"query": {...}}
    field, text = readable(errors)[0] if errors else (None, "Invalid input.")
    if field is None and text == "Invalid input type.":
        text = "The body must be a JSON object."
    return field, text
