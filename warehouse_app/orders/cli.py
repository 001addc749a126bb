"""flask orders release-holds: cancel web store checkouts that were never paid in time."""
import click

from warehouse_app.extensions import db
from warehouse_app.orders import bp, reserving


@bp.cli.command("release-holds")
def release_holds_command():
    """Give back the stock of held orders past their time; run it every few minutes (cron,
    systemd timer). Placing an order does the same, so without it stock is still not lost."""
    released = reserving.release_expired_holds()
    db.session.commit()
    click.echo(f"{len(released)} expired hold(s) released"
               + (f": {', '.join(o.reference for o in released)}." if released else "."))
