"""Large text on a small phone leaves room for the lesson (360×740 at 特大, the size older learners need).

Every page, as each role sees it: the header is one compact bar, the main content starts within the
first half of the screen (also with a 56 px search row in the header), nothing scrolls sideways,
no button label breaks apart one character per line. The other text sizes are checked on the same
page by switching ``data-text`` the way the server sets it.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.pages import make_world, visit_every_page

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
LAYOUT = (Path(__file__).parent / "layout.js").read_text(encoding="utf-8").strip().rstrip(";")
HALF_SCREEN = PHONE["height"] // 2
#: What h-search's header box will take at most on a phone: one full-width row.
SEARCH_ROW_PX = 56

AT_EVERY_SIZE = """(search) => {
  const layout = %s;
  const html = document.documentElement, before = html.dataset.text, found = {};
  const slot = document.querySelector(".header-search");
  let filler = null;
  if (search && slot && !slot.querySelector("input")) {  // stands in for the search box until it exists
    filler = document.createElement("div");
    filler.style.height = search + "px";
    slot.appendChild(filler);
  }
  for (const size of ["standard", "large", "xlarge"]) {
    html.dataset.text = size;
    found[size] = layout();
  }
  html.dataset.text = before;
  if (filler) { filler.remove(); }
  const menu = document.getElementById("site-menu");
  return {found: found, slot: !!slot || !document.querySelector(".site-header"),
          menuOpen: !!menu && menu.classList.contains("open")};
}""" % LAYOUT


def layout_problems(page, search_row: int = SEARCH_ROW_PX) -> list[str]:
    result = page.evaluate(AT_EVERY_SIZE, search_row)
    problems = [] if result["slot"] else ["the header has no .header-search slot for the search box"]
    for size, each in result["found"].items():
        if each["mainTop"] > HALF_SCREEN and not result["menuOpen"]:  # an open 菜单 pushes it down, as it should
            problems.append(f"{size}: main content starts at {each['mainTop']}px (header {each['header']}px), "
                            f"below the first half of the screen ({HALF_SCREEN}px)")
        if each["scrollWidth"] > PHONE["width"]:
            problems.append(f"{size}: scrolls sideways, {each['scrollWidth']}px wide: {', '.join(each['wide'])}")
        problems += [f"{size}: label breaks apart: {b}" for b in each["broken"]]
    return problems


def test_every_page_leaves_room_for_the_content_on_a_phone_at_every_text_size(new_page, live_server, live_db):
    """360×740, each role, every page, 标准/大/特大: content starts above 370 px, no sideways scroll,
    no label broken apart."""
    world = make_world(live_db, text_size="xlarge")
    problems = visit_every_page(new_page, live_server, world, lambda page, visit: layout_problems(page),
                                viewport=PHONE)
    assert not problems, f"{len(problems)} problem(s):\n  " + "\n  ".join(problems)
