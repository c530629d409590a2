"""Times are printed in the site's time zone (TIMEZONE), never as UTC, in the reader's language."""
from __future__ import annotations

import html
import re
from datetime import date, datetime

from flask_babel import force_locale

from elearn.core.timeutil import local_day, localtime
from tests.factories import make_user


def test_the_filter_writes_site_time_in_each_language(app):
    """08:36 UTC is 16:36 in Shanghai, written the Chinese or the English way."""
    moment = datetime(2026, 12, 1, 8, 36)
    with app.test_request_context():
        with force_locale("zh_CN"):
            assert localtime(moment) == "2026年12月1日 16:36"
            assert localtime(moment, "time") == "16:36"
            assert localtime(date(2026, 12, 1), "date") == "2026年12月1日"
            assert localtime(moment, "weekday") == "12月1日 周二 16:36"  # a class session
        with force_locale("en"):
            assert localtime(moment) == "1 Dec 2026, 16:36"
            assert localtime(moment, "weekday") == "Tue 1 Dec, 16:36"
        assert localtime(None) == ""


def test_the_day_follows_the_site_zone(app):
    """20:00 UTC on 1 December is already 2 December in Shanghai."""
    with app.app_context():
        assert local_day(datetime(2026, 12, 1, 20, 0)) == date(2026, 12, 2)


def test_another_zone_is_a_setting(app):
    with app.test_request_context(), force_locale("en"):
        old = app.config["TIMEZONE"]
        app.config["TIMEZONE"] = "Europe/London"
        try:
            assert localtime(datetime(2026, 12, 1, 8, 36), "time") == "08:36"
        finally:
            app.config["TIMEZONE"] = old


def test_admin_page_shows_site_time_not_utc(admin_client, db):
    """The slips page's group heading shows 16:36 for an import made at 08:36 UTC, and no "UTC"."""
    make_user(db, password=None, must_change_password=True, created_at=datetime(2026, 12, 1, 8, 36))
    page = html.unescape(admin_client.get("/admin/users/slips").get_data(as_text=True))
    heading = re.search(r"<h2>(.*?)</h2>", page).group(1)
    assert heading.startswith("添加于2026年12月1日 16:36")
    assert "UTC" not in page
