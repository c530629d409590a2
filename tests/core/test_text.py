"""Text that lies about itself: a NUL (a server error on PostgreSQL) is refused with a plain message,
and a right-to-left override (U+202E, which makes one name look like another) is dropped, through the
real pages, the API and the import."""
from __future__ import annotations

import html
import io

import pytest
from sqlalchemy import select

from elearn.accounts.models import User
from elearn.core.text import clean_line, clean_text, half_width
from elearn.core.utils import safe_filename
from elearn.courses.models import Course, Lesson
from tests.clients import bearer, csrf_token
from tests.factories import make_user

REFUSED = "hidden control characters"
RLO = "\u202e"


@pytest.fixture
def admin(admin_client):
    admin_client.set_cookie("elearn_lang", "en")
    return admin_client


@pytest.fixture
def api(app, db):
    client = app.test_client()
    headers = {**bearer(db, make_user(db, roles=["teacher"], password=None)), "Accept-Language": "en"}

    def call(method, url, **kwargs):
        return getattr(client, method)(url, headers=headers, **kwargs)

    return call


def create_account(admin, name: str, mobile: str):
    return admin.post("/admin/users/new", data={"csrf_token": csrf_token(admin, "/admin/users/new"), "name": name,
                                                "mobile": mobile, "roles": ["student"]})


def test_a_name_with_a_nul_is_refused_on_the_admin_page(admin, db):
    """A NUL in a name gets a 400 and a plain message, and no account is created."""
    response = create_account(admin, "张\x00三", "13800138401")
    assert response.status_code == 400
    assert REFUSED in html.unescape(response.get_data(as_text=True))
    assert db.session.scalar(select(User).where(User.mobile == "13800138401")) is None


def test_a_name_with_a_right_to_left_override_is_kept_without_it(admin, db):
    """U+202E and zero-width spaces are dropped: the name shown is the name stored."""
    create_account(admin, f"张三{RLO}abc\u200b", "13800138402")
    user = db.session.scalar(select(User).where(User.mobile == "13800138402"))
    assert user.name == "张三abc"


def test_sign_up_refuses_a_nul_in_the_name(app, client, db, monkeypatch):
    """Self-registration, open to anyone, refuses the NUL as well."""
    monkeypatch.setitem(app.config, "SELF_REGISTRATION", True)
    response = client.post("/register", data={"csrf_token": csrf_token(client, "/register"), "name": "\x00",
                                              "mobile": "13800138403", "password": "garden-path-9",
                                              "confirm": "garden-path-9"})
    assert response.status_code == 400
    assert db.session.scalar(select(User).where(User.mobile == "13800138403")) is None


@pytest.mark.parametrize("field", ["title", "subtitle", "description_md"])
def test_the_course_api_refuses_a_nul_in_any_text(api, db, field):
    """Titles, subtitles and descriptions: 400 with the code and the field, nothing created."""
    body = {"title": "太极拳", "category": "taichi", field: "太极\x00拳"}
    response = api("post", "/api/v1/courses", json=body)
    assert response.status_code == 400
    assert response.get_json()["code"] == "bad_characters" and response.get_json()["field"] == field
    assert db.session.scalar(select(Course).where(Course.title == "太极拳")) is None


def test_course_chapter_and_lesson_titles_lose_the_override(api, db):
    """A title cannot pretend to be another: U+202E is dropped from course, chapter and lesson titles."""
    course = api("post", "/api/v1/courses", json={"title": f"书法{RLO}abc", "category": "calligraphy",
                                                  "description_md": f"第一行\n\t第二行{RLO}"}).get_json()
    chapter = api("post", f"/api/v1/courses/{course['id']}/chapters", json={"title": f"{RLO}第一章"}).get_json()
    lesson = api("post", f"/api/v1/courses/{course['id']}/lessons", json={"title": f"握笔{RLO}",
                                                                          "chapter_id": chapter["id"]})
    assert lesson.status_code == 201
    stored = db.session.get(Course, course["id"])
    assert stored.title == "书法abc" and stored.description_md == "第一行\n\t第二行"
    assert stored.chapters[-1].title == "第一章"
    assert db.session.get(Lesson, lesson.get_json()["id"]).title == "握笔"


def test_an_imported_row_with_a_control_code_is_not_ready(admin, db, job_runner):
    """In an import the row with a control code in the name is reported; the row with U+202E is cleaned.
    (A NUL makes a CSV file binary, which is refused as a whole.) The file is checked by its job."""
    data = ("姓名,手机号\n张\x1b三,13800138404\n李四" + RLO + "x,13800138405\n").encode()
    response = admin.post("/admin/users/import", data={"csrf_token": csrf_token(admin, "/admin/users/import"),
                                                       "file": (io.BytesIO(data), "people.csv")},
                          content_type="multipart/form-data")
    assert response.status_code == 303
    job_runner.run()
    response = admin.get(response.headers["Location"])
    page = html.unescape(response.get_data(as_text=True))
    assert REFUSED in page
    assert "李四x" in page and RLO not in page and "\x1b" not in page


def test_clean_line_and_clean_text():
    """C0, C1, DEL and lone surrogates are refused; bidi and zero-width characters dropped; emoji joiners kept."""
    for bad in ("a\x00", "a\x1b[31m", "a\x7f", "a\x9b", "a\ud800"):
        with pytest.raises(Exception, match=REFUSED):
            clean_line(bad)
    assert clean_line(" a\tb\nc ") == "a b c"
    assert clean_line("\u2066abc\u2069\u200f\ufeff") == "abc"
    assert clean_line("家庭👨\u200d👩\u200d👧") == "家庭👨\u200d👩\u200d👧"
    assert clean_line("ad\u200dmin") == "admin"
    assert clean_text("a\r\nb\u2028c\td") == "a\nb\nc\td"
    with pytest.raises(Exception, match=REFUSED):
        clean_text("a\x00b")


def test_file_names_shown_lose_the_override():
    """"photo\u202egpj.exe" would show as "photoexe.jpg": the shown name is the real one."""
    assert safe_filename(f"photo{RLO}gpj.exe") == "photogpj.exe"
    assert safe_filename("讲义\x00.pdf") == "讲义.pdf"


def test_half_width_turns_what_chinese_keyboards_type_into_ascii():
    """Full-width digits, dashes and the ideographic space read as their ASCII forms; Chinese stays."""
    assert half_width("１３８－１２３４　５６７８") == "138-1234 5678"
    assert half_width("ＬａｏＷａｎｇ 王") == "LaoWang 王"
    assert half_width(None) == ""


def test_required_line_and_within_give_the_one_answer_for_empty_and_too_long():
    """Every feature's "please fill this in" and "please keep this to N characters" come from here."""
    from elearn.core.errors import ServiceError
    from elearn.core.text import required_line, within

    assert required_line("  书法\u202e一班 ", "name", 10) == "书法一班"
    for value, code in (("   ", "required"), ("长" * 11, "too_long")):
        with pytest.raises(ServiceError) as refused:
            required_line(value, "name", 10)
        assert refused.value.code == code and refused.value.details["field"] == "name"
    with pytest.raises(ServiceError) as big:
        within("x" * 6, 5, "minutes", status=413)
    assert big.value.status == 413 and big.value.details["limit"] == 5
