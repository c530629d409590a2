"""The learning-record charts: whole minutes, the newest bar labelled, the axis drawn apart from the bars."""
from __future__ import annotations

import re

import pytest

from elearn.learning.charts import bar_chart, whole_minutes
from tests.clients import sign_in
from tests.factories import make_ready_course, make_user
from tests.learning.test_pages import watch


@pytest.fixture
def learner(app, db):
    return sign_in(app.test_client(), make_user(db, roles=["student"], password=None))


def points(minutes):
    return [{"minutes": m, "label": f"p{i}"} for i, m in enumerate(minutes)]


def test_ticks_and_minutes_are_whole():
    chart = bar_chart(points([0.4, 3.3, 12.7]), slot=24)
    assert [t["value"] for t in chart["ticks"]] == [0, 10, 20]
    assert all(isinstance(t["value"], int) for t in chart["ticks"])
    assert (whole_minutes(1.5), whole_minutes(0.4), whole_minutes(59.6)) == (2, 0, 60)


def test_the_newest_bar_is_always_labelled():
    """With a label every 4 weeks, the labels count back from the current week, which has one."""
    chart = bar_chart(points([1] * 52), slot=24, label_every=4)
    texts = [label["text"] for label in chart["labels"]]
    assert texts[-1] == "p51" and "p47" in texts and "p0" not in texts


def test_the_axis_is_apart_and_the_last_label_fits():
    """The bars' picture leaves room after the last bar for its centred label."""
    chart = bar_chart(points([1] * 12), slot=80)
    last = chart["labels"][-1]
    assert chart["width"] - last["x"] >= 48 and chart["axis_width"] > 0
    assert all(bar["x"] >= 0 for bar in chart["bars"])


def test_the_page_shows_whole_minutes(app, db, learner, request_ctx):
    """「我的学习」 writes minutes as whole numbers, in the summary, the descriptions and the tables."""
    course = make_ready_course(db, lessons=1)
    watch(learner.user, course.lessons[0], [(0, 50)], 50)  # 0.8 minutes
    db.session.commit()
    html = learner.get("/learning").get_data(as_text=True)
    assert "0.8 分钟" not in html and "那一周：1 分钟" in html and re.findall(r"<dd>[^<]*</dd>", html)[0] == "<dd>1</dd>"
    assert re.search(r"<td>1</td>", html)
    assert 'class="chart-svg chart-axis"' in html and html.count('class="chart-scroll"') == 2
