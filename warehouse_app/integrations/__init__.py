"""Integrations: outgoing webhooks (a durable outbox), accounting and carrier exports."""
from flask import Blueprint

bp = Blueprint("integrations", __name__, url_prefix="/integrations", cli_group=None)

from warehouse_app.integrations import events  # noqa: E402,F401  (its listeners)
