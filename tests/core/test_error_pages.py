"""Error pages still answer when the page itself cannot be rendered (the database is down, say)."""
from __future__ import annotations

import pytest

from elearn import create_app
from elearn.extensions import queue
from tests.conftest import make_config

UNREACHABLE = "postgresql+psycopg://nobody:nothing@127.0.0.1:1/nothing?connect_timeout=2"


@pytest.fixture
def app_without_database(tmp_path):
    """An app whose database refuses every connection; the shared queue object is restored afterwards."""
    saved = dict(vars(queue))
    try:
        yield create_app(make_config(tmp_path, DATABASE_URL=UNREACHABLE))
    finally:
        vars(queue).clear()
        vars(queue).update(saved)


def test_signed_in_visitor_gets_a_bilingual_page_when_the_database_is_down(app_without_database):
    """With the database unreachable, a signed-in visitor gets a plain 500 page in Chinese and English."""
    client = app_without_database.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1:0"  # loading this user needs the database
        session["_fresh"] = True
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    assert "出错了" in html and "Something went wrong" in html
    assert '<html lang="zh-CN">' in html and '<div lang="en">' in html
    assert "Traceback" not in html and "OperationalError" not in html


def test_error_page_keeps_its_status_when_rendering_fails(client, monkeypatch):
    """If the 404 template cannot be rendered, the static page is sent, still with status 404."""
    def broken(*args, **kwargs):
        raise RuntimeError("template failure")

    monkeypatch.setattr("elearn.core.errors.render_template", broken)
    response = client.get("/no-such-page")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "找不到这个页面" in html and "Page not found" in html
    assert 'href="/"' in html


def test_wrong_method_gets_the_friendly_page_with_allow_header(client):
    """GET on a POST-only address answers 405 with the generic page and an Allow header."""
    response = client.get("/logout")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert "这里不能进行这个操作。" in response.get_data(as_text=True)
