"""The API rate limit, kept by Flask-Limiter: a fixed window of API_RATE_LIMIT calls per
API_RATE_WINDOW seconds for each caller, a bearer token (by its id) or a user calling with their
page session (by the user's id). No two callers share a window.

The counts live in RATELIMIT_STORAGE_URI: memory:// by default (each worker process counts
alone, and `make run` needs nothing), or a store every app server shares, e.g.
redis://host:6379, so that N servers still allow the limit once, not N times.
RATELIMIT_KEY_PREFIX keeps apart several apps (or test runs) sharing one store.
"""
import math
import time

from flask import Flask, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user

from warehouse_app.errors import error_json


def caller_key() -> str:
    """Whose window a call counts in: its token's, else its session user's."""
    token = g.get("api_token")
    if token is not None:
        return f"token:{token.id}"
    return f"user:{current_user.id}" if current_user.is_authenticated else ""


def _exempt() -> bool:
    """Pages, anonymous callers (answered 401) and a limit of 0 are not counted."""
    if not request.path.startswith("/api/") or not current_app.config.get("API_RATE_LIMIT"):
        return True
    return not current_user.is_authenticated


def _limit() -> str:
    config = current_app.config
    return f"{int(config['API_RATE_LIMIT'])} per {int(config['API_RATE_WINDOW'])} second"


def init_app(app: Flask) -> Limiter:
    """One limiter for this app, checked after the token's scopes (register it last)."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter = Limiter(caller_key, application_limits=[_limit],
                      application_limits_exempt_when=_exempt)
    limiter.init_app(app)
    app.extensions["rate_limiter"] = limiter

    @app.errorhandler(RateLimitExceeded)
    def too_many(err: RateLimitExceeded):
        """429 in the API's error shape, with the seconds until the window ends."""
        current = limiter.current_limit
        wait = max(1, math.ceil(current.window[0] - time.time())) if current else 1
        who = "token" if g.get("api_token") is not None else "user"
        response, status = error_json(429, "rate_limited",
                                      f"Too many requests for this {who}; retry in {wait} s.")
        response.headers["Retry-After"] = str(wait)
        return response, status

    return limiter
