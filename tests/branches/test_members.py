"""Managing a branch's people through the pages: whom an officer can find and add, the same person twice,
role and party group, leaving (the history stays) and coming back, party details only with the member's
separate consent and only through the logged showing (nothing shown when the log cannot be written)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from elearn.core.permissions import SYSTEM
from elearn.attendance import models as am
from elearn.branches import models as m
from tests.branches.people_world import people_world
from tests.clients import csrf_token, sign_in


@pytest.fixture
def w(db):
    return people_world(db)


def as_(app, person):
    return sign_in(app.test_client(), person)


def names_found(client, branch, q=""):
    page = client.get(f"/branches/{branch.id}/members", query_string={"q": q})
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    return {name for name in ("钱同学", "赵外人", "李老师") if f"{name} ·" in body or f"{name}</span>" in body}


def test_an_officer_finds_the_linked_class_by_name_and_anyone_else_only_by_their_number(app, db, w):
    officer = as_(app, w.secretary)
    assert names_found(officer, w.branch) == {"钱同学"}  # the class's people not yet in the branch
    assert names_found(officer, w.branch, "赵") == set()  # an officer cannot browse accounts by name
    page = officer.get(f"/branches/{w.branch.id}/members", query_string={"q": w.outsider.mobile}).get_data(as_text=True)
    assert f"赵外人 · {w.outsider.mobile[:3]}****{w.outsider.mobile[-4:]}" in page  # masked: only what was typed
    assert names_found(as_(app, w.admin), w.branch, "赵") == {"赵外人"}  # the office may look anyone up


def add(client, branch, **fields):
    url = f"/branches/{branch.id}/members"
    return client.post(f"{url}/add", data={"csrf_token": csrf_token(client, url), **fields}, follow_redirects=True)


def current_members(db, branch) -> set[str]:
    return set(db.session.scalars(select(m.BranchMember.person_name).filter_by(branch_id=branch.id, left_at=None)))


def test_adding_people_the_officer_may_add_and_refusing_the_rest(app, db, w):
    officer = as_(app, w.secretary)
    assert "钱同学已加入本支部" in add(officer, w.branch, person=w.classmate.id).get_data(as_text=True)
    # An id the officer was never shown (the outsider is in no linked class) is refused; by number it works.
    refused = add(officer, w.branch, person=w.outsider.id).get_data(as_text=True)
    assert "不能在这里添加" in refused and "赵外人" not in current_members(db, w.branch)
    add(officer, w.branch, login=w.outsider.mobile)
    assert current_members(db, w.branch) == {"王明", "张建国", "钱同学", "赵外人"}
    twice = add(officer, w.branch, login=w.member.mobile).get_data(as_text=True)
    assert "张建国已经在这个支部里了" in twice
    assert db.session.scalar(select(func.count()).select_from(m.BranchMember).filter_by(user_id=w.member.id)) == 1
    assert add(officer, w.branch, person="abc").status_code == 200  # nonsense: a message, not a 500
    assert add(officer, w.branch).status_code == 200


def edit(client, member, **fields):
    url = f"/branches/{member.branch_id}/members"
    data = {"csrf_token": csrf_token(client, url), **{f"m{member.id}-{k}": v for k, v in fields.items()}}
    return client.post(f"/branches/members/{member.id}/edit", data=data, follow_redirects=True)


def test_an_officer_sets_the_role_and_party_group(app, db, w):
    officer = as_(app, w.secretary)
    edit(officer, w.member_row, officer_role="propaganda", group="0")
    db.session.refresh(w.member_row)
    assert (w.member_row.officer_role, w.member_row.group_id) == ("propaganda", None)
    edit(officer, w.member_row, officer_role="", group=str(w.party_group.id))
    db.session.refresh(w.member_row)
    assert (w.member_row.officer_role, w.member_row.group_id) == (None, w.party_group.id)
    page = edit(officer, w.member_row, officer_role="king", group="0").get_data(as_text=True)
    assert "请从列表中选择" in page
    db.session.refresh(w.member_row)
    assert w.member_row.officer_role is None and w.member_row.group_id == w.party_group.id


def test_leaving_keeps_the_history_and_the_member_can_come_back_on_the_same_row(app, db, w):
    officer = as_(app, w.secretary)
    url = f"/branches/members/{w.member_row.id}/remove"
    assert "张建国" in officer.get(url).get_data(as_text=True)
    officer.post(url, data={"csrf_token": csrf_token(officer, url)})
    db.session.refresh(w.member_row)
    assert w.member_row.left_at is not None and w.member_row.party_status == m.PROBATIONARY
    assert db.session.scalar(select(func.count()).select_from(am.AttendanceRecord).filter_by(user_id=w.member.id)) == 1
    assert as_(app, w.member).get(f"/branches/{w.branch.id}").status_code == 403
    page = officer.get(f"/branches/{w.branch.id}/members").get_data(as_text=True)
    assert "原来的党员" in page and "重新加入" in page
    officer.post(f"/branches/members/{w.member_row.id}/rejoin",
                 data={"csrf_token": csrf_token(officer, f"/branches/{w.branch.id}/members")})
    db.session.refresh(w.member_row)
    assert w.member_row.left_at is None
    assert db.session.scalar(select(func.count()).select_from(m.BranchMember).filter_by(user_id=w.member.id)) == 1


def test_non_officers_get_403_on_every_management_page(app, db, w):
    member_id, branch_id = w.member_row.id, w.branch.id
    gets = [f"/branches/{branch_id}/members", f"/branches/members/{member_id}/remove",
            f"/branches/members/{member_id}/details"]
    posts = [f"/branches/{branch_id}/members/add", f"/branches/members/{member_id}/edit",
             f"/branches/members/{member_id}/remove", f"/branches/members/{member_id}/rejoin",
             f"/branches/members/{member_id}/details"]
    for person in (w.member, w.classmate, w.teacher, w.outsider):
        client = as_(app, person)
        token = csrf_token(client, "/")
        for url in gets:
            assert client.get(url).status_code == 403, (person.name, url)
        for url in posts:
            assert client.post(url, data={"csrf_token": token, "person": w.outsider.id}).status_code == 403, url
    assert current_members(db, w.branch) == {"王明", "张建国"}


def details(client, member, **fields):
    url = f"/branches/members/{member.id}/details"
    return client.post(url, data={"csrf_token": csrf_token(client, url), "status": "full", **fields})


def test_party_details_need_the_members_separate_consent_recorded_with_who_and_when(app, db, w):
    officer = as_(app, w.secretary)
    add(officer, w.branch, person=w.classmate.id)
    row = db.session.scalar(select(m.BranchMember).filter_by(user_id=w.classmate.id))
    page = officer.get(f"/branches/members/{row.id}/details").get_data(as_text=True)
    assert 'type="checkbox"' in page and "consent" in page
    refused = details(officer, row, joined_on="1980-07-01")
    assert refused.status_code == 422 and "本人同意" in refused.get_data(as_text=True)
    db.session.refresh(row)
    assert row.party_status is None and row.joined_party_on is None and row.consent_at is None
    assert details(officer, row, joined_on="2999-01-01", consent="y").status_code == 422  # a future date
    assert details(officer, row, joined_on="1980-07-01", consent="y").status_code == 302
    db.session.refresh(row)
    assert row.party_status == m.FULL and row.consent_by_id == w.secretary.id and row.consent_at is not None
    shown = officer.get(f"/branches/members/{row.id}").get_data(as_text=True)
    assert "1980年7月1日" in shown and "王明" in shown
    # A correction later needs no second tick: the consent on record stays as it was given.
    assert details(officer, row, joined_on="1980-08-01").status_code == 302


def test_the_details_form_is_filled_only_through_the_logged_showing(app, db, w):
    before = db.session.scalar(select(func.count()).select_from(m.MembershipAccess))
    page = as_(app, w.secretary).get(f"/branches/members/{w.member_row.id}/details").get_data(as_text=True)
    assert 'value="1978-07-01"' in page
    rows = db.session.scalars(select(m.MembershipAccess).order_by(m.MembershipAccess.id)).all()[before:]
    assert [(r.viewer_name, r.member_name, r.channel) for r in rows] == [("王明", "张建国", "page")]


@pytest.fixture
def log_cannot_be_written(db):
    """A real database refusal on every write to the access log (a trigger), dropped afterwards."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("CREATE FUNCTION refuse_log() RETURNS trigger AS $$ BEGIN "
                                "RAISE EXCEPTION 'access log unavailable'; END $$ LANGUAGE plpgsql"))
        db.session.execute(text("CREATE TRIGGER refuse_log BEFORE INSERT ON membership_access "
                                "FOR EACH ROW EXECUTE FUNCTION refuse_log()"))
    else:
        db.session.execute(text("CREATE TRIGGER refuse_log BEFORE INSERT ON membership_access "
                                "BEGIN SELECT RAISE(ABORT, 'access log unavailable'); END"))
    db.session.commit()
    yield
    db.session.execute(text("DROP TRIGGER refuse_log" + (" ON membership_access" if db.engine.dialect.name
                                                         == "postgresql" else "")))
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("DROP FUNCTION refuse_log()"))
    db.session.commit()


def test_when_the_access_log_cannot_be_written_the_details_are_not_shown(app, db, w, log_cannot_be_written):
    for person in (w.secretary, w.admin, w.member):
        client = as_(app, person)
        for url in (f"/branches/members/{w.member_row.id}", f"/branches/members/{w.member_row.id}/details"):
            if person is w.member and url.endswith("details"):
                continue
            page = client.get(url)
            body = page.get_data(as_text=True)
            assert page.status_code == 503, (person.name, url)

            assert "1978" not in body and "预备党员" not in body and "记录" in body


def test_only_the_secretary_or_the_office_gives_officer_roles(app, db, w):
    from elearn.branches import services

    services.add_member(w.branch, w.classmate, officer_role=m.PROPAGANDA, actor=SYSTEM)
    db.session.commit()
    own = db.session.scalar(select(m.BranchMember).filter_by(user_id=w.classmate.id))
    officer = as_(app, w.classmate)
    page = officer.get(f"/branches/{w.branch.id}/members").get_data(as_text=True)
    assert f'<select id="m{own.id}-officer_role"' not in page and "宣传委员" in page  # shown, not offered
    assert f'<select id="m{own.id}-officer_role"' in as_(app, w.secretary).get(f"/branches/{w.branch.id}/members") \
        .get_data(as_text=True)
    refused = edit(officer, own, officer_role="secretary", group="0").get_data(as_text=True)
    assert "只有书记或学校管理员" in refused
    edit(officer, w.member_row, officer_role="", group="0")  # a party group is any officer's to set
    db.session.refresh(own)
    db.session.refresh(w.member_row)
    assert own.officer_role == m.PROPAGANDA and w.member_row.group_id is None
    edit(as_(app, w.admin), own, officer_role="deputy_secretary", group="0")
    db.session.refresh(own)
    assert own.officer_role == m.DEPUTY


def test_a_member_who_takes_back_their_consent_has_the_details_erased_and_stays_in_the_branch(app, db, w):
    officer = as_(app, w.secretary)
    add(officer, w.branch, person=w.classmate.id)
    row = db.session.scalar(select(m.BranchMember).filter_by(user_id=w.classmate.id))
    assert details(officer, row, joined_on="1980-07-01", consent="y").status_code == 302
    url = f"/branches/members/{row.id}/details/withdraw"
    assert as_(app, w.classmate).get(url).status_code == 403  # the officers record it, as they record consent
    assert "本人撤回同意" in officer.get(f"/branches/members/{row.id}/details").get_data(as_text=True)
    assert officer.post(url, data={"csrf_token": csrf_token(officer, url)}).status_code == 302
    db.session.refresh(row)
    assert (row.party_status, row.joined_party_on, row.consent_at, row.consent_by_id) == (None, None, None, None)
    assert row.left_at is None  # still a member
    # Entering details again needs a new consent.
    refused = details(officer, row, joined_on="1980-07-01")
    assert refused.status_code == 422 and "本人同意" in refused.get_data(as_text=True)
