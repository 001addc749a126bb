"""Hostile bodies get a 4xx before they cost anything.

Three doors, cheapest first:
- `BodyLimit` (WSGI, outermost): a declared length over MAX_CONTENT_LENGTH, or over
  ANON_MAX_CONTENT_LENGTH from a caller presenting no credentials at all (no Authorization
  header, no session or remember cookie), is answered 413 before one byte is read and before
  any login is looked up.
- `limit_anonymous` (first before-request hook): a caller whose credentials turned out not to
  be valid gets the anonymous limit on the request itself, so a chunked body or a made-up cookie
  is cut off at ANON_MAX_CONTENT_LENGTH as it is read (Werkzeug's limited stream answers 413).
- `refuse_deep_json`: a JSON body nested deeper than JSON_MAX_DEPTH is a 400 before any view or
  schema walks it (Python's parser and every recursive walker would otherwise fail with a 500).
"""
import re
from itertools import accumulate

from flask import Flask, current_app, request
from flask_login import current_user
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

DEFAULT_ANON_LIMIT = 64 * 1024


class BodyLimit:
    """WSGI middleware: refuse an over-long declared body before reading it."""

    def __init__(self, wsgi_app, app: Flask):
        self.wsgi_app, self.app = wsgi_app, app

    def __call__(self, environ, start_response):
        declared = environ.get("CONTENT_LENGTH", "")
        if declared:
            if not declared.isascii() or not declared.isdigit():
                return self._refuse(environ, start_response, BadRequest(
                    "Content-Length is a number of bytes."))
            limit = self._limit(environ)
            if limit is not None and int(declared) > limit:
                return self._refuse(environ, start_response, RequestEntityTooLarge(
                    f"A request body here is at most {limit} bytes."))
        return self.wsgi_app(environ, start_response)

    def _limit(self, environ) -> int | None:
        config = self.app.config
        if presents_credentials(environ, config):
            return config.get("MAX_CONTENT_LENGTH")
        return anonymous_limit(config)

    def _refuse(self, environ, start_response, error):
        """The error in the app's own shape (JSON for the API), the body left unread."""
        with self.app.request_context(environ):
            response = self.app.handle_user_exception(error)
            response = self.app.make_response(response)
        response.headers["Connection"] = "close"  # the unread body is not ours to drain
        return response(environ, start_response)


def presents_credentials(environ, config) -> bool:
    """Whether the request carries anything that could log it in (not yet checked)."""
    if environ.get("HTTP_AUTHORIZATION"):
        return True
    cookies = environ.get("HTTP_COOKIE", "")
    names = (config.get("SESSION_COOKIE_NAME", "session"),
             config.get("REMEMBER_COOKIE_NAME", "remember_token"))
    return any(f"{name}=" in cookies for name in names)


def anonymous_limit(config) -> int:
    limit = config.get("ANON_MAX_CONTENT_LENGTH", DEFAULT_ANON_LIMIT)
    most = config.get("MAX_CONTENT_LENGTH")
    return limit if most is None else min(limit, most)


def limit_anonymous() -> None:
    """Before anything reads the body: an unknown caller gets the anonymous limit."""
    if not current_user.is_authenticated:
        request.max_content_length = anonymous_limit(current_app.config)
        if (request.content_length or 0) > request.max_content_length:
            raise RequestEntityTooLarge(
                f"A request body here is at most {request.max_content_length} bytes.")


def refuse_deep_json() -> None:
    """A JSON body nested deeper than JSON_MAX_DEPTH: 400, before any view walks it."""
    if not request.is_json or not request.content_length and not _chunked():
        return
    raw = request.get_data(cache=True)
    depth_allowed = current_app.config.get("JSON_MAX_DEPTH", 20)
    if _bracket_depth(raw) <= depth_allowed:
        return
    raise BadRequest(f"A JSON body is nested at most {depth_allowed} deep.")


def _chunked() -> bool:
    return "chunked" in request.headers.get("Transfer-Encoding", "").lower()


_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+"?', re.DOTALL)  # unterminated: to the end
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = [0] * 256
_STEP[ord("[")] = _STEP[ord("{")] = 1
_STEP[ord("]")] = _STEP[ord("}")] = -1


def _bracket_depth(raw: bytes) -> int:
    """How deep the brackets of a JSON text go, strings skipped, without parsing it: the
    parser is never handed a text that would make it (or anything walking its result)
    recurse too far. The loops run in C (re, bytes.translate, map, accumulate)."""
    if b"[" not in raw and b"{" not in raw:
        return 0
    brackets = _STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def init_app(app: Flask) -> None:
    """The hooks first of all, the middleware outermost (call last in create_app)."""
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_deep_json)
    app.before_request_funcs[None].insert(0, limit_anonymous)
    app.wsgi_app = BodyLimit(app.wsgi_app, app)
