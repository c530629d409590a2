"""Search: courses, lessons and moments in videos, in Chinese, pinyin and English (issue 13).

analysis (words) → index (generations on disk) → query (Whoosh queries, results) → services
(visibility, the database re-check). changes.py records every change in its transaction; writer.py
writes the index, only ever from the one consumer of search's dedicated queue (tasks.py), which
also rebuilds when ``flask search reindex`` asks (cli.py, rebuilds.py).
"""
from flask import Blueprint

bp = Blueprint("search", __name__)

from ..api import register_api  # noqa: E402
from ..core import health  # noqa: E402
from . import analysis, api, changes, cli, models, rebuilds, tasks, views, writer  # noqa: E402,F401


def init_app(app) -> None:
    app.register_blueprint(bp)
    tasks.search_queue.init_app(app)
    register_api(app, api.blp)
    app.cli.add_command(cli.search_cli)
    app.config.setdefault("SEARCH_CACHE_DIR", app.instance_path)
    analysis.cache_in(app.config["SEARCH_CACHE_DIR"])
    changes.listen()
    health.register_check("search_index", _health)


def _health() -> dict:
    stats = writer.store().stats()
    return dict(stats, ok=writer.store().root.is_dir(), pending=writer.pending())


def preload(app) -> None:
    """jieba's dictionary into this process (gunicorn's post_fork), its cache in the instance folder."""
    analysis.load(app.instance_path)
