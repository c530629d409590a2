"""Every page of the site, and how a browser test reaches it, for the shell and accessibility tests.

Each HTML GET endpoint in ``app.url_map`` needs at least one ``Visit`` below (or, if it answers
with something other than HTML, an entry in ``NON_HTML_ENDPOINTS``); ``test_every_html_page_is_visited``
fails as soon as a new page appears without one. A visit names the role that opens the page, how
to build its address from the objects in ``World``, and optionally an action that leads to another
state of the page (a form sent with errors, a flashed message, a page shown after a POST).
"""
from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from typing import Callable

from flask import url_for

from tests.factories import make_user

#: GET endpoints that answer with JSON, files or media, never an HTML page.
NON_HTML_ENDPOINTS = {"static", "core.healthz", "api-docs.openapi_json", "accounts.admin_import_example",
                      "accounts.admin_import_progress",
                      "courses.course_cover", "courses.handout_download", "media.serve", "classes.checkin_qr",
                      "branches.activity_qr", "branches.activity_screen_data",
                      "classes.certificate_file",
                      "classes.term_export", "classes.class_export", "classes.calendar_feed",
                      "branches.register_export", "branches.attachment_download"}
NON_HTML_PREFIXES = ("/api/",)

ROLES = ("anonymous", "student", "teacher", "admin", "newcomer")


@dataclass
class World:
    """The committed objects the pages are shown with; one account per role."""

    admin: object
    teacher: object
    student: object
    newcomer: object  # signed in with a code and must now choose a password
    target: object  # an account the admin edits
    disabled: object
    reset_target: object
    course: object = None  # a published course the teacher teaches (tests/courses/pages_world.py)
    group: object = None  # a class the teacher teaches and the student attends (tests/classes/pages_world.py)
    class_session: object = None  # one of its sessions, under way
    upcoming_session: object = None  # one next week, with a leave request waiting
    checkin_grant: str = ""  # a scanned check-in code of that session
    certificate: object = None  # the student's 结业证书 of that class (tests/classes/certificates_pages_world.py)
    revoked_certificate: object = None  # another member's, revoked
    branch: object = None  # a party branch: the teacher is its secretary, the student a member (tests/branches)
    activity: object = None  # one held last week, its minutes approved and corrected
    branch_member: object = None  # the student's membership, with consented party details
    upcoming_activity: object = None  # next week's, with the student's leave request waiting (roll_pages_world)
    codes_shown: int = 0  # a batch of issued codes still shown again, and one whose time is up
    codes_gone: int = 0
    import_job: int = 0  # an import of the admin's still waiting for a worker (its progress page)

    def user_for(self, role: str):
        return None if role == "anonymous" else getattr(self, role)


def make_world(db, *, contrast: str = "standard", text_size: str = "standard") -> World:
    def user(roles, **kw):
        return make_user(db, roles=roles, fast_hash=True, contrast=contrast, text_size=text_size, **kw)

    world = World(
        admin=user(["admin"], name="王管理"),
        teacher=user(["teacher"], name="李老师"),
        student=user(["student"], name="张学员"),
        newcomer=user(["student"], name="赵新生"),
        target=user(["student", "teacher"], name="陈同学", username="chentongxue"),
        disabled=user(["student"], name="孙停用", disabled=True),
        reset_target=user(["student"], name="周忘记"),
    )
    world.newcomer.must_change_password = True
    db.session.commit()
    world.codes_shown, world.codes_gone = (_issued_batch(db, world, kind, gone) for kind, gone in
                                           (("slips", False), ("reset", True)))
    world.import_job = _queued_import(db, world)
    from tests.courses.pages_world import course_for_pages

    world.course = course_for_pages(db, world.teacher)
    from tests.video.pages_world import media_for_pages

    media_for_pages(db, world.course)
    from tests.learning.pages_world import learning_for_pages

    learning_for_pages(db, world)
    from tests.classes.pages_world import classes_for_pages

    classes_for_pages(db, world)
    from tests.classes.certificates_pages_world import certificates_for_pages

    certificates_for_pages(db, world)
    from tests.branches.pages_world import branches_for_pages

    branches_for_pages(db, world)
    from tests.branches.roll_pages_world import branch_roll_for_pages

    branch_roll_for_pages(db, world)
    return world


def _queued_import(db, world) -> int:
    from elearn.accounts.import_jobs import ImportJob

    job = ImportJob(target="accounts", created_by_id=world.admin.id, filename="学员名单.xlsx")
    db.session.add(job)
    db.session.commit()
    return job.id


def _issued_batch(db, world, kind: str, gone: bool) -> int:
    from elearn.accounts import issued
    from elearn.accounts.services import issue_code
    from elearn.core.timeutil import utcnow

    user = world.reset_target
    batch = issued.record(issued.new_nonce(world.admin), world.admin, kind,
                          [issued.Issued(user, issue_code(user, "import", by=world.admin))])
    if gone:
        batch.shown_until = utcnow()
    db.session.commit()
    return batch.id


def _first_of_lesson(model: str, lesson) -> int:
    """The id of the first asset or caption of ``lesson`` (the walk's lesson 3 has several)."""
    from sqlalchemy import select

    from elearn.extensions import db
    from elearn.video import models

    table = getattr(models, model)
    return db.session.scalar(select(table.id).where(table.lesson_id == lesson.id).order_by(table.id))


# ---------------------------------------------------------------- actions leading to other states

def _submit(selector: str):
    def action(page, world):
        with page.expect_navigation() as navigation:
            page.click(selector)
        return navigation.value

    return action


def _fill_and_submit(values: dict, selector: str = "main form button[type=submit]"):
    def action(page, world):
        for name, value in values.items():
            page.fill(name, value)
        return _submit(selector)(page, world)

    return action


def _reload_and_click(selector: str):
    """Open something on the page (a <details> block) so that what it holds is checked too."""
    def action(page, world):
        response = page.reload()
        page.click(selector)
        return response

    return action


def _on_a_phone_click(selector: str):
    """A 360 px screen, then open something only phones have (菜单): its contents are checked too.
    The page keeps that size, so such visits come last in VISITS."""
    def action(page, world):
        page.set_viewport_size({"width": 360, "height": 740})
        response = page.reload()
        page.click(selector)
        return response

    return action


#: A spreadsheet with one person ready to import and one row with problems.
PEOPLE_CSV = "姓名,手机号,出生年份,角色\n欧阳秀英,13900139001,1952,学员\n王五,12345,很久以前,校长\n".encode()


def _upload_people(page, world):
    page.set_input_files("input[type=file]", files=[
        {"name": "people.csv", "mimeType": "text/csv", "buffer": PEOPLE_CSV}])
    return _submit("main form button[type=submit]")(page, world)


def _import_people(page, world):
    _upload_people(page, world)
    return _submit("form[action$='/confirm'] button[type=submit]")(page, world)


def _upload_picture(page, world):
    page.set_input_files("input[type=file]", files=[
        {"name": "photo.xlsx", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"}])
    return _submit("main form button[type=submit]")(page, world)


@contextlib.contextmanager
def _jobs_at_once(app):
    """The import's jobs run as soon as they are queued (in the request, after its commit): no worker here."""
    from elearn.core import jobs

    original = jobs.enqueue
    jobs.enqueue = lambda kind, row_id, delay=None: jobs.run_job.call_local(kind, row_id)
    try:
        yield
    finally:
        jobs.enqueue = original


@contextlib.contextmanager
def _config(app, **settings):
    saved = {key: app.config[key] for key in settings}
    app.config.update(settings)
    try:
        yield
    finally:
        app.config.update(saved)


@contextlib.contextmanager
def _broken_view(app, endpoint: str):
    """The view at ``endpoint`` raises, so the 500 page is shown (restored afterwards)."""
    original = app.view_functions[endpoint]

    def broken(**kwargs):
        raise RuntimeError("deliberate failure for the 500 page test")

    app.view_functions[endpoint] = broken
    try:
        yield
    finally:
        app.view_functions[endpoint] = original


@contextlib.contextmanager
def _error_pages_cannot_render(app):
    """Error pages fall back to the static bilingual page (as when the database is down)."""
    from elearn.core import errors

    def broken(*args, **kwargs):
        raise RuntimeError("deliberate failure: error templates cannot be rendered")

    original = errors.render_template
    errors.render_template = broken
    try:
        yield
    finally:
        errors.render_template = original


@contextlib.contextmanager
def _student_on_a_phone_too(app):
    """The student is also signed in on a phone, so the device list offers to sign it out."""
    from sqlalchemy import select

    from elearn.accounts.models import User
    from elearn.accounts.sessions import start_session
    from elearn.extensions import db

    with app.app_context():
        student = db.session.scalar(select(User).where(User.name == "张学员"))
        start_session(student, user_agent="Mozilla/5.0 (Linux; Android 12) Mobile MicroMessenger/8.0",
                      ip="192.0.2.7", remember=True)
        db.session.commit()
    yield


def _send_without_csrf(selector: str = "main form button[type=submit]"):
    """A form sent after its session ended (signed out in another tab): its CSRF token is gone."""
    def action(page, world):
        page.evaluate("document.querySelectorAll('input[name$=csrf_token]').forEach(i => i.remove())")
        return _submit(selector)(page, world)

    return action


@contextlib.contextmanager
def _search_indexed(app):
    """The search index takes in what the world made (the writer runs in the worker, not here)."""
    from elearn.search import writer

    with app.app_context():
        writer.apply_pending()
    yield


@dataclass
class Visit:
    name: str
    role: str
    endpoint: str | None = None  # the url_map endpoint this visit covers
    args: Callable[[World], dict] = lambda world: {}
    path: str | None = None  # a raw path instead of an endpoint (error pages)
    status: int = 200
    then: Callable | None = None  # (page, world) -> response of the state to check
    prepare: Callable | None = None  # app -> context manager around the visit (server-side setup)
    themed: bool = True  # shown with the visitor's text size and contrast (all but the static fallback)

    def url(self, app, base: str, world: World) -> str:
        if self.path:
            return base + self.path
        with app.test_request_context():
            return base + url_for(self.endpoint, **self.args(world))

    def open(self, page, app, base: str, world: World):
        with self.prepare(app) if self.prepare else contextlib.nullcontext():
            response = page.goto(self.url(app, base, world))
            if self.then:
                response = self.then(page, world)
        page.wait_for_load_state("load")
        return response


VISITS = [
    Visit("home, signed out", "anonymous", "index"),
    Visit("home, student", "student", "index"),
    Visit("home, teacher", "teacher", "index"),
    Visit("home, admin", "admin", "index"),
    Visit("sign in", "anonymous", "accounts.login"),
    Visit("sign in, empty form sent", "anonymous", "accounts.login", status=400,
          then=_submit("main form button[type=submit]")),
    Visit("sign in, wrong password", "anonymous", "accounts.login", status=401,
          then=_fill_and_submit({"#login": "13700000000", "#password": "not-the-password"})),
    Visit("sign in, self-registration open", "anonymous", "accounts.login",
          prepare=lambda app: _config(app, SELF_REGISTRATION=True)),
    Visit("sign in with a code", "anonymous", "accounts.login_code"),
    Visit("sign in with a code, wrong code", "anonymous", "accounts.login_code", status=401,
          then=_fill_and_submit({"#login": "13700000000", "#code": "12345678"})),
    Visit("self-registration", "anonymous", "accounts.register",
          prepare=lambda app: _config(app, SELF_REGISTRATION=True)),
    Visit("choose a password after a code", "newcomer", "accounts.set_password"),
    Visit("my account", "student", "accounts.account"),
    Visit("my account, empty password form sent", "student", "accounts.account", status=400,
          then=_submit("form:has(input[value=password]) button[type=submit]")),
    Visit("my account, signed in on another device too", "student", "accounts.account",
          prepare=_student_on_a_phone_too),
    Visit("my account, another device signed out", "student", "accounts.account",
          prepare=_student_on_a_phone_too, then=_submit("form[action$='/end'] button[type=submit]")),
    Visit("page expired (a form sent after its session ended)", "anonymous", "accounts.login", status=400,
          then=_send_without_csrf()),
    Visit("admin: accounts", "admin", "accounts.admin_users"),
    Visit("admin: accounts, nothing found", "admin", "accounts.admin_users", args=lambda w: {"q": "无此人"}),
    Visit("admin: new account", "admin", "accounts.admin_user_new"),
    Visit("admin: new account, empty form sent", "admin", "accounts.admin_user_new", status=400,
          then=_submit("main form button[type=submit]")),
    Visit("admin: edit account", "admin", "accounts.admin_user_edit", args=lambda w: {"user": w.target.id}),
    Visit("admin: edit a disabled account", "admin", "accounts.admin_user_edit",
          args=lambda w: {"user": w.disabled.id}),
    Visit("admin: account saved", "admin", "accounts.admin_user_edit", args=lambda w: {"user": w.target.id},
          then=_submit("main form button.primary[type=submit]")),
    Visit("admin: reset a password?", "admin", "accounts.admin_user_reset", args=lambda w: {"user": w.target.id}),
    Visit("admin: disable an account?", "admin", "accounts.admin_user_disable", args=lambda w: {"user": w.target.id}),
    Visit("admin: slips shown again on reload", "admin", "accounts.admin_issued",
          args=lambda w: {"batch": w.codes_shown}),
    Visit("admin: codes already given", "admin", "accounts.admin_issued", args=lambda w: {"batch": w.codes_gone}),
    Visit("admin: one-time code issued", "admin", "accounts.admin_user_reset",
          args=lambda w: {"user": w.reset_target.id}, then=_submit("main form button[type=submit]")),
    Visit("admin: import accounts", "admin", "accounts.admin_import"),
    Visit("admin: import waiting for its worker", "admin", "accounts.admin_import_job",
          args=lambda w: {"job": w.import_job}),
    Visit("admin: import preview", "admin", "accounts.admin_import", then=_upload_people, prepare=_jobs_at_once),
    Visit("admin: report and slips after an import", "admin", "accounts.admin_import", then=_import_people,
          prepare=_jobs_at_once),
    Visit("admin: import of a picture refused", "admin", "accounts.admin_import", then=_upload_picture,
          prepare=_jobs_at_once, status=415),
    Visit("admin: people who have not signed in yet", "admin", "accounts.admin_slips"),
    Visit("courses: catalogue, signed out", "anonymous", "courses.catalogue"),
    Visit("search: results", "student", "search.search_page", args=lambda w: {"q": w.course.title},
          prepare=lambda app: _search_indexed(app)),
    Visit("search: nothing found, did you mean", "anonymous", "search.search_page", args=lambda w: {"q": "太级拳"},
          prepare=lambda app: _search_indexed(app)),
    Visit("courses: one category", "student", "courses.catalogue", args=lambda w: {"category": "smartphone"}),
    Visit("courses: course page", "student", "courses.course_page", args=lambda w: {"course": w.course.id}),
    Visit("courses: lesson page", "student", "learning.lesson_page", args=lambda w: {"lesson": w.course.lessons[0].id}),
    Visit("learning: lesson page whose video is being prepared", "student", "learning.lesson_page",
          args=lambda w: {"lesson": w.course.lessons[1].id}),
    Visit("learning: lesson page with 更多设置 open", "student", "learning.lesson_page",
          args=lambda w: {"lesson": w.course.lessons[0].id}, then=_reload_and_click("#more-toggle")),
    Visit("learning: lesson page with the player, signed out", "anonymous", "learning.lesson_page",
          args=lambda w: {"lesson": w.course.lessons[0].id}),
    Visit("learning: my learning", "student", "learning.record"),
    Visit("learning: my learning with the figures of my courses", "teacher", "learning.record"),
    Visit("learning: player settings saved", "student", "learning.record",
          then=_submit("#settings button[type=submit]")),
    Visit("courses: my courses", "teacher", "courses.teaching"),
    Visit("courses: new course", "teacher", "courses.course_new"),
    Visit("courses: new course, empty form sent", "teacher", "courses.course_new", status=400,
          then=_submit("main form button[type=submit]")),
    Visit("courses: edit course details (admin)", "admin", "courses.course_edit",
          args=lambda w: {"course": w.course.id}),
    Visit("courses: course outline", "teacher", "courses.course_manage", args=lambda w: {"course": w.course.id}),
    Visit("courses: delete course?", "teacher", "courses.course_delete", args=lambda w: {"course": w.course.id}),
    Visit("courses: rename chapter", "teacher", "courses.chapter_rename",
          args=lambda w: {"chapter": w.course.chapters[0].id}),
    Visit("courses: delete chapter?", "teacher", "courses.chapter_delete",
          args=lambda w: {"chapter": w.course.chapters[0].id}),
    Visit("courses: edit lesson", "teacher", "courses.lesson_edit", args=lambda w: {"lesson": w.course.lessons[0].id}),
    Visit("courses: delete lesson?", "teacher", "courses.lesson_delete",
          args=lambda w: {"lesson": w.course.lessons[0].id}),
    Visit("courses: delete handout?", "teacher", "courses.handout_delete",
          args=lambda w: {"handout": w.course.lessons[0].handouts[0].id}),
    Visit("video: lesson with a video being prepared", "teacher", "courses.lesson_edit",
          args=lambda w: {"lesson": w.course.lessons[1].id}),
    Visit("video: failed video, captions with previews", "teacher", "courses.lesson_edit",
          args=lambda w: {"lesson": w.course.lessons[2].id}),
    Visit("video: failed video with ffmpeg's detail opened (admin)", "admin", "courses.lesson_edit",
          args=lambda w: {"lesson": w.course.lessons[2].id},
          then=_reload_and_click("details[data-asset-detail] summary")),
    Visit("video: captions read again with another encoding", "teacher", "courses.lesson_edit",
          args=lambda w: {"lesson": w.course.lessons[2].id}, then=_submit("form.caption-encoding button")),
    Visit("classes: my classes, student", "student", "classes.my_classes"),
    Visit("classes: my classes, teacher", "teacher", "classes.my_classes"),
    Visit("classes: class page, student", "student", "classes.class_page", args=lambda w: {"group": w.group.id}),
    Visit("classes: class page, teacher", "teacher", "classes.class_page", args=lambda w: {"group": w.group.id}),
    Visit("classes: roll call", "teacher", "classes.roll_call", args=lambda w: {"session": w.class_session.id}),
    Visit("classes: roll call after 全部出勤", "teacher", "classes.roll_call",
          args=lambda w: {"session": w.class_session.id}, then=_submit("form[action$='/roll/everyone'] button")),
    Visit("classes: roll call, one person's more opened", "teacher", "classes.roll_call",
          args=lambda w: {"session": w.class_session.id}, then=_reload_and_click(".roll-more summary")),
    Visit("classes: class page, member with a leave request", "target", "classes.class_page",
          args=lambda w: {"group": w.group.id}, then=_reload_and_click(".history-box summary")),
    Visit("classes: ask for leave", "student", "classes.ask_leave", args=lambda w: {"session": w.upcoming_session.id}),
    Visit("classes: leave asked, waiting", "target", "classes.ask_leave",
          args=lambda w: {"session": w.upcoming_session.id}),
    Visit("classes: check-in screen", "teacher", "classes.checkin_screen", args=lambda w: {"session": w.class_session.id}),
    Visit("classes: check in", "student", "classes.check_in", args=lambda w: {"grant": w.checkin_grant}),
    Visit("classes: checked in", "student", "classes.check_in", args=lambda w: {"grant": w.checkin_grant},
          then=_submit("main form button[type=submit]")),
    Visit("classes: an old check-in code", "anonymous", "classes.scan", args=lambda w: {"code": "1-2-3"}, status=404),
    Visit("certificates: a class's certificates, teacher", "teacher", "classes.class_certificates",
          args=lambda w: {"group": w.group.id}),
    Visit("certificates: a class's certificates, admin (revoke)", "admin", "classes.class_certificates",
          args=lambda w: {"group": w.group.id}),
    Visit("certificates: check a number", "anonymous", "classes.verify_form"),
    Visit("certificates: a valid certificate", "anonymous", "classes.verify_certificate",
          args=lambda w: {"code": w.certificate.code}),
    Visit("certificates: a revoked certificate", "anonymous", "classes.verify_certificate",
          args=lambda w: {"code": w.revoked_certificate.code}),
    Visit("certificates: no certificate has this number", "anonymous", "classes.verify_certificate",
          args=lambda w: {"code": "ABCDEFGHJKMNPQRS"}, status=404),
    Visit("classes: attendance reports, teacher", "teacher", "classes.reports_overview"),
    Visit("classes: attendance reports, admin", "admin", "classes.reports_overview"),
    Visit("classes: class report", "teacher", "classes.class_report", args=lambda w: {"group": w.group.id}),
    Visit("classes: member report", "teacher", "classes.member_report",
          args=lambda w: {"group": w.group.id, "person": w.student.id}),
    Visit("classes: session report", "teacher", "classes.session_report", args=lambda w: {"session": w.class_session.id}),
    Visit("classes: sign-in sheet", "teacher", "classes.sign_in_sheet", args=lambda w: {"session": w.class_session.id}),
    Visit("classes: my classes, calendar address made", "student", "classes.my_classes",
          then=_submit("#calendar form button[type=submit]")),
    Visit("classes: my announcements, student", "student", "classes.my_notices"),
    Visit("classes: home after 知道了", "student", "index", then=_submit(".notices-panel .got-it")),
    Visit("classes: announcements of a class, teacher", "teacher", "classes.class_notices",
          args=lambda w: {"group": w.group.id}, then=_reload_and_click(".notice-count + details summary")),
    Visit("classes: an announcement sent empty", "teacher", "classes.class_notices", status=422,
          args=lambda w: {"group": w.group.id}, then=_fill_and_submit({"#title": " ", "#body": " "})),
    Visit("branches: my branches, member", "student", "branches.my_branches"),
    Visit("branches: every branch, office", "admin", "branches.my_branches"),
    Visit("branches: a branch, member", "student", "branches.branch_page", args=lambda w: {"branch": w.branch.id}),
    Visit("branches: a branch, secretary", "teacher", "branches.branch_page", args=lambda w: {"branch": w.branch.id}),
    Visit("branches: an activity, member", "student", "branches.activity_page",
          args=lambda w: {"activity": w.activity.id}),
    Visit("branches: an activity, secretary", "teacher", "branches.activity_page",
          args=lambda w: {"activity": w.activity.id}),
    Visit("branches: new activity", "teacher", "branches.activity_new", args=lambda w: {"branch": w.branch.id}),
    Visit("branches: new activity, empty form sent", "teacher", "branches.activity_new", status=400,
          args=lambda w: {"branch": w.branch.id}, then=_submit("main form button[type=submit]")),
    Visit("branches: a member's party details", "teacher", "branches.member_page",
          args=lambda w: {"member": w.branch_member.id}),
    Visit("branches: roll call", "teacher", "branches.activity_roll", args=lambda w: {"activity": w.activity.id}),
    Visit("branches: roll call after 全部出勤", "teacher", "branches.activity_roll",
          args=lambda w: {"activity": w.activity.id}, then=_submit("form[action$='/roll/everyone'] button")),
    Visit("branches: roll call, one person's more opened", "teacher", "branches.activity_roll",
          args=lambda w: {"activity": w.activity.id}, then=_reload_and_click(".roll-more summary")),
    Visit("branches: roll call with leave to answer", "teacher", "branches.activity_roll",
          args=lambda w: {"activity": w.upcoming_activity.id}),
    Visit("branches: check-in screen", "teacher", "branches.activity_screen",
          args=lambda w: {"activity": w.upcoming_activity.id}),
    Visit("branches: ask for leave", "teacher", "branches.activity_leave",
          args=lambda w: {"activity": w.upcoming_activity.id}),
    Visit("branches: leave asked, waiting", "student", "branches.activity_leave",
          args=lambda w: {"activity": w.upcoming_activity.id}),
    Visit("branches: members, secretary", "teacher", "branches.members_page", args=lambda w: {"branch": w.branch.id}),
    Visit("branches: members, found by name", "teacher", "branches.members_page",
          args=lambda w: {"branch": w.branch.id, "q": w.target.name[:1]}),
    Visit("branches: a member leaves?", "teacher", "branches.member_remove", args=lambda w: {"member": w.branch_member.id}),
    Visit("branches: erase the party details?", "teacher", "branches.consent_withdraw",
          args=lambda w: {"member": w.branch_member.id}),
    Visit("branches: party details form", "teacher", "branches.member_details",
          args=lambda w: {"member": w.branch_member.id}),
    Visit("branches: party details sent with a future date", "teacher", "branches.member_details", status=422,
          args=lambda w: {"member": w.branch_member.id}, then=_fill_and_submit({"#joined_on": "2999-01-01"})),
    Visit("branches: new branch", "admin", "branches.admin_branch"),
    Visit("branches: a branch, office", "admin", "branches.admin_branch", args=lambda w: {"branch": w.branch.id}),
    Visit("branches: activity requirements", "admin", "branches.admin_requirements"),
    Visit("branches: who looked at party details", "admin", "branches.admin_access_log"),
    Visit("branches: call off an activity?", "teacher", "branches.activity_cancel",
          args=lambda w: {"activity": w.upcoming_activity.id}),
    Visit("branches: change an activity", "teacher", "branches.activity_edit",
          args=lambda w: {"activity": w.activity.id}),
    Visit("branches: an activity's printable record", "teacher", "branches.activity_print",
          args=lambda w: {"activity": w.activity.id}),
    Visit("branches: delete an activity's file?", "teacher", "branches.attachment_delete",
          args=lambda w: {"attachment": w.activity.attachments[0].id}),
    Visit("admin: terms and classes", "admin", "classes.admin_classes"),
    Visit("admin: new term, empty form sent", "admin", "classes.admin_classes", status=400,
          then=_submit("main form button[type=submit]")),
    Visit("admin: a class", "admin", "classes.admin_class", args=lambda w: {"group": w.group.id}),
    Visit("admin: new class", "admin", "classes.admin_class_form"),
    Visit("admin: edit a class", "admin", "classes.admin_class_form", args=lambda w: {"group": w.group.id}),
    Visit("video: remove this video?", "teacher", "video.asset_delete",
          args=lambda w: {"asset": _first_of_lesson("MediaAsset", w.course.lessons[2])}),
    Visit("video: delete this caption?", "teacher", "video.caption_delete",
          args=lambda w: {"caption": _first_of_lesson("Caption", w.course.lessons[2])}),
    Visit("admin: storage", "admin", "video.admin_storage"),
    Visit("admin: system status", "admin", "core.admin_status"),
    Visit("403 not allowed", "student", "accounts.admin_users", status=403),
    Visit("404 not found, signed out", "anonymous", path="/no-such-page", status=404),
    Visit("404 not found, signed in", "student", path="/no-such-page", status=404),
    Visit("405 generic error page", "anonymous", path="/logout", status=405),
    Visit("500 server error", "student", path="/", status=500,
          prepare=lambda app: _broken_view(app, "index")),
    Visit("static fallback error page", "student", path="/no-such-page", status=404,
          prepare=_error_pages_cannot_render, themed=False),
    # Last: these leave their page at phone size.
    Visit("home on a phone, 菜单 open", "admin", "index", then=_on_a_phone_click("#menu-toggle")),
    Visit("sign in on a phone, 菜单 open", "anonymous", "accounts.login", then=_on_a_phone_click("#menu-toggle")),
]


def html_get_endpoints(app) -> set[str]:
    return {
        rule.endpoint for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint not in NON_HTML_ENDPOINTS
        and not rule.rule.startswith(NON_HTML_PREFIXES)
    }


def visited_endpoints() -> set[str]:
    return {visit.endpoint for visit in VISITS if visit.endpoint}


# ---------------------------------------------------------------- the walk

def open_as(new_page, live_server, world: World, role: str, *, contrast: str = "standard", **page_options):
    """A page in a fresh context, signed in as ``role`` (anonymous visitors get the contrast by cookie)."""
    from tests.browser.conftest import sign_in

    page = new_page(**page_options)
    page.context.add_cookies([{"name": "elearn_contrast", "value": contrast, "url": live_server.url}])
    user = world.user_for(role)
    if user is not None:
        sign_in(page, live_server, user)
    return page


def visit_every_page(new_page, live_server, world: World, check, *, contrast: str = "standard",
                     **page_options) -> list[str]:
    """Open every page as its role and run ``check(page, visit)`` (a list of problems) on each.

    Returns every problem found, each prefixed with the page's name, so one run lists them all.
    """
    problems: list[str] = []
    pages: dict[str, object] = {}
    app = live_server.app
    only = os.environ.get("ELEARN_VISITS", "")  # while working on some pages: the visits whose name has this
    for visit in VISITS:
        if only not in visit.name:
            continue
        page = pages.get(visit.role)
        if page is None:
            page = pages[visit.role] = open_as(new_page, live_server, world, visit.role, contrast=contrast,
                                               **page_options)
        page.console_errors.clear()
        response = visit.open(page, app, live_server.url, world)
        if response is None or response.status != visit.status:
            got = response.status if response else "no response"
            problems.append(f"{visit.name}: expected status {visit.status}, got {got} at {page.url}")
            continue
        problems.extend(f"{visit.name} ({page.url}): {problem}" for problem in check(page, visit))
    return problems

