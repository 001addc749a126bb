"""flask users create, flask tokens create."""
import click
from flask import g
from flask.cli import AppGroup
from sqlalchemy import select

from warehouse_app.auth import accounts, bp, users, warehouses
from warehouse_app.auth.models import MailPreference, Role, User
from warehouse_app.auth.scopes import SCOPES
from warehouse_app.errors import DomainError
from warehouse_app.extensions import db

users_cli = AppGroup("users", help="Manage users.")
tokens_cli = AppGroup("tokens", help="Manage API tokens.")
ROLES = click.Choice([r.value for r in Role])
PREFERENCES = click.Choice([p.value for p in MailPreference])


@users_cli.command("create")
@click.argument("name")
@click.option("--role", type=ROLES, default="staff", show_default=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--full-name", default="")
@click.option("--warehouse", "codes", multiple=True,
              help="Keep the user to this warehouse (repeat); none: every warehouse.")
@click.option("--email", default=None, help="Where alerts reach a supervisor or admin.")
@click.option("--alert-mail", type=PREFERENCES, default="immediate", show_default=True,
              help="Alerts by mail one by one, in a daily digest, or none.")
def create_user(name, role, password, full_name, codes, email, alert_mail):
    """Create a user NAME with a role."""
    g.cli_actor = "cli"
    try:
        user = users.create_user(name, password, Role(role), full_name, email, alert_mail)
        kept = warehouses.keep_user(user, list(codes))
    except DomainError as err:
        db.session.rollback()
        raise click.ClickException(err.message) from None
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.username}{_in(kept)}.")


def _in(kept) -> str:
    return f" in {', '.join(w.code for w in kept)}" if kept else ""


def _change(username: str, change) -> User:
    """Run one change of a user's account from the command line; exit 1 on a refusal."""
    g.cli_actor = "cli"
    try:
        user = users.by_username(username)
        change(user)
    except DomainError as err:
        db.session.rollback()
        raise click.ClickException(err.message) from None
    db.session.commit()
    return user


@users_cli.command("set-role")
@click.argument("name")
@click.argument("role", type=ROLES)
def set_role(name, role):
    """Give user NAME another ROLE; their sessions and tokens act with it at once."""
    user = _change(name, lambda u: accounts.change_role(u, role, by=None))
    click.echo(f"{user.username} is now {user.role.value}.")


@users_cli.command("set-warehouses")
@click.argument("name")
@click.argument("codes", nargs=-1)
def set_warehouses(name, codes):
    """Keep user NAME to the warehouses CODES (none: every warehouse), at once."""
    kept = []
    user = _change(name, lambda u: kept.extend(warehouses.keep_user(u, list(codes))))
    click.echo(f"{user.username} works{_in(kept) or ' in every warehouse'}.")


@users_cli.command("set-email")
@click.argument("name")
@click.argument("address")
@click.option("--alert-mail", type=PREFERENCES, default=None,
              help="Alerts by mail one by one, in a daily digest, or none (default: as now).")
def set_email(name, address, alert_mail):
    """Send user NAME's alert mail to ADDRESS ("" for none)."""
    user = _change(name, lambda u: accounts.set_mail(u, address, alert_mail))
    where = user.email or "no address"
    click.echo(f"{user.username}: alerts by mail to {where} ({user.alert_mail.value}).")


@users_cli.command("deactivate")
@click.argument("name")
def deactivate(name):
    """Deactivate user NAME: their sessions and tokens are refused from the next request."""
    user = _change(name, lambda u: accounts.set_active(u, False, by=None))
    click.echo(f"{user.username} deactivated.")


@users_cli.command("password")
@click.argument("name")
@click.option("--password", prompt="New password", hide_input=True, confirmation_prompt=True)
def set_password(name, password):
    """Set a new password for user NAME; their sessions on every device end."""
    user = _change(name, lambda u: accounts.set_password(u, password))
    click.echo(f"New password set for {user.username}; their sessions have ended.")


@tokens_cli.command("create")
@click.argument("name")
@click.option("--user", "username", default=None,
              help="The user the token acts for (default: the first admin).")
@click.option("--role", type=ROLES, default=None, help="Cap the token below the user's role.")
@click.option("--scope", "scopes", multiple=True, type=click.Choice(SCOPES),
              help="Limit the token to these areas (repeat); none: the role's full rights.")
@click.option("--warehouse", "codes", multiple=True,
              help="Keep the token to this warehouse (repeat), within its user's.")
def create_token(name, username, role, scopes, codes):
    """Create an API token NAME; prints the secret once, alone on the last line."""
    g.cli_actor = "cli"
    try:
        if username:
            user = users.by_username(username)
        else:
            user = db.session.scalar(select(User).where(User.role == Role.ADMIN,
                                                        User.active.is_(True))
                                     .order_by(User.id))
            if user is None:
                raise DomainError("No admin user yet: create one, or pass --user.")
        token, secret = users.create_token(name, user, Role(role) if role else None,
                                           scopes)
        kept = warehouses.keep_token(token, list(codes))
    except DomainError as err:
        db.session.rollback()
        raise click.ClickException(err.message) from None
    db.session.commit()
    scoped = f", scopes {token.scopes}" if token.scopes else ""
    click.echo(f"Token {token.name} for {user.username} ({token.role.value}{scoped}"
               f"{_in(kept)}). "
               "Copy it now; it is not shown again:")
    click.echo(secret)


# The auth blueprint has no CLI group of its own, so these become `flask users` and `flask tokens`.
bp.cli.add_command(users_cli)
bp.cli.add_command(tokens_cli)
