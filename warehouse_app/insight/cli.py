"""flask insight sweep: re-check every product's alerts (lots expire without any movement)."""
import click

from warehouse_app.extensions import db
from warehouse_app.insight import alerts, bp


@bp.cli.command("sweep")
def sweep_command():
    """Raise and clear alerts for every product; run it daily (cron, systemd timer)."""
    raised = alerts.evaluate()
    db.session.commit()
    open_now = len(alerts.open_alerts())
    click.echo(f"{len(raised)} new alert(s); {open_now} open.")
