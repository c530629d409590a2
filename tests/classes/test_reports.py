"""Attendance reports: rates (late enrolment, excused), the .xlsx and .csv read back, the printable
sign-in sheet, the private .ics feed parsed with icalendar, and who may see what."""
from __future__ import annotations

import csv
import io
from datetime import timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from openpyxl import load_workbook

from elearn.attendance import models as am, services as attendance
from elearn.classes import enrolment, reports, schedule, services
from elearn.core.errors import ServiceError
from elearn.core.timeutil import to_local, utcnow
from tests.clients import csrf_token, sign_in
from tests.factories import make_user


def _session_at(group, when, **fields):
    local = to_local(when)
    return schedule.add_session(group, day=local.date(), starts=local.time().replace(second=0, microsecond=0),
                                minutes=90, **fields)


@pytest.fixture
def term(db):
    """Class 书法一班 (teacher 李老师): 王芳 and 陈静 from the start, 赵强 joined after the first session.
    Session 1: 王芳 present, 陈静 excused. Session 2: 王芳 absent, 赵强 late, 陈静 present.
    A second class 太极班 of another teacher, with one member."""
    today = to_local(utcnow()).date()
    term = services.save_term(None, name="2026秋季", starts_on=today - timedelta(days=40), ends_on=today + timedelta(days=60))
    teacher, other_teacher = (make_user(db, roles=("teacher",), name=n) for n in ("李老师", "周老师"))
    group = services.save_class(None, term=term, name="书法一班", teacher_ids=[teacher.id], room="301")
    other = services.save_class(None, term=term, name="太极班", teacher_ids=[other_teacher.id], room="102")
    first, second = _session_at(group, utcnow() - timedelta(days=10)), _session_at(group, utcnow() - timedelta(days=3))
    coming = _session_at(group, utcnow() + timedelta(days=4), topic="行书")
    wang, chen, zhao, liu = (make_user(db, name=n) for n in ("王芳", "陈静", "赵强", "刘洋"))
    for person in (wang, chen):
        enrolment.enrol(group, person.id, now=utcnow() - timedelta(days=20))
    enrolment.enrol(group, zhao.id, now=utcnow() - timedelta(days=5))
    enrolment.enrol(other, liu.id, now=utcnow() - timedelta(days=20))
    other_session = _session_at(other, utcnow() - timedelta(days=2))
    marks = {first: {wang: am.PRESENT, chen: am.EXCUSED}, second: {wang: am.ABSENT, zhao: am.LATE, chen: am.PRESENT}}
    for session, people in marks.items():
        for person, status in people.items():
            attendance.mark(schedule.event_of(session), person.id, status, actor=teacher)
    attendance.mark(schedule.event_of(other_session), liu.id, am.PRESENT, actor=other_teacher)
    db.session.commit()
    return type("Term", (), dict(term=term, group=group, other=other, teacher=teacher, other_teacher=other_teacher,
                                 first=first, second=second, coming=coming, wang=wang, chen=chen, zhao=zhao, liu=liu))


def _client(app, user):
    client = app.test_client()
    sign_in(client, user)
    return client


def test_rates_leave_out_sessions_before_joining_and_show_excused_apart(db, term):
    report = reports.class_reports([term.group])[0]
    rows = {row.name: row.tally for row in report.members}
    assert rows["王芳"].rate == 0.5 and rows["王芳"].counted == 2
    # 赵强 joined after the first session: it is not counted against him.
    assert rows["赵强"].rate == 1 and rows["赵强"].counted == 1
    assert rows["陈静"].rate == 1 and rows["陈静"].excused == 1 and rows["陈静"].counted == 1
    assert (report.total.attended, report.total.counted, report.total.excused) == (3, 4, 1)
    assert report.sessions_held == 2
    # He cannot be marked for the session before he joined either.
    with pytest.raises(ServiceError) as refused:
        attendance.mark(schedule.event_of(term.first), term.zhao.id, am.ABSENT, actor=term.teacher)
    assert refused.value.code == "not_expected"


def test_the_months_and_the_sessions_add_up(db, term):
    rows = reports.session_rows(term.group)
    assert [row.session.id for row in rows] == [term.first.id, term.second.id]  # the coming one is not there
    assert [row.tally.rate for row in rows] == [1, 2 / 3]
    months = reports.by_month([term.group.id])
    assert sum(tally.counted for _month, tally in months) == 4
    assert sum(tally.attended for _month, tally in reports.by_month([term.group.id, term.other.id])) == 4


def test_xlsx_has_a_sheet_per_class_chinese_headers_and_totals(app, db, term):
    term.other.name = "=太极/班:[周]*?" + "很长" * 20  # a name a sheet cannot have, and one Excel would run
    db.session.commit()
    answer = app.test_client()
    sign_in(answer, make_user(db, roles=("admin",)))
    response = answer.get(f"/classes/reports/terms/{term.term.id}.xlsx")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    assert len(book.sheetnames) == 2 and book.sheetnames[1] == "书法一班"
    odd = book.sheetnames[0]
    assert len(odd) <= 31 and not set("[]:*?/\\") & set(odd)
    sheet = [list(row) for row in book["书法一班"].iter_rows(values_only=True)]
    assert sheet[0] == ["姓名", "出勤", "迟到", "早退", "补学", "请假", "缺勤", "计入次数", "出勤次数", "出勤率"]
    assert sheet[1] == ["王芳", 1, 0, 0, 0, 0, 1, 2, 1, 0.5]
    assert sheet[-1] == ["合计", 2, 1, 0, 0, 1, 1, 4, 3, 0.75]
    assert book["书法一班"]["J2"].number_format == "0.0%"


def test_a_name_like_a_formula_stays_text_in_both_exports(app, db, term):
    term.wang.name = '=HYPERLINK("http://evil.example","点")'
    db.session.commit()
    client = _client(app, term.teacher)
    book = load_workbook(io.BytesIO(client.get(f"/classes/{term.group.id}/report.xlsx").data))
    cell = next(c for c in book.active["A"] if c.value and "HYPERLINK" in str(c.value))
    assert cell.data_type == "s"
    text = client.get(f"/classes/{term.group.id}/report.csv").data.decode("utf-8-sig")
    names = [row[1] for row in csv.reader(io.StringIO(text))]
    assert "'" + term.wang.name in names and term.wang.name not in names


def test_csv_opens_in_excel_with_chinese(app, db, term):
    response = _client(app, term.teacher).get(f"/classes/reports/terms/{term.term.id}.csv")
    assert response.data.startswith(b"\xef\xbb\xbf") and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["班级", "姓名", "出勤"]
    assert {row[0] for row in rows[1:]} == {"书法一班"}  # only the class this teacher teaches
    assert rows[-1][1] == "合计" and rows[-1][-1] == "75.0%"


def test_reports_are_for_the_class_teachers_and_the_office(app, db, term):
    group, session = term.group.id, term.second.id
    paths = [f"/classes/{group}/report", f"/classes/{group}/report.xlsx", f"/classes/{group}/report.csv",
             f"/classes/{group}/report/members/{term.wang.id}", f"/classes/sessions/{session}/report"]
    for user in (term.other_teacher, term.wang):
        client = _client(app, user)
        assert [client.get(path).status_code for path in paths] == [403] * len(paths)
    client = _client(app, term.teacher)
    assert [client.get(path).status_code for path in paths] == [200] * len(paths)
    assert _client(app, term.wang).get("/classes/reports").status_code == 403
    assert app.test_client().get(f"/classes/{group}/report").status_code == 302  # to sign in


def test_the_overview_shows_each_reader_their_classes(app, db, term):
    mine = _client(app, term.teacher).get(f"/classes/reports?term={term.term.id}").get_data(as_text=True)
    assert "书法一班" in mine and "太极班" not in mine and "<svg" in mine and "75%" in mine
    admin = _client(app, make_user(db, roles=("admin",))).get("/classes/reports").get_data(as_text=True)
    assert "书法一班" in admin and "太极班" in admin
    assert _client(app, term.teacher).get("/classes/reports?term=999999").status_code == 404


def test_class_member_and_session_pages(app, db, term):
    client = _client(app, term.teacher)
    page = client.get(f"/classes/{term.group.id}/report").get_data(as_text=True)
    assert "赵强" in page and "50%" in page and "<svg" in page
    page = client.get(f"/classes/{term.group.id}/report/members/{term.chen.id}").get_data(as_text=True)
    assert "陈静" in page and "请假" in page
    page = client.get(f"/classes/sessions/{term.first.id}/report").get_data(as_text=True)
    assert "王芳" in page and "赵强" not in page  # not expected at a session before he joined
    assert client.get(f"/classes/{term.group.id}/report/members/{term.liu.id}").status_code == 404


def test_sign_in_sheet_lists_the_expected_with_room_and_time(app, db, term):
    page = _client(app, term.teacher).get(f"/classes/sessions/{term.coming.id}/sign-in-sheet").get_data(as_text=True)
    for text in ("书法一班", "301", "行书", "王芳", "陈静", "赵强", "签名"):
        assert text in page
    assert _client(app, term.other_teacher).get(f"/classes/sessions/{term.coming.id}/sign-in-sheet").status_code == 403


def _feed_address(client):
    client.post("/classes/calendar", data={"csrf_token": csrf_token(client, "/classes")})
    page = client.get("/classes").get_data(as_text=True)
    start = page.index("/calendar/")
    return page[start:page.index('"', start)]


def test_the_calendar_feed_is_private_revocable_and_in_shanghai_time(app, db, term):
    client = _client(app, term.zhao)
    address = _feed_address(client)
    response = app.test_client().get(address)  # a phone's calendar does not sign in
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.data)
    events = {str(event["uid"]): event for event in calendar.walk("VEVENT")}
    coming = events[next(uid for uid in events if uid.startswith(f"class-session-{term.coming.id}@"))]
    start = coming.decoded("dtstart")
    assert start.tzinfo.key == "Asia/Shanghai" if hasattr(start.tzinfo, "key") else str(start.tzinfo) == "Asia/Shanghai"
    assert start == to_local(term.coming.starts_at) and start.utcoffset() == timedelta(hours=8)
    assert "书法一班" in str(coming["summary"]) and str(coming["location"]) == "301"
    assert calendar.walk("VTIMEZONE")
    # Renewing voids the old address; stopping voids every address; a forged one never worked.
    renewed = _feed_address(client)
    assert renewed != address and app.test_client().get(address).status_code == 404
    client.post("/classes/calendar/revoke", data={"csrf_token": csrf_token(client, "/classes")})
    assert app.test_client().get(renewed).status_code == 404
    forged = f"/calendar/{term.zhao.id}.{'0' * 32}.ics"
    assert app.test_client().get(forged).status_code == 404
    assert app.test_client().get("/calendar/99999999999999999999.abc.ics").status_code == 404


def test_a_cancelled_session_leaves_the_phone_calendar(app, db, term):
    client = _client(app, term.wang)
    address = _feed_address(client)
    schedule.cancel_session(term.coming)
    db.session.commit()
    calendar = icalendar.Calendar.from_ical(app.test_client().get(address).data)
    coming = next(e for e in calendar.walk("VEVENT") if str(e["uid"]).startswith(f"class-session-{term.coming.id}@"))
    assert str(coming["status"]) == "CANCELLED"
    assert ZoneInfo  # the site zone is Asia/Shanghai in the tests' config
