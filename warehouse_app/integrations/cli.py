"""flask webhooks deliver [--once]: the worker that empties the outbox."""
import time

import click
from flask.cli import AppGroup

from warehouse_app.extensions import db
from warehouse_app.integrations import bp, webhooks

webhooks_cli = AppGroup("webhooks", help="Deliver outgoing webhooks.")


@webhooks_cli.command("deliver")
@click.option("--once", is_flag=True, help="One pass over what is due, then exit.")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between passes.")
def deliver(once: bool, interval: float) -> None:
    """Send due webhook deliveries, retrying failures with exponential backoff."""
    while True:
        delivered, failed = webhooks.deliver_due()
        db.session.remove()
        if once:
            click.echo(f"Delivered {delivered}, failed {failed}.")
            return
        time.sleep(interval)


bp.cli.add_command(webhooks_cli)
