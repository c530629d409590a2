#!/usr/bin/env python
"""Sign-in timing: does a wrong password for a registered number take as long as one for a number
nobody has? If not, the answer's timing tells an outsider which mobile numbers are registered.

    .venv/bin/python bench/login_timing.py [--rounds 30]

On a fresh SQLite database (bench/.work/login/, git-ignored) with one account whose password is
stored with the shipped hash, it sends wrong sign-ins to POST /api/v1/auth/token in interleaved
rounds:

  known            a wrong password for the registered number
  unknown          a wrong password for a number nobody has (the stand-in hash runs)
  unknown, no hash the same with ``signin.SKIP_DUMMY_HASH`` set: what it cost before the stand-in hash

and prints the median and 90th percentile in milliseconds and each median's ratio to "known"
(goal: unknown / known close to 1.0). Throttling is turned off for the run (every try here fails).
Timings are never a pass/fail test; see docs/benchmarks.md for results.
"""
from __future__ import annotations

import argparse
import os
import secrets
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = ROOT / "bench" / ".work" / "login"
MOBILE, PASSWORD = "13600000001", "bench-password-7"


def make_app():
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    os.environ.update({
        "ELEARN_CONFIG": "default", "ELEARN_SECRET_KEY": secrets.token_hex(32),
        "ELEARN_DATABASE_URL": f"sqlite:///{WORK / 'bench.db'}", "ELEARN_MEDIA_DIR": str(WORK / "media"),
        "ELEARN_QUEUE_URL": f"sqlite:///{WORK / 'queue.db'}", "ELEARN_SEARCH_INDEX_DIR": str(WORK / "search"),
        "ELEARN_EMBEDDED_WORKER": "false",
        "ELEARN_LOGIN_ACCOUNT_LIMIT": "1000000", "ELEARN_LOGIN_IP_FREE_FAILURES": "1000000",
    })
    from flask_migrate import upgrade

    from elearn import create_app
    from elearn.accounts.services import create_user
    from elearn.extensions import db

    app = create_app()
    with app.app_context():
        upgrade()
        create_user(name="基准学员", mobile=MOBILE, password=PASSWORD)  # the shipped hash, as set_password
        db.session.commit()
    return app


def timed(client, login: str) -> float:
    start = time.perf_counter()
    response = client.post("/api/v1/auth/token", json={"login": login, "password": "not-the-password"})
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 401, response.get_json()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    app = make_app()
    from elearn.accounts import signin

    client = app.test_client()
    cases = {"known": [], "unknown": [], "unknown, no hash": []}
    timed(client, MOBILE)  # warm-up: the stand-in hash is made on first use, once per process
    timed(client, "13700000000")
    for n in range(args.rounds):
        cases["known"].append(timed(client, MOBILE))
        cases["unknown"].append(timed(client, f"137{n:08d}"))
        signin.SKIP_DUMMY_HASH = True
        try:
            cases["unknown, no hash"].append(timed(client, f"138{n:08d}"))
        finally:
            signin.SKIP_DUMMY_HASH = False
    base = statistics.median(cases["known"])
    print(f"{'case':<18}{'median ms':>11}{'p90 ms':>9}{'÷ known':>10}")
    for name, times in cases.items():
        median = statistics.median(times)
        p90 = statistics.quantiles(times, n=10)[-1]
        print(f"{name:<18}{median:>11.1f}{p90:>9.1f}{median / base:>10.2f}")


if __name__ == "__main__":
    main()
