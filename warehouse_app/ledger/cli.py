"""flask ledger verify."""
import click

from warehouse_app.ledger import balances, bp


@bp.cli.command("verify")
def verify_command():
    """Recompute every balance and document figure from the ledger; exit 1 on any mismatch."""
    problems = balances.verify_all()
    if not problems:
        click.echo("Ledger verified: every balance and document equals the ledger.")
        return
    names = balances.names_for(problems)
    for problem in problems:
        click.echo(problem.describe(names))
    click.echo(f"{len(problems)} mismatch(es).")
    raise SystemExit(1)
