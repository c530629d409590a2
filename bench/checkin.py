#!/usr/bin/env python
"""QR check-in benchmark: a crowd checking in at once against the bare ping endpoint, same app, same run.

    .venv/bin/python bench/checkin.py [--members 300] [--burst 10] [--workers 2] [--threads 1]
                                      [--server gunicorn|run|werkzeug]

A 主题党日-sized crowd: starts the app under gunicorn (2 workers) on 127.0.0.1 with a fresh SQLite
database in bench/.work/checkin/, makes a class whose session began five minutes ago with --members
members (enrolled the day before), signs them and the teacher in through the login form beforehand,
then runs a load generator in a separate process (asyncio) with two phases of the same shape:

  ping     each member, at its moment in a burst of --burst seconds, opens a connection and sends
           GET /api/v1/ping twice and POST /api/v1/ping once (with its cookie and CSRF header):
           sign-in and CSRF checks and nothing else (the hello-world baseline)
  checkin  each member, at its moment, does what its phone does after scanning the classroom
           screen's QR code: GET /checkin/<code> (the code is checked; 302 to the confirmation),
           GET that confirmation page, and POST its form (the check-in itself)

The members start evenly spread over the burst, in a shuffled order; the code is the one the
classroom screen shows, read by the teacher's session every 2 s from the check-in code endpoint.
The script prints check-ins/s (members done / time from the first start to the last answer), p50
and p99 of each request and of each member's whole check-in, and the ratios to the ping phase.
Then it checks the database: every member has exactly one attendance record, marked by self
check-in, with exactly one change in its history. Goal: p99 < 200 ms, none lost or duplicated.
Never a pass/fail test; results go to docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from heartbeat import PASSWORD, browser_sign_in, environment, percentile, start_gunicorn

WORK = ROOT / "bench" / ".work" / "checkin"
CODE_REFRESH_SECONDS = 2.0


# ---------------------------------------------------------------- the app, its data

def prepare(members: int) -> dict:
    """A fresh database: a term, a class, a session under way, its teacher and ``members`` members."""
    from datetime import timedelta

    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from elearn import create_app
    from elearn.accounts.services import create_user
    from elearn.classes import enrolment, schedule, services
    from elearn.core.timeutil import to_local, utcnow
    from elearn.extensions import db

    app = create_app()
    with app.app_context(), app.test_request_context():
        upgrade()
        quick = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")

        def person(name, mobile, roles):
            user = create_user(name=name, mobile=mobile, roles=roles)
            user.password_hash, user.must_change_password = quick, False
            return user

        teacher = person("基准老师", "13500000000", ["teacher"])
        people = [person(f"党员{n}", f"136{n:08d}", ["student"]) for n in range(members)]
        db.session.flush()
        today = to_local(utcnow()).date()
        term = services.save_term(None, name="基准学期", starts_on=today - timedelta(days=10),
                                  ends_on=today + timedelta(days=50))
        group = services.save_class(None, term=term, name="主题党日", teacher_ids=[teacher.id], room="礼堂")
        start = to_local(utcnow() - timedelta(minutes=5))
        session = schedule.add_session(group, day=start.date(), starts=start.time().replace(microsecond=0),
                                       minutes=120)
        for user in people:
            enrolment.enrol(group, user.id, now=utcnow() - timedelta(days=1))
        db.session.commit()
        return {"session_id": session.id, "event_id": schedule.event_of(session).id, "teacher": teacher.mobile,
                "members": [{"user_id": u.id, "login": u.mobile} for u in people]}


def sign_in(port: int, login: str) -> dict:
    connection, cookie, token = browser_sign_in(port, login)
    connection.close()
    return {"login": login, "cookie": cookie, "csrf": token}


# ---------------------------------------------------------------- the load generator (its own process)

class Phone:
    """One member's connection: requests on keep-alive, answers read by Content-Length."""

    def __init__(self, member: dict):
        self.member = member
        self.head = f"Host: 127.0.0.1\r\nCookie: {member['cookie']}\r\n"

    async def open(self, port: int):
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", port)

    async def send(self, method: str, path: str, body: bytes = b"", extra: str = "") -> tuple[int, bytes, bytes]:
        length = f"Content-Length: {len(body)}\r\n" if method == "POST" else ""
        self.writer.write(f"{method} {path} HTTP/1.1\r\n{self.head}{extra}{length}\r\n".encode() + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        size = re.search(rb"(?i)content-length:\s*(\d+)", head)
        return status, head, await self.reader.readexactly(int(size.group(1)) if size else 0)

    def close(self):
        self.writer.close()


async def _timed(phone, latencies, *args, **kwargs):
    started = time.monotonic()
    answer = await phone.send(*args, **kwargs)
    latencies.append(time.monotonic() - started)
    return answer


async def _ping(phone, latencies) -> str | None:
    for _ in range(2):
        status, _, _ = await _timed(phone, latencies, "GET", "/api/v1/ping", extra="Accept: application/json\r\n")
        if status != 200:
            return f"ping GET {status}"
    status, _, _ = await _timed(phone, latencies, "POST", "/api/v1/ping", b'{"position": 1}', extra=(
        f"X-CSRFToken: {phone.member['csrf']}\r\nContent-Type: application/json\r\n"))
    return None if status == 200 else f"ping POST {status}"


async def _check_in(phone, latencies, code: str) -> str | None:
    status, head, _ = await _timed(phone, latencies, "GET", f"/checkin/{code}")
    location = re.search(rb"(?i)\r\nlocation:\s*(\S+)", head)
    if status != 302 or not location:
        return f"scan {status}"
    path = re.sub(r"^https?://[^/]+", "", location.group(1).decode())
    status, _, page = await _timed(phone, latencies, "GET", path)
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
        re.search(rb'name="csrf_token" value="([^"]+)"', page)
    if status != 200 or not token:
        return f"confirmation page {status}"
    form = b"csrf_token=" + token.group(1)
    status, _, _ = await _timed(phone, latencies, "POST", path, form,
                                extra="Content-Type: application/x-www-form-urlencoded\r\n")
    return None if status == 200 else f"check-in POST {status}"


async def _screen(port: int, teacher: dict, session_id: int, current: dict, stop: asyncio.Event):
    """The classroom screen: the code it shows now, read as the teacher every few seconds."""
    screen = Phone(teacher)
    await screen.open(port)
    while not stop.is_set():
        status, _, body = await screen.send("GET", f"/api/v1/class-sessions/{session_id}/checkin-code",
                                            extra="Accept: application/json\r\n")
        if status != 200:
            raise SystemExit(f"the check-in code endpoint answered {status}")
        current["code"] = json.loads(body)["code"]
        try:
            await asyncio.wait_for(stop.wait(), CODE_REFRESH_SECONDS)
        except TimeoutError:
            pass
    screen.close()


async def _phase(config: dict, kind: str) -> dict:
    members = list(config["members"])
    random.Random(config["seed"]).shuffle(members)
    spacing = config["burst"] / max(1, len(members))
    latencies, flows, failures, done = [], [], [], []
    current, stop = {}, asyncio.Event()
    screen = asyncio.create_task(_screen(config["port"], config["teacher"], config["session_id"], current, stop))
    while "code" not in current:
        await asyncio.sleep(0.01)
    started = time.monotonic()

    async def member(n: int, data: dict):
        await asyncio.sleep(max(0.0, started + n * spacing - time.monotonic()))
        begun = time.monotonic()
        phone = Phone(data)
        await phone.open(config["port"])
        failure = await (_ping(phone, latencies) if kind == "ping" else _check_in(phone, latencies, current["code"]))
        phone.close()
        flows.append(time.monotonic() - begun)
        if failure:
            failures.append(f"{data['login']}: {failure}")
        else:
            done.append(data["user_id"])

    await asyncio.gather(*(member(n, data) for n, data in enumerate(members)))
    elapsed = time.monotonic() - started
    stop.set()
    await screen
    return {"kind": kind, "done": done, "seconds": elapsed, "rate": len(done) / elapsed, "latencies": latencies,
            "flows": flows, "failures": failures}


def generate(config_path: str) -> None:
    """Entry point of the generator process: the ping phase, then the check-in phase."""
    config = json.loads(Path(config_path).read_text())

    async def run():
        return [await _phase(config, kind) for kind in ("ping", "checkin")]

    Path(config_path).with_suffix(".out.json").write_text(json.dumps(asyncio.run(run())))


# ---------------------------------------------------------------- checking and reporting

def verify(event_id: int, members: list[dict]) -> list[str]:
    """Every member: exactly one record of this event, by self check-in, with exactly one change."""
    from sqlalchemy import func, select

    from elearn import create_app
    from elearn.attendance import models as am
    from elearn.extensions import db

    app = create_app()
    with app.app_context():
        rows = {user: (source, changes) for user, source, changes in db.session.execute(
            select(am.AttendanceRecord.user_id, am.AttendanceRecord.source, func.count(am.AttendanceChange.id))
            .outerjoin(am.AttendanceChange, am.AttendanceChange.record_id == am.AttendanceRecord.id)
            .where(am.AttendanceRecord.event_id == event_id).group_by(am.AttendanceRecord.id))}
        counts = dict(db.session.execute(select(am.AttendanceRecord.user_id, func.count())
                                         .where(am.AttendanceRecord.event_id == event_id)
                                         .group_by(am.AttendanceRecord.user_id)).all())
    problems = []
    for member in members:
        user = member["user_id"]
        if counts.get(user, 0) != 1:
            problems.append(f"{member['login']}: {counts.get(user, 0)} records")
        elif rows[user] != (am.BY_SELF, 1):
            problems.append(f"{member['login']}: source {rows[user][0]}, {rows[user][1]} changes")
    return problems


def _summary(phase: dict) -> dict:
    return {"rate": phase["rate"], "p50": percentile(phase["latencies"], 0.50) * 1000,
            "p99": percentile(phase["latencies"], 0.99) * 1000, "flow_p50": percentile(phase["flows"], 0.50) * 1000,
            "flow_p99": percentile(phase["flows"], 0.99) * 1000, "requests": len(phase["latencies"]),
            "done": len(phase["done"]), "failures": phase["failures"], "seconds": phase["seconds"]}


def report(phases: list[dict], args) -> dict:
    summary = {phase["kind"]: _summary(phase) for phase in phases}
    print(f"\nmachine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"setup: {args.server}: {args.workers} workers x {args.threads} threads (gthread), SQLite WAL, "
          f"{args.members} signed-in members, each starting at its moment in a burst of {args.burst:g} s")
    print(f"{'':8} {'members/s':>9} {'req p50':>8} {'req p99':>8} {'all p50':>8} {'all p99':>8} {'requests':>9} "
          f"{'done':>5} {'errors':>6}")
    for kind, row in summary.items():
        print(f"{kind:8} {row['rate']:9.1f} {row['p50']:8.1f} {row['p99']:8.1f} {row['flow_p50']:8.1f} "
              f"{row['flow_p99']:8.1f} {row['requests']:9d} {row['done']:5d} {len(row['failures']):6d}")
    ping, checkin = summary["ping"], summary["checkin"]
    print("(ms; req: each request; all: a member's three requests together, connection included)")
    print(f"check-ins/s: {checkin['rate']:.1f} ({checkin['done']} in {checkin['seconds']:.1f} s); "
          f"ratio check-in/ping: rate {checkin['rate'] / ping['rate']:.2f}, "
          f"request p50 {checkin['p50'] / ping['p50']:.2f}x, p99 {checkin['p99'] / ping['p99']:.2f}x")
    print(f"goal: request p99 < 200 ms: {checkin['p99']:.1f} ms")
    for failure in (ping["failures"] + checkin["failures"])[:5]:
        print("  failure:", failure)
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=300)
    parser.add_argument("--burst", type=float, default=10, help="seconds over which the members start")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--port", type=int, default=5078)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--server", choices=("gunicorn", "run", "werkzeug"), default="gunicorn")
    parser.add_argument("--generate", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        return generate(args.generate)
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    env = environment(args.port, WORK)
    os.environ.update(env)
    world = prepare(args.members)
    server = start_gunicorn(args.port, env, args.workers, args.threads, args.server)
    try:
        started = time.monotonic()
        # One at a time, as bench/heartbeat.py does (concurrent sign-ins on SQLite can hit the lock).
        members = [{**sign_in(args.port, m["login"]), "user_id": m["user_id"]} for m in world["members"]]
        teacher = sign_in(args.port, world["teacher"])
        print(f"{len(members)} members and the teacher signed in through the login form in "
              f"{time.monotonic() - started:.1f} s")
        config = WORK / "generator.json"
        config.write_text(json.dumps({"port": args.port, "members": members, "teacher": teacher, "seed": args.seed,
                                      "burst": args.burst, "session_id": world["session_id"]}))
        subprocess.run([sys.executable, __file__, "--generate", str(config)], check=True)
        phases = json.loads(config.with_suffix(".out.json").read_text())
    finally:
        server.terminate()
        server.wait(timeout=30)
    report(phases, args)
    problems = verify(world["event_id"], world["members"])
    print(f"records: {len(world['members']) - len(problems)} of {len(world['members'])} members have exactly one, "
          f"by self check-in, with one change; problems: {len(problems)}")
    for problem in problems[:5]:
        print("  ", problem)


if __name__ == "__main__":
    main()
