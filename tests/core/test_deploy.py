"""Deployable from a checkout: catalogues compiled at setup, a configurable instance folder, proxies."""
from __future__ import annotations

import logging
import os
import shutil
import stat

import pytest
from flask_babel import gettext
from sqlalchemy import select

import config as config_module
from elearn import create_app
from elearn.accounts.models import LoginAttempt
from elearn.extensions import babel, db as _db
from tests.conftest import DEFAULT_PASSWORD, IsolatedClient, csrf_token, make_config, make_user, reset_schema

TRANSLATIONS = config_module.BASE_DIR / "elearn" / "translations"


def _snapshot(folder):
    return {str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.stat().st_size) for p in folder.rglob("*")}


def _read_only_catalogues(tmp_path, compiled: bool):
    """A copy of the translations folder made read-only (the .po files, and the .mo files if ``compiled``)."""
    copy = tmp_path / "translations"
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        target = copy / po.relative_to(TRANSLATIONS)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(po, target)
        if compiled:
            shutil.copy2(po.with_suffix(".mo"), target.with_suffix(".mo"))
    for path in sorted(copy.rglob("*"), reverse=True) + [copy]:
        path.chmod(stat.S_IRUSR | stat.S_IRGRP | (stat.S_IXUSR | stat.S_IXGRP if path.is_dir() else 0))
    return copy


def _app_with_catalogues(tmp_path, folder):
    cfg = make_config(tmp_path)
    flask_settings = cfg.as_flask()
    cfg.as_flask = lambda: {**flask_settings, "BABEL_TRANSLATION_DIRECTORIES": str(folder)}
    return create_app(cfg)


@pytest.mark.parametrize("compiled", [True, False])
def test_create_app_writes_nothing_into_a_read_only_catalogue_folder(tmp_path, caplog, compiled):
    """Compiled or not, the catalogues are only read: nothing is written; missing ones are one warning
    and the pages fall back to the English msgids."""
    folder = _read_only_catalogues(tmp_path, compiled)
    before = _snapshot(folder)
    with caplog.at_level(logging.WARNING):
        app = _app_with_catalogues(tmp_path, folder)
    assert _snapshot(folder) == before
    warnings = [r for r in caplog.records if "catalogues" in r.getMessage()]
    with app.test_request_context("/"):
        # Flask-Babel caches loaded catalogues per process (on the shared Babel object), not per app.
        babel.domain_instance.cache.clear()
        try:
            shown = gettext("Sign in")
        finally:
            babel.domain_instance.cache.clear()
    if compiled:
        assert warnings == [] and shown == "登录"
    else:
        assert len(warnings) == 1 and "zh" in warnings[0].getMessage()
        assert shown == "Sign in"


def test_compiling_skips_catalogues_that_are_up_to_date(tmp_path):
    """The setup step writes a .mo only when its .po is newer (so `make` re-runs nothing needlessly)."""
    from elearn.core.i18n import compile_catalogues, stale_catalogues

    copy = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS, copy, ignore=shutil.ignore_patterns("*.mo", "*.pot", ".lock"))
    assert sorted(stale_catalogues(copy)) == ["en", "zh"]
    assert len(compile_catalogues(copy)) == 2
    assert compile_catalogues(copy) == [] and stale_catalogues(copy) == []
    po = copy / "zh" / "LC_MESSAGES" / "messages.po"
    later = po.with_suffix(".mo").stat().st_mtime + 10  # a translator edited the .po after the last setup
    os.utime(po, (later, later))
    assert compile_catalogues(copy) == [po.with_suffix(".mo")]


# ---------------------------------------------------------------- the instance folder

@pytest.fixture
def bare_env(monkeypatch, tmp_path):
    """No settings but the instance folder (and media, kept out of the checkout)."""
    for key in ("DATABASE_URL", "QUEUE_URL", "SEARCH_INDEX_DIR", "SECRET_KEY", "INSTANCE_DIR"):
        monkeypatch.delenv(f"ELEARN_{key}", raising=False)
    monkeypatch.setenv("ELEARN_MEDIA_DIR", str(tmp_path / "media"))
    return monkeypatch


def test_instance_dir_holds_database_queue_index_and_secret(bare_env, tmp_path):
    """ELEARN_INSTANCE_DIR moves the SQLite database, queue, search index and generated secret together."""
    instance = tmp_path / "srv" / "instance"
    bare_env.setenv("ELEARN_INSTANCE_DIR", str(instance))
    cfg = config_module.Config()
    assert cfg.DATABASE_URL == f"sqlite:///{instance / 'elearn.db'}"
    assert cfg.QUEUE_URL == f"sqlite:///{instance / 'queue.db'}"
    assert cfg.SEARCH_INDEX_DIR == str(instance / "search-index")
    assert (instance / "secret_key").read_text().strip() == cfg.SECRET_KEY and len(cfg.SECRET_KEY) == 64
    assert config_module.Config().SECRET_KEY == cfg.SECRET_KEY  # kept across restarts
    app = create_app(cfg)
    assert app.instance_path == str(instance)
    assert (instance / "search-index").is_dir()
    assert not list(tmp_path.glob("secret_key*")) and [p.name for p in instance.glob(".secret_key*")] == []


def test_a_relative_instance_dir_is_taken_from_the_current_folder(bare_env, tmp_path):
    """Flask needs an absolute instance path; a relative setting is resolved where the app starts."""
    bare_env.chdir(tmp_path)
    bare_env.setenv("ELEARN_INSTANCE_DIR", "var/elearn")
    cfg = config_module.Config()
    assert cfg.INSTANCE_DIR == str(tmp_path / "var" / "elearn")
    assert cfg.DATABASE_URL == f"sqlite:///{tmp_path / 'var' / 'elearn' / 'elearn.db'}"


# ---------------------------------------------------------------- behind a proxy

@pytest.fixture(scope="module")
def proxied_app(tmp_path_factory):
    """An app configured for one nginx in front (ELEARN_TRUSTED_PROXIES=1), with its own SQLite database
    (never the shared one: building the schema afresh would empty it for the rest of the run)."""
    folder = tmp_path_factory.mktemp("proxied")
    app = create_app(make_config(folder, TRUSTED_PROXIES=1, DATABASE_URL=f"sqlite:///{folder / 'proxied.db'}"))
    app.test_client_class = IsolatedClient
    reset_schema(app)
    yield app
    with app.app_context():
        _db.engine.dispose()


def _sign_in(client, user, password, forwarded_for):
    return client.post("/login", headers={"X-Forwarded-For": forwarded_for},
                       data={"login": user.login_name, "password": password,
                             "csrf_token": csrf_token(client, "/login")}).status_code


def _five_failures_then_others(app, user, neighbour_user):
    """An attacker fails five times on ``user``; a neighbour then signs in to their own account."""
    attacker, neighbour = app.test_client(), app.test_client()
    failures = [_sign_in(attacker, user, "wrong-pass", "203.0.113.7") for _ in range(5)]
    return failures, _sign_in(neighbour, neighbour_user, DEFAULT_PASSWORD, "198.51.100.20")


def _addresses(session, *users) -> set[str]:
    keys = [key for user in users for key in LoginAttempt.account_keys(user)]
    return set(session.scalars(select(LoginAttempt.ip).where(LoginAttempt.login.in_(keys))))


@pytest.mark.own_sqlite
def test_behind_one_proxy_throttling_counts_the_forwarded_address(proxied_app):
    """With one trusted proxy, each attempt is counted against the client's own forwarded address."""
    with proxied_app.app_context():
        user, other = make_user(_db), make_user(_db)
        failures, neighbour = _five_failures_then_others(proxied_app, user, other)
        assert failures == [401, 401, 401, 401, 429]
        assert neighbour == 302
        _db.session.rollback()  # a fresh snapshot: the requests committed in sessions of their own
        assert _addresses(_db.session, user) == {"203.0.113.7"}
        assert _addresses(_db.session, other) == {"198.51.100.20"}


def test_without_trusted_proxies_the_header_is_ignored(app, db, client):
    """With no proxy configured X-Forwarded-For cannot be forged to pick an address: all count as one."""
    user, other = make_user(db), make_user(db)
    failures, neighbour = _five_failures_then_others(app, user, other)
    assert failures == [401, 401, 401, 401, 429]
    assert neighbour == 302  # one address is slowed down after many failures, never locked by five
    assert _addresses(db.session, user, other) == {"127.0.0.1"}
