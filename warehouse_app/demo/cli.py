"""flask demo seed."""
import time

import click
from flask import g

from warehouse_app.demo import bp, seeding
from warehouse_app.errors import DomainError
from warehouse_app.extensions import db


@bp.cli.command("seed")
@click.option("--if-empty", is_flag=True,
              help="Do nothing (and say so) when the database already has products.")
def seed_command(if_empty: bool):
    """Load a small demo warehouse with 120 days of history into an empty database."""
    if not seeding.is_empty():
        if if_empty:
            click.echo("Demo data not loaded: the database already has products.")
            return
        raise click.ClickException("The database already has products; "
                                   "the demo loads into an empty database only.")
    g.cli_actor = "demo seed"
    started = time.perf_counter()
    db.session().expire_on_commit = False  # what one day loaded, the next day uses
    try:  # a day at a time: scans on a served database get the write lock in between
        summary = seeding.load(checkpoint=db.session.commit)
    except DomainError as err:
        db.session.rollback()
        raise click.ClickException(err.message) from None
    db.session.commit()
    moved = sum(summary.movements.values())
    click.echo(f"Loaded {summary.warehouses} warehouses, {summary.bins} bins, "
               f"{summary.products} products and {moved:,} movements over {summary.days} days "
               f"({time.perf_counter() - started:.1f} s).")
    work = summary.work
    click.echo(f"Open to try: orders {', '.join(work.orders)}; purchase orders "
               f"{', '.join(work.purchase_orders)}; count {work.planned_count} to count and "
               f"{work.waiting_count} waiting for approval.")
    if summary.kept:
        click.echo(f"Kept existing users (passwords unchanged): {', '.join(summary.kept)}.")
    if summary.logins:
        click.echo("Demo logins: " + ", ".join(f"{name} / {password}"
                                               for name, password in summary.logins))
