"""Party membership stays with the branch's officers and the office, for every role (classmate, member,
officer, teacher, admin): never in search results, never on the class's pages, roll, reports, exports
(.xlsx/.csv), sign-in sheet or API, never on the pages a plain member sees; every members/details page
answers 403 to non-officers. Deleting a person from the register keeps the name and attendance."""
from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from elearn.accounts.hooks import account_deleting
from elearn.attendance import models as am
from elearn.branches import models as m
from elearn.core.timeutil import utcnow
from tests.branches.people_world import people_world
from tests.clients import bearer, sign_in
from tests.search.conftest import index_dir  # noqa: F401  (the fixture: a fresh index for this test)

# What would give membership away: the branch, its groups and roles, the member's standing and dates.
MARKERS = ("党支部", "党小组", "预备党员", "正式党员", "入党", "书记", "1978", "Probationary", "Party")
ROLES = ("classmate", "member", "secretary", "teacher", "admin")


@pytest.fixture
def w(db, index_dir):  # noqa: F811  (the imported fixture, asked for by name)
    from elearn.search import writer

    world = people_world(db)
    writer.apply_pending()
    return world


def as_(app, person):
    return sign_in(app.test_client(), person)


def visible_text(response) -> str:
    """What the page, export or API answer says (a page's menu is left out: it names the branches
    section to anyone in one)."""
    kind = response.headers.get("Content-Type", "")
    if "spreadsheetml" in kind:
        book = load_workbook(io.BytesIO(response.data))
        return "\n".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row
                         if cell is not None)
    if "csv" in kind:
        return "\n".join(",".join(row) for row in csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    body = response.get_data(as_text=True)
    return body[body.find("<main"):body.find("</main>")] if "<main" in body else body


def class_urls(w) -> list[str]:
    g, s, t = w.group.id, w.session.id, w.group.term_id
    return [f"/classes/{g}", f"/classes/sessions/{s}/roll", f"/classes/{g}/report", f"/classes/{g}/report.xlsx",
            f"/classes/{g}/report.csv", f"/classes/reports/terms/{t}.xlsx", f"/classes/reports/terms/{t}.csv",
            f"/classes/{g}/report/members/{w.member.id}", f"/classes/sessions/{s}/report",
            f"/classes/sessions/{s}/sign-in-sheet", f"/admin/classes/{g}", "/classes",
            "/search?q=张建国", "/search?q=党支部", "/search?q=预备党员", "/search?q=书法"]


API_URLS = ("/api/v1/classes/{g}/members", "/api/v1/class-sessions/{s}/attendance", "/api/v1/search?q=党支部",
            "/api/v1/search?q=张建国", "/api/v1/classes/{g}")


def test_class_pages_rosters_exports_and_search_never_show_membership(app, db, w):
    opened = set()
    for role in ROLES:
        person = getattr(w, role)
        client = as_(app, person)
        for url in class_urls(w):
            answer = client.get(url)
            assert answer.status_code in (200, 302, 403, 404), (role, url, answer.status_code)
            if answer.status_code == 200:
                opened.add((role, url.split("?")[0]))
                text = visible_text(answer).replace(url.partition("?q=")[2], "")  # a search repeats its query
                assert not [mk for mk in MARKERS if mk in text], (role, url, [mk for mk in MARKERS if mk in text])
        headers = bearer(db, person)
        for url in API_URLS:
            url = url.format(g=w.group.id, s=w.session.id)
            answer = app.test_client().get(url, headers=headers)
            if answer.status_code == 200:
                opened.add((role, url.split("?")[0]))
                text = json.dumps(answer.get_json(), ensure_ascii=False).replace(url.partition("?q=")[2], "")
                assert not [mk for mk in MARKERS if mk in text], (role, url)
    # The rosters were really read: the teacher's roll, reports, exports, sign-in sheet and API members.
    g, s = w.group.id, w.session.id
    for url in (f"/classes/sessions/{s}/roll", f"/classes/{g}/report.xlsx", f"/classes/{g}/report.csv",
                f"/classes/sessions/{s}/sign-in-sheet", f"/api/v1/classes/{g}/members", "/search"):
        assert ("teacher", url) in opened, url
    assert ("admin", f"/classes/reports/terms/{w.group.term_id}.xlsx") in opened
    teacher = as_(app, w.teacher)
    for url in (f"/classes/sessions/{s}/roll", f"/classes/{g}/report.xlsx", f"/classes/sessions/{s}/sign-in-sheet"):
        assert "张建国" in visible_text(teacher.get(url)), url  # the member is on the roster, as a classmate only
    assert ("classmate", f"/classes/{g}") in opened


def test_the_pages_a_plain_member_sees_show_no_one_s_party_details(app, db, w):
    member = as_(app, w.member)
    for url in ("/branches", f"/branches/{w.branch.id}"):
        text = visible_text(member.get(url))
        assert "预备党员" not in text and "1978" not in text and "第一党小组" not in text, url
    # Their own page (what is held about them) is theirs to see, and is reached from the branch page.
    assert f"/branches/members/{w.member_row.id}" in member.get(f"/branches/{w.branch.id}").get_data(as_text=True)
    assert "预备党员" in visible_text(member.get(f"/branches/members/{w.member_row.id}"))


def test_every_members_and_details_page_is_403_to_non_officers(app, db, w):
    others = {"classmate": w.classmate, "teacher": w.teacher, "member": w.member}
    urls = [f"/branches/{w.branch.id}/members", f"/branches/members/{w.secretary_row.id}",
            f"/branches/members/{w.member_row.id}/details", f"/branches/members/{w.secretary_row.id}/details",
            f"/branches/members/{w.member_row.id}/remove", "/admin/branches/access-log"]
    for role, person in others.items():
        client = as_(app, person)
        for url in urls:
            assert client.get(url).status_code == 403, (role, url)
        if role != "member":
            assert client.get(f"/branches/members/{w.member_row.id}").status_code == 403, role
            assert client.get(f"/branches/{w.branch.id}").status_code == 403, role
    for person in (w.secretary, w.admin):
        client = as_(app, person)
        for url in urls[:-1]:
            assert client.get(url).status_code == 200, (person.name, url)


def test_deleting_an_account_keeps_the_register_name_and_attendance_and_drops_the_rest(app, db, w):
    from elearn.attendance import services as attendance
    from elearn.branches import activities

    held = activities.create_activity(w.branch, kind=m.THEME_DAY, topic="重温誓词", starts_at=utcnow() - timedelta(days=2),
                                      ends_at=utcnow() - timedelta(days=2, hours=-2), actor=w.secretary)
    event = activities.event_of(held)
    attendance.mark(event, w.member.id, am.PRESENT, actor=w.secretary)
    db.session.commit()
    # What an account's deletion does, in the same unit of work as the row's DELETE (ON DELETE SET NULL).
    account_deleting.send(w.member)
    db.session.delete(w.member)
    db.session.commit()
    row = db.session.get(m.BranchMember, w.member_row.id)
    assert row.person_name == "张建国" and row.user_id is None and row.left_at is not None
    assert row.party_status is None and row.joined_party_on is None and row.full_member_on is None
    record = db.session.scalar(select(am.AttendanceRecord).filter_by(event_id=event.id, person_name="张建国"))
    assert record is not None and record.status == am.PRESENT
    # The register still names them among the former members, with no account to bring back.
    page = as_(app, w.secretary).get(f"/branches/{w.branch.id}/members").get_data(as_text=True)
    assert "张建国" in page and f"/branches/members/{row.id}/rejoin" not in page
