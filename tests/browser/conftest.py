"""Browser fixtures: the session app on a real port, committed data, one Chromium for the run.

These names are a contract for every browser test:

``live_server``  (session) the session ``app`` served by werkzeug on 127.0.0.1; ``.url`` and ``.app``.
``live_db``      (function) the database with real commits (the server thread must see the data);
                 afterwards every table is emptied so the rolled-back tests that follow start clean.
                 Never mix it with ``db``/``client`` in one test.
``browser``      (session) the system Chromium (/usr/bin/chromium) through Playwright's sync API.
``new_page``     (function) ``new_page(bypass_csp=False, viewport=None, **context_options)`` opens a page
                 in a fresh context (1280x900, zh-CN); each page collects ``page.console_errors``.
                 Use ``bypass_csp=True`` only to inject scripts such as axe-core.
``page``         (function) ``new_page()`` under the real Content-Security-Policy.
``sign_in(page, live_server, user, password)`` signs in through the real login form.
"""
from __future__ import annotations

import threading
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from flask import has_app_context
from werkzeug.serving import WSGIRequestHandler, make_server

from elearn.extensions import db as _db
from tests.factories import DEFAULT_PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 900}
TIMEOUT_MS = 10_000
#: Rows the migrations put in (the category list): kept when live_db empties the tables.
SEEDED_TABLES = {"categories"}


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # one line per request would drown the test output
        pass


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_port}", app=app)
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def live_db(live_server):
    """The database with normal commits; every row is deleted afterwards."""
    with live_server.app.app_context():
        try:
            yield _db
        finally:
            _db.session.rollback()
            _db.session.remove()
            with _db.engine.begin() as connection:
                for table in reversed(_db.metadata.sorted_tables):
                    if table.name not in SEEDED_TABLES:
                        connection.execute(table.delete())


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_page(browser):
    contexts = []

    def open_page(*, bypass_csp: bool = False, viewport: dict | None = None, locale: str = "zh-CN", **options):
        context = browser.new_context(viewport=viewport or VIEWPORT, locale=locale, bypass_csp=bypass_csp, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
        page.on("pageerror", lambda error: page.console_errors.append(f"uncaught: {error}"))
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def sign_in(page, live_server, user, password: str = DEFAULT_PASSWORD):
    """Sign ``user`` (a User or a login name) in through the login form; returns the response."""
    login_name = user if isinstance(user, str) else user.login_name
    # End this thread's read transaction: on SQLite an old snapshot would make the test's next
    # write fail once the server has written, and it would hide what the server changed.
    if has_app_context():
        _db.session.commit()
    page.goto(f"{live_server.url}/login")
    page.fill("#login", login_name)
    page.fill("#password", password)
    with page.expect_navigation() as navigation:
        page.click("main form button[type=submit]")
    response = navigation.value
    assert urlsplit(page.url).path != "/login", f"sign-in as {login_name} failed: {page.inner_text('main')[:300]}"
    return response
