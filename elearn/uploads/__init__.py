"""Uploads: the tus 1.0 server and the registry of upload targets (what a file can be for)."""
from __future__ import annotations

from ..api import register_api
from . import api, tasks  # noqa: F401  (tasks: the hourly expiry)


def init_app(app) -> None:
    register_api(app, api.blp)
