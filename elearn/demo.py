"""Demo content for a first `make run` in development: one account per role and the demo course.

It belongs to the app, not to a feature: it composes accounts and courses (and, through the
package import, whatever the features above take from a course package).
"""
from __future__ import annotations

import click
from sqlalchemy import func, select

from .accounts.models import User
from .accounts.services import create_user
from .classes.demo import create_demo_class
from .courses.demo import create_demo_course
from .extensions import db

DEMO_ACCOUNTS = [
    {"role": "admin", "roles": ["admin"], "name": "王管理", "username": "admin", "mobile": "13800000001",
     "password": "demo-admin", "birth_year": 1970},
    {"role": "teacher", "roles": ["teacher"], "name": "李老师", "username": "teacher", "mobile": "13800000002",
     "password": "demo-teacher", "birth_year": 1962},
    {"role": "student", "roles": ["student"], "name": "张学员", "username": "student", "mobile": "13800000003",
     "password": "demo-student", "birth_year": 1951},
    {"role": "student (branch secretary)", "roles": ["student"], "name": "刘书记", "username": "secretary",
     "mobile": "13800000004", "password": "demo-secretary", "birth_year": 1955},
]


def create_demo_data() -> list[dict]:
    """Create the demo accounts if there are no users at all; returns what it created."""
    if db.session.scalar(select(func.count(User.id))):
        return []
    users = {}
    for row in DEMO_ACCOUNTS:
        users[row["username"]] = create_user(
            name=row["name"], username=row["username"], mobile=row["mobile"], password=row["password"],
            birth_year=row["birth_year"], roles=row["roles"])
    db.session.commit()
    course = create_demo_course(users["teacher"])  # commits on its own; logs and goes on without ffmpeg
    create_demo_class(users["teacher"], [users["student"], users["secretary"]], course)
    db.session.commit()
    return DEMO_ACCOUNTS


def print_demo_accounts(accounts) -> None:
    click.echo("Demo accounts (sign in with the username or the mobile number):")
    for row in accounts:
        click.echo(f"  {row['role']:<24} username {row['username']:<10} mobile {row['mobile']}  password {row['password']}")


def init_app(app) -> None:
    @app.cli.command("demo")
    def demo() -> None:
        """Create the demo accounts and content if the database has no users yet."""
        created = create_demo_data()
        if not created:
            click.echo("Demo data exists already; nothing changed.")
            return
        print_demo_accounts(created)
