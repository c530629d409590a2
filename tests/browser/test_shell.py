"""The UI shell in the real Chromium, under the real Content-Security-Policy (no bypass)."""
from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in
from tests.browser.pages import make_world, visit_every_page
from tests.factories import make_user

pytestmark = pytest.mark.browser

ROOT_FONT_SIZE = "parseFloat(getComputedStyle(document.documentElement).fontSize)"


def button(page, name):
    return page.get_by_role("button", name=name, exact=True)


def click_and_wait(page, locator):
    with page.expect_navigation():
        locator.click()


def test_sign_in_and_out_through_the_forms(page, live_server, live_db):
    """A student signs in with the login form, sees their name, signs out; no CSP violation on the way."""
    user = make_user(live_db, name="张学员")
    sign_in(page, live_server, user)
    assert page.locator(".whoami").inner_text() == "张学员"
    assert "张学员" in page.get_by_role("heading", level=1).inner_text()
    click_and_wait(page, button(page, "退出登录"))
    assert page.get_by_role("link", name="登录", exact=True).is_visible()
    assert "您已退出登录" in page.locator(".messages").inner_text()
    page.goto(f"{live_server.url}/account")
    assert page.url.startswith(f"{live_server.url}/login")
    assert page.console_errors == []


def test_text_size_is_remembered_in_the_browser_and_on_the_account(new_page, live_server, live_db):
    """标准/大/特大 set the root font to 20/26/32 px, kept after a reload and in another browser after sign-in."""
    user = make_user(live_db)
    page = new_page()
    sign_in(page, live_server, user)
    assert page.evaluate(ROOT_FONT_SIZE) == 20
    for label, pixels in (("大", 26), ("标准", 20), ("特大", 32)):
        click_and_wait(page, button(page, label))
        assert page.evaluate(ROOT_FONT_SIZE) == pixels
        assert button(page, label).get_attribute("aria-pressed") == "true"
    page.reload()
    assert page.evaluate(ROOT_FONT_SIZE) == 32
    click_and_wait(page, button(page, "退出登录"))
    assert page.evaluate(ROOT_FONT_SIZE) == 32  # this browser remembers it without an account

    elsewhere = new_page()
    elsewhere.goto(live_server.url)
    assert elsewhere.evaluate(ROOT_FONT_SIZE) == 20
    sign_in(elsewhere, live_server, user)
    assert elsewhere.evaluate(ROOT_FONT_SIZE) == 32  # the account's choice follows the person
    assert page.console_errors == [] and elsewhere.console_errors == []


def test_language_switch_changes_text_and_html_lang(page, live_server, live_db):
    """The language button switches the page to English and back, with <html lang> to match."""
    sign_in(page, live_server, make_user(live_db))
    assert page.get_attribute("html", "lang") == "zh-CN"
    assert page.get_by_role("link", name="首页", exact=True).is_visible()
    click_and_wait(page, button(page, "English"))
    assert page.get_attribute("html", "lang") == "en"
    assert page.get_by_role("link", name="Home", exact=True).is_visible()
    assert button(page, "Sign out").is_visible()
    click_and_wait(page, button(page, "中文"))
    assert page.get_attribute("html", "lang") == "zh-CN"
    assert button(page, "退出登录").is_visible()
    assert page.console_errors == []


def test_high_contrast_theme_toggles(page, live_server, live_db):
    """The contrast button turns the high-contrast theme (black background) on and off again."""
    sign_in(page, live_server, make_user(live_db))
    background = "getComputedStyle(document.body).backgroundColor"
    assert page.evaluate(background) == "rgb(255, 255, 255)"
    click_and_wait(page, button(page, "高对比度"))
    assert page.get_attribute("html", "data-contrast") == "high"
    assert page.evaluate(background) == "rgb(0, 0, 0)"
    page.reload()
    assert page.evaluate(background) == "rgb(0, 0, 0)"
    click_and_wait(page, button(page, "标准配色"))
    assert page.get_attribute("html", "data-contrast") == "standard"
    assert page.evaluate(background) == "rgb(255, 255, 255)"


def test_skip_link_is_the_first_tab_stop_and_moves_focus_to_main(page, live_server, live_db):
    """The first Tab reaches the visible skip link; Enter moves the focus to the main content."""
    page.goto(live_server.url)
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.className, document.activeElement.textContent.trim()]")
    assert focused == ["skip-link", "跳到正文"]
    box = page.locator(".skip-link").bounding_box()
    assert box["y"] >= 0 and box["height"] >= 48  # shown on screen once focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")  # the next stop is inside main, not back in the header
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")


def test_every_page_fits_phones_and_wide_screens_under_the_real_csp(new_page, live_server, live_db):
    """Every page, for every role, fits 360 px and 1920 px without sideways scrolling, with no console error."""
    world = make_world(live_db)

    def check(page, visit):
        problems = []
        for width in (360, 1920):
            page.set_viewport_size({"width": width, "height": 800})
            scroll_width, inner_width = page.evaluate(
                "[document.scrollingElement.scrollWidth, window.innerWidth]")
            if scroll_width > inner_width:
                problems.append(f"at {width}px scrolls sideways: content {scroll_width}px wide")
        page.set_viewport_size({"width": 360, "height": 800})
        # Chromium logs the error status of the document itself; anything else (a refused
        # script or style, a script error, a missing file) is a real problem.
        expected = f"the server responded with a status of {visit.status}"
        problems += [f"console: {m}" for m in page.console_errors if expected not in m]
        return problems

    problems = visit_every_page(new_page, live_server, world, check, viewport={"width": 360, "height": 800})
    assert not problems, "\n".join(problems)
