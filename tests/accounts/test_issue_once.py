"""Pages that issue codes never issue again on a reload: a one-use nonce, then a result page of its own."""
from __future__ import annotations

import html
import re
from datetime import timedelta

from sqlalchemy import func, select

from elearn.accounts.issued import IssuedBatch, forget_old_codes
from elearn.accounts.models import OneTimeCode
from elearn.core.timeutil import utcnow
from tests.clients import csrf_token, follow, issue_fields, signed_in
from tests.factories import DEFAULT_PASSWORD, make_user

SLIPS = "/admin/users/slips"


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def shown_code(response) -> str:
    match = re.search(r'class="code-display"[^>]*>([\d ]+)<', response.get_data(as_text=True))
    assert match, "no code on the page"
    return match.group(1)


def slip_codes(response) -> dict[str, str]:
    page = response.get_data(as_text=True)
    return dict(zip(re.findall(r'class="slip-login">([^<]+)<', page), re.findall(r'class="slip-code">([^<]+)<', page)))


def live_codes(db, user) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(OneTimeCode.code_hash).where(OneTimeCode.user_id == user.id,
                                                                       OneTimeCode.used_at.is_(None))))


def code_login(client, login_name, code):
    return client.post("/login/code", data={"login": login_name, "code": code,
                                            "csrf_token": csrf_token(client, "/login/code")})


def expire_batches(db):
    db.session.execute(IssuedBatch.__table__.update().values(shown_until=utcnow() - timedelta(seconds=1)))
    db.session.commit()


def test_reset_asks_first_on_a_page(admin_client, db):
    """GET of the reset address is a question; it changes nothing until the admin confirms."""
    user = make_user(db)
    page = admin_client.get(f"/admin/users/{user.id}/reset")
    assert page.status_code == 200
    assert 'name="nonce"' in page.get_data(as_text=True) and user.name in text_of(page)
    db.session.refresh(user)
    assert user.check_password(DEFAULT_PASSWORD) and live_codes(db, user) == []
    edit = text_of(admin_client.get(f"/admin/users/{user.id}/edit"))
    assert f'href="/admin/users/{user.id}/reset"' in edit and f'href="/admin/users/{user.id}/disable"' in edit


def test_disable_asks_first_on_a_page(admin_client, db):
    """GET of the disable address is a question with a form; only its POST disables."""
    user = make_user(db)
    page = admin_client.get(f"/admin/users/{user.id}/disable")
    assert page.status_code == 200 and 'method="post"' in page.get_data(as_text=True)
    db.session.refresh(user)
    assert not user.is_disabled
    fields = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    assert admin_client.post(f"/admin/users/{user.id}/disable", data={"csrf_token": fields}).status_code == 302
    db.session.refresh(user)
    assert user.is_disabled


def test_a_reset_posted_twice_issues_once(app, admin_client, db):
    """The same form sent again (a reload of the POST) issues nothing and leads to the same code."""
    user = make_user(db)
    path = f"/admin/users/{user.id}/reset"
    fields = issue_fields(admin_client, path)
    first = admin_client.post(path, data=fields)
    hashes = live_codes(db, user)
    assert first.status_code == 303 and len(hashes) == 1
    second = admin_client.post(path, data=fields)
    assert second.status_code == 303 and second.headers["Location"] == first.headers["Location"]
    assert live_codes(db, user) == hashes
    code = shown_code(follow(admin_client, second))
    assert code_login(app.test_client(), user.mobile, code).status_code == 302


def test_reloading_the_result_shows_the_same_code(app, admin_client, db):
    """The result page shows the same code on every reload; the code still works; nothing is cached."""
    user = make_user(db)
    path = f"/admin/users/{user.id}/reset"
    result = admin_client.post(path, data=issue_fields(admin_client, path))
    pages = [admin_client.get(result.headers["Location"]) for _ in range(3)]
    assert len({shown_code(p) for p in pages}) == 1
    assert all(p.headers["Cache-Control"] == "no-store" for p in pages)
    assert len(live_codes(db, user)) == 1
    assert code_login(app.test_client(), user.mobile, shown_code(pages[0])).status_code == 302


def test_only_the_admin_who_issued_sees_the_codes(app, admin_client, db):
    """Another admin opening the result address gets 404, not the codes."""
    user = make_user(db)
    path = f"/admin/users/{user.id}/reset"
    result = admin_client.post(path, data=issue_fields(admin_client, path))
    other = signed_in(app, db, roles=["admin"])
    assert other.get(result.headers["Location"]).status_code == 404
    # Nor can they send the first admin's form: the nonce is bound to who saw the form.
    fields = issue_fields(admin_client, path)
    hashes = live_codes(db, user)
    refused = other.post(path, data={"csrf_token": other.csrf, "nonce": fields["nonce"]})
    assert refused.status_code == 400 and live_codes(db, user) == hashes


def test_a_form_without_a_nonce_issues_nothing(admin_client, db):
    """A post without the page's nonce (an old page, a forged form) is refused and changes nothing."""
    user = make_user(db)
    response = admin_client.post(f"/admin/users/{user.id}/reset", data={"csrf_token": admin_client.csrf})
    assert response.status_code == 400
    db.session.refresh(user)
    assert user.check_password(DEFAULT_PASSWORD) and live_codes(db, user) == []


def test_slips_posted_twice_issue_once(admin_client, db):
    """Re-issued slips: the same form twice makes one set of codes, and both lead to the same slips."""
    users = [make_user(db, password=None, must_change_password=True) for _ in range(2)]
    fields = issue_fields(admin_client, SLIPS)
    data = {**fields, "user": [str(u.id) for u in users]}
    first = admin_client.post(SLIPS, data=data)
    hashes = [live_codes(db, u) for u in users]
    second = admin_client.post(SLIPS, data=data)
    assert second.headers["Location"] == first.headers["Location"]
    assert [live_codes(db, u) for u in users] == hashes
    shown = slip_codes(follow(admin_client, first))
    assert shown == slip_codes(follow(admin_client, second)) and len(shown) == 2


def test_expired_batch_says_the_codes_were_given_and_offers_new_ones(app, admin_client, db):
    """After its time the page no longer shows the codes, says they were given, and can re-issue on purpose."""
    admin_client.set_cookie("elearn_lang", "en")
    user = make_user(db, password=None, must_change_password=True)
    result = admin_client.post(SLIPS, data={**issue_fields(admin_client, SLIPS), "user": str(user.id)})
    old = slip_codes(follow(admin_client, result))[user.login_name]
    expire_batches(db)
    page = admin_client.get(result.headers["Location"])
    assert page.status_code == 200 and "These codes were already given" in text_of(page)
    assert old not in page.get_data(as_text=True) and "slip-code" not in page.get_data(as_text=True)
    # Re-issuing from there is a deliberate new batch: the old code stops working, the new one works.
    nonce = re.search(r'name="nonce" type="hidden" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    ids = re.search(r'name="users" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    again = follow(admin_client, admin_client.post(SLIPS, data={"csrf_token": admin_client.csrf, "nonce": nonce,
                                                                "users": ids}))
    new = slip_codes(again)[user.login_name]
    assert new != old
    assert code_login(app.test_client(), user.login_name, old).status_code == 401
    assert code_login(app.test_client(), user.login_name, new).status_code == 302


def test_expired_codes_are_removed_from_the_server(admin_client, db):
    """The housekeeping task clears the encrypted codes whose time is up, and keeps the others."""
    user = make_user(db)
    path = f"/admin/users/{user.id}/reset"
    admin_client.post(path, data=issue_fields(admin_client, path))
    assert forget_old_codes() == 0
    expire_batches(db)
    assert forget_old_codes() == 1
    db.session.commit()
    assert db.session.scalar(select(func.count()).where(IssuedBatch.secret.is_not(None))) == 0


def test_the_stored_codes_are_encrypted(admin_client, db):
    """What the server keeps is not the plain code."""
    user = make_user(db)
    path = f"/admin/users/{user.id}/reset"
    code = shown_code(follow(admin_client, admin_client.post(path, data=issue_fields(admin_client, path))))
    secret = db.session.scalar(select(IssuedBatch.secret))
    assert code not in secret and code.replace(" ", "") not in secret
