"""elearn: the distance-learning platform of a district senior university."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

import config as config_module

from . import (accounts, api, attendance, branches, classes, core, courses, demo, extensions, learning, search, uploads,
               video)
from .core import i18n
from .extensions import babel, csrf, db, login_manager, migrate, queue

#: The features, in the one order dependencies run (DESIGN.md §3): each may use those before it and
#: hears from those after it only through the signals and registries it offers them.
FEATURES = (core, accounts, api, uploads, courses, video, learning, attendance, classes, branches, search)


def create_app(config: config_module.Config | str | None = None) -> Flask:
    """Build the app from a Config object, a config name ("dev", "test", "prod") or ELEARN_CONFIG."""
    if not isinstance(config, config_module.Config):
        config = config_module.load(config)
    app = Flask(__name__, instance_path=config.INSTANCE_DIR)
    app.config.from_mapping(config.as_flask())
    _prepare_folders(app)
    _trust_proxies(app, app.config["TRUSTED_PROXIES"])

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    i18n.init_app(app, babel)
    login_manager.init_app(app)
    queue.init_app(app)
    for feature in FEATURES:
        feature.init_app(app)
    demo.init_app(app)
    return app


def _trust_proxies(app: Flask, hops: int) -> None:
    """Behind nginx every request comes from 127.0.0.1: take the client's address, scheme, host and
    prefix from the X-Forwarded-* headers that many proxies set. Never by default, since without a
    proxy in front anyone could send those headers and pick the address that sign-in throttling counts."""
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)


def _prepare_folders(app: Flask) -> None:
    for key in ("MEDIA_DIR", "SEARCH_INDEX_DIR"):
        Path(app.config[key]).mkdir(parents=True, exist_ok=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite:///"):
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    queue_url = app.config["QUEUE_URL"]
    if queue_url.startswith("sqlite:///"):
        Path(queue_url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)


__all__ = ["create_app", "extensions", "FEATURES"]
