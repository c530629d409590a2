"""结业证书: who qualifies (late enrolment not held against anyone, cancelled sessions not counted),
issuing in one step, the PDF read back, the public check (masked names, forged numbers, revoked
certificates, the rate limit with Retry-After) and who may do what."""
from __future__ import annotations

import io
import re
from datetime import time, timedelta

import pytest
from pypdf import PdfReader

from elearn.attendance import models as am, services as attendance
from elearn.classes import certificates, enrolment, schedule, services
from elearn.classes import models as m
from elearn.core.errors import ServiceError
from elearn.core.timeutil import to_local, utcnow
from tests.clients import csrf_token, sign_in
from tests.factories import make_user

DAYS = (50, 40, 30, 20, 10)  # sessions that many days ago


class World:
    pass


@pytest.fixture
def world(db):
    """A class of this term with five past sessions (and a cancelled one): 王小明 attended 4 of 5,
    李四 3 of 5, and 赵六, who joined after the third, both of the two that were his."""
    w = World()
    today = to_local(utcnow()).date()
    term = services.save_term(None, name="本学期", starts_on=today - timedelta(days=60), ends_on=today + timedelta(days=30))
    w.teacher = make_user(db, roles=("teacher",), name="李老师")
    w.group = services.save_class(None, term=term, name="书法一班", teacher_ids=[w.teacher.id])
    sessions = [schedule.add_session(w.group, day=today - timedelta(days=d), starts=time(9, 0), minutes=90) for d in DAYS]
    schedule.cancel_session(schedule.add_session(w.group, day=today - timedelta(days=5), starts=time(9, 0), minutes=90))
    w.wang, w.li, w.zhao = (make_user(db, name=n) for n in ("王小明", "李四", "赵六"))
    for person in (w.wang, w.li):
        enrolment.enrol(w.group, person.id, now=utcnow() - timedelta(days=55))
    enrolment.enrol(w.group, w.zhao.id, now=utcnow() - timedelta(days=25))
    marks = {w.wang.id: [am.PRESENT, am.LATE, am.ABSENT, am.MADE_UP, am.PRESENT],
             w.li.id: [am.PRESENT, am.EXCUSED, am.ABSENT, am.PRESENT, am.LEFT_EARLY],
             w.zhao.id: [None, None, None, am.PRESENT, am.PRESENT]}
    for person, statuses in marks.items():
        for session, status in zip(sessions, statuses):
            if status:
                attendance.mark(schedule.event_of(session), person, status, actor=w.teacher)
    db.session.commit()
    return w


def _standing(world, person):
    return next(row for row in certificates.standings(world.group) if row.enrolment.user_id == person.id)


def test_who_qualifies_counts_only_their_own_sessions(db, world):
    """80 % of the sessions since joining qualifies; a late enrolment is not counted against anyone."""
    wang, li, zhao = (_standing(world, p) for p in (world.wang, world.li, world.zhao))
    assert (wang.attended, wang.expected, wang.qualifies) == (4, 5, True)  # exactly 80 %
    assert (li.attended, li.expected, li.qualifies) == (3, 5, False)       # 请假 is a session missed
    assert (zhao.attended, zhao.expected, zhao.qualifies) == (2, 2, True)  # joined after the third
    world.group.certificate_rate = 0.9  # the class asks for more than the term
    assert not _standing(world, world.wang).qualifies and _standing(world, world.zhao).qualifies


def test_issuing_in_one_step_for_all_who_qualify(db, world):
    """One call issues to each who qualifies, once; a second call issues nobody new."""
    assert certificates.issue_all(world.group, actor=world.teacher) == 2
    db.session.commit()
    issued = {c.person_name: c for c in db.session.query(m.Certificate)}
    assert set(issued) == {"王小明", "赵六"}
    codes = [c.code for c in issued.values()]
    assert len(set(codes)) == 2 and all(re.fullmatch(r"[2-9A-HJKMNP-Z]{16}", c) for c in codes)
    with pytest.raises(ServiceError) as refused:
        certificates.issue_all(world.group, actor=world.teacher)
    assert refused.value.status == 409


def test_masked_names():
    assert [certificates.mask_name(n) for n in ("王小明", "王明", "欧阳小明", "王")] == ["王*明", "王*", "欧**明", "*"]


def _issue(client, world):
    sign_in(client, world.teacher)
    page = f"/classes/{world.group.id}/certificates"
    response = client.post(page, data={"csrf_token": csrf_token(client, page)})
    assert response.status_code == 302
    return {c.person_name: c for c in m.Certificate.query}


def test_the_teacher_issues_and_the_member_downloads_a_pdf_that_reads_back(app, db, world):
    """The member's PDF carries their name, class, term and the certificate number, in Chinese."""
    teacher = app.test_client()
    cert = _issue(teacher, world)["王小明"]
    member = sign_in(app.test_client(), world.wang)
    page = member.get(f"/classes/{world.group.id}").get_data(as_text=True)
    assert f"/certificates/{cert.id}.pdf" in page
    response = member.get(f"/certificates/{cert.id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    # Extractors put spaces (and pypdf NULs from the two-byte codes) between CJK characters.
    flat = re.sub(r"[\s\x00]+", "", text)
    assert "王小明" in flat and "书法一班" in flat and "本学期" in flat and "结业证书" in flat
    assert certificates.display_code(cert.code) in flat
    assert "4" in flat and "老年大学" in flat


def test_the_number_on_the_certificate_verifies_and_forged_ones_do_not(app, db, world):
    """The public page (no sign-in) shows the masked name, class, term and that it is valid;
    a made-up number is a 404; revoking shows as revoked."""
    cert = _issue(app.test_client(), world)["王小明"]
    visitor = app.test_client()
    page = visitor.get(f"/certificates/verify/{cert.code}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "王*明" in html and "王小明" not in html
    assert "书法一班" in html and "本学期" in html and "有效" in html
    # Typed from paper: lower case, full-width, with dashes, through the form.
    typed = certificates.display_code(cert.code).lower().replace("a", "ａ")
    found = visitor.get("/certificates/verify", query_string={"code": typed})
    assert found.status_code == 302 and found.headers["Location"].endswith(f"/certificates/verify/{cert.code}")
    forged = cert.code[:-1] + ("2" if cert.code[-1] != "2" else "3")
    for wrong in (forged, "ABCD", "x" * 16):
        assert visitor.get(f"/certificates/verify/{wrong}").status_code == 404
    admin = sign_in(app.test_client(), make_user(db, roles=("admin",)))
    page = f"/classes/{world.group.id}/certificates"
    assert admin.post(f"/certificates/{cert.id}/revoke", data={"csrf_token": csrf_token(admin, page),
                                                              "reason": "出勤记录有误"}).status_code == 302
    html = visitor.get(f"/certificates/verify/{cert.code}").get_data(as_text=True)
    assert "已撤销" in html
    assert sign_in(app.test_client(), world.wang).get(f"/certificates/{cert.id}.pdf").status_code == 410


def test_the_public_check_is_rate_limited_with_retry_after(app, db, world):
    """Past the limit an address gets 429 with Retry-After, found or not; another address does not."""
    app.config["CERTIFICATE_VERIFY_LIMIT"] = 3
    try:
        visitor = app.test_client()
        for _ in range(3):
            assert visitor.get("/certificates/verify/ABCDEFGHJKMNPQRS").status_code == 404
        refused = visitor.get("/certificates/verify/ABCDEFGHJKMNPQRS")
        assert refused.status_code == 429
        assert 0 < int(refused.headers["Retry-After"]) <= app.config["CERTIFICATE_VERIFY_WINDOW_SECONDS"]
        other = visitor.get("/certificates/verify/ABCDEFGHJKMNPQRS", environ_base={"REMOTE_ADDR": "10.0.0.9"})
        assert other.status_code == 404
    finally:
        app.config["CERTIFICATE_VERIFY_LIMIT"] = 30


def test_who_may_issue_download_and_revoke(app, db, world):
    """Members and other teachers cannot issue; another member cannot download; teachers cannot revoke."""
    cert = _issue(app.test_client(), world)["王小明"]
    page = f"/classes/{world.group.id}/certificates"
    for person in (world.wang, make_user(db, roles=("teacher",))):
        client = sign_in(app.test_client(), person)
        assert client.get(page).status_code == 403
        assert client.post(page, data={"csrf_token": csrf_token(client)}).status_code == 403
    assert sign_in(app.test_client(), world.li).get(f"/certificates/{cert.id}.pdf").status_code == 403
    assert app.test_client().get(f"/certificates/{cert.id}.pdf").status_code in (302, 401)
    teacher = sign_in(app.test_client(), world.teacher)
    assert teacher.get(f"/certificates/{cert.id}.pdf").status_code == 200
    assert teacher.post(f"/certificates/{cert.id}/revoke", data={"csrf_token": csrf_token(teacher),
                                                                "reason": "x"}).status_code == 403
    db.session.refresh(cert)
    assert cert.revoked_at is None


def test_a_class_sets_its_own_requirement_and_keeps_it_when_copied(db, world):
    """The class's rate overrides the term's, must be 0-100 %, and goes with the class to the next term."""
    with pytest.raises(ServiceError) as refused:
        services.save_class(world.group, term=world.group.term, name="书法一班", teacher_ids=[world.teacher.id],
                            certificate_rate=1.5)
    assert refused.value.code == "bad_rate"
    db.session.rollback()
    services.save_class(world.group, term=world.group.term, name="书法一班", teacher_ids=[world.teacher.id],
                        certificate_rate=0.6)
    assert certificates.required_rate(world.group) == 0.6 and _standing(world, world.li).qualifies
    later = services.save_term(None, name="下学期", starts_on=world.group.term.ends_on + timedelta(days=30),
                               ends_on=world.group.term.ends_on + timedelta(days=120))
    assert schedule.copy_to_term(world.group, later).certificate_rate == 0.6


def test_the_pdf_uses_the_simplified_chinese_face_and_says_so_when_the_font_is_missing(app, db, world):
    """Collection index 2 (Noto Sans CJK SC) is embedded, as a subset; without the font the answer is
    a clear 503, not a 500."""
    cert = _issue(app.test_client(), world)["王小明"]
    member = sign_in(app.test_client(), world.wang)
    response = member.get(f"/certificates/{cert.id}.pdf")
    fonts = PdfReader(io.BytesIO(response.data)).pages[0]["/Resources"]["/Font"]
    names = {str(font.get_object()["/BaseFont"]) for font in fonts.values()}
    assert len(names) == 1 and re.fullmatch(r"/[A-Z]{6}\+NotoSansCJKSC.*", names.pop())
    assert len(response.data) < 200_000  # a subset, not the 19 MB collection
    app.config["CERTIFICATE_FONT"] = "/nonexistent/NotoSansCJK-Regular.ttc"
    try:
        missing = member.get(f"/certificates/{cert.id}.pdf")
    finally:
        app.config["CERTIFICATE_FONT"] = ""
    assert missing.status_code == 503 and "字体" in missing.get_data(as_text=True)
