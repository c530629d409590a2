"""The attendance engine on its own, with an event kind made for the test (classes and branches
register theirs the same way): statuses, history, the later-made mark winning, 全部出勤, closing,
watching, leave, and QR check-in with an injected clock."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from elearn.attendance import checkin, leave, models as m, online, services
from elearn.attendance.hooks import EventKind, event_kinds
from elearn.core.errors import ServiceError
from tests.factories import make_user

START = datetime(2026, 12, 7, 1, 0)  # 09:00 in Asia/Shanghai
END = START + timedelta(hours=2)


class Roster:
    """The test's owning feature: members with the time they joined, and one teacher, one assistant."""

    def __init__(self):
        self.members: dict[int, tuple[str, datetime]] = {}
        self.teacher_id = self.assistant_id = None

    def roster(self, event):
        return {uid: name for uid, (name, joined) in self.members.items() if joined <= event.starts_at}

    def marker(self, user, event):
        return {self.teacher_id: "teacher", self.assistant_id: "assistant"}.get(user.id)


@pytest.fixture
def world(db):
    owner = Roster()
    event_kinds.register("test_session", EventKind(roster=owner.roster, marker=owner.marker))
    teacher = make_user(db, roles=("teacher",), name="李老师")
    assistant = make_user(db, name="班长王")
    owner.teacher_id, owner.assistant_id = teacher.id, assistant.id
    students = [make_user(db, name=f"学员{i}") for i in range(3)]
    for s in students:
        owner.members[s.id] = (s.name, START - timedelta(days=30))
    event = services.create_event("test_session", 1, "第3次课", START, END, late_after_minutes=10)
    db.session.commit()
    yield type("World", (), dict(owner=owner, teacher=teacher, assistant=assistant, students=students, event=event))
    event_kinds.unregister("test_session")


def test_every_status_and_mode_is_kept_with_its_history(db, world):
    person = world.students[0]
    for minute, status in enumerate(m.STATUSES):
        services.mark(world.event, person.id, status, actor=world.teacher, mode=m.HOME_VISIT,
                      note="送学上门", now=START + timedelta(minutes=minute))
    db.session.commit()
    record = services.records(world.event)[person.id]
    assert (record.status, record.mode, record.source, record.note) == (m.MADE_UP, m.HOME_VISIT, "teacher", "送学上门")
    changes = services.history(world.event, person.id)
    assert [c.new_status for c in changes] == list(m.STATUSES)
    assert [c.old_status for c in changes] == [None, *m.STATUSES[:-1]]
    assert {c.actor_name for c in changes} == {"李老师"}


def test_the_mark_made_last_wins_and_both_stay_in_history(db, world):
    person = world.students[0]
    # The assistant's tablet was offline: its earlier mark arrives after the teacher's later one.
    services.mark(world.event, person.id, m.LATE, actor=world.teacher, made_at=START + timedelta(minutes=20),
                  now=START + timedelta(minutes=20))
    services.mark(world.event, person.id, m.ABSENT, actor=world.assistant, made_at=START + timedelta(minutes=5),
                  now=START + timedelta(minutes=40))
    db.session.commit()
    record = services.records(world.event)[person.id]
    assert (record.status, record.source) == (m.LATE, "teacher")
    changes = services.history(world.event, person.id)
    assert [(c.new_status, c.source, c.applied) for c in changes] == [
        (m.LATE, "teacher", True), (m.ABSENT, "assistant", False)]


def test_a_mark_sent_twice_counts_once(db, world):
    person = world.students[1]
    for _ in range(2):
        services.mark(world.event, person.id, m.PRESENT, actor=world.assistant, client_ref="tablet-1:17",
                      now=START)
    db.session.commit()
    assert len(services.history(world.event, person.id)) == 1


def test_device_clock_cannot_claim_the_future_or_last_week(db, world):
    person = world.students[0]
    now = START + timedelta(hours=1)
    record = services.mark(world.event, person.id, m.PRESENT, actor=world.teacher,
                           made_at=now + timedelta(days=3), now=now)
    assert record.marked_at == now
    record = services.mark(world.event, person.id, m.LATE, actor=world.teacher,
                           made_at=now - timedelta(days=9), now=now + timedelta(minutes=1))
    assert record.status == m.PRESENT  # bounded to 12 h back, still older than the standing mark
    assert services.history(world.event, person.id)[-1].made_at == now + timedelta(minutes=1) - services.MAX_OFFLINE


def test_who_may_mark_and_whom(db, world):
    outsider = make_user(db, name="别班的人")
    with pytest.raises(ServiceError) as refused:
        services.mark(world.event, world.students[0].id, m.PRESENT, actor=world.students[1], now=START)
    assert refused.value.status == 403
    with pytest.raises(ServiceError) as refused:
        services.mark(world.event, outsider.id, m.PRESENT, actor=world.teacher, now=START)
    assert refused.value.code == "not_expected"
    with pytest.raises(ServiceError) as refused:
        services.mark(world.event, world.students[0].id, "sleeping", actor=world.teacher, now=START)
    assert refused.value.status == 422
    db.session.rollback()
    assert services.records(world.event) == {}


def test_everyone_else_present_then_close_makes_nobody_absent(db, world):
    services.mark(world.event, world.students[0].id, m.EXCUSED, actor=world.teacher, now=START)
    assert services.mark_everyone_else(world.event, m.PRESENT, actor=world.assistant, now=START) == 2
    db.session.commit()
    statuses = {uid: r.status for uid, r in services.records(world.event).items()}
    assert statuses == {world.students[0].id: m.EXCUSED, world.students[1].id: m.PRESENT,
                        world.students[2].id: m.PRESENT}
    assert services.close(world.event, now=END + timedelta(hours=1)) == 0
    assert world.event.closed_at is not None


def test_close_marks_the_unmarked_absent_only_after_the_window(db, world):
    services.mark(world.event, world.students[0].id, m.PRESENT, actor=world.teacher, now=START)
    _, closes = services.window(world.event)
    assert services.close(world.event, now=closes - timedelta(seconds=1)) == 0
    assert world.event.id not in services.events_due(now=closes - timedelta(seconds=1))
    assert world.event.id in services.events_due(now=closes)
    assert services.close(world.event, now=closes) == 2
    assert services.close(world.event, now=closes + timedelta(minutes=5)) == 0  # once only
    db.session.commit()
    absent = {uid for uid, r in services.records(world.event).items() if r.status == m.ABSENT}
    assert absent == {world.students[1].id, world.students[2].id}
    assert {r.source for r in services.records(world.event).values() if r.status == m.ABSENT} == {"auto"}


def test_late_enrolment_is_not_counted_for_an_earlier_session(db, world):
    late = make_user(db, name="新同学")
    world.owner.members[late.id] = (late.name, START + timedelta(days=1))
    services.close(world.event, now=END + timedelta(hours=1))
    db.session.commit()
    assert late.id not in services.records(world.event)
    assert len(services.records(world.event)) == 3


def test_watching_marks_online_inside_the_window_and_made_up_after(db, world):
    a, b, c = world.students
    online.mark_watched(world.event, a.id, 1, START + timedelta(minutes=3), now=END)
    services.close(world.event, now=END + timedelta(hours=1))
    # b missed it, watched two days later; c watched three weeks later (too late for 补学).
    online.mark_watched(world.event, b.id, 2, END + timedelta(days=2), now=END + timedelta(days=2, hours=1))
    online.mark_watched(world.event, c.id, 3, END + timedelta(days=21), now=END + timedelta(days=21))
    # Watching again after attending changes nothing.
    online.mark_watched(world.event, a.id, 4, END + timedelta(days=1), now=END + timedelta(days=1))
    db.session.commit()
    records = services.records(world.event)
    assert (records[a.id].status, records[a.id].mode, records[a.id].source) == (m.PRESENT, m.ONLINE, "auto")
    assert (records[b.id].status, records[b.id].mode) == (m.MADE_UP, m.ONLINE)
    assert records[c.id].status == m.ABSENT
    assert [ch.new_status for ch in services.history(world.event, b.id)] == [m.ABSENT, m.MADE_UP]


def test_leave_requested_then_approved_marks_excused(db, world):
    person = world.students[2]
    request = leave.request_leave(world.event, person.id, "去医院复查", actor=person, now=START - timedelta(days=1))
    assert request.state == m.PENDING
    with pytest.raises(ServiceError):
        leave.decide(request, True, actor=person, now=START - timedelta(hours=20))
    leave.decide(request, True, actor=world.teacher, now=START - timedelta(hours=20))
    db.session.commit()
    record = services.records(world.event)[person.id]
    assert (record.status, record.source) == (m.EXCUSED, "leave")
    assert services.history(world.event, person.id)[0].reason == "去医院复查"


def test_leave_by_the_teacher_is_approved_at_once_and_past_sessions_refused(db, world):
    person = world.students[1]
    request = leave.request_leave(world.event, person.id, "住院", actor=world.teacher, now=START - timedelta(hours=1))
    assert request.state == m.APPROVED
    with pytest.raises(ServiceError) as refused:
        leave.request_leave(world.event, world.students[0].id, "忘了", actor=world.students[0],
                            now=END + timedelta(minutes=1))
    assert refused.value.code == "event_over"
    # The reason may be left out.
    assert leave.request_leave(world.event, world.students[0].id, "   ", actor=world.students[0], now=START).reason == ""


def test_leave_asked_twice_refused_withdrawn_then_asked_again(db, world):
    person = world.students[0]
    first = leave.request_leave(world.event, person.id, "", actor=person, now=START - timedelta(days=1))
    with pytest.raises(ServiceError) as refused:
        leave.request_leave(world.event, person.id, "再问一次", actor=person, now=START - timedelta(days=1))
    assert (refused.value.code, refused.value.status) == ("already_asked", 409)
    with pytest.raises(ServiceError) as refused:
        leave.withdraw(first, actor=world.teacher)
    assert refused.value.status == 403
    leave.withdraw(first, actor=person)
    again = leave.request_leave(world.event, person.id, "家里有事", actor=person, now=START - timedelta(hours=2))
    assert (again.id, again.state, again.reason) == (first.id, m.PENDING, "家里有事")
    leave.decide(again, False, actor=world.teacher)
    assert again.state == m.DECLINED and services.records(world.event) == {}
    with pytest.raises(ServiceError) as refused:
        leave.request_leave(world.event, person.id, "", actor=person, now=START - timedelta(hours=1))
    assert refused.value.code == "already_declined"
    # The teacher may still grant it by filing for the person.
    assert leave.request_leave(world.event, person.id, "", actor=world.teacher, now=START).state == m.APPROVED
    with pytest.raises(ServiceError) as refused:
        leave.decide(again, True, actor=world.teacher)
    assert refused.value.code == "already_decided"


def test_leave_for_someone_not_on_the_list_is_refused(db, world):
    stranger = make_user(db, name="外人")
    with pytest.raises(ServiceError) as refused:
        leave.request_leave(world.event, stranger.id, "", actor=stranger, now=START - timedelta(days=1))
    assert refused.value.status == 403
    with pytest.raises(ServiceError) as refused:
        leave.request_leave(world.event, stranger.id, "", actor=world.teacher, now=START - timedelta(days=1))
    assert (refused.value.code, refused.value.status) == ("not_expected", 409)
    assert db.session.query(m.LeaveRequest).count() == 0


def test_a_mark_without_a_mode_keeps_the_home_visit_and_an_empty_note_clears(db, world):
    person = world.students[0]
    services.mark(world.event, person.id, m.PRESENT, actor=world.teacher, mode=m.HOME_VISIT, note="王老师上门",
                  now=START + timedelta(minutes=1))
    record = services.mark(world.event, person.id, m.LATE, actor=world.teacher, now=START + timedelta(minutes=2))
    assert (record.status, record.mode, record.note) == (m.LATE, m.HOME_VISIT, "王老师上门")
    record = services.mark(world.event, person.id, m.LATE, actor=world.teacher, mode=m.ON_SITE, note="",
                           now=START + timedelta(minutes=3))
    assert (record.mode, record.note) == (m.ON_SITE, None)
    assert [(c.old_mode, c.new_mode) for c in services.history(world.event, person.id)] == [
        (None, m.HOME_VISIT), (m.HOME_VISIT, m.HOME_VISIT), (m.HOME_VISIT, m.ON_SITE)]


def test_an_event_that_ends_before_it_starts_is_refused(db, world):
    with pytest.raises(ServiceError) as refused:
        services.create_event("test_session", 2, "错", START, START - timedelta(minutes=1))
    assert refused.value.code == "ends_before_start"


# ---------------------------------------------------------------- QR check-in

def test_a_fresh_code_checks_in_once_even_scanned_twice(db, world):
    person = world.students[0]
    now = START - timedelta(minutes=5)
    code = checkin.current_code(world.event, now)
    grant = checkin.scan(code, now=now + timedelta(seconds=10))
    record, marked = checkin.check_in(grant, person, now=now + timedelta(minutes=3))  # after a slow sign-in
    assert marked and (record.status, record.source) == (m.PRESENT, "self")
    again, marked = checkin.check_in(checkin.scan(code, now=now + timedelta(seconds=20)), person,
                                     now=now + timedelta(seconds=21))
    assert not marked and again.id == record.id
    db.session.commit()
    assert len(services.history(world.event, person.id)) == 1


def test_a_photo_of_an_old_code_or_a_forged_one_does_not_work(db, world):
    now = START
    code = checkin.current_code(world.event, now)
    with pytest.raises(ServiceError):
        checkin.scan(code, now=now + timedelta(seconds=checkin.SLOT_SECONDS * 2 + 1))
    event_id, slot, signature = code.split("-")
    for forged in (f"{event_id}-{slot}-{'0' * 16}", f"{event_id}-{int(slot) + 1}-{signature}", "1-2", "x-y-z",
                   f"{2**40}-{slot}-{signature}", ""):
        with pytest.raises(ServiceError):
            checkin.scan(forged, now=now)
    with pytest.raises(ServiceError):
        checkin.check_in("not-a-grant", world.students[0], now=now)


def test_check_in_only_for_members_and_inside_the_window(db, world):
    outsider = make_user(db, name="外人")
    grant = checkin.scan(checkin.current_code(world.event, START), now=START)
    with pytest.raises(ServiceError) as refused:
        checkin.check_in(grant, outsider, now=START)
    assert refused.value.status == 403
    too_early = START - timedelta(minutes=world.event.opens_before_minutes + 1)
    with pytest.raises(ServiceError) as refused:
        checkin.scan(checkin.current_code(world.event, too_early), now=too_early)
    assert refused.value.code == "outside_window"


def test_late_by_the_clock_and_a_rescheduled_event_voids_old_grants(db, world):
    at = START + timedelta(minutes=25)
    grant = checkin.scan(checkin.current_code(world.event, at), now=at)
    record, _ = checkin.check_in(grant, world.students[1], now=at)
    assert record.status == m.LATE
    grant = checkin.scan(checkin.current_code(world.event, at), now=at)
    services.reschedule(world.event, START + timedelta(days=1), END + timedelta(days=1))
    with pytest.raises(ServiceError):
        checkin.check_in(grant, world.students[2], now=at)
