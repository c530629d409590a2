"""The user's own account page, self-registration, and who may see contact details."""
from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from elearn.accounts.models import User
from elearn.core import permissions
from elearn.core.permissions import can_view_contact
from tests.clients import csrf_token, login
from tests.factories import DEFAULT_PASSWORD


@pytest.fixture
def me(app, db, user_factory):
    """A signed-in student with English messages; ``.user`` is the account."""
    user = user_factory(mobile="13800138400")
    client = app.test_client()
    client.set_cookie("elearn_lang", "en")
    login(client, user)
    client.user = user
    return client


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def change_password(client, current, new, confirm):
    return client.post("/account", data={"action": "password", "pw-current": current, "pw-new": new,
                                          "pw-confirm": confirm, "pw-csrf_token": csrf_token(client, "/account")})


def change_mobile(client, mobile, password):
    return client.post("/account", data={"action": "mobile", "mobile-mobile": mobile, "mobile-password": password,
                                          "mobile-csrf_token": csrf_token(client, "/account")})


def can_sign_in(app, login_name, password) -> bool:
    client = app.test_client()
    response = client.post("/login", data={"login": login_name, "password": password,
                                           "csrf_token": csrf_token(client, "/login")})
    return response.status_code == 302


# ---------------------------------------------------------------- password

def test_account_page_shows_my_own_details(me):
    """The page lists the user's own name and mobile number."""
    page = text_of(me.get("/account"))
    assert me.user.name in page and "13800138400" in page


@pytest.mark.parametrize("current, new, confirm, message", [
    ("not-my-password", "fresh-pass-1", "fresh-pass-1", "The current password is not right."),
    (DEFAULT_PASSWORD, "fresh-pass-1", "fresh-pass-2", "The two new passwords are not the same."),
    (DEFAULT_PASSWORD, "abc", "abc", "at least 6 characters"),
])
def test_change_password_refuses_bad_input(app, me, current, new, confirm, message):
    """Wrong current password, a mismatch or a short password: 400, a plain message, password unchanged."""
    response = change_password(me, current, new, confirm)
    assert response.status_code == 400
    assert message in text_of(response)
    assert can_sign_in(app, "13800138400", DEFAULT_PASSWORD)


def test_change_password_ends_other_sessions_but_not_this_one(app, me):
    """After a change, another signed-in device is signed out; this one stays signed in."""
    other_device = app.test_client()
    login(other_device, me.user)
    response = change_password(me, DEFAULT_PASSWORD, "fresh-pass-1", "fresh-pass-1")
    assert response.status_code == 302
    assert me.get("/account").status_code == 200
    assert other_device.get("/account").status_code == 302
    assert can_sign_in(app, "13800138400", "fresh-pass-1")
    assert not can_sign_in(app, "13800138400", DEFAULT_PASSWORD)


def test_account_form_needs_csrf(me, db):
    """A change posted without the CSRF token is refused."""
    response = me.post("/account", data={"action": "password", "pw-current": DEFAULT_PASSWORD,
                                          "pw-new": "fresh-pass-1", "pw-confirm": "fresh-pass-1"})
    assert response.status_code == 400
    db.session.refresh(me.user)
    assert me.user.check_password(DEFAULT_PASSWORD)


# ---------------------------------------------------------------- mobile number

def test_change_mobile(app, me, db):
    """With the right password the new number is saved (spaces and +86 allowed) and signs in."""
    response = change_mobile(me, "+86 139 0013 9400", DEFAULT_PASSWORD)
    assert response.status_code == 302
    db.session.refresh(me.user)
    assert me.user.mobile == "13900139400"
    assert can_sign_in(app, "13900139400", DEFAULT_PASSWORD)


@pytest.mark.parametrize("mobile, password, status, message", [
    ("13900139401", "not-my-password", 400, "The password is not right."),
    ("1390013", DEFAULT_PASSWORD, 400, "The mobile number must be 11 digits"),
    ("{taken}", DEFAULT_PASSWORD, 409, "Another account already uses the mobile number"),
])
def test_change_mobile_refuses_bad_input(me, user_factory, db, mobile, password, status, message):
    """Wrong password, a bad number or someone else's number: a 4xx, a message, the number unchanged."""
    taken = user_factory(mobile="13900139499")
    response = change_mobile(me, mobile.format(taken=taken.mobile), password)
    assert response.status_code == status
    assert message in text_of(response)
    db.session.refresh(me.user)
    assert me.user.mobile == "13800138400"


# ---------------------------------------------------------------- self-registration

def test_self_registration_is_off_by_default(client, db):
    """With the default configuration there is no registration page."""
    assert client.get("/register").status_code == 404
    # With a valid CSRF token, so that the 404 comes from the switch and not from the CSRF check.
    data = {"name": "x", "mobile": "13800138555", "csrf_token": csrf_token(client, "/login")}
    assert client.post("/register", data=data).status_code == 404
    assert db.session.scalar(select(User).where(User.mobile == "13800138555")) is None


def test_self_registration_when_switched_on(app, client, db, monkeypatch):
    """Switched on, anyone can make a student account with their mobile number and is signed in."""
    monkeypatch.setitem(app.config, "SELF_REGISTRATION", True)
    client.set_cookie("elearn_lang", "en")
    assert client.get("/register").status_code == 200
    data = {"name": "钱十", "mobile": "13800138410", "password": "tea-leaf-88", "confirm": "tea-leaf-88",
            "csrf_token": csrf_token(client, "/register")}
    response = client.post("/register", data=data)
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.mobile == "13800138410"))
    assert user.roles == {"student"}
    assert client.get("/account").status_code == 200

    other = client.application.test_client()
    other.set_cookie("elearn_lang", "en")
    data["csrf_token"] = csrf_token(other, "/register")
    again = other.post("/register", data=data)
    assert again.status_code == 409 and "Another account already uses the mobile number" in text_of(again)


# ---------------------------------------------------------------- contact privacy

def test_who_may_see_contact_details(user_factory):
    """Mobile and birth year: the person, admins and their teachers; not other students or other teachers."""
    student = user_factory(roles=["student"])
    classmate = user_factory(roles=["student"])
    admin = user_factory(roles=["admin"])
    teacher = user_factory(roles=["teacher"])
    assert can_view_contact(student, student)
    assert can_view_contact(admin, student)
    assert not can_view_contact(classmate, student)
    assert not can_view_contact(teacher, student)


def test_a_contact_rule_lets_a_teacher_see_contact_details(user_factory):
    """When a feature registers that a teacher teaches a student, that teacher may see the student's
    contact details, and no one else's; without the rule, not even that student's."""
    student, other = user_factory(roles=["student"]), user_factory(roles=["student"])
    teacher = user_factory(roles=["teacher"])
    assert not can_view_contact(teacher, student)
    permissions.contact_rules.register("test-class", lambda t, s: (t.id, s.id) == (teacher.id, student.id))
    try:
        assert can_view_contact(teacher, student)
        assert not can_view_contact(teacher, other)
    finally:
        permissions.contact_rules.unregister("test-class")
