"""Home screen, look-up, the health check, and what every page shares (filters, headers)."""
from datetime import datetime
from decimal import Decimal

from flask import current_app, g, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import text

from warehouse_app.auth.access import has_role
from warehouse_app.auth.models import Role
from warehouse_app.catalog import panels
from warehouse_app.extensions import db
from warehouse_app.money import shown
from warehouse_app.web import bp, csv_views, lookup, users  # noqa: F401  (their pages)

# Home tiles: (label, hint, endpoints that may serve it, lowest role). A tile shows as soon as one
# of its endpoints exists, so later work only has to register the view. An endpoint may carry
# its URL arguments after a colon: "scanning.flow_page:flow=receive".
TILES = (
    ("Look up", "Scan anything", ("web.lookup",), Role.STAFF),
    ("Receive", "Goods in", ("receive.index", "scanning.flow_page:flow=receive"), Role.STAFF),
    ("Move", "Put away, bin to bin", ("move.index", "scanning.flow_page:flow=move"),
     Role.STAFF),
    ("Pick", "Orders out", ("pick.index", "orders.pick", "orders.index"), Role.STAFF),
    ("Orders", "Customer orders", ("orders.index",), Role.STAFF),
    ("Purchase orders", "Receive deliveries", ("orders.purchase_index",), Role.STAFF),
    ("Count", "Cycle count", ("count.index", "counting.index"), Role.STAFF),
    ("Approvals", "Count differences", ("counting.approvals",), Role.SUPERVISOR),
    ("Between sites", "Dispatch, arrivals in transit", ("scanning.dispatch",), Role.STAFF),
    ("Return", "Customer returns", ("returns.index", "scanning.flow_page:flow=return"),
     Role.STAFF),
    ("Adjust", "Damage, loss, found (staff: report it)",
     ("adjust.index", "scanning.flow_page:flow=adjust"), Role.STAFF),
    ("Damage reports", "Approve or reject", ("scanning.damage_reports",), Role.SUPERVISOR),
    ("Labels", "Print labels", ("labels.index",), Role.STAFF),
    ("Products", "Catalog", ("catalog.index",), Role.SUPERVISOR),
    ("Locations", "Warehouses and bins", ("locations.index",), Role.SUPERVISOR),
    ("Import / Export", "CSV files", ("catalog.import_export",), Role.SUPERVISOR),
    ("Audit log", "Who changed what", ("audit.index",), Role.SUPERVISOR),
    ("Users", "Logins and roles", ("web.users",), Role.ADMIN),
    ("Tokens & webhooks", "API tokens, webhooks, exports",
     ("integrations.index", "auth.tokens"), Role.ADMIN),
)
# 'wasm-unsafe-eval' lets the camera compile the vendored zxing-cpp WebAssembly reader
# (static/js/camera.js); it allows no JavaScript eval.
CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
       "img-src 'self' data: blob:; "
       "media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
       "form-action 'self'; frame-ancestors 'none'")


def tiles() -> list[dict]:
    """The tiles this user may use, for the endpoints that exist now."""
    shown = []
    for label, hint, targets, role in TILES:
        for target in targets:
            endpoint, _, args = target.partition(":")
            if endpoint in current_app.view_functions and has_role(role):
                values = dict(pair.split("=", 1) for pair in args.split(",") if pair)
                shown.append({"label": label, "hint": hint, "url": url_for(endpoint, **values),
                              "admin": role is not Role.STAFF})
                break
    return shown


@bp.get("/")
@login_required
def home():
    """Big tiles for the day's work."""
    return render_template("web/home.html", tiles=tiles())


@bp.get("/lookup", endpoint="lookup")
@login_required
def lookup_page():
    """Scan or type a SKU, barcode or location code and see its stock and recent movements."""
    code = request.args.get("code", "").strip()[:200]
    if not code:
        return render_template("web/lookup.html", code="")
    found = lookup.resolve(code)
    if found is None:
        return render_template("web/lookup.html", code=code, missing=True), 404
    if found.kind == "product":
        summary = lookup.product_summary(found.thing)
    else:
        summary = lookup.location_summary(found.thing)
    return render_template("web/lookup.html", code=code, found=found, summary=summary)


@bp.get("/healthz")
def healthz():
    """200 when the app and its database answer."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


@bp.app_template_filter("when")
def when(value: datetime | None) -> str:
    """A timestamp as 'YYYY-MM-DD HH:MM' in UTC."""
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


@bp.app_template_filter("money")
def money(value: Decimal | None) -> str:
    """A cost with two decimals, or more when it has them."""
    return shown(value)


@bp.app_context_processor
def shared_context() -> dict:
    """Role checks for templates (links are hidden; the server still refuses)."""
    return {"has_role": has_role, "Role": Role}


@bp.record_once
def _globals(state) -> None:
    """The same role checks for macros imported without the page's context."""
    state.app.jinja_env.globals.update(has_role=has_role, Role=Role)


@bp.record_once
def _stock_on_product_pages(state) -> None:
    """The product list shows each product's stock on hand."""
    panels.provide(state.app, on_hand=lookup.on_hand_for)


@bp.after_app_request
def security_headers(response):
    """No inline scripts, no framing, no sniffing, on every page."""
    if response.mimetype == "text/html":
        allowed = "".join(f" {h}" for h in sorted(g.get("inline_scripts", ())))  # assets.py
        response.headers.setdefault("Content-Security-Policy",
                                    CSP.replace("script-src 'self'", f"script-src 'self'{allowed}"))
        response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response
