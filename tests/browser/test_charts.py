"""「我的学习」 charts on a 360 px phone at the largest text: they open on the current week and month,
the minutes axis stays in view, and the page itself never scrolls sideways."""
from __future__ import annotations

import os

import pytest

from tests.browser.conftest import sign_in
from tests.factories import make_user

pytestmark = pytest.mark.browser

GEOMETRY = """() => [...document.querySelectorAll('figure.chart')].map((figure) => {
  const box = figure.querySelector('.chart-scroll').getBoundingClientRect();
  const bars = figure.querySelectorAll('.chart-scroll rect.bar');
  const newest = bars[bars.length - 1].getBoundingClientRect();
  const axis = figure.querySelector('.chart-axis');
  return {box: [box.left, box.right], newest: [newest.left, newest.right],
          axis: axis ? [axis.getBoundingClientRect().left, axis.getBoundingClientRect().right] : null};
})"""


def test_charts_open_on_the_current_period_and_fit_a_phone(new_page, live_server, live_db):
    user = make_user(live_db, text_size="xlarge")
    page = new_page(viewport={"width": 360, "height": 740})
    sign_in(page, live_server, user)
    page.goto(f"{live_server.url}/learning")
    assert page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]") == [360, 360]
    charts = page.evaluate(GEOMETRY)
    assert len(charts) == 2
    for chart in charts:
        left, right = chart["box"]
        assert left <= chart["newest"][0] and chart["newest"][1] <= right, chart  # the newest bar is in view
        assert chart["axis"] is not None and 0 <= chart["axis"][0] and chart["axis"][1] <= left + 1, chart
    if os.environ.get("CODES_SHOT"):  # to look at it by hand
        for index, figure in enumerate(page.locator("figure.chart").all()):
            figure.screenshot(path=f"/tmp/chart-{index}.png")
    # Scrolled back to the oldest bars, the axis is still where it was.
    page.evaluate("document.querySelectorAll('.chart-scroll').forEach((el) => { el.scrollLeft = -1e6; })")
    assert [c["axis"] for c in page.evaluate(GEOMETRY)] == [c["axis"] for c in charts]
    assert page.console_errors == []
