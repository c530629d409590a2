"""The show-password button in the real Chromium, under the real Content-Security-Policy."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.factories import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.browser


def test_show_password_toggles_the_field_and_says_so(page, live_server, live_db):
    """「显示密码」 shows what was typed (pressed), 「隐藏密码」 hides it again; the form still signs in."""
    user = make_user(live_db)
    live_db.session.commit()
    page.goto(f"{live_server.url}/login")
    field = page.locator("#password")
    toggle = page.get_by_role("button", name="显示密码", exact=True)
    assert toggle.is_visible() and toggle.get_attribute("aria-pressed") == "false"
    assert toggle.get_attribute("aria-controls") == "password"
    assert field.get_attribute("type") == "password"
    field.fill(DEFAULT_PASSWORD)
    toggle.click()
    assert field.get_attribute("type") == "text"
    hide = page.get_by_role("button", name="隐藏密码", exact=True)
    assert hide.get_attribute("aria-pressed") == "true"
    hide.click()
    assert field.get_attribute("type") == "password"
    assert page.get_by_role("button", name="显示密码", exact=True).get_attribute("aria-pressed") == "false"
    # Shown while sending: the form hides it first, and signs in all the same.
    page.get_by_role("button", name="显示密码", exact=True).click()
    page.fill("#login", user.login_name)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert urlsplit(page.url).path != "/login"
    assert page.console_errors == []
