"""The search page and API: odd queries never fail, the caps hold, each role finds only what it may
see (also before the index has caught up), and a moment opens the lesson at its second."""
from __future__ import annotations


from elearn.courses import services as courses
from elearn.search import query, writer
from tests.clients import sign_in
from tests.factories import make_caption, make_course, make_ready_course, make_user
from tests.search.conftest import srt

ODD = [
    "", "   ", "\t\n", '"unbalanced', "((((", "))", "[1 TO 9]", "{a TO}", "AND", "OR NOT", "NOT 太极",
    "*", "?", "~2", "^3", "太极*", "tai~", "title:太极", "kind:course", "status:draft", "a" * 10000,
    "太" * 10000, "😀🙂🧓", "'; DROP TABLE courses; --", "1 OR 1=1", "\x00\x01\x1b[31m", "\u202e反向",
    "太极 taiji 高血压 shufa 书法 health 手机 电信诈骗 合唱 静夜思 梅花 ABC", "ｔａｉｊｉ", "%", "\\", "<script>alert(1)</script>",
]


def test_odd_queries_answer_without_error_on_the_page_and_the_api(client, world):
    for q in ODD:
        page = client.get("/search", query_string={"q": q})
        assert page.status_code == 200, q
        assert "<script>alert" not in page.get_data(as_text=True)
        api = client.get("/api/v1/search", query_string={"q": q})
        assert api.status_code == 200, (q, api.get_data(as_text=True))
        assert client.get("/api/v1/search/suggest", query_string={"q": q}).status_code == 200, q
    for args in ({"page": "0"}, {"page": "x"}, {"page": "99999"}, {"teacher": "abc"}, {"category": "x" * 500}):
        assert client.get("/search", query_string=dict(args, q="太极")).status_code == 200
        assert client.get("/api/v1/search", query_string=dict(args, q="太极")).status_code in (200, 422)


def test_the_length_and_the_number_of_words_are_capped():
    long = query.parse("太" * 10000)
    assert len(long.text) == query.MAX_LENGTH and long.truncated
    many = query.parse(" ".join(f"w{n}" for n in range(20)))  # short enough: only the words are too many
    assert len(many.text) < query.MAX_LENGTH and len(many.words) == query.MAX_WORDS and many.truncated
    assert not query.parse("太极拳").truncated


def test_whoosh_syntax_is_only_words():
    parsed = query.parse('title:太极 AND (书法 OR "x") NOT y* ~2 ^3 [a TO b]')
    assert all(":" not in w and "*" not in w and "(" not in w for w, _ in parsed.words)


def test_a_long_query_says_it_used_its_beginning(client, world):
    assert "only its beginning" in client.get("/search", query_string={"q": "太极 " * 100}).get_data(as_text=True) \
        or "开头" in client.get("/search", query_string={"q": "太极 " * 100}).get_data(as_text=True)


def test_snippets_are_escaped_and_marked(db, client, index_dir):
    course = make_course(db, title="<b>书法</b>入门", status="published", description_md="<img src=x onerror=alert(1)> 书法")
    writer.apply_pending()
    html = client.get("/search", query_string={"q": "书法"}).get_data(as_text=True)
    assert "<img src=x" not in html and "&lt;b&gt;<mark>书法</mark>" in html
    assert course.title


def test_did_you_mean_for_a_homophone(client, world):
    html = client.get("/search", query_string={"q": "太级"}).get_data(as_text=True)
    assert "太极" in html and "/search?q=" in html
    data = client.get("/api/v1/search", query_string={"q": "太级"}).get_json()
    assert data["did_you_mean"] == "太极" and data["courses"]


def test_filters_by_category_and_teacher(client, world):
    all_found = client.get("/api/v1/search", query_string={"q": "第一课"}).get_json()
    assert len({h["course_title"] for h in all_found["lessons"]}) > 1
    by_category = client.get("/api/v1/search", query_string={"q": "第一课", "category": "health"}).get_json()
    assert {h["course_title"] for h in by_category["lessons"]} == {"老年养生保健"}
    teacher = world["shufa"].teachers[0]
    by_teacher = client.get("/api/v1/search", query_string={"q": "第一课", "teacher": teacher.id}).get_json()
    assert "lessons" in by_teacher, by_teacher
    assert {h["course_title"] for h in by_teacher["lessons"]} == {"书法基础"}


def test_pages_of_results(db, client, index_dir):
    course = make_course(db, title="书法练习", status="published", lessons=25)
    for lesson in course.lessons:
        courses.update_lesson(lesson, title=f"书法{lesson.title}")
    db.session.commit()
    writer.apply_pending()
    first = client.get("/api/v1/search", query_string={"q": "书法"}).get_json()
    second = client.get("/api/v1/search", query_string={"q": "书法", "page": 2}).get_json()
    assert "lessons" in second, second
    assert first["lessons_total"] == 25 and len(first["lessons"]) == 10 and len(second["lessons"]) == 10
    assert not {h["id"] for h in first["lessons"]} & {h["id"] for h in second["lessons"]}
    assert second["courses"] == [] and course.id == first["courses"][0]["id"]
    assert 'aria-label="' in client.get("/search", query_string={"q": "书法"}).get_data(as_text=True)


def _titles(client, q="太极拳") -> set:
    data = client.get("/api/v1/search", query_string={"q": q}).get_json()
    return {c["title_text"] for c in data["courses"]}


def test_each_role_finds_only_the_courses_it_may_see(app, db, index_dir):
    teacher = make_user(db, roles=("teacher",), fast_hash=True)
    other_teacher = make_user(db, roles=("teacher",), fast_hash=True)
    make_course(db, title="太极拳公开课", status="published", visibility="public")
    make_course(db, title="太极拳学员课", status="published", visibility="signed_in")
    make_course(db, title="太极拳班级课", status="published", visibility="classes", teachers=[teacher])
    make_course(db, title="太极拳草稿", status="draft", visibility="public", teachers=[teacher])
    writer.apply_pending()
    anonymous = app.test_client()
    student = sign_in(app.test_client(), make_user(db, fast_hash=True))
    mine = sign_in(app.test_client(), teacher)
    theirs = sign_in(app.test_client(), other_teacher)
    admin = sign_in(app.test_client(), make_user(db, roles=("admin",), fast_hash=True))
    assert _titles(anonymous) == {"太极拳公开课"}
    assert _titles(student) == {"太极拳公开课", "太极拳学员课"}
    assert _titles(theirs) == {"太极拳公开课", "太极拳学员课"}
    assert _titles(mine) == {"太极拳公开课", "太极拳学员课", "太极拳班级课", "太极拳草稿"}
    assert _titles(admin) == {"太极拳公开课", "太极拳学员课", "太极拳班级课", "太极拳草稿"}
    anonymous_page = anonymous.get("/search", query_string={"q": "太极拳"}).get_data(as_text=True)
    assert "太极拳草稿" not in anonymous_page and "太极拳学员课" not in anonymous_page


def test_a_course_unpublished_or_deleted_never_shows_even_before_the_index_catches_up(app, db, client, index_dir):
    gone = make_course(db, title="太极拳将删除", status="published")
    hidden = make_course(db, title="太极拳将撤回", status="published")
    writer.apply_pending()
    assert _titles(client) == {"太极拳将删除", "太极拳将撤回"}
    courses.set_status(hidden, "draft")
    db.session.delete(gone)
    db.session.commit()
    assert _titles(client) == set()  # the index still has both: the database check drops them
    writer.apply_pending()
    assert _titles(client) == set() and writer.pending() == 0


def test_a_caption_moment_opens_the_lesson_at_that_second(app, db, client, index_dir):
    course = make_ready_course(db, lessons=1, visibility="public", title="养生")
    lesson = course.lessons[0]
    make_caption(db, lesson, srt([[5, "开场"], [42, "量血压要在早上"]]))
    writer.apply_pending()
    moment = client.get("/api/v1/search", query_string={"q": "量血压"}).get_json()["moments"][0]
    assert moment["start"] == 42 and moment["url"].endswith("?t=42")
    page = client.get(moment["url"]).get_data(as_text=True)
    assert "&#34;resumeAt&#34;: 42.0" in page or '"resumeAt": 42.0' in page
    # Where the search found it, not "where you stopped last time" (this person never watched it).
    assert ("从找到的地方开始播放（0:42）" in page or "Play from where it was found (0:42)" in page), page
    assert "上次您看到" not in page and "Last time you stopped" not in page
    assert '"resumeAt": 999' not in client.get(f"/lessons/{lesson.id}?t=999").get_data(as_text=True)


def test_suggestions_for_half_typed_pinyin_and_characters(client, world):
    titles = [s["title"] for s in client.get("/api/v1/search/suggest", query_string={"q": "taij"}).get_json()]
    assert "太极拳入门" in titles
    titles = [s["title"] for s in client.get("/api/v1/search/suggest", query_string={"q": "书"}).get_json()]
    assert "书法基础" in titles


def test_healthz_reports_the_index(client, world):
    check = client.get("/healthz").get_json()["checks"]["search_index"]
    assert check["ok"] and check["bytes"] > 0 and check["age_seconds"] is not None and check["pending"] == 0


def test_a_moment_is_the_cue_of_its_passage_that_holds_the_words(app, db, client, index_dir):
    course = make_ready_course(db, lessons=1, visibility="public", title="养生")
    make_caption(db, course.lessons[0], srt([[0, "大家好"], [4, "今天讲血压"], [8, "早上起床以后"],
                                             [12, "先量血压再吃药"], [16, "谢谢大家"]]))
    writer.apply_pending()

    def moments(q):
        return [m["start"] for m in client.get("/api/v1/search", query_string={"q": q}).get_json()["moments"]]

    assert moments("血压 吃药") == [12]  # the cue with both words, not the passage's first
    assert moments("起床 吃药") == [8]   # said across two cues: found, at the first of them
    assert moments("谢谢") == [16]


def test_pages_and_totals_count_only_what_the_person_may_see(app, db, index_dir):
    """The visibility filter runs inside the index: without it the database check would empty a page
    of a draft's lessons and the totals would count them (the check alone cannot make pages right)."""
    teacher = make_user(db, roles=("teacher",), fast_hash=True)
    draft = make_course(db, title="书法草稿", status="draft", visibility="public", teachers=[teacher], lessons=12)
    shown = make_course(db, title="书法公开课", status="published", visibility="public", lessons=3)
    for lesson in draft.lessons + shown.lessons:
        courses.update_lesson(lesson, title=f"书法{lesson.title}")
    db.session.commit()
    writer.apply_pending()

    def found(client):
        data = client.get("/api/v1/search", query_string={"q": "书法"}).get_json()
        return data["lessons_total"], len(data["lessons"])

    assert found(app.test_client()) == (3, 3)
    assert found(sign_in(app.test_client(), teacher)) == (15, 10)


def test_a_homophone_typo_finds_the_word_meant_even_where_its_characters_match(client, world):
    """广场 alone matches the dance course: 广场午 (a wrong pick for 广场舞) is put right and said so."""
    data = client.get("/api/v1/search", query_string={"q": "广场午"}).get_json()
    assert data["did_you_mean"] == "广场舞"
    assert data["courses"][0]["id"] == world["dance"].id
    assert client.get("/api/v1/search", query_string={"q": "广场舞"}).get_json()["did_you_mean"] is None
    html = client.get("/search", query_string={"q": "广场午"}).get_data(as_text=True)
    assert "广场舞" in html and "Nothing was found for" not in html and "没有找到" not in html
