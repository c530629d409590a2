"""Server-side device sessions: sign-in starts a fresh one, sign-out and password changes end them on the
server, /account lists the devices and ends them one by one, and a stale form gets a plain page."""
from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from elearn.accounts.models import UserSession
from elearn.accounts.sessions import describe_device, purge_old_sessions
from elearn.core.timeutil import utcnow
from tests.clients import bearer, csrf_token, issue_fields, login
from tests.factories import DEFAULT_PASSWORD

ANDROID_WECHAT = ("Mozilla/5.0 (Linux; Android 12; V2055A Build/SP1A; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Version/4.0 Chrome/86.0.4240.99 XWEB/4317 MMWEBSDK/20220903 Mobile Safari/537.36 "
                  "MMWEBID/1234 MicroMessenger/8.0.28.2240(0x28001C35) WeChat/arm64 Weixin NetType/WIFI Language/zh_CN")
WINDOWS_EDGE = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0")


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def device(app, user, agent=WINDOWS_EDGE, remember=False, lang="en"):
    """A new browser (its own cookies and User-Agent) signed in as ``user``."""
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = agent
    client.set_cookie("elearn_lang", lang)
    login(client, user, remember=remember)
    return client


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def device_ids(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'/account/devices/(\d+)/end', page)]


# ---------------------------------------------------------------- sign-in and sign-out

def test_a_replayed_cookie_after_sign_out_opens_nothing(app, user_factory):
    """Someone who copied the session cookie cannot use it once its owner has signed out."""
    user = user_factory()
    browser = device(app, user)
    captured = session_cookie(browser)
    browser.post("/logout", data={"csrf_token": csrf_token(browser)})
    thief = app.test_client()
    thief.set_cookie("session", captured)
    assert thief.get("/account").status_code == 302


def test_a_replayed_remember_me_cookie_after_sign_out_opens_nothing(app, user_factory):
    """The remember-me cookie is the same device session: it ends with it."""
    user = user_factory()
    browser = device(app, user, remember=True)
    remembered = browser.get_cookie("remember_token").value
    browser.post("/logout", data={"csrf_token": csrf_token(browser)})
    thief = app.test_client()
    thief.set_cookie("remember_token", remembered)
    assert thief.get("/account").status_code == 302


def test_sign_in_starts_a_new_session_and_a_new_csrf_secret(app, client, user_factory):
    """A cookie (and the CSRF token of the page) from before signing in is worth nothing after it."""
    user = user_factory()
    before_token = csrf_token(client, "/login")
    before_cookie = session_cookie(client)
    client.post("/login", data={"login": user.login_name, "password": DEFAULT_PASSWORD, "csrf_token": before_token})
    assert signed_in(client)
    assert session_cookie(client) != before_cookie
    # The token a page carried before sign-in no longer validates.
    response = client.post("/account", data={"action": "mobile", "mobile-mobile": "13900139000",
                                             "mobile-password": DEFAULT_PASSWORD, "mobile-csrf_token": before_token})
    assert response.status_code == 400
    assert user.mobile != "13900139000"
    # A fixated cookie (planted before the victim signed in) stays signed out.
    fixated = app.test_client()
    fixated.set_cookie("session", before_cookie)
    assert fixated.get("/account").status_code == 302


def test_a_session_row_holds_only_a_hash_and_the_device(app, db, user_factory):
    user = user_factory()
    browser = device(app, user, agent=ANDROID_WECHAT)
    row = db.session.scalar(select(UserSession).where(UserSession.user_id == user.id))
    assert row.kind == "browser" and row.ip == "127.0.0.1" and "MicroMessenger" in row.user_agent
    assert row.key_hash not in session_cookie(browser)


# ---------------------------------------------------------------- the device list on /account

def test_account_lists_two_devices_and_ending_one_signs_only_that_one_out(app, user_factory):
    user = user_factory()
    phone = device(app, user, agent=ANDROID_WECHAT, lang="zh_CN")
    computer = device(app, user, agent=WINDOWS_EDGE)
    page = text_of(phone.get("/account"))
    assert "已登录的设备" in page
    assert "安卓手机 · 微信" in page and "Windows 电脑 · Edge" in page
    assert "（本设备）" in page
    others = device_ids(page)
    assert len(others) == 1  # the list offers to end the other device, not this one
    response = phone.post(f"/account/devices/{others[0]}/end", data={"csrf_token": csrf_token(phone, "/account")})
    assert response.status_code == 302
    assert not signed_in(computer)
    assert signed_in(phone)
    assert "Windows" not in text_of(phone.get("/account"))


def test_sign_out_all_other_devices(app, user_factory):
    user = user_factory()
    here, tablet, laptop = device(app, user), device(app, user), device(app, user)
    response = here.post("/account/devices/end-others", data={"csrf_token": csrf_token(here, "/account")})
    assert response.status_code == 302
    assert "2 other devices have been signed out." in text_of(here.get("/account"))
    assert signed_in(here) and not signed_in(tablet) and not signed_in(laptop)


def test_another_persons_device_cannot_be_ended(app, db, user_factory):
    """Neither the page nor the API ends someone else's session."""
    victim, attacker = user_factory(), user_factory()
    victim_browser = device(app, victim)
    victim_row = db.session.scalar(select(UserSession.id).where(UserSession.user_id == victim.id))
    attacker_browser = device(app, attacker)
    page = attacker_browser.post(f"/account/devices/{victim_row}/end",
                                 data={"csrf_token": csrf_token(attacker_browser, "/account")})
    assert page.status_code in (403, 404)
    api = attacker_browser.delete(f"/api/v1/me/sessions/{victim_row}", headers=bearer(db, attacker))
    assert api.status_code in (403, 404)
    assert signed_in(victim_browser)


def test_last_seen_is_written_at_most_once_a_minute(app, db, user_factory):
    user = user_factory()
    browser = device(app, user)
    row = db.session.scalar(select(UserSession).where(UserSession.user_id == user.id))
    first = row.last_seen_at
    browser.get("/account")
    db.session.refresh(row)
    assert row.last_seen_at == first  # seconds after sign-in: nothing written
    row.last_seen_at = first - timedelta(minutes=2)
    db.session.commit()
    browser.get("/account")
    db.session.refresh(row)
    assert row.last_seen_at > first - timedelta(minutes=1)


def test_an_idle_session_expires_on_the_server(app, db, user_factory):
    user = user_factory()
    browser = device(app, user)
    row = db.session.scalar(select(UserSession).where(UserSession.user_id == user.id))
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert not signed_in(browser)


def test_old_rows_are_purged(app, db, user_factory):
    user = user_factory()
    device(app, user), device(app, user)
    rows = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id)).all()
    rows[0].ended_at = utcnow() - timedelta(days=8)
    db.session.commit()
    assert purge_old_sessions() == 1
    assert db.session.scalars(select(UserSession.id).where(UserSession.user_id == user.id)).all() == [rows[1].id]


@pytest.mark.parametrize("agent, words", [
    (ANDROID_WECHAT, "Android phone · WeChat"),
    (WINDOWS_EDGE, "Windows computer · Edge"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.0 Mobile/15E148 Safari/604.1", "iPhone · Safari"),
    ("Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0 Safari/537.36",
     "Android tablet · Chrome"),
    ("curl/8.0", "Unknown device"),
    ("", "Unknown device"),
])
def test_devices_are_named_in_plain_words(app, agent, words):
    with app.test_request_context(headers={"Cookie": "elearn_lang=en"}):
        assert describe_device(agent) == words


# ---------------------------------------------------------------- password changes revoke everything else

def test_changing_my_password_revokes_my_api_tokens(app, db, user_factory, client):
    """The page says other devices were signed out: API tokens are among them."""
    user = user_factory()
    headers = bearer(db, user)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    browser = device(app, user)
    response = browser.post("/account", data={
        "action": "password", "pw-current": DEFAULT_PASSWORD, "pw-new": "fresh-pass-1", "pw-confirm": "fresh-pass-1",
        "pw-csrf_token": csrf_token(browser, "/account")})
    assert response.status_code == 302
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert signed_in(browser)


def test_a_password_change_through_the_api_keeps_only_that_token(app, db, user_factory, client):
    user = user_factory()
    mine, other = bearer(db, user), bearer(db, user)
    browser = device(app, user)
    response = client.post("/api/v1/me/password", headers=mine,
                           json={"current": DEFAULT_PASSWORD, "new": "fresh-pass-1", "confirm": "fresh-pass-1"})
    assert response.status_code == 204, response.get_json()
    assert client.get("/api/v1/me", headers=mine).status_code == 200
    assert client.get("/api/v1/me", headers=other).status_code == 401
    assert not signed_in(browser)
    wrong = client.post("/api/v1/me/password", headers=mine,
                        json={"current": "not-it-at-all", "new": "fresh-pass-2", "confirm": "fresh-pass-2"})
    assert wrong.status_code == 403 and wrong.get_json()["code"] == "wrong_password"


def test_an_admin_reset_ends_every_session_and_token(app, db, user_factory, admin_client, client):
    user = user_factory()
    headers = bearer(db, user)
    browser = device(app, user)
    path = f"/admin/users/{user.id}/reset"
    response = admin_client.post(path, data=issue_fields(admin_client, path))
    assert response.status_code == 303
    assert not signed_in(browser)
    assert client.get("/api/v1/me", headers=headers).status_code == 401


# ---------------------------------------------------------------- the API's device list

def test_the_api_lists_and_ends_my_devices(app, db, user_factory, client):
    user = user_factory()
    phone = device(app, user, agent=ANDROID_WECHAT)
    headers = bearer(db, user)
    client.set_cookie("elearn_lang", "en")
    listed = client.get("/api/v1/me/sessions", headers=headers)
    assert listed.status_code == 200
    [row] = listed.get_json()
    assert row["device"] == "Android phone · WeChat" and row["kind"] == "browser" and row["current"] is False
    assert row["created_at"].endswith("Z")
    ended = client.delete(f"/api/v1/me/sessions/{row['id']}", headers=headers)
    assert ended.status_code == 204
    assert not signed_in(phone)
    assert client.delete(f"/api/v1/me/sessions/{row['id']}", headers=headers).status_code == 404


def test_a_browser_sees_its_own_session_marked_current(app, user_factory):
    browser = device(app, user_factory())
    [row] = browser.get("/api/v1/me/sessions").get_json()
    assert row["current"] is True


# ---------------------------------------------------------------- a stale page

def test_a_form_from_a_signed_out_tab_gets_the_expired_page(app, user_factory):
    """Signed out in another tab, then the form in this one is sent: a plain page that reloads it."""
    user = user_factory()
    browser = device(app, user, lang="zh_CN")
    token = csrf_token(browser, "/account")
    browser.post("/logout", data={"csrf_token": token})  # the other tab
    response = browser.post("/account", data={"action": "mobile", "mobile-mobile": "13900139000",
                                              "mobile-password": DEFAULT_PASSWORD, "mobile-csrf_token": token},
                            headers={"Referer": "http://localhost/account"})
    assert response.status_code == 400
    page = text_of(response)
    assert "这个页面已经过期，请重新打开" in page
    assert "请检查填写的内容" not in page
    assert re.search(r'<a [^>]*href="/account"[^>]*>重新打开这个页面</a>', page)


@pytest.mark.parametrize("path, referrer, target", [
    ("/logout", None, "/"),                                   # no GET there: the home page
    ("/login", None, "/login"),                               # the form's own address opens with GET
    ("/logout", "http://localhost/courses", "/courses"),      # back where the button was
    ("/logout", "https://evil.example/phish", "/"),           # never another site
])
def test_the_expired_page_reloads_a_safe_page(client, path, referrer, target):
    headers = {"Referer": referrer} if referrer else {}
    client.set_cookie("elearn_lang", "en")
    response = client.post(path, data={}, headers=headers)
    assert response.status_code == 400
    button = re.search(r'<a [^>]*href="([^"]*)"[^>]*>Open the page again</a>', response.get_data(as_text=True))
    assert button and button.group(1) == target


def test_signing_in_again_on_a_signed_in_browser_ends_its_old_session(app, db, user_factory):
    user = user_factory()
    browser = device(app, user)
    again = browser.post("/login", data={"login": user.login_name, "password": DEFAULT_PASSWORD,
                                         "csrf_token": csrf_token(browser, "/")})
    assert again.status_code == 302
    live = db.session.scalars(select(UserSession).where(UserSession.user_id == user.id,
                                                        UserSession.ended_at.is_(None))).all()
    assert len(live) == 1
