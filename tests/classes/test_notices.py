"""Announcements (通知): a teacher writes, members see it first on the home page until 「知道了」, the
teacher sees who has read it; only members read and mark, only the class's teachers write; moved
and cancelled sessions announce themselves in the same unit of work; the text is always escaped."""
from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest
from flask_babel import force_locale

from elearn.classes import enrolment, notices, schedule, services
from elearn.classes.notices_models import Notice, NoticeReceipt
from elearn.core.errors import ServiceError
from elearn.core.timeutil import to_local, utcnow
from tests.clients import bearer, csrf_token, sign_in
from tests.factories import make_user


@pytest.fixture
def cls(db):
    """A class with a teacher, an assistant and two members; a teacher of another class; an outsider."""
    today = to_local(utcnow()).date()
    term = services.save_term(None, name="本学期", starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=60))
    teacher = make_user(db, roles=("teacher",), name="李老师", fast_hash=True)
    other_teacher = make_user(db, roles=("teacher",), name="王老师", fast_hash=True)
    assistant = make_user(db, name="班长", fast_hash=True)
    group = services.save_class(None, term=term, name="书法一班", teacher_ids=[teacher.id], assistant_ids=[assistant.id],
                                room="301")
    services.save_class(None, term=term, name="国画班", teacher_ids=[other_teacher.id])
    members = [make_user(db, name=n, fast_hash=True) for n in ("张三", "李四")]
    for person in members:
        enrolment.enrol(group, person.id, now=utcnow() - timedelta(days=10))
    outsider = make_user(db, name="路人", fast_hash=True)
    db.session.commit()
    return type("Cls", (), dict(teacher=teacher, other_teacher=other_teacher, assistant=assistant, group=group,
                                members=members, outsider=outsider, term=term))


def _client(app, user):
    client = app.test_client()
    sign_in(client, user)
    return client


def _write(app, user, group, title, body):
    client = _client(app, user)
    path = f"/classes/{group.id}/notices"
    return client.post(path, data={"csrf_token": csrf_token(client, "/"), "title": title, "body": body})


def test_written_shown_first_on_the_home_page_until_read_and_counted(app, db, cls):
    answer = _write(app, cls.teacher, cls.group, "下周停车场维修", "请大家坐公交来。\n第二行")
    assert answer.status_code == 302
    notice = db.session.query(Notice).one()
    reader = _client(app, cls.members[0])
    home = reader.get("/").get_data(as_text=True)
    assert "下周停车场维修" in home and "请大家坐公交来。\n第二行" in home and "知道了" in home and "朗读" in home
    # At the top: before 「继续学习」's place and before the 下次上课 panel.
    assert home.index('id="notices-panel-title"') < home.index('<p class="lead">')
    assert home.index('id="notices-panel-title"') < home.index("home-catalogue")
    # 「知道了」 is a plain form: it works without JavaScript and leads back home.
    done = reader.post(f"/notices/{notice.id}/read", data={"csrf_token": csrf_token(reader, "/")})
    assert done.status_code == 302 and done.headers["Location"].endswith("/")
    assert "下周停车场维修" not in reader.get("/").get_data(as_text=True)
    # Still on 「我的通知」, as read.
    listed = reader.get("/notices").get_data(as_text=True)
    assert "下周停车场维修" in listed and "看过" in listed
    # The teacher: 1 of 2, and who has not read it.
    page = _client(app, cls.teacher).get(f"/classes/{cls.group.id}/notices").get_data(as_text=True)
    assert "2人中已有1人看过" in page
    not_read = re.search(r'<ul class="notice-not-read">(.*?)</ul>', page, re.DOTALL).group(1)
    assert "李四" in not_read and "张三" not in not_read


def test_pressing_got_it_twice_keeps_the_first_time(db, cls):
    notice = notices.post_notice(cls.group, cls.teacher, title="通知", body="内容")
    first = notices.mark_read(notice, cls.members[0], now=utcnow() - timedelta(hours=1)).read_at
    assert notices.mark_read(notice, cls.members[0]).read_at == first
    assert notices.read_counts([notice])[notice.id] == (1, 2)


def test_someone_who_joins_later_is_not_counted(db, cls):
    notice = notices.post_notice(cls.group, cls.teacher, title="通知", body="内容")
    enrolment.enrol(cls.group, cls.outsider.id)
    assert notices.read_counts([notice])[notice.id] == (0, 2)
    assert notices.receipts_of(cls.outsider.id) == []


def test_a_non_member_can_neither_read_nor_mark(app, db, cls):
    notice = notices.post_notice(cls.group, cls.teacher, title="只给本班", body="内容")
    db.session.commit()
    outsider = _client(app, cls.outsider)
    assert "只给本班" not in outsider.get("/").get_data(as_text=True)
    assert "只给本班" not in outsider.get("/notices").get_data(as_text=True)
    token = csrf_token(outsider, "/")
    assert outsider.post(f"/notices/{notice.id}/read", data={"csrf_token": token}).status_code == 403
    assert app.test_client().post(f"/api/v1/notices/{notice.id}/read", headers=bearer(db, cls.outsider)).status_code == 403
    assert app.test_client().get("/api/v1/notices", headers=bearer(db, cls.outsider)).get_json() == []
    # Members and assistants do not see the teachers' page or the read counts.
    for user in (cls.members[0], cls.assistant, cls.outsider):
        assert _client(app, user).get(f"/classes/{cls.group.id}/notices").status_code == 403
        assert app.test_client().get(f"/api/v1/notices/{notice.id}/reads", headers=bearer(db, user)).status_code == 403
    assert db.session.query(NoticeReceipt).filter(NoticeReceipt.read_at.isnot(None)).count() == 0


def test_a_teacher_of_another_class_cannot_write(app, db, cls):
    assert _write(app, cls.other_teacher, cls.group, "冒充", "内容").status_code == 403
    answer = app.test_client().post(f"/api/v1/classes/{cls.group.id}/notices", headers=bearer(db, cls.other_teacher),
                                    json={"title": "冒充", "body": "内容"})
    assert answer.status_code == 403
    assert _write(app, cls.assistant, cls.group, "班长写", "内容").status_code == 403
    assert db.session.query(Notice).count() == 0
    admin = make_user(db, roles=("admin",), fast_hash=True)
    assert _write(app, admin, cls.group, "教务处", "内容").status_code == 302


def test_html_in_title_and_body_is_shown_as_text(app, db, cls):
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    assert _write(app, cls.teacher, cls.group, attack, attack + "\n" + attack).status_code == 302
    pages = [_client(app, cls.members[0]).get("/").get_data(as_text=True),
             _client(app, cls.members[0]).get("/notices").get_data(as_text=True),
             _client(app, cls.teacher).get(f"/classes/{cls.group.id}/notices").get_data(as_text=True)]
    for page in pages:
        assert "&lt;script&gt;alert(" in page and "&lt;img src=x onerror=alert(1)&gt;" in page
        assert '<script>alert("x")' not in page and "<img src=x" not in page


def test_bad_text_is_refused_plainly_and_writes_nothing(app, db, cls):
    answer = _write(app, cls.teacher, cls.group, "标题", "有\x00控制符")
    assert answer.status_code == 400 and "隐藏控制字符" in answer.get_data(as_text=True)
    answer = _write(app, cls.teacher, cls.group, "   ", "内容")
    assert answer.status_code == 422 and "请填写这一项" in answer.get_data(as_text=True)
    answer = _write(app, cls.teacher, cls.group, "标题", "长" * (notices.BODY_MAX + 1))
    assert answer.status_code == 400
    assert db.session.query(Notice).count() == 0
    # Invisible direction marks are dropped, as everywhere else.
    notice = notices.post_notice(cls.group, cls.teacher, title="张三\u202eabc", body="ok\u200b")
    assert (notice.title, notice.body) == ("张三abc", "ok")
    with pytest.raises(ServiceError) as refused:
        notices.post_notice(cls.group, cls.teacher, title="长" * (notices.TITLE_MAX + 1), body="x")
    assert (refused.value.code, refused.value.status) == ("too_long", 422)


@pytest.fixture
def spring(db, cls):
    """A term in 2027 (the sessions are in the future whatever today is)."""
    term = services.save_term(None, name="2027年春季学期", starts_on=date(2027, 3, 1), ends_on=date(2027, 3, 31))
    group = services.save_class(None, term=term, name="太极班", teacher_ids=[cls.teacher.id], room="体育馆")
    for person in cls.members:
        enrolment.enrol(group, person.id)
    db.session.commit()
    return group


def test_moving_a_session_announces_old_and_new_time(app, db, cls, spring):
    session = schedule.add_session(spring, day=date(2027, 3, 3), starts=time(14, 0), minutes=60)
    schedule.move_session(session, day=date(2027, 3, 4), starts=time(15, 30), room="201")
    notice = db.session.query(Notice).one()
    assert notice.kind == "moved" and notice.session_id == session.id and notice.author is None
    assert notices.read_counts([notice])[notice.id] == (0, 2)
    with app.test_request_context():
        with force_locale("zh"):
            title, body = notices.words(notice)
        assert title == "太极班：上课时间改了"
        # Site time (Asia/Shanghai), not UTC: 14:00 and 15:30, not 06:00 and 07:30.
        assert body == "原定2027年3月3日 14:00的课，改到2027年3月4日 15:30上，教室是201。"
        with force_locale("en"):
            title, body = notices.words(notice)
        assert title == "太极班: a session has moved"
        assert body == "The session on 3 Mar 2027, 14:00 has moved to 4 Mar 2027, 15:30, in room 201."


def test_cancelling_a_session_announces_it_once(app, db, cls, spring):
    session = schedule.add_session(spring, day=date(2027, 3, 10), starts=time(9, 0), minutes=60)
    schedule.cancel_session(session)
    schedule.cancel_session(session)
    notice = db.session.query(Notice).one()
    with app.test_request_context(), force_locale("zh"):
        assert notices.words(notice) == ("太极班：停课一次", "原定2027年3月10日 09:00的课取消了，那天不上课。")
    # The members see it on their home page, in their language.
    db.session.commit()
    home = _client(app, cls.members[1]).get("/").get_data(as_text=True)
    assert "太极班：停课一次" in home and "课程变动" in home


def test_a_refused_move_leaves_no_notice(db, cls, spring):
    session = schedule.add_session(spring, day=date(2027, 3, 3), starts=time(14, 0), minutes=60)
    schedule.cancel_session(session)
    db.session.query(Notice).delete()
    with pytest.raises(ServiceError):
        schedule.move_session(session, day=date(2027, 3, 4), starts=time(15, 0))
    with pytest.raises(ServiceError):
        schedule.move_session(schedule.add_session(spring, day=date(2027, 3, 5), starts=time(9, 0), minutes=60),
                              day=date(2027, 3, 5), starts=time(9, 0), minutes=5)
    assert db.session.query(Notice).count() == 0


def test_a_holiday_found_later_cancels_with_a_notice(db, cls, spring):
    rule = schedule.add_weekly(spring, weekday=0, starts=time(9, 0), minutes=60)
    assert schedule.skip_date(rule, date(2027, 3, 8)) is not None
    assert [n.kind for n in db.session.query(Notice)] == ["cancelled"]


def test_the_api(app, db, cls):
    headers = bearer(db, cls.teacher)
    url = f"/api/v1/classes/{cls.group.id}/notices"
    made = app.test_client().post(url, headers=headers, json={"title": "<b>明天</b>", "body": "带扇子"})
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert (body["title"], body["read"], body["total"], body["kind"]) == ("<b>明天</b>", 0, 2, "message")
    assert app.test_client().post(url, headers=headers, json={"title": "x", "body": "a\x00"}).status_code in (400, 422)
    member = bearer(db, cls.members[0])
    mine = app.test_client().get("/api/v1/notices", headers=member).get_json()
    assert [(n["id"], n["read_at"]) for n in mine] == [(body["id"], None)]
    read = app.test_client().post(f"/api/v1/notices/{body['id']}/read", headers=member)
    assert read.status_code == 200 and read.get_json()["read_at"].endswith("Z")
    reads = app.test_client().get(f"/api/v1/notices/{body['id']}/reads", headers=headers).get_json()
    assert reads == {"notice": body["id"], "read": 1, "total": 2, "not_read": ["李四"]}
    listed = app.test_client().get(url, headers=headers).get_json()
    assert [(n["id"], n["read"], n["total"]) for n in listed] == [(body["id"], 1, 2)]
    assert app.test_client().post("/api/v1/notices/999999/read", headers=member).status_code == 404
