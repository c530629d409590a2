"""The office's branch pages: a branch and its name, its class links term by term, party groups (removed
only when empty), the 三会一课 requirements that compliance then follows, and the access log (paged,
filtered by branch). Nobody but an admin opens them."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from elearn.core.permissions import SYSTEM
from elearn.branches import compliance, models as m, services
from elearn.classes import services as classes
from elearn.core.timeutil import to_local, utcnow
from tests.branches.people_world import people_world
from tests.clients import csrf_token, sign_in


@pytest.fixture
def w(db):
    return people_world(db)


def as_(app, person):
    return sign_in(app.test_client(), person)


def post(client, url, data, page=None):
    return client.post(url, data={"csrf_token": csrf_token(client, page or url), **data}, follow_redirects=True)


def test_the_office_creates_a_branch_and_a_second_one_of_the_same_name_is_refused(app, db, w):
    admin = as_(app, w.admin)
    answer = admin.post("/admin/branches/new", data={"csrf_token": csrf_token(admin, "/admin/branches/new"),
                                                      "name": "合唱班党支部", "description": "建在合唱班上"})
    assert answer.status_code == 302
    branch = db.session.scalar(select(m.Branch).filter_by(name="合唱班党支部"))
    assert branch.description == "建在合唱班上"
    twice = admin.post("/admin/branches/new", data={"csrf_token": csrf_token(admin, "/admin/branches/new"),
                                                     "name": "书法一班党支部"})
    assert twice.status_code == 409 and "已经有" in twice.get_data(as_text=True)
    empty = admin.post("/admin/branches/new", data={"csrf_token": csrf_token(admin, "/admin/branches/new"), "name": ""})
    assert empty.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(m.Branch)) == 2


def test_class_links_are_made_term_by_term_and_undone(app, db, w):
    today = to_local(utcnow()).date()
    next_term = classes.save_term(None, name="下学期", starts_on=today + timedelta(days=61),
                                  ends_on=today + timedelta(days=150))
    follow_up = classes.save_class(None, term=next_term, name="书法一班", teacher_ids=[w.teacher.id])
    db.session.commit()
    admin, url = as_(app, w.admin), f"/admin/branches/{w.branch.id}"
    page = admin.get(url).get_data(as_text=True)
    assert "下学期 · 书法一班" in page and "本学期 · 书法一班" not in page  # linked already: not offered again
    post(admin, f"{url}/classes", {"link-class_group": follow_up.id}, url)
    page = admin.get(url).get_data(as_text=True)
    assert "<h3>下学期</h3>" in page and "<h3>本学期</h3>" in page
    assert set(db.session.scalars(select(m.BranchClass.class_id).filter_by(branch_id=w.branch.id))) == {w.group.id, follow_up.id}
    assert "请从列表中选择" in post(admin, f"{url}/classes", {"link-class_group": w.group.id}, url).get_data(as_text=True)
    link = db.session.scalar(select(m.BranchClass).filter_by(class_id=w.group.id))
    post(admin, f"{url}/classes/{link.id}/unlink", {}, url)
    assert set(db.session.scalars(select(m.BranchClass.class_id).filter_by(branch_id=w.branch.id))) == {follow_up.id}
    assert "没有关联到本支部" in post(admin, f"{url}/classes/{link.id}/unlink", {}, url).get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(m.BranchMember)) == 2  # the members stay


def test_party_groups_are_added_renamed_and_removed_only_when_empty(app, db, w):
    admin, url = as_(app, w.admin), f"/admin/branches/{w.branch.id}"
    post(admin, f"{url}/groups", {"group-name": "第二党小组"}, url)
    second = db.session.scalar(select(m.PartyGroup).filter_by(name="第二党小组"))
    assert "已经有" in post(admin, f"{url}/groups", {"group-name": "第二党小组"}, url).get_data(as_text=True)
    post(admin, f"/admin/branches/groups/{second.id}/rename", {f"g{second.id}-name": "退休教师党小组"}, url)
    db.session.refresh(second)
    assert second.name == "退休教师党小组"
    in_use = post(admin, f"/admin/branches/groups/{w.party_group.id}/remove", {}, url).get_data(as_text=True)
    assert "还有党员" in in_use and db.session.get(m.PartyGroup, w.party_group.id) is not None
    assert "党小组已删除" in post(admin, f"/admin/branches/groups/{second.id}/remove", {}, url).get_data(as_text=True)
    assert set(db.session.scalars(select(m.PartyGroup.name))) == {"第一党小组"}


def test_the_requirements_are_edited_and_compliance_follows_them(app, db, w):
    admin, url = as_(app, w.admin), "/admin/branches/requirements"
    page = admin.get(url).get_data(as_text=True)
    assert "支部委员会" in page and 'value="1"' in page
    rows = {f"{kind}-period": period for kind, period in m.DEFAULT_REQUIREMENTS.items()}
    rows.update({f"{kind}-times": "1" for kind in m.DEFAULT_REQUIREMENTS})
    rows.update({"committee-period": "quarter", "committee-times": "2", "lecture-times": "0"})
    assert admin.post(url, data={"csrf_token": csrf_token(admin, url), **rows}).status_code == 302
    rules = {r.kind: (r.period, r.times) for r in compliance.requirements()}
    assert rules["committee"] == ("quarter", 2) and "lecture" not in rules
    checks = compliance.quarter_report(db.session.get(m.Branch, w.branch.id)).checks
    assert [(c.needed, "-Q" in c.period.label) for c in checks if c.kind == "committee"] == [(2, True)]
    bad = admin.post(url, data={"csrf_token": csrf_token(admin, url), **rows, "theme_day-period": "weekly",
                                "general_meeting-times": "99"})
    assert bad.status_code == 400
    assert {r.kind: (r.period, r.times) for r in compliance.requirements()} == rules


def test_the_access_log_is_paged_and_filtered_by_branch(app, db, w):
    other = services.save_branch(None, name="合唱班党支部")
    other_member = services.add_member(other, w.outsider, actor=SYSTEM)
    for _ in range(55):
        services.party_details(w.member_row, w.secretary, "page")
    services.party_details(other_member, w.admin, "api")
    db.session.commit()
    admin, url = as_(app, w.admin), "/admin/branches/access-log"
    first = admin.get(url).get_data(as_text=True)
    assert "赵外人" in first and "通过接口" in first and "第 1 页，共 2 页" in first
    mine = admin.get(url, query_string={"branch": w.branch.id}).get_data(as_text=True)
    assert "赵外人" not in mine and "王明" in mine and "查看了张建国的党员信息" in mine
    assert admin.get(url, query_string={"page": 2}).status_code == 200
    for odd in ({"page": "99999999999"}, {"page": "x"}, {"branch": "abc"}, {"branch": "-1"}):
        assert admin.get(url, query_string=odd).status_code == 200, odd


def test_nobody_but_the_office_opens_the_admin_pages(app, db, w):
    group = w.party_group.id
    gets = ["/admin/branches/new", f"/admin/branches/{w.branch.id}", "/admin/branches/requirements",
            "/admin/branches/access-log"]
    posts = gets[:-1] + [f"/admin/branches/{w.branch.id}/classes", f"/admin/branches/{w.branch.id}/groups",
                    f"/admin/branches/groups/{group}/rename", f"/admin/branches/groups/{group}/remove",
                    f"/admin/branches/{w.branch.id}/classes/1/unlink"]
    for person in (w.secretary, w.member, w.classmate, w.teacher):
        client = as_(app, person)
        token = csrf_token(client, "/")
        for url in gets:
            assert client.get(url).status_code == 403, (person.name, url)
        for url in posts:
            assert client.post(url, data={"csrf_token": token, "name": "x", "group-name": "x"}).status_code == 403, url
    assert as_(app, w.admin).get("/admin/branches/access-log").status_code == 200
    assert db.session.scalar(select(func.count()).select_from(m.PartyGroup)) == 1
