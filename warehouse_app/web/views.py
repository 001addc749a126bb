"""Home screen, look-up and the health check."""
from flask import render_template
from flask_login import login_required
from sqlalchemy import text

from warehouse_app.extensions import db
from warehouse_app.web import bp


@bp.get("/")
@login_required
def home():
    """Big tiles for the day's work."""
    return render_template("web/home.html")


@bp.get("/healthz")
def healthz():
    """200 when the app and its database answer."""
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
