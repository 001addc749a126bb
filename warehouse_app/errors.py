"""Domain errors and the handlers that turn them into clear 4xx answers."""
import re
from urllib.parse import urlsplit

from flask import Flask, flash, jsonify, redirect, render_template, request
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException


class DomainError(Exception):
    """A request the domain refuses; nothing was changed."""

    status = 422
    code = "invalid"

    def __init__(self, message: str, field: str | None = None, code: str | None = None,
                 status: int | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code
        if status:
            self.status = status

    def to_dict(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "field": self.field}}


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class InsufficientStock(Conflict):
    code = "insufficient_stock"

    def __init__(self, sku: str, location_code: str, wanted: int, available: int,
                 field: str | None = "qty"):
        super().__init__(
            f"Not enough {sku} in {location_code}: {available} on hand, {wanted} asked.",
            field=field)
        self.available = available


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


# What a database error means for the caller: (code, message, seconds before a retry).
DISK_FULL = ("disk_full", "The database's disk is full: nothing was saved. Tell an "
             "administrator; try again once space is freed.", 60)
BUSY = ("unavailable", "The database is busy; nothing was saved. Try again in a moment.", 1)
RESTARTING = ("unavailable", "The database is not answering (restarting?); nothing was saved. "
              "Try again in a moment.", 2)


def unavailable(err: OperationalError) -> tuple[str, str, int] | None:
    """A temporary database failure's answer, or None for any other operational error."""
    text = str(err.orig).lower()
    if "full" in text or "no space" in text or "disk i/o" in text:
        return DISK_FULL
    if "locked" in text or "busy" in text:
        return BUSY
    if err.connection_invalidated or any(sign in text for sign in (
            "could not connect", "connection refused", "terminating connection",
            "server closed the connection", "connection is closed", "the database system is")):
        return RESTARTING
    return None


# Which unique rule a refused write broke, by a word of its constraint or table name.
CLASHES = (
    ("scan_code", ("duplicate_code", "That code already names something else here "
                   "(a product, barcode, bin or document).", "code")),
    ("username", ("duplicate_username", "That user name is taken (in any case).", "username")),
    ("user", ("duplicate_username", "That user name is taken (in any case).", "username")),
    ("serial", ("serial_in_stock", "That serial number is already in stock.", "lot")),
    ("sku", ("duplicate_sku", "That SKU is already used.", "sku")),
    ("barcode", ("duplicate_barcode", "That barcode already belongs to a product.",
                 "barcodes")),
    ("location", ("duplicate_code", "That location code is already used.", "code")),
    ("reference", ("duplicate_reference", "That reference is already used.", "reference")),
)
RACE = ("conflict", "Someone changed the same thing at the same moment; nothing was saved. "
        "Look again and retry.", None)


def clash(err: IntegrityError) -> tuple[str, str, str | None]:
    """(code, message, field) for a write the database refused."""
    diag = getattr(err.orig, "diag", None)
    named = " ".join(filter(None, (getattr(diag, "constraint_name", None),
                                   getattr(diag, "table_name", None)))) or str(err.orig)
    named = named.lower()
    for word, answer in CLASHES:
        if word in named:
            return answer
    return RACE


def json_object() -> dict:
    """The request's JSON body as an object; anything else ("x", 7, [1], nothing) as empty,
    so the view answers its own 4xx for what is missing."""
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


def wants_json() -> bool:
    """True for API calls and clients that asked for JSON."""
    return (request.path.startswith("/api/")
            or request.accept_mimetypes.best == "application/json")


def error_json(status: int, code: str, message: str, field: str | None = None):
    """One JSON error body in the shape every client expects."""
    body = {"error": {"code": code, "message": message, "field": field}}
    return jsonify(body), status


FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def ascii_digits(text) -> bool:
    """Text of the ASCII digits 0-9 only: "٣" or "３" is a digit to str.isdigit() and int(),
    never a quantity here."""
    return isinstance(text, str) and text.isascii() and text.isdigit()


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(text: str) -> bool:
    """A NUL byte (PostgreSQL fails any query holding one) or a lone surrogate (JSON can carry
    "\ud800"; no database can encode it): text nothing can be stored or found under. One
    regular-expression scan: it runs over every string of every request."""
    return _UNSTORABLE.search(text) is not None


def refuse_unstorable() -> None:
    """Before any view: unstorable text in the path, query, form or JSON body is bad input:
    404 in a path, 422 naming the field elsewhere."""
    if unstorable(request.path):
        raise NotFound("Nothing has a NUL byte or broken text in its name.", field="path")
    sources = [request.args]
    if request.method != "GET" and request.mimetype in FORMS:
        if request.mimetype == FORMS[0]:
            request.get_data(cache=True)  # keep the body readable for the views as well
        sources.append(request.form)
    for source in sources:
        for key, value in source.items(multi=True):
            if unstorable(str(key)) or unstorable(str(value)):
                raise DomainError(f"{str(key)[:40]!r} contains a NUL byte or broken text.",
                                  field=str(key)[:40])
    if request.is_json and (found := _nul_in(request.get_json(silent=True))) is not None:
        raise DomainError(f"{found} contains a NUL byte or broken text.", field=found)


def _nul_in(value, path: str = "") -> str | None:
    """The path of the first string holding a NUL in a JSON document, if any."""
    if isinstance(value, str):
        return (path or "body") if unstorable(value) else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = ((str(n), item) for n, item in enumerate(value))
    else:
        return None
    for key, item in items:
        if unstorable(str(key)):
            return path or "body"
        if (found := _nul_in(item, f"{path}.{key}" if path else str(key))) is not None:
            return found
    return None


def _same_site(referrer: str | None) -> str:
    """Back to the page the user came from, when it is on this site; else home."""
    parts = urlsplit(referrer or "")
    if parts.netloc and parts.netloc != request.host:
        return "/"
    path = parts.path or "/"
    if not path.startswith("/") or path.startswith("//") or "\\" in path or any(
            ord(ch) < 32 for ch in path):
        return "/"
    return path + (f"?{parts.query}" if parts.query else "")


def register_error_handlers(app: Flask) -> None:
    """Answer domain errors, HTTP errors and a busy database without a 500 page."""
    app.before_request(refuse_unstorable)

    @app.errorhandler(DomainError)
    def domain_error(err: DomainError):
        from warehouse_app.extensions import db
        db.session.rollback()
        if wants_json():
            return jsonify(err.to_dict()), err.status
        flash(err.message, "error")
        return redirect(_same_site(request.referrer)), 303

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        if not wants_json():
            if err.code in (400, 403, 404, 405, 413, 429):
                return render_template("error.html", error=err), err.code
            return err
        code = (err.name or "error").lower().replace(" ", "_")
        return error_json(err.code or 500, code, err.description or err.name)

    @app.errorhandler(IntegrityError)
    def lost_a_race(err: IntegrityError):
        """A write the database refused because another one got there first (a duplicate
        name or code created at the same moment, a balance emptied meanwhile): 409, and
        nothing of this request was saved. The checks before the write give the precise
        message; this answers the rare request that passed them at the same moment as another."""
        from warehouse_app.extensions import db
        db.session.rollback()
        code, message, field = clash(err)
        if wants_json():
            return error_json(409, code, message, field)
        flash(message, "error")
        return redirect(_same_site(request.referrer)), 303

    @app.errorhandler(OperationalError)
    def database_unavailable(err: OperationalError):
        """The database cannot take this request now: 503 with a retry hint; nothing was
        saved (the transaction was rolled back), so the same request may be sent again."""
        from warehouse_app.extensions import db
        db.session.rollback()
        found = unavailable(err)
        if found is None:
            raise err
        code, message, retry = found
        if wants_json():
            resp, status = error_json(503, code, message)
        else:
            resp, status = render_template("error.html", message=message), 503
        return resp, status, {"Retry-After": str(retry)}
