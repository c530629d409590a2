"""The import job's pages on a 360 px phone at the largest text size (特大), in the real Chromium under
the real CSP: the progress bar moves by itself as the worker reports, the page opens the preview when
the check is done, and the progress, preview and result pages pass axe and our own checks."""
from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect

from elearn.core import jobs
from tests.browser.conftest import sign_in
from tests.browser.test_accessibility import _report, axe_problems, own_problems
from tests.factories import make_user

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}
PEOPLE = "姓名,手机号\n张三,13800138301\n李四,13800138302\n坏号码,138\n".encode()


@pytest.fixture
def held_jobs(monkeypatch):
    """Jobs the server wakes are kept; ``run()`` does them in the server's app, as a worker would."""
    woken = []
    monkeypatch.setattr(jobs, "enqueue", lambda kind, row_id, delay=None: woken.append((kind, row_id)))

    def run(app):
        with app.app_context():
            while woken:
                jobs.run_job.call_local(*woken.pop(0))

    return type("Held", (), {"woken": woken, "run": staticmethod(run)})


def problems(page) -> list[str]:
    return axe_problems(page) + own_problems(page)


def test_progress_preview_and_result_on_a_phone_at_the_largest_text(new_page, live_server, live_db, held_jobs):
    admin = make_user(live_db, roles=("admin",), name="管理员", fast_hash=True, text_size="xlarge")
    live_db.session.commit()
    page = new_page(viewport=PHONE, bypass_csp=False)
    sign_in(page, live_server, admin)
    page.goto(f"{live_server.url}/admin/users/import")
    page.set_input_files("input[type=file]", files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": PEOPLE}])
    page.click("main form button[type=submit]")
    expect(page.locator("progress#import-bar")).to_be_visible()
    assert held_jobs.woken, "the upload queued the check"

    axe_page = new_page(viewport=PHONE, bypass_csp=True)
    sign_in(axe_page, live_server, admin)
    axe_page.goto(page.url)
    found = problems(axe_page)
    assert not found, _report(found)
    axe_page.goto("about:blank")  # it would follow the job by itself too

    # The worker checks the file; the page, asking every two seconds, opens the preview by itself.
    threading.Thread(target=held_jobs.run, args=(live_server.app,)).start()
    expect(page.get_by_role("heading", level=1)).to_have_text("导入前请核对", timeout=15_000)
    axe_page.goto(page.url)
    found = problems(axe_page)
    assert not found, _report(found)

    page.click("form[action$='/confirm'] button[type=submit]")
    held_jobs.run(live_server.app)
    page.reload()
    expect(page.locator(".slip-code")).to_have_count(2)
    axe_page.goto(page.url)
    found = problems(axe_page)
    assert not found, _report(found)
    assert page.console_errors == []
