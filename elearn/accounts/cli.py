"""`flask users create|import|reset-password`."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..core.errors import ServiceError
from ..extensions import db
from . import services

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
        user = services.create_user(name=name, mobile=mobile, username=username, password=password,
                                    birth_year=birth_year, roles=roles)
        code = None if password else services.issue_code(user, "import")
    except ServiceError as err:
        db.session.rollback()
        raise click.ClickException(str(err.message)) from None
    db.session.commit()
    click.echo(f"Created user {user.id} ({user.login_name}).")
    if code:
        click.echo(f"One-time sign-in code: {code}")


@users_cli.command("reset-password")
@click.argument("login")
def reset_password(login):
    """End LOGIN's sessions and print a one-time code to sign in and choose a new password."""
    user = services.find_user(login)
    if user is None:
        raise click.ClickException(f"No account has the mobile number or username {login!r}.")
    code = services.reset_password(user)
    db.session.commit()
    click.echo(f"One-time code for {user.name} ({user.login_name}): {code}")


def init_app(app) -> None:
    app.cli.add_command(users_cli)
