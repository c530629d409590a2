"""`flask courses import PATH` and `flask courses export ID PATH`."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from ..accounts.services import find_user
from ..core.db import unit_of_work
from ..core.errors import ServiceError
from . import package_export, packages, services
from .permissions import SYSTEM

courses_cli = AppGroup("courses", help="Import and export course packages.")


def _find_teachers(logins) -> list:
    teachers = []
    for login in logins:
        user = find_user(login)
        if user is None or not user.has_role("teacher"):
            raise click.ClickException(f"No teacher with the username or mobile number {login!r}.")
        teachers.append(user)
    return teachers


@courses_cli.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--teacher", "logins", multiple=True, help="Username or mobile of a teacher of the course (repeatable).")
def import_(path: Path, logins):
    """Import the package at PATH (a folder with course.toml), or every package in the folder PATH.

    Each course is checked completely first and imported whole or not at all.
    """
    folders = packages.find_packages(path)
    if not folders:
        raise click.ClickException(f"No course.toml in {path} or in its sub-folders.")
    teachers = _find_teachers(logins)
    failed = 0
    for folder in folders:
        try:
            with unit_of_work():  # each package whole or not at all
                result = packages.import_package(folder, teachers=teachers, actor=SYSTEM)
        except ServiceError as err:
            failed += 1
            click.echo(f"{folder}: not imported. {err}", err=True)
            continue
        click.echo(f"{folder}: imported as course {result.course.id} “{result.course.title}”.")
        for note in result.notes:
            click.echo(f"  note: {note}")
    if failed:
        raise click.ClickException(f"{failed} of {len(folders)} packages were not imported.")


@courses_cli.command("export")
@click.argument("course_id", type=int)
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
def export(course_id: int, path: Path):
    """Write course COURSE_ID as a package into PATH/<slug>/."""
    try:
        target = package_export.export_course(services.get_course(course_id), path)
    except ServiceError as err:
        raise click.ClickException(str(err.message)) from None
    click.echo(f"Exported to {target}")


def init_app(app) -> None:
    app.cli.add_command(courses_cli)
