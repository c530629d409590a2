"""The branches API for every role: a classmate of the class the branch is built on, a member, an
officer (the secretary, and an organisation officer), the class's teacher, an admin. Party details
only for officers and admins (and the member themself), each showing logged with channel "api", and
none sent when the log cannot be written; bad input answered 4xx with nothing written."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text

from elearn.core.permissions import SYSTEM
from elearn.attendance import models as am
from elearn.branches import activities, services
from elearn.branches import models as m
from elearn.classes import enrolment
from elearn.classes import services as classes
from elearn.core.timeutil import to_local, utcnow
from tests.clients import bearer
from tests.factories import make_user


@pytest.fixture
def world(app, db):
    """A branch built on a class: its teacher is not in the branch, one classmate is not either."""
    today = to_local(utcnow()).date()
    term = classes.save_term(None, name="本学期", starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=60))
    teacher = make_user(db, roles=("teacher",), name="王老师")
    group = classes.save_class(None, term=term, name="书法一班", teacher_ids=[teacher.id])
    people = {name: make_user(db, name=name) for name in ("王书记", "李委员", "张党员", "钱同学")}
    admin = make_user(db, roles=("admin",), name="管理员")
    for person in people.values():
        enrolment.enrol(group, person.id)
    branch = services.save_branch(None, name="书法一班党支部")
    services.link_class(branch, group.id)
    party_group = services.add_group(branch, "第一党小组")
    joined = utcnow() - timedelta(days=60)
    services.add_member(branch, people["王书记"], officer_role=m.SECRETARY, group=party_group, now=joined, actor=SYSTEM)
    services.add_member(branch, people["李委员"], officer_role=m.ORGANISATION, now=joined, actor=SYSTEM)
    member = services.add_member(branch, people["张党员"], group=party_group, now=joined, actor=SYSTEM)
    services.set_party_details(member, status=m.FULL, joined_on=date(1978, 7, 1), full_on=date(1979, 7, 1),
                               consented=True, actor=people["王书记"])
    held = activities.create_activity(branch, kind=m.THEME_DAY, topic="重温入党誓词",
                                      starts_at=utcnow() - timedelta(days=2),
                                      ends_at=utcnow() - timedelta(days=2) + timedelta(hours=2), actor=people["王书记"])
    coming = activities.create_activity(branch, kind=m.LECTURE, topic="学习党章", starts_at=utcnow() + timedelta(days=7),
                                        ends_at=utcnow() + timedelta(days=7, hours=1), actor=people["王书记"])
    other = services.save_branch(None, name="太极班党支部")
    other_group = services.add_group(other, "太极党小组")
    db.session.commit()
    auth = {"secretary": people["王书记"], "officer": people["李委员"], "member": people["张党员"],
            "classmate": people["钱同学"], "teacher": teacher, "admin": admin}
    return type("World", (), dict(
        branch=branch, other=other, other_group=other_group, party_group=party_group, member=member, held=held,
        coming=coming, people=people, admin=admin, teacher=teacher,
        auth={role: bearer(db, user) for role, user in auth.items()}))


def call(app, method, path, auth=None, **kwargs):
    return getattr(app.test_client(), method)(path, headers=auth or {}, **kwargs)


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def log_rows(db) -> list[tuple[str, str, str]]:
    return [(row.viewer_name, row.member_name, row.channel) for row in
            db.session.scalars(select(m.MembershipAccess).order_by(m.MembershipAccess.id))]


# ---------------------------------------------------------------- branches

def test_my_branches_by_role(app, db, world):
    assert call(app, "get", "/api/v1/branches").status_code == 401
    listed = {role: call(app, "get", "/api/v1/branches", world.auth[role]).get_json() for role in world.auth}
    assert listed["classmate"] == [] and listed["teacher"] == []
    assert [(b["name"], b["my_role"]) for b in listed["member"]] == [("书法一班党支部", "member")]
    assert [(b["name"], b["my_role"]) for b in listed["secretary"]] == [("书法一班党支部", m.SECRETARY)]
    assert {(b["name"], b["my_role"]) for b in listed["admin"]} == {("太极班党支部", None), ("书法一班党支部", None)}
    assert "members" not in listed["member"][0]  # the member list with roles is for officers
    assert {p["name"] for p in listed["secretary"][0]["members"]} == {"王书记", "李委员", "张党员"}


def test_a_branch_is_for_its_members_and_only_officers_see_who_is_in_it(app, db, world):
    url = f"/api/v1/branches/{world.branch.id}"
    for role in ("classmate", "teacher"):
        assert call(app, "get", url, world.auth[role]).status_code == 403, role
    as_member = call(app, "get", url, world.auth["member"]).get_json()
    assert as_member["my_role"] == "member" and "members" not in as_member
    for role in ("officer", "admin"):
        roles = {p["name"]: p["officer_role"] for p in call(app, "get", url, world.auth[role]).get_json()["members"]}
        assert roles == {"王书记": m.SECRETARY, "李委员": m.ORGANISATION, "张党员": None}
    assert call(app, "get", "/api/v1/branches/99999", world.auth["admin"]).status_code == 404
    assert log_rows(db) == []  # no party details were sent, so none was logged


# ---------------------------------------------------------------- party details

def test_party_details_only_for_officers_and_admins_and_every_showing_logged_as_api(app, db, world):
    url = f"/api/v1/branches/{world.branch.id}/members?party_details=true"
    for role in ("classmate", "teacher", "member"):
        answer = call(app, "get", url, world.auth[role])
        assert answer.status_code == 403 and "1978" not in answer.get_data(as_text=True), role
    assert log_rows(db) == []
    shown = call(app, "get", url, world.auth["officer"]).get_json()["members"]
    details = {p["name"]: p["party_details"] for p in shown}
    assert details["张党员"] == {"status": m.FULL, "joined_on": "1978-07-01", "full_on": "1979-07-01",
                                "consent_at": details["张党员"]["consent_at"]}
    assert details["王书记"]["status"] is None  # nothing kept without consent
    assert sorted(log_rows(db)) == sorted([("李委员", "王书记", "api"), ("李委员", "张党员", "api"),
                                           ("李委员", "李委员", "self")])  # their own: as on the member page
    plain = call(app, "get", f"/api/v1/branches/{world.branch.id}/members", world.auth["officer"]).get_json()
    assert all("party_details" not in p for p in plain["members"]) and len(log_rows(db)) == 3


def test_one_member_with_details_for_the_member_themself_not_for_fellow_members(app, db, world):
    url = f"/api/v1/branch-members/{world.member.id}?party_details=true"
    for role in ("classmate", "teacher"):
        assert call(app, "get", url, world.auth[role]).status_code == 403, role
    secretary = db.session.scalar(select(m.BranchMember).filter_by(user_id=world.people["王书记"].id))
    assert call(app, "get", f"/api/v1/branch-members/{secretary.id}?party_details=true",
                world.auth["member"]).status_code == 403
    own = call(app, "get", url, world.auth["member"]).get_json()
    assert own["party_details"]["joined_on"] == "1978-07-01"
    assert call(app, "get", url, world.auth["admin"]).get_json()["party_details"]["status"] == m.FULL
    assert "party_details" not in call(app, "get", url.split("?")[0], world.auth["admin"]).get_json()
    assert log_rows(db) == [("张党员", "张党员", "self"), ("管理员", "张党员", "api")]


def _refuse_log_writes(db) -> None:
    """The access log's table refuses every row (as a full disk or a broken table would)."""
    if db.engine.dialect.name == "sqlite":
        db.session.execute(text("CREATE TEMP TRIGGER refuse_log BEFORE INSERT ON main.membership_access "
                                "BEGIN SELECT RAISE(ABORT, 'the log cannot be written'); END"))
    else:
        db.session.execute(text("CREATE FUNCTION refuse_log() RETURNS trigger LANGUAGE plpgsql AS "
                                "$$ BEGIN RAISE EXCEPTION 'the log cannot be written'; END $$"))
        db.session.execute(text("CREATE TRIGGER refuse_log BEFORE INSERT ON membership_access "
                                "FOR EACH ROW EXECUTE FUNCTION refuse_log()"))
    db.session.commit()


@pytest.mark.parametrize("path", ["/api/v1/branch-members/{member}?party_details=true",
                                  "/api/v1/branches/{branch}/members?party_details=true"])
def test_no_party_details_when_the_access_log_cannot_be_written(app, db, world, path):
    _refuse_log_writes(db)
    answer = call(app, "get", path.format(member=world.member.id, branch=world.branch.id), world.auth["secretary"])
    assert answer.status_code == 503 and answer.get_json()["code"] == "access_log_failed"
    assert "1978" not in answer.get_data(as_text=True)


# ---------------------------------------------------------------- members

def test_officers_add_change_and_remove_members_and_no_one_else(app, db, world):
    newcomer = make_user(db, name="孙新人")
    db.session.commit()
    url = f"/api/v1/branches/{world.branch.id}/members"
    for role in ("member", "classmate", "teacher"):
        assert call(app, "post", url, world.auth[role], json={"user_id": newcomer.id}).status_code == 403, role
    added = call(app, "post", url, world.auth["officer"], json={"user_id": newcomer.id, "group_id": world.party_group.id})
    assert added.status_code == 201 and added.get_json()["group"]["name"] == "第一党小组"
    twice = call(app, "post", url, world.auth["officer"], json={"user_id": newcomer.id})
    assert twice.status_code == 409 and twice.get_json()["code"] == "already_member"
    member_url = f"/api/v1/branch-members/{added.get_json()['id']}"
    assert call(app, "patch", member_url, world.auth["member"], json={"officer_role": m.PROPAGANDA}).status_code == 403
    changed = call(app, "patch", member_url, world.auth["secretary"], json={"officer_role": m.PROPAGANDA})
    assert changed.get_json()["officer_role"] == m.PROPAGANDA and changed.get_json()["group"]["name"] == "第一党小组"
    assert call(app, "delete", member_url, world.auth["member"]).status_code == 403
    left = call(app, "delete", member_url, world.auth["secretary"])
    assert left.status_code == 200 and left.get_json()["left_at"] and left.get_json()["officer_role"] is None
    row = db.session.get(m.BranchMember, added.get_json()["id"])
    assert row is not None and row.left_at is not None  # marked as left, kept with its history
    assert call(app, "patch", member_url, world.auth["secretary"], json={"group_id": None}).status_code == 409
    back = call(app, "post", url, world.auth["secretary"], json={"user_id": newcomer.id})
    assert back.status_code == 201 and back.get_json()["id"] == row.id and back.get_json()["left_at"] is None


def test_an_officer_of_one_branch_cannot_manage_another(app, db, world):
    assert call(app, "post", f"/api/v1/branches/{world.other.id}/members", world.auth["secretary"],
                json={"user_id": world.teacher.id}).status_code == 403
    assert call(app, "get", f"/api/v1/branches/{world.other.id}", world.auth["secretary"]).status_code == 403


@pytest.mark.parametrize("body, status, code", [
    ({"user_id": 99999}, 404, "person_not_found"),
    ({"user_id": "teacher"}, 422, None),
    ({"officer_role": m.SECRETARY}, 422, None),
    ({"user_id": "TEACHER", "officer_role": "king"}, 422, None),
    ({"user_id": "TEACHER", "group_id": "OTHER_GROUP"}, 404, "group_not_found"),
])
def test_a_bad_member_is_refused_and_nothing_is_written(app, db, world, body, status, code):
    fill = {"TEACHER": world.teacher.id, "OTHER_GROUP": world.other_group.id}
    body = {key: fill.get(value, value) if isinstance(value, str) else value for key, value in body.items()}
    before = count(db, m.BranchMember)
    answer = call(app, "post", f"/api/v1/branches/{world.branch.id}/members", world.auth["admin"], json=body)
    assert answer.status_code == status, answer.get_json()
    assert code is None or answer.get_json()["code"] == code
    assert count(db, m.BranchMember) == before


# ---------------------------------------------------------------- activities

def test_members_read_activities_and_officers_add_and_change_them(app, db, world):
    url = f"/api/v1/branches/{world.branch.id}/activities"
    for role in ("classmate", "teacher"):
        assert call(app, "get", url, world.auth[role]).status_code == 403, role
    assert [a["topic"] for a in call(app, "get", url, world.auth["member"]).get_json()] == ["学习党章", "重温入党誓词"]
    body = {"kind": m.GROUP_MEETING, "group_id": world.party_group.id, "topic": "学习二十大报告",
            "day": (date.today() + timedelta(days=3)).isoformat(), "starts": "09:30", "minutes": 60}
    assert call(app, "post", url, world.auth["member"], json=body).status_code == 403
    made = call(app, "post", url, world.auth["officer"], json=body)
    assert made.status_code == 201, made.get_json()
    activity = made.get_json()
    assert activity["group"]["name"] == "第一党小组" and activity["kind_name"] == "党小组会"
    start = to_local(db.session.get(m.Activity, activity["id"]).starts_at)
    assert (start.hour, start.minute) == (9, 30)
    changed = call(app, "patch", f"/api/v1/branch-activities/{activity['id']}", world.auth["officer"],
                   json={"topic": "学习党的二十大报告", "minutes": 90})
    assert changed.status_code == 200 and changed.get_json()["topic"] == "学习党的二十大报告"
    ended = db.session.get(m.Activity, activity["id"])
    assert ended.ends_at - ended.starts_at == timedelta(minutes=90)
    assert activities.event_of(ended).title == "学习党的二十大报告"  # the attendance event follows
    assert call(app, "patch", f"/api/v1/branch-activities/{activity['id']}", world.auth["member"],
                json={"topic": "改"}).status_code == 403


@pytest.mark.parametrize("body, status, code", [
    ({"kind": m.CUSTOM, "topic": "参观"}, 409, "required"),
    ({"kind": m.GROUP_MEETING, "topic": "小组会"}, 409, "group_needed"),
    ({"kind": m.GROUP_MEETING, "topic": "小组会", "group_id": "OTHER_GROUP"}, 404, "group_not_found"),
    ({"kind": m.LECTURE, "topic": "党课", "day": "2020-01-01"}, 409, "too_old"),
    ({"kind": m.LECTURE, "topic": "党课", "day": "9999-12-31"}, 409, "day_out_of_range"),
    ({"kind": "party", "topic": "党课"}, 422, None),
    ({"kind": m.LECTURE, "topic": "党课", "starts": "25:00"}, 422, None),
    ({"kind": m.LECTURE, "topic": "党课", "minutes": 5000}, 422, None),
    ({"kind": m.LECTURE, "topic": "x" * 201}, 422, None),
])
def test_a_bad_activity_is_refused_and_nothing_is_written(app, db, world, body, status, code):
    body = {"day": date.today().isoformat(), "starts": "09:00",
            **{key: world.other_group.id if value == "OTHER_GROUP" else value for key, value in body.items()}}
    before = (count(db, m.Activity), count(db, am.AttendanceEvent))
    answer = call(app, "post", f"/api/v1/branches/{world.branch.id}/activities", world.auth["secretary"], json=body)
    assert answer.status_code == status, answer.get_json()
    assert code is None or answer.get_json()["code"] == code
    assert (count(db, m.Activity), count(db, am.AttendanceEvent)) == before


# ---------------------------------------------------------------- minutes

def test_minutes_saved_approved_by_the_secretary_and_corrected_in_a_new_version(app, db, world):
    base = f"/api/v1/branch-activities/{world.held.id}"
    body = {"body": "**全体党员**参加。<script>alert('x')</script><img src=x onerror=alert(1)>"}
    assert call(app, "post", base + "/minutes", world.auth["member"], json=body).status_code == 403
    saved = call(app, "post", base + "/minutes", world.auth["officer"], json=body)
    assert saved.status_code == 201 and saved.get_json()["number"] == 1
    html = saved.get_json()["body_html"]
    assert "<strong>全体党员</strong>" in html and "<script" not in html and "onerror" not in html
    assert call(app, "post", base + "/minutes/approval", world.auth["officer"]).status_code == 403  # not the secretary
    approved = call(app, "post", base + "/minutes/approval", world.auth["secretary"])
    assert approved.status_code == 200 and approved.get_json()["approved_at"]
    corrected = call(app, "post", base + "/minutes", world.auth["officer"], json={"body": "李委员主持（更正）。"})
    assert corrected.get_json()["number"] == 2 and corrected.get_json()["correction"] is True
    as_member = call(app, "get", base, world.auth["member"]).get_json()
    assert as_member["minutes"]["number"] == 2 and as_member["approved_minutes"]["number"] == 1
    assert "<script" not in as_member["approved_minutes"]["body_html"]
    for role in ("classmate", "teacher"):
        assert call(app, "get", base, world.auth[role]).status_code == 403, role


def test_minutes_over_the_cap_or_empty_are_refused_and_nothing_is_written(app, db, world):
    url = f"/api/v1/branch-activities/{world.held.id}/minutes"
    for body in ({"body": "长" * (activities.MINUTES_LIMIT + 1)}, {"body": ""}, {}):
        assert call(app, "post", url, world.auth["secretary"], json=body).status_code == 422, body
    assert call(app, "post", f"/api/v1/branch-activities/{world.held.id}/minutes/approval",
                world.auth["secretary"]).status_code == 409  # nothing to approve
    assert count(db, m.MinutesRevision) == 0


# ---------------------------------------------------------------- attendance

def test_officers_take_the_roll_and_a_member_sees_only_their_own_record(app, db, world):
    url = f"/api/v1/branch-activities/{world.held.id}/attendance"
    ids = {name: user.id for name, user in world.people.items()}
    marks = {"marks": [{"person": ids["张党员"], "status": am.PRESENT},
                       {"person": ids["王书记"], "status": am.LATE, "ref": "tablet-1"}]}
    for role in ("member", "classmate", "teacher"):
        assert call(app, "post", url, world.auth[role], json=marks).status_code == 403, role
    taken = call(app, "post", url, world.auth["officer"], json=marks)
    assert taken.status_code == 200
    rows = {row["name"]: row for row in taken.get_json()["rows"]}
    assert rows["张党员"]["status"] == am.PRESENT and rows["张党员"]["source"] == am.BY_OFFICER
    assert rows["李委员"]["status"] is None and len(rows) == 3
    own = call(app, "get", url, world.auth["member"]).get_json()["rows"]
    assert [(row["name"], row["status"]) for row in own] == [("张党员", am.PRESENT)]
    assert len(call(app, "get", url, world.auth["admin"]).get_json()["rows"]) == 3
    for role in ("classmate", "teacher"):
        assert call(app, "get", url, world.auth[role]).status_code == 403, role


def test_an_activity_not_held_yet_cannot_be_marked_as_held(app, db, world):
    url = f"/api/v1/branch-activities/{world.coming.id}/attendance"
    person = world.people["张党员"].id
    before = count(db, am.AttendanceRecord)
    early = call(app, "post", url, world.auth["secretary"],
                 json={"marks": [{"person": person, "status": am.EXCUSED}, {"person": person, "status": am.PRESENT}]})
    assert early.status_code == 409 and early.get_json()["code"] == "not_held_yet"
    assert count(db, am.AttendanceRecord) == before  # all or none
    excused = call(app, "post", url, world.auth["secretary"], json={"marks": [{"person": person, "status": am.EXCUSED}]})
    assert excused.status_code == 200


def test_a_person_outside_the_branch_is_not_on_the_roll(app, db, world):
    url = f"/api/v1/branch-activities/{world.held.id}/attendance"
    answer = call(app, "post", url, world.auth["secretary"],
                  json={"marks": [{"person": world.people["钱同学"].id, "status": am.PRESENT}]})
    assert answer.status_code == 409 and answer.get_json()["code"] == "not_expected"
    assert call(app, "post", url, world.auth["secretary"], json={"marks": []}).status_code == 422


# ---------------------------------------------------------------- compliance

def test_compliance_by_quarter_for_officers_and_admins(app, db, world):
    url = f"/api/v1/branches/{world.branch.id}/compliance"
    for role in ("member", "classmate", "teacher"):
        assert call(app, "get", url, world.auth[role]).status_code == 403, role
    now = call(app, "get", url, world.auth["officer"]).get_json()
    assert now["quarter"].endswith(f"Q{(to_local(utcnow()).month - 1) // 3 + 1}")
    theme = [c for c in now["checks"] if c["kind"] == m.THEME_DAY and c["held"]]
    assert theme and theme[0]["state"] == "met"
    past = call(app, "get", url + "?quarter=2025-Q1", world.auth["admin"]).get_json()
    assert past["quarter"] == "2025-Q1" and not past["met"] and {c["state"] for c in past["checks"]} == {"missed"}
    assert call(app, "get", url + "?quarter=2025-Q5", world.auth["admin"]).status_code == 422


def test_a_member_lists_only_the_activities_that_are_for_them(app, db, world):
    activities.create_activity(world.branch, kind=m.COMMITTEE, topic="研究发展对象",
                               starts_at=utcnow() - timedelta(days=2), ends_at=utcnow() - timedelta(days=2, hours=-1),
                               actor=world.people["王书记"])
    db.session.commit()
    url = f"/api/v1/branches/{world.branch.id}/activities"
    member = [a["topic"] for a in call(app, "get", url, world.auth["member"]).get_json()]
    officer = [a["topic"] for a in call(app, "get", url, world.auth["secretary"]).get_json()]
    assert "研究发展对象" in officer and "研究发展对象" not in member and len(member) == len(officer) - 1


def test_officers_call_off_an_activity_still_to_come_through_the_api(app, db, world):
    url = f"/api/v1/branch-activities/{world.coming.id}/cancellation"
    assert call(app, "post", url, world.auth["member"]).status_code == 403
    called_off = call(app, "post", url, world.auth["secretary"])
    assert called_off.status_code == 200 and called_off.get_json()["cancelled"] is True
    assert call(app, "post", url, world.auth["secretary"]).status_code == 200  # twice: no change, no error
    roll = call(app, "post", f"/api/v1/branch-activities/{world.coming.id}/attendance", world.auth["secretary"],
                json={"marks": [{"person": world.people["张党员"].id, "status": am.EXCUSED}]})
    assert roll.status_code == 409 and "已取消" in roll.get_json()["message"]
    held = call(app, "post", f"/api/v1/branch-activities/{world.held.id}/cancellation", world.auth["secretary"])
    assert held.status_code == 409 and held.get_json()["code"] == "already_begun"


def test_only_the_secretary_or_the_office_give_officer_roles_through_the_api_too(app, db, world):
    officer = db.session.scalar(select(m.BranchMember).filter_by(user_id=world.people["李委员"].id))
    url = f"/api/v1/branch-members/{officer.id}"
    refused = call(app, "patch", url, world.auth["officer"], json={"officer_role": m.SECRETARY})  # themself
    assert refused.status_code == 403 and refused.get_json()["code"] == "roles_by_secretary"
    db.session.expire_all()
    assert officer.officer_role == m.ORGANISATION
    newcomer = make_user(db, roles=["student"], name="孙新人", fast_hash=True)
    added = call(app, "post", f"/api/v1/branches/{world.branch.id}/members", world.auth["officer"],
                 json={"user_id": newcomer.id, "officer_role": m.DEPUTY})
    assert added.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(m.BranchMember).filter_by(user_id=newcomer.id)) == 0
    assert call(app, "patch", url, world.auth["officer"], json={"group_id": world.party_group.id}).status_code == 200
    assert call(app, "patch", url, world.auth["secretary"], json={"officer_role": m.DEPUTY}).status_code == 200
