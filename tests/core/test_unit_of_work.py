"""core.db.unit_of_work: one commit or a full rollback, refusals flashed on pages, and the write lock's guard."""
from __future__ import annotations

import pytest
from flask import get_flashed_messages
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, select, update

from elearn.accounts.models import ApiToken, User
from elearn.accounts.services import create_user, issue_token, user_for_token
from elearn.core.db import has_uncommitted_writes, start_locked_transaction, unit_of_work
from elearn.core.errors import ServiceError
from tests.conftest import csrf_token

_numbers = iter(range(1, 10_000))


def _new_user(**kw):
    return create_user(name=kw.pop("name", "测试"), mobile=f"136{next(_numbers):08d}", **kw)


def _user_named(db, name):
    return db.session.scalar(select(User).where(User.name == name))


@pytest.fixture
def commits(db):
    """How many times the test's session committed."""
    counted = []
    event.listen(db.session(), "after_commit", lambda session: counted.append(1))
    return counted


def test_a_block_that_works_commits_exactly_once(db, commits):
    """Two writes in one block are committed together, by one commit at the end."""
    with unit_of_work() as work:
        _new_user(name="甲")
        _new_user(name="乙")
        assert commits == []
    assert work.ok and work.error is None and work.status == 200
    assert commits == [1]
    assert _user_named(db, "甲") is not None and _user_named(db, "乙") is not None


@pytest.mark.parametrize("error", [ValueError("a bug"), ServiceError("refused", "No.", status=409)])
def test_any_exception_rolls_everything_back_and_propagates(db, commits, error):
    """A block that fails half-way leaves nothing of what it wrote, and the caller sees the exception."""
    with pytest.raises(type(error)):
        with unit_of_work():
            _new_user(name="半途")
            db.session.flush()
            raise error
    assert commits == []
    assert _user_named(db, "半途") is None
    assert not has_uncommitted_writes()


def test_flash_errors_flashes_the_translated_refusal_and_gives_its_status(app, db):
    """On a page a ServiceError is rolled back, flashed in Chinese, swallowed, and its status kept."""
    with app.test_request_context("/"):
        with unit_of_work(flash_errors=True) as work:
            _new_user(name="被拒")
            raise ServiceError("forbidden", _l("You do not have permission to do this."), status=403)
        assert (work.ok, work.status, work.error.code) == (False, 403, "forbidden")
        assert get_flashed_messages(with_categories=True) == [("error", "您没有权限进行这个操作。")]
    assert _user_named(db, "被拒") is None


def test_flash_errors_lets_a_programming_error_through(app, db):
    """Only refusals are flashed: a bug still propagates (to the 500 page), rolled back."""
    with app.test_request_context("/"), pytest.raises(KeyError):
        with unit_of_work(flash_errors=True):
            _new_user(name="出错")
            raise KeyError("bug")
    assert _user_named(db, "出错") is None


def test_commit_on_keeps_what_a_refusal_recorded(db):
    """commit_on=(ServiceError,) commits the writes made before the refusal and still raises it."""
    with pytest.raises(ServiceError):
        with unit_of_work(commit_on=(ServiceError,)):
            _new_user(name="记录")
            raise ServiceError("locked", "Locked.", status=429)
    assert _user_named(db, "记录") is not None


def test_as_a_decorator_each_call_is_its_own_unit(db):
    """A decorated function commits per call; a failed call undoes only itself."""
    @unit_of_work()
    def add(name, fail=False):
        _new_user(name=name)
        if fail:
            raise ServiceError("refused", "No.")

    add("一次")
    with pytest.raises(ServiceError):
        add("两次", fail=True)
    add("三次")
    assert [bool(_user_named(db, n)) for n in ("一次", "两次", "三次")] == [True, False, True]


def test_a_unit_inside_a_unit_is_refused(db):
    """An inner commit would split the outer unit, so nesting is a programming error."""
    with pytest.raises(RuntimeError, match="inside another"):
        with unit_of_work():
            _new_user(name="外")
            with unit_of_work():
                pass
    assert _user_named(db, "外") is None


@pytest.mark.parametrize("change", ["new", "dirty", "flushed", "dml"])
def test_locked_refuses_a_session_with_uncommitted_writes(db, change):
    """Taking the write lock would end the transaction: with writes in it that is refused, not committed."""
    user = _new_user(name="锁前")
    db.session.commit()
    if change == "new":
        db.session.add(User(name="未写", mobile="13500000001"))
    elif change == "dirty":
        user.name = "改了"
    elif change == "flushed":
        user.name = "改了"
        db.session.flush()
    else:
        db.session.execute(update(User).where(User.id == user.id).values(name="改了"))
    with pytest.raises(RuntimeError, match="uncommitted"):
        with unit_of_work(locked=True):
            pass
    with pytest.raises(RuntimeError, match="uncommitted"):
        start_locked_transaction()
    db.session.rollback()
    assert db.session.get(User, user.id).name == "锁前"


def test_locked_after_only_reading_is_allowed(db):
    """A transaction that has only read may be ended to take the lock; the block's work is committed."""
    user = _new_user(name="只读")
    db.session.commit()
    db.session.scalar(select(User).where(User.id == user.id))
    with unit_of_work(locked=True):
        db.session.get(User, user.id).name = "锁后"
        start_locked_transaction()  # already holding the lock: changes nothing, refuses nothing
    db.session.expire_all()
    assert db.session.get(User, user.id).name == "锁后"


def test_a_token_check_writes_nothing_and_the_api_edge_touches_it(client, db):
    """user_for_token only looks up; a request with the token records its last use."""
    user = _new_user(name="令牌")
    raw = issue_token(user)
    db.session.commit()
    found = user_for_token(raw)
    assert found.user.id == user.id and found.needs_touch
    assert not has_uncommitted_writes()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    db.session.expire_all()
    token = db.session.get(ApiToken, found.token_id)
    assert token.last_used_at is not None
    assert not user_for_token(raw).needs_touch


def test_a_refused_form_leaves_the_database_unchanged(admin_client, db):
    """The admin edit page saves the new name, then refuses the weak password: neither is kept."""
    user = _new_user(name="原名", password="correct-horse-7")
    db.session.commit()
    page = f"/admin/users/{user.id}/edit"
    response = admin_client.post(page, data={"csrf_token": csrf_token(admin_client, page), "name": "新名",
                                             "mobile": user.mobile, "roles": ["student"], "password": "aaaaaa"})
    assert response.status_code == 400
    assert "密码不能全是同一个字符。" in response.get_data(as_text=True)
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.name == "原名" and user.check_password("correct-horse-7")
