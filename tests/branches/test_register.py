"""The 三会一课 register (.xlsx) and an activity's printable record: figures read back with openpyxl,
a year counted in Asia/Shanghai time (an activity on the evening of 31 December and one in the early
morning of 1 January, which is still 31 December in UTC), names that look like formulas kept as text,
and who may have them."""
from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from elearn.core.permissions import SYSTEM
from elearn.attendance import models as am
from elearn.attendance import services as attendance
from elearn.branches import activities, models as m, services
from elearn.core.timeutil import from_site_time
from tests.clients import sign_in
from tests.factories import make_user

FORMULA_NAME = "=HYPERLINK(\"http://evil\",\"点我\")"


class World:
    pass


def _activity(branch, secretary, kind, topic, starts_at, **fields):
    return activities.create_activity(branch, kind=kind, topic=topic, starts_at=starts_at,
                                      ends_at=starts_at + timedelta(hours=1), actor=secretary,
                                      now=starts_at, **fields)


@pytest.fixture
def world(db):
    w = World()
    w.secretary = make_user(db, roles=["teacher"], name="王书记")
    w.injector = make_user(db, roles=["student"], name=FORMULA_NAME)
    w.excused = make_user(db, roles=["student"], name="李请假")
    w.absent = make_user(db, roles=["student"], name="赵缺席")
    w.classmate = make_user(db, roles=["student"], name="钱同学")
    w.admin = make_user(db, roles=["admin"], name="管理员")
    w.branch = services.save_branch(None, name="书法一班党支部")
    joined = datetime(2025, 6, 1)
    services.add_member(w.branch, w.secretary, officer_role=m.SECRETARY, now=joined, actor=SYSTEM)
    for person in (w.injector, w.excused, w.absent):
        services.add_member(w.branch, person, now=joined, actor=SYSTEM)
    # 20:00 on 31 December in Shanghai (12:00 UTC), and 07:00 on 1 January (23:00 UTC on 31 December).
    w.old_year = _activity(w.branch, w.secretary, m.THEME_DAY, "岁末主题党日",
                           from_site_time(date(2025, 12, 31), time(20, 0)), agenda="一、回顾一年")
    w.new_year = _activity(w.branch, w.secretary, m.LECTURE, "新年第一课",
                           from_site_time(date(2026, 1, 1), time(7, 0)))
    assert w.new_year.starts_at.date() == date(2025, 12, 31)
    _mark(w.old_year, w.secretary, {w.secretary: am.PRESENT, w.injector: am.PRESENT, w.excused: am.EXCUSED,
                                    w.absent: am.ABSENT})
    _mark(w.new_year, w.secretary, {w.secretary: am.PRESENT, w.injector: am.LATE, w.excused: am.MADE_UP})
    db.session.commit()
    return w


def _mark(activity, officer, marks):
    event = activities.event_of(activity)
    for person, status in marks.items():
        attendance.mark(event, person.id, status, actor=officer, now=activity.starts_at + timedelta(minutes=5))


def _get(app, person, url):
    return sign_in(app.test_client(), person).get(url)


def _sheets(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(response.data))
    activities_sheet, members_sheet = book.worksheets
    return list(activities_sheet.iter_rows()), list(members_sheet.iter_rows())


def _values(row):
    return [cell.value for cell in row]


def test_the_register_counts_each_year_in_shanghai_time_and_rates_each_member(app, db, world):
    url = f"/branches/{world.branch.id}/register.xlsx"
    log_before = db.session.scalar(select(func.count()).select_from(m.MembershipAccess))
    rows, members = _sheets(_get(app, world.secretary, url + "?year=2025"))
    assert _values(rows[0])[:9] == ["日期", "类型", "内容", "应到", "出勤", "补学", "请假", "缺勤", "未记录"]
    assert len(rows) == 2  # the heading and the evening of 31 December only
    first = _values(rows[1])
    assert first[0].date() == date(2025, 12, 31) and first[1:9] == ["主题党日", "岁末主题党日", 4, 2, 0, 1, 1, 0]
    assert first[9] == f"{FORMULA_NAME}、王书记" and first[11:13] == ["李请假", "赵缺席"]

    rows, members = _sheets(_get(app, world.secretary, url + "?year=2026"))
    assert len(rows) == 2
    second = _values(rows[1])
    # 07:00 on 1 January belongs to 2026 although it is 23:00 on 31 December in UTC.
    assert second[0].date() == date(2026, 1, 1) and second[1:9] == ["党课", "新年第一课", 4, 2, 1, 0, 0, 1]
    assert second[10] == "李请假" and second[13] == "赵缺席"

    by_name = {row[0].value: _values(row) for row in members[1:]}
    assert set(by_name) == {FORMULA_NAME, "王书记", "李请假", "赵缺席"}
    assert by_name["王书记"][-1] == 1 and by_name["李请假"][-1] == 1 and by_name[FORMULA_NAME][-1] == 1
    assert by_name["赵缺席"][-1] is None  # never marked in 2026: no "0 %"

    # Both years at once (chosen days): the yearly rates add up.
    rows, members = _sheets(_get(app, world.secretary, url + "?start=2025-12-01&end=2026-01-31"))
    assert [_values(row)[2] for row in rows[1:]] == ["岁末主题党日", "新年第一课"]
    by_name = {row[0].value: _values(row) for row in members[1:]}
    assert by_name["赵缺席"][-1] == 0 and by_name["李请假"][-1] == 1  # 请假 does not count against
    # The register holds no party details, so the access log gains nothing.
    assert db.session.scalar(select(func.count()).select_from(m.MembershipAccess)) == log_before


def test_a_name_that_looks_like_a_formula_is_written_as_text(app, db, world):
    rows, members = _sheets(_get(app, world.secretary, f"/branches/{world.branch.id}/register.xlsx?year=2025"))
    injector = next(row for row in members if row[0].value == FORMULA_NAME)
    assert injector[0].data_type == "s"
    assert rows[1][9].data_type == "s" and rows[1][9].value.startswith("=")


def test_the_register_is_for_officers_and_admins_only(app, db, world):
    url = f"/branches/{world.branch.id}/register.xlsx?year=2025"
    assert _get(app, world.injector, url).status_code == 403
    assert _get(app, world.classmate, url).status_code == 403
    assert _get(app, world.admin, url).status_code == 200


@pytest.mark.parametrize("query", ["year=abc", "year=99999", "year=1066", "start=2026-05-01&end=2026-01-01",
                                   "start=2026-01-01", "start=2020-01-01&end=2026-01-01",
                                   "start=9999-12-31&end=9999-12-31"])
def test_a_bad_period_gets_a_clear_answer(app, db, world, query):
    answer = _get(app, world.secretary, f"/branches/{world.branch.id}/register.xlsx?{query}")
    assert answer.status_code == 400
    text = answer.get_data(as_text=True)
    assert "请" in text or "最后一天" in text


# ---------------------------------------------------------------- the printable record

def test_the_printable_record_shows_the_draft_then_the_approved_minutes_and_the_sign_in_list(app, db, world):
    url = f"/branches/activities/{world.old_year.id}/print"
    activities.save_minutes(world.old_year, "王书记主持，**全体**回顾。", actor=world.secretary)
    db.session.commit()
    page = _get(app, world.secretary, url).get_data(as_text=True)
    assert "岁末主题党日" in page and "一、回顾一年" in page and "草稿，尚未审定" in page
    assert "<strong>全体</strong>" in page
    for name, status in (("王书记", "出勤"), ("李请假", "请假"), ("赵缺席", "缺勤")):
        assert f'<th scope="row">{name}</th><td>{status}</td>' in page
    assert "签名" in page and "应到：4" in page
    activities.approve_minutes(world.old_year, actor=world.secretary)
    activities.save_minutes(world.old_year, "更正后的记录，还没审定。", actor=world.secretary)
    db.session.commit()
    page = _get(app, world.secretary, url).get_data(as_text=True)
    assert "审定" in page and "全体" in page and "更正后的记录" not in page and "草稿，尚未审定" not in page


def test_the_printable_record_is_for_officers_and_admins(app, db, world):
    url = f"/branches/activities/{world.old_year.id}/print"
    assert _get(app, world.injector, url).status_code == 403
    assert _get(app, world.classmate, url).status_code == 403
    assert _get(app, world.admin, url).status_code == 200
