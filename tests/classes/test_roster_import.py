"""A class roster from a spreadsheet: the accounts import's job with the target "roster", which matches
people by mobile number, creates the others, and enrols everyone (waiting list once the class is full)."""
from __future__ import annotations

import html
import io
from datetime import date

import pytest
from sqlalchemy import func, select

from elearn.accounts.import_jobs import ImportJob
from elearn.accounts.models import User
from elearn.classes import enrolment, services
from elearn.classes import models as m
from tests.clients import csrf_token, sign_in
from tests.factories import make_user


@pytest.fixture
def office(app, db, job_runner):
    client = app.test_client()
    sign_in(client, make_user(db, roles=("admin",)))
    client.set_cookie("elearn_lang", "en")
    client.jobs = job_runner
    return client


@pytest.fixture
def group(db):
    teacher = make_user(db, roles=("teacher",), name="王老师")
    term = services.save_term(None, name="2027年春季学期", starts_on=date(2027, 3, 1), ends_on=date(2027, 6, 30))
    group = services.save_class(None, term=term, name="书法一班", teacher_ids=[teacher.id], room="301", capacity=3)
    db.session.commit()
    return group


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def upload_roster(client, group, data: bytes, filename: str = "roster.csv"):
    page = f"/admin/classes/{group.id}"
    return client.post(page + "/roster-import", data={"csrf_token": csrf_token(client, page),
                                                      "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def test_a_roster_matches_creates_enrols_and_fills_the_waiting_list(office, db, group):
    """Existing people are matched by mobile, new ones get accounts and slips; the fourth place waits;
    a number twice in the file is reported on both rows and neither is imported."""
    known = make_user(db, name="老学员", mobile="13700000001")
    member = make_user(db, name="已在班", mobile="13700000002")
    enrolment.enrol(group, member.id)
    db.session.commit()
    data = "\n".join(["姓名,手机号", "老学员,13700000001", "已在班,13700000002", "新人甲,13700000003",
                      "新人乙,13700000004", "新人丙,13700000005", "重复,13700000006", "重复,13700000006",
                      "坏号码,139"]).encode()
    answer = upload_roster(office, group, data)
    assert answer.status_code == 303
    assert db.session.scalar(select(func.count(m.Enrolment.id))) == 1  # nothing enrolled by the request
    job_url = answer.headers["Location"]
    office.jobs.run()
    preview = text_of(office.get(job_url))
    assert "For the class 书法一班" in preview and "Add 5 people to the class" in preview
    assert "Has an account already (老学员)" in preview
    assert preview.count("The same mobile number is also on row") == 2

    users_before = db.session.scalar(select(func.count(User.id)))
    office.post(job_url + "/confirm", data={"csrf_token": csrf_token(office, job_url)})
    assert office.jobs.run() == ["imported"]
    assert db.session.scalar(select(func.count(User.id))) == users_before + 3  # 甲, 乙, 丙; 老学员 matched

    states = {row.user.name: row.state for row in db.session.scalars(select(m.Enrolment))}
    assert states == {"已在班": m.ENROLLED, "老学员": m.ENROLLED, "新人甲": m.ENROLLED, "新人乙": m.WAITING,
                      "新人丙": m.WAITING}
    result = office.get(job_url)
    page = text_of(result)
    assert result.status_code == 200 and "3 accounts have been created." in page
    assert page.count("Added to the class.") == 2 and page.count("On the waiting list: the class is full.") == 2
    assert "Already a member of the class." in page and "Left out (3)" in page
    assert page.count('class="slip-code"') == 3 and known.mobile not in page.split('class="slips"')[-1]


def test_the_class_page_offers_the_roster_import_and_refuses_a_missing_file(office, db, group):
    page = f"/admin/classes/{group.id}"
    assert f'action="/admin/classes/{group.id}/roster-import"' in office.get(page).get_data(as_text=True)
    answer = office.post(page + "/roster-import", data={"csrf_token": csrf_token(office, page)},
                         content_type="multipart/form-data")
    assert answer.status_code == 303 and db.session.scalar(select(func.count(ImportJob.id))) == 0
    assert "Please choose the spreadsheet file." in text_of(office.get(page))


def test_a_class_deleted_before_the_confirm_imports_nobody(office, db, group):
    """The target refuses inside the import's transaction: no account stays, the page says why."""
    job_url = upload_roster(office, group, "姓名,手机号\n新人,13700000011\n".encode()).headers["Location"]
    office.jobs.run()
    office.post(job_url + "/confirm", data={"csrf_token": csrf_token(office, job_url)})
    db.session.delete(db.session.get(m.ClassGroup, group.id))
    db.session.commit()
    before = db.session.scalar(select(func.count(User.id)))
    assert office.jobs.run() == ["refused"]
    assert db.session.scalar(select(func.count(User.id))) == before
    answer = office.get(job_url)
    assert answer.status_code == 404 and "This class no longer exists" in text_of(answer)
