"""Demo content for a first `make run` in development: one account per role."""
from __future__ import annotations

from sqlalchemy import func, select

from ..extensions import db

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
    from ..accounts.models import User
    from ..accounts.services import create_user

    if db.session.scalar(select(func.count(User.id))):
        return []
    users = {}
    for row in DEMO_ACCOUNTS:
        users[row["username"]] = create_user(
            name=row["name"], username=row["username"], mobile=row["mobile"], password=row["password"],
            birth_year=row["birth_year"], roles=row["roles"])
    db.session.commit()
    from ..courses.demo import create_demo_course

    create_demo_course(users["teacher"])  # commits on its own; logs and goes on without ffmpeg
    return DEMO_ACCOUNTS
