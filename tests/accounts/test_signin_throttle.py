"""Sign-in throttling that cannot lock everyone out (per account, soft lock, office codes, slowing one
address down instead of locking it) and the sign-in troubles of older people (tries left, full-width
digits)."""
from __future__ import annotations

import html
import re
from datetime import timedelta

from elearn.accounts import services, signin
from elearn.accounts.models import LoginAttempt
from elearn.core.timeutil import utcnow
from tests.clients import csrf_token, issue_fields
from tests.factories import DEFAULT_PASSWORD, make_user

CLASSROOM = "10.20.30.40"


def post_login(client, login_name, password, ip="127.0.0.1"):
    data = {"login": login_name, "password": password, "csrf_token": csrf_token(client, "/login")}
    return client.post("/login", data=data, headers={"Accept-Language": "zh-CN"}, environ_base={"REMOTE_ADDR": ip})


def post_code(client, login_name, code, ip="127.0.0.1"):
    data = {"login": login_name, "code": code, "csrf_token": csrf_token(client, "/login/code")}
    return client.post("/login/code", data=data, headers={"Accept-Language": "zh-CN"}, environ_base={"REMOTE_ADDR": ip})


def flashed(response) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<p class="message error">(.*?)</p>', response.get_data(as_text=True))]


def learner(db, **fields):
    return make_user(db, fast_hash=True, **fields)


# ---------------------------------------------------------------- per account, tries left

def test_failures_count_for_the_person_across_username_and_mobile(app, db):
    """Wrong passwords typed with the username and with the mobile number are one person's failures."""
    user = learner(db, mobile="13912340001", username="laoli")
    statuses = [post_login(app.test_client(), name, "wrong-pass").status_code
                for name in ("laoli", "13912340001", "LaoLi", "139 1234 0001")]
    assert statuses == [401, 401, 401, 401]
    fifth = post_login(app.test_client(), "laoli", "wrong-pass")
    assert fifth.status_code == 429
    # The right password is refused now, by either name and from any address (the lock is the account's).
    assert post_login(app.test_client(), "13912340001", DEFAULT_PASSWORD).status_code == 429
    assert post_login(app.test_client(), "laoli", DEFAULT_PASSWORD, ip="10.9.9.9").status_code == 429
    assert user.id


def test_tries_left_from_the_third_failure_the_same_for_unknown_and_known(app, db):
    """From the third failure the answer says how many tries are left; an unknown login hears exactly
    what a known one hears, so the answers do not tell whether an account exists."""
    user = learner(db)
    answers = {}
    for name in (user.mobile, "13700009999"):
        responses = [post_login(app.test_client(), name, "wrong-pass") for _ in range(5)]
        answers[name] = [(r.status_code, flashed(r)) for r in responses]
    known, unknown = answers[user.mobile], answers["13700009999"]
    assert known == unknown
    assert [status for status, _ in known] == [401, 401, 401, 401, 429]
    assert "还可以" not in known[1][1][0]
    assert "还可以再试 2 次" in known[2][1][0]
    assert "还可以再试 1 次" in known[3][1][0]
    assert "15 分钟" in known[4][1][0] and "一次性码" in known[4][1][0]


def test_a_right_password_starts_the_count_again(app, db):
    user = learner(db)
    for _ in range(4):
        post_login(app.test_client(), user.mobile, "wrong-pass")
    assert post_login(app.test_client(), user.mobile, DEFAULT_PASSWORD).status_code == 302
    assert "还可以" not in flashed(post_login(app.test_client(), user.mobile, "wrong-pass"))[0]


def test_the_lock_ends_after_the_window(app, db):
    user = learner(db)
    for _ in range(5):
        post_login(app.test_client(), user.mobile, "wrong-pass")
    for row in db.session.query(LoginAttempt):
        row.created_at -= timedelta(minutes=16)
    db.session.commit()
    assert post_login(app.test_client(), user.mobile, DEFAULT_PASSWORD).status_code == 302


# ---------------------------------------------------------------- the office's code while locked

def lock(app, user):
    for _ in range(5):
        post_login(app.test_client(), user.mobile, "wrong-pass")
    assert post_login(app.test_client(), user.mobile, DEFAULT_PASSWORD).status_code == 429


def test_an_office_code_works_while_the_password_is_locked(app, db):
    """The lock message sends the person to the office for a code: that code must then work."""
    user = learner(db)
    lock(app, user)
    code = services.issue_code(user, "reset")
    db.session.commit()
    browser = app.test_client()
    response = post_code(browser, user.mobile, code)
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/set-password")
    chosen = browser.post("/account/set-password", data={"new": "river-stone-4", "confirm": "river-stone-4",
                                                         "csrf_token": csrf_token(browser, "/account/set-password")})
    assert chosen.status_code == 302
    # Signing in with the code ended the lock: the new password works on the next device.
    assert post_login(app.test_client(), user.mobile, "river-stone-4").status_code == 302


def test_codes_have_their_own_limit(app, db):
    """Wrong codes are counted apart from wrong passwords, with a limit of their own."""
    user = learner(db)
    code = services.issue_code(user, "reset")
    db.session.commit()
    statuses = [post_code(app.test_client(), user.mobile, "1111 1111").status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    refused = post_code(app.test_client(), user.mobile, code)
    assert refused.status_code == 429 and refused.headers["Retry-After"].isdigit()
    assert "一次性码" in flashed(refused)[0]
    # Codes did not use up the password's tries.
    assert post_login(app.test_client(), user.mobile, DEFAULT_PASSWORD).status_code == 302


def test_an_admin_reset_clears_the_lock(app, db, admin_client):
    user = learner(db)
    lock(app, user)
    path = f"/admin/users/{user.id}/reset"
    response = admin_client.post(path, data=issue_fields(admin_client, path))
    assert response.status_code == 303
    # The password was cleared by the reset, so it is wrong now; but the answer is no longer the lock.
    assert post_login(app.test_client(), user.mobile, DEFAULT_PASSWORD).status_code == 401


def test_an_admin_setting_a_password_clears_the_lock(app, db, admin_client):
    user = learner(db)
    lock(app, user)
    edit = f"/admin/users/{user.id}/edit"
    response = admin_client.post(edit, data={"name": user.name, "mobile": user.mobile, "roles": "student",
                                             "password": "new-garden-8", "csrf_token": csrf_token(admin_client, edit)})
    assert response.status_code == 302
    assert post_login(app.test_client(), user.mobile, "new-garden-8").status_code == 302


# ---------------------------------------------------------------- one address: slowed, never locked

def failures_from(db, ip, count, newest_seconds_ago):
    """``count`` failed sign-ins from ``ip`` for different unknown logins, one every 10 seconds."""
    now = utcnow()
    db.session.add_all(LoginAttempt(login=f"password:login:1370000{i:04d}", ip=ip, success=False,
                                    created_at=now - timedelta(seconds=newest_seconds_ago + 10 * i))
                       for i in range(count))
    db.session.commit()


def test_forty_learners_behind_one_classroom_address_sign_in_after_sixty_failures(app, db):
    """Another client behind the classroom's router failed 60 times in the last ten minutes; all 40
    learners behind the same address then sign in, one after another."""
    failures_from(db, CLASSROOM, 60, newest_seconds_ago=60)
    learners = [learner(db) for _ in range(40)]
    statuses = [post_login(app.test_client(), person.mobile, DEFAULT_PASSWORD, ip=CLASSROOM).status_code
                for person in learners]
    assert statuses == [302] * 40


def test_many_failures_from_one_address_slow_it_down_briefly(app, db, user_factory):
    """Right after many failures the address waits a few seconds (429 with Retry-After), never minutes."""
    failures_from(db, CLASSROOM, 30, newest_seconds_ago=0)
    user = learner(db)
    response = post_login(app.test_client(), user.mobile, DEFAULT_PASSWORD, ip=CLASSROOM)
    assert response.status_code == 429
    wait = int(response.headers["Retry-After"])
    assert 1 <= wait <= app.config["LOGIN_IP_MAX_DELAY_SECONDS"]
    assert "秒" in flashed(response)[0]
    # A refused try is not counted, so knocking again does not make the wait longer.
    assert post_login(app.test_client(), user.mobile, DEFAULT_PASSWORD, ip=CLASSROOM).headers["Retry-After"] == str(wait)
    # The wait over, the right password works.
    for row in db.session.query(LoginAttempt).filter_by(ip=CLASSROOM):
        row.created_at -= timedelta(seconds=wait)
    db.session.commit()
    assert post_login(app.test_client(), user.mobile, DEFAULT_PASSWORD, ip=CLASSROOM).status_code == 302


def test_every_429_carries_retry_after_on_pages_and_the_api(app, db):
    user = learner(db)
    lock(app, user)
    page = post_login(app.test_client(), user.mobile, DEFAULT_PASSWORD)
    assert page.status_code == 429 and 14 * 60 <= int(page.headers["Retry-After"]) <= 15 * 60
    api = app.test_client().post("/api/v1/auth/token", json={"login": user.mobile, "password": DEFAULT_PASSWORD})
    assert api.status_code == 429
    body = api.get_json()
    assert body["code"] == "locked" and int(api.headers["Retry-After"]) == body["retry_after"]
    failures_from(db, CLASSROOM, 30, newest_seconds_ago=0)
    slowed = app.test_client().post("/api/v1/auth/token", json={"login": user.mobile, "password": "x"},
                                    environ_base={"REMOTE_ADDR": CLASSROOM})
    assert slowed.status_code == 429 and slowed.get_json()["code"] == "slow_down"
    assert int(slowed.headers["Retry-After"]) == slowed.get_json()["retry_after"] >= 1


# ---------------------------------------------------------------- the same cost for unknown logins

def test_the_password_hash_runs_for_an_unknown_login_too(app, db):
    """An unknown login costs a hash like a known one, so timing does not tell a registered number."""
    user = learner(db)
    before = signin.hash_runs()
    post_login(app.test_client(), "13700001234", "wrong-pass")
    assert signin.hash_runs() == before + 1
    post_login(app.test_client(), user.mobile, "wrong-pass")
    assert signin.hash_runs() == before + 2
    # An account without a password (just reset by the office) costs the same too.
    no_password = make_user(db, password=None)
    post_login(app.test_client(), no_password.mobile, "wrong-pass")
    assert signin.hash_runs() == before + 3


# ---------------------------------------------------------------- what Chinese keyboards type

def test_full_width_digits_dashes_and_spaces_in_a_mobile_sign_in(app, db):
    learner(db, mobile="13912345678")
    for typed in ("１３９１２３４５６７８", "１３９ １２３４ ５６７８", "139-1234-5678", "１３９－１２３４－５６７８"):
        assert post_login(app.test_client(), typed, DEFAULT_PASSWORD).status_code == 302, typed


def test_full_width_digits_in_a_code_sign_in(app, db):
    user = learner(db, mobile="13912345679")
    code = services.issue_code(user, "reset")
    db.session.commit()
    wide = code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert post_code(app.test_client(), "１３９ １２３４ ５６７９", wide).status_code == 302
