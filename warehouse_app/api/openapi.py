"""The flask-smorest Api: the generated OpenAPI document and how it describes auth and errors."""
from flask_smorest import Api

from warehouse_app.api.schemas import ErrorSchema

SECURITY_SCHEMES = {
    "bearerAuth": {"type": "http", "scheme": "bearer",
                   "description": "A token from `flask --app warehouse_app tokens create NAME`"},
    "session": {"type": "apiKey", "in": "cookie", "name": "session",
                "description": "The app's own pages; their writes also send X-CSRFToken"},
}

# Merged into the JSON answer an operation documents with @blp.response(200, ...): the key is
# the int the response decorator uses (a "200" string would replace that answer, leaving the
# CSV one without its description).
CSV_TOO = {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}

DESCRIPTION = (
    "Send `Authorization: Bearer <token>` (or use the logged-in session, with X-CSRFToken on "
    "writes). Roles: staff < supervisor < admin. Products are named by sku, locations by code. "
    "Quantities are whole units from 1 to 1,000,000,000. Every error is "
    '`{"error": {"code", "message", "field"}}`: 401 no or bad credentials, 403 role too low, '
    "404 unknown thing, 409 conflict (insufficient_stock, duplicate_sku, duplicate_barcode, "
    "duplicate_code, client_op_id_reused), 422 invalid input, 400 a body that is not JSON. "
    "A refused request changes nothing.")


class WarehouseApi(Api):
    """flask-smorest's Api, documenting our error shape and leaving the app's HTML errors alone."""

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        """No app-wide handler: errors.py answers the app, wiring.http_error the API."""


def make_api(app) -> WarehouseApi:
    """The Api for one app, with its security schemes declared."""
    api = WarehouseApi(app, spec_kwargs={"info": {"description": DESCRIPTION},
                                         "security": [{"bearerAuth": []}, {"session": []}]})
    for name, scheme in SECURITY_SCHEMES.items():
        api.spec.components.security_scheme(name, scheme)
    return api
