"""`flask users create|import|reset-password`."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError

from ..core.db import unit_of_work
from ..core.errors import ServiceError
from . import importing, services

users_cli = AppGroup("users", help="Manage user accounts.")


@users_cli.command("create")
@click.option("--name", required=True)
@click.option("--mobile")
@click.option("--username")
@click.option("--birth-year", type=int)
@click.option("--role", "roles", multiple=True, type=click.Choice(["admin", "teacher", "student"]), default=["student"])
@click.option("--password", help="Leave out to print a one-time sign-in code instead.")
def create(name, mobile, username, birth_year, roles, password):
    """Create an account."""
    try:
        with unit_of_work():
            user = services.create_user(name=name, mobile=mobile, username=username, password=password,
                                        birth_year=birth_year, roles=roles)
            code = None if password else services.issue_code(user, "import")
    except ServiceError as err:
        raise click.ClickException(str(err.message)) from None
    click.echo(f"Created user {user.id} ({user.login_name}).")
    if code:
        click.echo(f"One-time sign-in code: {code}")


@users_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--commit", is_flag=True, help="Create the accounts. Without it nothing is written (a dry run).")
def import_(file: Path, commit: bool):
    """Import accounts from FILE (.xlsx or .csv: name, mobile, birth year, roles)."""
    with file.open("rb") as fh:
        data = fh.read(importing.MAX_BYTES + 1)
    try:
        rows = importing.parse_file(file.name, data)
    except ServiceError as err:
        raise click.ClickException(str(err.message)) from None
    for row in rows:
        status = "ok" if row.ok else "; ".join(str(message) for _code, message in row.errors)
        click.echo(f"row {row.line}\t{row.name}\t{row.mobile}\t{status}")
    ready = [row for row in rows if row.ok]
    click.echo(f"{len(ready)} ready, {len(rows) - len(ready)} with problems (left out).")
    if not commit:
        click.echo("Dry run: nothing was written. Add --commit to create the ready accounts.")
        return
    try:
        with unit_of_work():
            slips = importing.create_accounts(ready, by=None)
    except ServiceError as err:
        raise click.ClickException(str(err.message)) from None
    except IntegrityError:  # someone registered one of these numbers meanwhile
        raise click.ClickException("A mobile number was taken while importing; nothing was created. Run it again.") from None
    click.echo(f"Created {len(slips)} accounts. One-time sign-in codes (login, code, name):")
    for slip in slips:
        click.echo(f"{slip.user.login_name}\t{slip.code}\t{slip.user.name}")


@users_cli.command("reset-password")
@click.argument("login")
def reset_password(login):
    """End LOGIN's sessions and print a one-time code to sign in and choose a new password."""
    user = services.find_user(login)
    if user is None:
        raise click.ClickException(f"No account has the mobile number or username {login!r}.")
    with unit_of_work():
        code = services.reset_password(user)
    click.echo(f"One-time code for {user.name} ({user.login_name}): {code}")


def init_app(app) -> None:
    app.cli.add_command(users_cli)
