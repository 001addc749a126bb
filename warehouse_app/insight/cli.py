"""flask insight sweep: re-check every product's alerts (lots expire without any movement).
flask alerts mail: send the alert e-mails that are due."""
import click
from flask.cli import AppGroup

from warehouse_app.extensions import db
from warehouse_app.insight import alerts, bp, mail

alerts_cli = AppGroup("alerts", help="Alerts by e-mail.")


@bp.cli.command("sweep")
def sweep_command():
    """Raise and clear alerts for every product; run it daily (cron, systemd timer)."""
    raised = alerts.evaluate()
    db.session.commit()
    open_now = len(alerts.open_alerts())
    click.echo(f"{len(raised)} new alert(s); {open_now} open.")


@alerts_cli.command("mail")
@click.option("--digest", "digest_now", is_flag=True,
              help="Send today's digests now too (else each once its day is over).")
def mail_command(digest_now: bool):
    """Send the alert e-mails that are due, each once; failures are retried by the next run.
    Run it every few minutes (cron) beside the server."""
    done = mail.send_due(digest_now)
    db.session.remove()
    waiting = mail.backlog().get("pending", 0)
    click.echo(f"Sent {done.sent} mail(s); {done.failed} failed, {done.dropped} dropped; "
               f"{waiting} waiting.")
    for error in done.errors[:5]:
        click.echo(f"Error: {error}", err=True)
    if done.failed:
        raise SystemExit(1)


# `flask alerts`, beside the blueprint's own `flask insight` group.
bp.record_once(lambda state: state.app.cli.add_command(alerts_cli))
