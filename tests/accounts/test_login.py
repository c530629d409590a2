import re
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

import pytest

import config as config_module
from elearn import create_app
from tests.clients import csrf_token, login
from tests.conftest import make_config
from tests.factories import DEFAULT_PASSWORD, make_user


def post_login(client, login_name, password, **extra):
    data = {"login": login_name, "password": password, "csrf_token": csrf_token(client, "/login")}
    data.update(extra)
    return client.post("/login", data=data, headers={"Accept-Language": "zh-CN"})


def test_login_with_mobile_or_username(client, user_factory):
    """Users sign in with their mobile number (spaces allowed) or their username, any case."""
    user = user_factory(mobile="13912345678")
    assert post_login(client, "139 1234 5678", DEFAULT_PASSWORD).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    named = user_factory(username="laowang")
    assert post_login(client, "LaoWang", DEFAULT_PASSWORD).status_code == 302
    assert client.get("/account").status_code == 200
    assert named.name in client.get("/account").get_data(as_text=True)
    assert user.id != named.id


def test_wrong_password_is_explained_in_chinese(client, user_factory):
    user = user_factory()
    response = post_login(client, user.mobile, "wrong-password")
    assert response.status_code == 401
    assert "密码不正确" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302  # still signed out


def test_unknown_user_gets_the_same_answer(client):
    response = post_login(client, "13700000000", "whatever1")
    assert response.status_code == 401
    assert "密码不正确" in response.get_data(as_text=True)


def test_english_when_chosen(client, user_factory):
    client.set_cookie("elearn_lang", "en")
    response = post_login(client, "13700000000", "whatever1")
    assert "password is not right" in response.get_data(as_text=True)


def test_disabled_user_cannot_sign_in(client, user_factory):
    user = user_factory(disabled=True)
    response = post_login(client, user.mobile, DEFAULT_PASSWORD)
    assert response.status_code == 403
    assert "已被停用" in response.get_data(as_text=True)


# Throttling (per account, soft lock, one address slowed down): test_signin_throttle.py.


@pytest.mark.parametrize("path", ["/login", "/account", "/account/set-password"])
def test_password_fields_have_a_show_password_button_that_needs_javascript(app, db, path):
    """Without JavaScript the button stays hidden and the field a password field (app.js shows it)."""
    client = app.test_client()
    if path != "/login":
        login(client, make_user(db, must_change_password=path.endswith("set-password")))
    page = client.get(path).get_data(as_text=True)
    buttons = re.findall(r"<button[^>]*data-show-password=\"([^\"]+)\"[^>]*>", page)
    assert buttons, "no show-password button"
    for field_id in buttons:
        assert re.search(rf'<input[^>]*id="{field_id}"[^>]*type="password"|<input[^>]*type="password"[^>]*id="{field_id}"', page)
    tag = re.search(r"<button[^>]*data-show-password[^>]*>", page).group(0)
    assert " hidden" in tag and 'aria-pressed="false"' in tag and 'type="button"' in tag


def remember_cookie_lifetime(client, user) -> timedelta:
    """How long from now the remember-me cookie set by signing ``user`` in is kept by the browser."""
    response = post_login(client, user.mobile, DEFAULT_PASSWORD, remember="y")
    assert response.status_code == 302
    cookies = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token=")]
    assert len(cookies) == 1, "no remember cookie"
    expires = re.search(r"Expires=([^;]+)", cookies[0])
    assert expires, cookies[0]
    return parsedate_to_datetime(expires.group(1)) - datetime.now(timezone.utc)


def test_remember_me_lasts_thirty_days_by_default():
    """The shipped setting keeps a remembered sign-in for 30 days (environment overrides aside)."""
    assert config_module.Config.REMEMBER_DAYS == 30


@pytest.mark.parametrize("days", [30, 1])
def test_remember_me_cookie_expires_after_the_configured_days(app, db, tmp_path, days):
    """The remember-me cookie expires REMEMBER_DAYS after sign-in: 30 days, or 1 day when set to 1."""
    cfg = make_config(tmp_path, REMEMBER_DAYS=days, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"])
    configured = create_app(cfg)  # the same database (and the test's rolled-back session) as ``app``
    user = make_user(db)
    lifetime = remember_cookie_lifetime(configured.test_client(), user)
    assert abs(lifetime - timedelta(days=days)) < timedelta(minutes=5)


def test_login_needs_csrf(client, user_factory):
    """A form post without the CSRF token is refused and signs nobody in."""
    user = user_factory()
    response = client.post("/login", data={"login": user.mobile, "password": DEFAULT_PASSWORD})
    assert response.status_code == 400
    assert client.get("/account").status_code == 302


def test_next_parameter_cannot_leave_the_site(client, user_factory):
    user = user_factory()
    response = post_login(client, user.mobile, DEFAULT_PASSWORD, next="https://evil.example/")
    assert response.headers["Location"] == "/"


def test_logout(client, user_factory):
    user = user_factory()
    login(client, user)
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert client.get("/account").status_code == 302
