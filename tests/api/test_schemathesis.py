"""Schemathesis against /api/v1/openapi.json, through WSGI, signed in as each role.

Each role gets an app and database of its own in a temporary folder, so nothing the run creates
reaches other tests. Checks: no server error, no status code, content type or body outside the
document, no documented-valid request refused. Failures known today are listed in
``schemathesis_baseline.json``; the test fails on any failure not listed there, and on any listed
one that no longer happens, so the file can only shrink. See docs/api-testing.md.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import schemathesis
from schemathesis.baseline import failure_identity
from schemathesis.engine import events, from_schema

from elearn.core.permissions import SYSTEM
from elearn import create_app
from elearn.extensions import db
from tests.conftest import DEFAULT_PASSWORD, make_config, make_user, reset_schema

BASELINE = Path(__file__).with_name("schemathesis_baseline.json")
ROLES = ("anonymous", "student", "teacher", "admin")
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_schema_conformance", "positive_data_acceptance")
#: Examples per operation in the fuzzing phase (the coverage phase adds its own fixed set).
MAX_EXAMPLES = int(os.environ.get("ELEARN_SCHEMATHESIS_EXAMPLES", "10"))
#: A fixed seed: the same run every time, so a baselined failure that is not seen is really gone.
SEED = 20261201
#: These would end the run's own sign-in (nothing else in the API signs out or changes a password).
EXCLUDED = [("DELETE", "/api/v1/auth/token")]
#: Statuses positive_data_acceptance accepts for a request the document calls valid (schemathesis's own list).
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
#: The one rule OpenAPI cannot state: tus creation's ``Upload-Metadata`` is base64 values inside one header
#: (which lesson, what kind, the file name), and each kind has its own size and type limits. A header the
#: document allows may still be refused, with the statuses tus and the operation document for it. Nothing
#: else is let off: every other disagreement fails the test (docs/api-testing.md).
UNSTATABLE = [{"include-path": "/api/v1/uploads/", "include-method": "POST",
               "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "400", "413", "415"]}}}]


def _seed_data():
    """Something for ids to find: a published course with two chapters and lessons, and a draft; a party
    branch whose secretary is the teacher, with an activity held yesterday."""
    from datetime import timedelta

    from elearn.branches import activities, services as branches
    from elearn.core.timeutil import utcnow
    from elearn.courses import services

    teacher = make_user(db, roles=["teacher"], username="fuzz-teacher")
    published = services.create_course(SYSTEM, title="太极拳入门", category="taichi", visibility="public",
                                       teachers=[teacher])
    chapters = [services.add_chapter(published, title) for title in ("第一章", "第二章")]
    for n, chapter in enumerate(chapters * 2, start=1):
        services.add_lesson(published, f"第{n}课", "内容", chapter=chapter)
    services.set_status(published, "published")
    services.create_course(SYSTEM, title="书法草稿", category="calligraphy", teachers=[teacher])
    branch = branches.save_branch(None, name="书法一班党支部")
    branches.add_group(branch, "第一党小组")
    branches.add_member(branch, teacher, officer_role="secretary", now=utcnow() - timedelta(days=30), actor=SYSTEM)
    yesterday = utcnow() - timedelta(days=1)
    activities.create_activity(branch, kind="theme_day", topic="重温入党誓词", starts_at=yesterday,
                               ends_at=yesterday + timedelta(hours=2), actor=teacher)
    db.session.commit()
    return teacher


def _token_headers(client, login) -> dict:
    response = client.post("/api/v1/auth/token", json={"login": login, "password": DEFAULT_PASSWORD})
    assert response.status_code == 201, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def _prepare(role, tmp_path):
    """A fresh app and database for ``role``, its data, and the headers it signs in with."""
    # Its own SQLite file even in CI's PostgreSQL pass: dropping that schema would pull it from under
    # the other tests. Fuzzing POST /auth/token fails many sign-ins from one address: do not let that
    # slow the address down.
    app = create_app(make_config(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'fuzz.db'}",
                                 LOGIN_ACCOUNT_LIMIT=10**6, LOGIN_IP_FREE_FAILURES=10**6))
    reset_schema(app)
    with app.app_context():
        teacher = _seed_data()
        if role == "anonymous":
            login = None
        else:
            login = (teacher if role == "teacher" else make_user(db, roles=[role])).login_name
    headers = _token_headers(app.test_client(), login) if login else {}
    return app, headers


def _config(headers):
    return schemathesis.Config.from_dict({
        "seed": SEED,
        "suppress-health-check": ["all"],
        "headers": headers,
        "workers": 1,
        "continue-on-failure": True,
        "generation": {"max-examples": MAX_EXAMPLES, "database": "none", "deterministic": True},
        "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
        "phases": {"stateful": {"enabled": False}},
        "operations": UNSTATABLE,
        "warnings": False,
    })


def run_role(role, tmp_path) -> dict[str, dict]:
    """Every unique failure of one run, by its stable key (operation | check | failure | signature),
    with the first request that showed it."""
    app, headers = _prepare(role, tmp_path)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=_config(headers))
    for method, path in EXCLUDED:
        schema = schema.exclude(method=method, path=path)
    found, errors = {}, []
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            _collect(event.recorder, found)
        elif isinstance(event, events.NonFatalError):
            errors.append(f"{event.label}: {event.info.format()}")
        elif isinstance(event, events.FatalError):
            errors.append(str(event.exception))
    assert not errors, "schemathesis could not test everything:\n" + "\n".join(errors)
    return found


def _collect(recorder, found) -> None:
    for case_id, checks in recorder.checks.items():
        for check in checks:
            if check.failure_info is None:
                continue
            failure = check.failure_info.failure
            operation, name, kind, signature = failure_identity(failure, check.name)
            # Where the failing schema sits in schemathesis's bundle depends on the whole document: drop it.
            signature = re.sub(r"^x-bundled/schema\d+/", "", signature)
            key = " | ".join((operation, name, kind, signature))
            if key not in found:
                found[key] = {"title": failure.title, "example": _example(recorder.interactions.get(case_id))}


def _example(interaction) -> str:
    """The request that showed a failure and the answer, shortened, for the test's report."""
    if interaction is None:
        return ""
    request, response = interaction.request, interaction.response
    def short(data):
        return (data or b"")[:300].decode("utf-8", "replace")

    answer = "" if response is None else f" -> {response.status_code} {short(response.content)}"
    return f"{request.method} {request.uri} {short(request.body)}{answer}"


# ---------------------------------------------------------------- the test and its baseline

@pytest.mark.own_sqlite  # its own SQLite database, not the one the suite (or CI's PostgreSQL pass) shares
@pytest.mark.parametrize("role", ROLES)
def test_api_answers_as_its_document_says(role, tmp_path):
    """Signed in as ``role``, every generated request is answered as the OpenAPI document says, except
    the failures the baseline lists, and each of those still happens (so the baseline only shrinks)."""
    found = run_role(role, tmp_path)
    seen, known = set(found), set(_baseline().get(role, []))
    mode = os.environ.get("ELEARN_SCHEMATHESIS_BASELINE", "")
    if mode in ("prune", "record"):
        known = seen if mode == "record" else known & seen
        _save_baseline(role, sorted(known))
    new, gone = sorted(seen - known), sorted(known - seen)
    report = [f"NEW  {key}\n       {found[key]['title']}: {found[key]['example']}" for key in new]
    report += [f"GONE {key}\n       fixed? remove it from {BASELINE.name} (ELEARN_SCHEMATHESIS_BASELINE=prune)"
               for key in gone]
    assert not report, f"{role}: the API and its document disagree in new ways, or a known failure is gone " \
                       f"(see docs/api-testing.md):\n" + "\n".join(report)


def _baseline() -> dict[str, list[str]]:
    return json.loads(BASELINE.read_text(encoding="utf-8"))["failures"] if BASELINE.exists() else {}


def _save_baseline(role, keys) -> None:
    failures = {**_baseline(), role: keys}
    document = {
        "about": "Known disagreements between /api/v1 and its OpenAPI document, per role: operation | check | "
                 "failure | signature. tests/api/test_schemathesis.py fails on any failure not listed and on "
                 "any listed one that no longer happens. Only ever shrink it (docs/api-testing.md).",
        "failures": {name: failures[name] for name in ROLES if failures.get(name)},
    }
    BASELINE.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
