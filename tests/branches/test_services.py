"""Branches on their own: members and the privacy of party details, activities with the expected roster
per type through the shared attendance engine, minutes revisions and their lock, compliance by quarter
in Asia/Shanghai time. The clock is injected (``now=``), never slept."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from elearn.core.permissions import SYSTEM
from elearn.attendance import models as am, services as attendance
from elearn.branches import activities, compliance, models as m, services
from elearn.branches.permissions import can_run_branch, can_view_party_details
from elearn.core.errors import ServiceError
from tests.factories import make_user

NOW = datetime(2026, 11, 20, 2, 0)  # 10:00 on 20 November in Asia/Shanghai


@pytest.fixture
def branch_world(db):
    branch = services.save_branch(None, name="书法一班党支部")
    group_a, group_b = services.add_group(branch, "第一党小组"), services.add_group(branch, "第二党小组")
    people = {name: make_user(db, name=name) for name in ("王书记", "李委员", "张党员", "赵党员", "钱同学")}
    joined = NOW - timedelta(days=200)
    services.add_member(branch, people["王书记"], officer_role=m.SECRETARY, group=group_a, now=joined, actor=SYSTEM)
    services.add_member(branch, people["李委员"], officer_role=m.ORGANISATION, group=group_b, now=joined, actor=SYSTEM)
    services.add_member(branch, people["张党员"], group=group_a, now=joined, actor=SYSTEM)
    services.add_member(branch, people["赵党员"], group=group_b, now=joined, actor=SYSTEM)
    db.session.commit()
    return branch, people, (group_a, group_b)


def held(branch, people, kind, when, group=None, **extra):
    return activities.create_activity(branch, kind=kind, topic="学习党章", starts_at=when,
                                      ends_at=when + timedelta(hours=2), actor=people["王书记"], group=group,
                                      now=NOW, **extra)


def test_the_expected_roster_follows_the_type_of_activity(db, branch_world):
    branch, people, (group_a, _b) = branch_world
    ids = {name: user.id for name, user in people.items()}
    general = held(branch, people, m.GENERAL_MEETING, NOW - timedelta(days=1))
    committee = held(branch, people, m.COMMITTEE, NOW - timedelta(days=1))
    group_meeting = held(branch, people, m.GROUP_MEETING, NOW - timedelta(days=1), group=group_a)
    roster = lambda a: set(attendance.roster(activities.event_of(a)))  # noqa: E731
    assert roster(general) == {ids["王书记"], ids["李委员"], ids["张党员"], ids["赵党员"]}
    assert roster(committee) == {ids["王书记"], ids["李委员"]}
    assert roster(group_meeting) == {ids["王书记"], ids["张党员"]}
    assert ids["钱同学"] not in roster(general)  # a classmate outside the branch is never expected


def test_a_member_who_joined_after_or_left_before_is_not_expected(db, branch_world):
    branch, people, _groups = branch_world
    late = make_user(db, name="孙新人")
    services.add_member(branch, late, now=NOW, actor=SYSTEM)
    member = db.session.scalar(select(m.BranchMember).filter_by(user_id=people["赵党员"].id))
    services.remove_member(member, now=NOW - timedelta(days=5))
    earlier = held(branch, people, m.LECTURE, NOW - timedelta(days=3))
    roster = attendance.roster(activities.event_of(earlier))
    assert late.id not in roster and people["赵党员"].id not in roster and people["张党员"].id in roster
    assert member.left_at is not None and db.session.get(m.BranchMember, member.id) is not None  # kept


def test_officers_mark_through_the_engine_and_others_cannot(db, branch_world):
    branch, people, _groups = branch_world
    activity = held(branch, people, m.THEME_DAY, NOW - timedelta(hours=3))
    event = activities.event_of(activity)
    record = attendance.mark(event, people["张党员"].id, am.PRESENT, actor=people["李委员"], now=NOW)
    assert record.source == am.BY_OFFICER and record.changes[-1].actor_id == people["李委员"].id
    with pytest.raises(ServiceError) as refused:
        attendance.mark(event, people["赵党员"].id, am.PRESENT, actor=people["张党员"], now=NOW)
    assert refused.value.status == 403
    with pytest.raises(ServiceError):  # a caller cannot claim the officer's source for itself
        attendance.mark(event, people["赵党员"].id, am.PRESENT, actor=people["张党员"], source=am.BY_OFFICER, now=NOW)


def test_party_details_need_consent_and_every_showing_is_logged(db, branch_world):
    branch, people, _groups = branch_world
    member = db.session.scalar(select(m.BranchMember).filter_by(user_id=people["张党员"].id))
    with pytest.raises(ServiceError) as refused:
        services.set_party_details(member, status=m.FULL, joined_on=date(1975, 7, 1), full_on=date(1976, 7, 1),
                                   consented=False, actor=people["王书记"], now=NOW)
    assert refused.value.code == "consent_needed" and member.party_status is None
    services.set_party_details(member, status=m.FULL, joined_on=date(1975, 7, 1), full_on=date(1976, 7, 1),
                               consented=True, actor=people["王书记"], now=NOW)
    assert member.consent_at == NOW and member.consent_by_id == people["王书记"].id
    with pytest.raises(ServiceError):  # full membership before joining
        services.set_party_details(member, status=m.FULL, joined_on=date(1976, 7, 1), full_on=date(1975, 7, 1),
                                   consented=True, actor=people["王书记"], now=NOW)
    details = services.party_details(member, people["王书记"], "page", now=NOW)
    assert details["joined_on"] == date(1975, 7, 1)
    log = services.access_log(branch.id)
    assert [(row.viewer_name, row.member_name, row.channel) for row in log] == [("王书记", "张党员", "page")]
    assert can_view_party_details(people["王书记"], branch) and can_view_party_details(people["李委员"], branch)
    assert not can_view_party_details(people["赵党员"], branch)  # a fellow member
    assert not can_view_party_details(people["钱同学"], branch)  # a classmate
    assert not can_run_branch(people["张党员"], branch)


def test_the_same_person_twice_is_refused_and_a_returning_member_keeps_their_row(db, branch_world):
    branch, people, _groups = branch_world
    with pytest.raises(ServiceError) as twice:
        services.add_member(branch, people["张党员"], actor=SYSTEM)
    assert twice.value.status == 409
    member = db.session.scalar(select(m.BranchMember).filter_by(user_id=people["张党员"].id))
    services.remove_member(member, now=NOW)
    again = services.add_member(branch, people["张党员"], now=NOW + timedelta(days=1), actor=SYSTEM)
    assert again.id == member.id and again.left_at is None


def test_a_deleted_account_keeps_its_name_and_attendance_in_the_register(db, branch_world):
    branch, people, _groups = branch_world
    activity = held(branch, people, m.LECTURE, NOW - timedelta(hours=3))
    attendance.mark(activities.event_of(activity), people["张党员"].id, am.PRESENT, actor=people["王书记"], now=NOW)
    member = db.session.scalar(select(m.BranchMember).filter_by(user_id=people["张党员"].id))
    services.set_party_details(member, status=m.FULL, joined_on=date(1975, 7, 1), full_on=None, consented=True,
                               actor=people["王书记"], now=NOW)
    services.forget_person(people["张党员"].id)
    db.session.delete(people["张党员"])
    db.session.commit()
    member = db.session.get(m.BranchMember, member.id)
    assert member.person_name == "张党员" and member.user_id is None and member.party_status is None
    record = db.session.scalar(select(am.AttendanceRecord).where(am.AttendanceRecord.person_name == "张党员"))
    assert record is not None and record.status == am.PRESENT


def test_activities_more_than_a_year_back_and_bad_fields_are_refused(db, branch_world):
    branch, people, (group_a, _b) = branch_world
    with pytest.raises(ServiceError) as old:
        held(branch, people, m.LECTURE, NOW - timedelta(days=400))
    assert old.value.code == "too_old"
    with pytest.raises(ServiceError) as no_group:
        held(branch, people, m.GROUP_MEETING, NOW)
    assert no_group.value.code == "group_needed"
    with pytest.raises(ServiceError) as unnamed:
        held(branch, people, m.CUSTOM, NOW)
    assert unnamed.value.code == "required"
    other = services.save_branch(None, name="另一个支部")
    foreign = services.add_group(other, "外组")
    with pytest.raises(ServiceError):
        held(branch, people, m.GROUP_MEETING, NOW, group=foreign)
    assert db.session.scalar(select(func.count()).select_from(m.Activity)) == 0


def test_minutes_keep_every_revision_lock_on_approval_and_corrections_show(db, branch_world):
    branch, people, _groups = branch_world
    activity = held(branch, people, m.GENERAL_MEETING, NOW - timedelta(days=1))
    first = activities.save_minutes(activity, "会议由王书记主持。<script>alert(1)</script>", actor=people["李委员"])
    assert activities.save_minutes(activity, "会议由王书记主持。<script>alert(1)</script>",
                                   actor=people["李委员"]).id == first.id  # a double click: one revision
    second = activities.save_minutes(activity, "会议由王书记主持，全体党员参加。", actor=people["李委员"])
    with pytest.raises(ServiceError) as not_secretary:
        activities.approve_minutes(activity, actor=people["李委员"])
    assert not_secretary.value.status == 403
    approved = activities.approve_minutes(activity, actor=people["王书记"], now=NOW)
    assert approved.id == second.id and approved.approved_at == NOW
    correction = activities.save_minutes(activity, "更正：缺席一人。", actor=people["王书记"])
    assert [r.number for r in activity.minutes] == [1, 2, 3]
    assert activities.is_correction(correction) and not activities.is_correction(second)
    assert activities.approved_minutes(activity).body_md == "会议由王书记主持，全体党员参加。"
    with pytest.raises(ServiceError) as huge:
        activities.save_minutes(activity, "长" * (activities.MINUTES_LIMIT + 1), actor=people["王书记"])
    assert huge.value.status == 413


def test_compliance_by_quarter_on_the_site_clock(db, branch_world):
    branch, people, (group_a, group_b) = branch_world
    # 2026-Q4 in Shanghai: October, November (now: 20 Nov), December still ahead.
    oct_first_local = datetime(2026, 9, 30, 16, 30)  # 00:30 on 1 October in Shanghai: October, not September
    held(branch, people, m.THEME_DAY, oct_first_local)
    held(branch, people, m.COMMITTEE, datetime(2026, 10, 10, 2, 0))
    held(branch, people, m.COMMITTEE, datetime(2026, 11, 10, 2, 0))
    held(branch, people, m.GROUP_MEETING, datetime(2026, 10, 12, 2, 0), group=group_a)
    held(branch, people, m.GROUP_MEETING, datetime(2026, 10, 12, 2, 0), group=group_b)
    held(branch, people, m.LECTURE, datetime(2026, 11, 25, 2, 0))  # in the future: not held yet
    report = compliance.quarter_report(branch, now=NOW)
    states = {(c.kind, c.period.label, c.group.name if c.group else None): c.state for c in report.checks}
    assert report.quarter.label == "2026-Q4"
    assert states[(m.THEME_DAY, "2026-10", None)] == compliance.MET
    assert states[(m.THEME_DAY, "2026-11", None)] == compliance.DUE
    assert (m.THEME_DAY, "2026-12", None) not in states  # still ahead
    assert states[(m.COMMITTEE, "2026-10", None)] == states[(m.COMMITTEE, "2026-11", None)] == compliance.MET
    assert states[(m.GROUP_MEETING, "2026-10", "第一党小组")] == compliance.MET
    assert states[(m.GROUP_MEETING, "2026-11", "第二党小组")] == compliance.DUE
    assert states[(m.LECTURE, "2026-Q4", None)] == compliance.DUE
    assert states[(m.GENERAL_MEETING, "2026-Q4", None)] == compliance.DUE
    # The quarter before ended without a general meeting: missed.
    september = compliance.quarter_report(branch, day=date(2026, 9, 15), now=NOW)
    assert september.quarter.label == "2026-Q3" and not september.met
    assert any(c.kind == m.GENERAL_MEETING and c.state == compliance.MISSED for c in september.missed)


def test_compliance_lists_absences_not_made_up(db, branch_world):
    branch, people, _groups = branch_world
    activity = held(branch, people, m.GENERAL_MEETING, datetime(2026, 11, 3, 2, 0))
    event = activities.event_of(activity)
    attendance.mark(event, people["张党员"].id, am.ABSENT, actor=people["王书记"], now=NOW)
    attendance.mark(event, people["赵党员"].id, am.MADE_UP, actor=people["王书记"], now=NOW)
    report = compliance.quarter_report(branch, now=NOW)
    assert [(name, a.id) for name, a in report.absent] == [("张党员", activity.id)]
