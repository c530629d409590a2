"""Admin pages for accounts: who may use them, create, edit, disable, enable, reset codes."""
from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from elearn.accounts.models import OneTimeCode, User
from elearn.core.timeutil import utcnow
from tests.clients import csrf_token, follow, issue_fields, login
from tests.factories import DEFAULT_PASSWORD


@pytest.fixture
def admin(admin_client):
    admin_client.set_cookie("elearn_lang", "en")
    return admin_client


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def shown_code(response) -> str:
    match = re.search(r'class="code-display"[^>]*>([\d ]+)<', response.get_data(as_text=True))
    assert match, "no code on the page"
    return match.group(1)


def post(client, path, data=None, page=None):
    body = {"csrf_token": csrf_token(client, page or "/")}
    body.update(data or {})
    return client.post(path, data=body)


def reset(client, user):
    """Reset through the confirmation page; returns the result page that shows the code."""
    path = f"/admin/users/{user.id}/reset"
    return follow(client, client.post(path, data=issue_fields(client, path)))


def password_login(client, login_name, password):
    return client.post("/login", data={"login": login_name, "password": password,
                                       "csrf_token": csrf_token(client, "/login")})


def code_login(client, login_name, code):
    return client.post("/login/code", data={"login": login_name, "code": code,
                                            "csrf_token": csrf_token(client, "/login/code")})


def signed_in(client) -> bool:
    return client.get("/account").status_code == 200


# ---------------------------------------------------------------- who may use the pages

ADMIN_PAGES = ["/admin/users", "/admin/users/new", "/admin/users/{id}/edit"]


@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_admin_pages_are_for_admins_only(client, teacher_client, student_client, user_factory, path):
    """Teachers and students get 403; someone signed out is sent to the login page."""
    path = path.format(id=user_factory().id)
    assert teacher_client.get(path).status_code == 403
    assert student_client.get(path).status_code == 403
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("action", ["disable", "reset"])
def test_non_admins_cannot_act_on_accounts(teacher_client, user_factory, db, action):
    """A teacher's disable or reset is refused and changes nothing."""
    target = user_factory()
    response = post(teacher_client, f"/admin/users/{target.id}/{action}")
    assert response.status_code == 403
    db.session.refresh(target)
    assert not target.is_disabled and target.check_password(DEFAULT_PASSWORD)


# ---------------------------------------------------------------- create and edit

def test_create_with_a_password(admin, client, db):
    """An account made with a password can sign in with it straight away."""
    response = post(admin, "/admin/users/new", {"name": "周八", "mobile": "138 0013 8300", "birth_year": "1953",
                                               "roles": ["teacher"], "password": "garden-path-9"}, "/admin/users/new")
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.mobile == "13800138300"))
    assert (user.name, user.birth_year, user.roles, user.must_change_password) == ("周八", 1953, {"teacher"}, False)
    assert password_login(client, "13800138300", "garden-path-9").status_code == 302


def test_create_without_a_password_shows_a_code(admin, client, db):
    """Without a password the admin is shown a one-time code, and the person signs in with it."""
    response = follow(admin, post(admin, "/admin/users/new", {"name": "吴九", "mobile": "13800138301",
                                                              "roles": ["student"]}, "/admin/users/new"))
    assert response.status_code == 200
    code = shown_code(response)
    assert "13800138301" in text_of(response)
    signed = code_login(client, "13800138301", code)
    assert signed.status_code == 302 and signed.headers["Location"].endswith("/account/set-password")


@pytest.mark.parametrize("data, status, message", [
    ({"name": "重号", "mobile": "{taken}"}, 409, "Another account already uses the mobile number"),
    ({"name": "坏号", "mobile": "1234"}, 400, "The mobile number must be 11 digits"),
    ({"name": "没号"}, 400, "Please enter a mobile number or a username"),
    ({"name": "短密", "mobile": "13800138302", "password": "abc"}, 400, "at least 6 characters"),
    ({"name": "年份", "mobile": "13800138303", "birth_year": "abcd"}, 400, "The birth year must be a year"),
])
def test_create_refuses_bad_input(admin, user_factory, db, data, status, message):
    """Each bad value gets a 4xx and a plain message, and no account is made."""
    taken = user_factory()
    data = {k: v.format(taken=taken.mobile) for k, v in data.items()}
    before = db.session.scalar(select(User.id).order_by(User.id.desc()).limit(1))
    response = post(admin, "/admin/users/new", data, "/admin/users/new")
    assert response.status_code == status
    assert message in text_of(response)
    assert db.session.scalar(select(User.id).order_by(User.id.desc()).limit(1)) == before


def test_edit_changes_details_and_roles(admin, user_factory, db):
    """Name, mobile, birth year and roles are saved."""
    user = user_factory(roles=["student"])
    response = post(admin, f"/admin/users/{user.id}/edit",
                    {"name": "新名字", "mobile": "13800138310", "birth_year": "1948", "roles": ["student", "teacher"]},
                    f"/admin/users/{user.id}/edit")
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.name, user.mobile, user.birth_year, user.roles) == ("新名字", "13800138310", 1948,
                                                                     {"student", "teacher"})


def test_edit_refuses_a_number_someone_else_has(admin, user_factory, db):
    """Moving a user onto another account's number is refused with 409."""
    user, other = user_factory(), user_factory()
    response = post(admin, f"/admin/users/{user.id}/edit", {"name": user.name, "mobile": other.mobile,
                                                           "roles": ["student"]}, f"/admin/users/{user.id}/edit")
    assert response.status_code == 409
    db.session.refresh(user)
    assert user.mobile != other.mobile


def test_list_finds_people_by_name_or_number(admin, user_factory):
    """The search box finds accounts by part of the name or mobile number."""
    user_factory(name="欧阳娜娜", mobile="13800138320")
    user_factory(name="司马光", mobile="13800138321")
    page = text_of(admin.get("/admin/users?q=欧阳"))
    assert "欧阳娜娜" in page and "司马光" not in page
    page = text_of(admin.get("/admin/users?q=8321"))
    assert "司马光" in page and "欧阳娜娜" not in page
    assert "Import from a spreadsheet" in text_of(admin.get("/admin/users"))


def test_search_finds_a_mobile_typed_with_spaces_or_full_width_digits(admin, user_factory):
    """Admins type a number as they read it out ("139 1234 5678") or from a Chinese keyboard (１３９…)."""
    user_factory(name="欧阳娜娜", mobile="13912345678")
    user_factory(name="司马光", mobile="13800138321")
    for typed in ("139 1234 5678", "139-1234-5678", "１３９１２３４５６７８", "１３９ １２３４", "5678"):
        page = text_of(admin.get("/admin/users", query_string={"q": typed}))
        assert "欧阳娜娜" in page and "司马光" not in page, typed


# ---------------------------------------------------------------- disable and enable

def test_disable_ends_sessions_and_revokes_tokens(app, admin, user_factory, db):
    """Disabling signs the person out on their next request, kills API tokens and blocks sign-in."""
    user = user_factory()
    their_browser = app.test_client()
    login(their_browser, user)
    api = app.test_client()
    token = api.post("/api/v1/auth/token", json={"login": user.mobile, "password": DEFAULT_PASSWORD}).get_json()["token"]
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200

    response = post(admin, f"/admin/users/{user.id}/disable", page=f"/admin/users/{user.id}/edit")
    assert response.status_code == 302
    assert "has been disabled" in text_of(admin.get(response.headers["Location"]))

    assert not signed_in(their_browser)
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert password_login(app.test_client(), user.mobile, DEFAULT_PASSWORD).status_code == 403


def test_enable_lets_them_sign_in_again(app, admin, user_factory):
    """A disabled account that is enabled again can sign in with its password."""
    user = user_factory(disabled=True)
    response = post(admin, f"/admin/users/{user.id}/enable", page=f"/admin/users/{user.id}/edit")
    assert response.status_code == 302
    assert password_login(app.test_client(), user.mobile, DEFAULT_PASSWORD).status_code == 302


def test_admin_cannot_disable_demote_or_reset_self(admin, db):
    """An admin cannot lock themself out: disable, dropping the admin role and reset are refused."""
    me = admin.user
    edit = f"/admin/users/{me.id}/edit"
    response = post(admin, f"/admin/users/{me.id}/disable", page=edit)
    assert response.status_code == 400 and "You cannot disable your own account." in text_of(response)
    response = post(admin, edit, {"name": me.name, "mobile": me.mobile, "roles": ["teacher"]}, edit)
    assert response.status_code == 400 and "You cannot remove your own administrator role." in text_of(response)
    response = post(admin, f"/admin/users/{me.id}/reset", page=edit)
    assert response.status_code == 400 and "My account" in text_of(response)
    db.session.refresh(me)
    assert not me.is_disabled and me.has_role("admin") and me.check_password(DEFAULT_PASSWORD)
    assert signed_in(admin)


def test_disable_without_csrf_is_refused(admin, user_factory, db):
    """A disable posted without the form's token changes nothing."""
    user = user_factory()
    assert admin.post(f"/admin/users/{user.id}/disable").status_code == 400
    db.session.refresh(user)
    assert not user.is_disabled


# ---------------------------------------------------------------- reset codes

def test_reset_code_signs_in_once_and_forces_a_new_password(app, admin, user_factory, db):
    """Reset: old sessions and password stop working; the code signs in once; a new password comes first."""
    user = user_factory()
    old_browser = app.test_client()
    login(old_browser, user)

    response = reset(admin, user)
    assert response.status_code == 200
    code = shown_code(response)
    assert not signed_in(old_browser)
    assert password_login(app.test_client(), user.mobile, DEFAULT_PASSWORD).status_code == 401

    browser = app.test_client()
    assert code_login(browser, user.mobile, code).status_code == 302
    # Nothing else opens until a password is chosen.
    for path in ("/", "/account", "/admin/users"):
        response = browser.get(path)
        assert response.status_code == 302 and response.headers["Location"].endswith("/account/set-password")
    chosen = browser.post("/account/set-password", data={"new": "river-stone-4", "confirm": "river-stone-4",
                                                         "csrf_token": csrf_token(browser, "/account/set-password")})
    assert chosen.status_code == 302
    assert signed_in(browser)

    fresh = app.test_client()
    assert password_login(fresh, user.mobile, "river-stone-4").status_code == 302
    fresh.set_cookie("elearn_lang", "en")
    again = code_login(app.test_client(), user.mobile, code)
    assert again.status_code == 401
    reused = code_login(fresh, user.mobile, code)
    assert "already been used" in text_of(reused)


def test_expired_reset_code_gets_a_clear_message(app, admin, user_factory, db):
    """A code past its expiry time is refused with a message saying so."""
    user = user_factory()
    code = shown_code(reset(admin, user))
    for row in db.session.scalars(select(OneTimeCode).where(OneTimeCode.user_id == user.id)):
        row.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    browser = app.test_client()
    browser.set_cookie("elearn_lang", "en")
    response = code_login(browser, user.mobile, code)
    assert response.status_code == 401
    assert "This code has expired. Please ask the office for a new one." in text_of(response)
    assert not signed_in(browser)


def test_a_new_code_replaces_the_previous_one(app, admin, user_factory):
    """Only the latest code works: a second reset makes the first code useless."""
    user = user_factory()
    first = shown_code(reset(admin, user))
    second = shown_code(reset(admin, user))
    assert code_login(app.test_client(), user.mobile, first).status_code == 401
    assert code_login(app.test_client(), user.mobile, second).status_code == 302
