"""The suite's own markers: ``db`` and ``browser`` are applied by tests/conftest.py, and an unmarked
test that sends SQL fails, so CI's PostgreSQL pass (-m "db and not browser") misses no database test."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pytest_run(*args, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_the_postgresql_pass_selects_database_tests_only():
    """-m "db and not browser" keeps tests using db fixtures, drops pure and browser tests."""
    files = ["tests/learning/test_intervals.py", "tests/video/test_signing.py", "tests/accounts/test_login.py",
             "tests/browser/test_accessibility.py", "tests/browser/test_shell.py"]
    result = pytest_run("--collect-only", "-q", "-m", "db and not browser", *files)
    assert result.returncode == 0, result.stdout + result.stderr
    selected = {line.split("::")[0] for line in result.stdout.splitlines() if "::" in line}
    assert selected == {"tests/accounts/test_login.py"}
    browser = pytest_run("--collect-only", "-q", "-m", "browser", *files)
    assert {line.split("::")[0] for line in browser.stdout.splitlines() if "::" in line} == {
        "tests/browser/test_accessibility.py", "tests/browser/test_shell.py"}


def test_an_unmarked_test_that_sends_sql_fails(tmp_path):
    """A test reaching the database without a db fixture or @pytest.mark.db fails with a plain reason."""
    (tmp_path / "test_sql.py").write_text(textwrap.dedent('''
        import pytest
        from sqlalchemy import text

        from elearn.extensions import db

        def test_unmarked(app):
            with app.app_context():
                db.session.execute(text("SELECT 1"))

        @pytest.mark.db
        def test_marked(app):
            with app.app_context():
                db.session.execute(text("SELECT 1"))
    '''))
    result = pytest_run("-q", "-rf", "-p", "tests.conftest", "--rootdir", str(tmp_path), str(tmp_path), cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed, 1 passed" in result.stdout
    assert "test_unmarked sent SQL ('SELECT 1'...) but is not marked db" in result.stdout
