"""`python -m elearn.serve`: the web app under gunicorn, configured here rather than in a file.

run.py starts this as a child process, next to the background worker, and supervises both itself:
gunicorn's arbiter reaps every child it did not start, so it cannot be the worker's parent.

gthread workers: every request holds a thread while its body arrives, and a tus piece of 8 MiB
from a weak uplink takes minutes, so each process has many threads (``WEB_THREADS``) and the
site keeps answering while a few uploads crawl in.
"""
from __future__ import annotations

import functools

from gunicorn.app.base import BaseApplication

from . import create_app
from .search import analysis


class WebServer(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        # Each process builds its own app: database pools and the queue's SQLite connection must
        # not be shared across fork.
        return create_app()


def options(config) -> dict:
    """gunicorn's settings from the app's configuration (ELEARN_HOST, _PORT, _WEB_WORKERS, _WEB_THREADS)."""
    return {
        "bind": f"{config['HOST']}:{config['PORT']}",
        "workers": int(config["WEB_WORKERS"]),
        "worker_class": "gthread",
        "threads": int(config["WEB_THREADS"]),
        # Long uploads and downloads are normal here: a worker is recycled only when truly stuck.
        "timeout": 120,
        "graceful_timeout": 10,
        "keepalive": 5,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        # Search's word dictionary loads once per web process, before its first request (not in it).
        "post_fork": functools.partial(_preload_search, config.get("SEARCH_CACHE_DIR")),
    }


def _preload_search(cache_dir, server, worker) -> None:
    analysis.load(cache_dir)


def main() -> None:
    # Built once here for its settings (and to fail early with the app's own message).
    WebServer(options(create_app().config)).run()


if __name__ == "__main__":
    main()
