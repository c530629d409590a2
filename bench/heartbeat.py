#!/usr/bin/env python
"""Heartbeat benchmark: progress reports against a bare endpoint, same app, same run.

    .venv/bin/python bench/heartbeat.py [--viewers 800] [--connections 16] [--seconds 10] [--rounds 3]
                                        [--workers 2] [--threads 1] [--server gunicorn|run|werkzeug]

Starts the app under gunicorn (2 workers) on 127.0.0.1 with a fresh SQLite database in
bench/.work/heartbeat/, signs in --viewers students (each watches one lesson of a published
course), then runs a load generator in a separate process (asyncio, keep-alive connections)
that alternates rounds of

  ping       POST /api/v1/ping with the same session cookie, CSRF header and JSON body: the API's
             sign-in and CSRF checks and nothing else (the hello-world baseline)
  heartbeat  POST /api/v1/lessons/{id}/progress with the interval each viewer really played since
             its previous report, at 1x, by the generator's clock, in the viewing its sign-in started
             with GET /api/v1/lessons/{id}/playback (so the server's clock rule, 1.5x the time since
             the viewing started, never has to cut anything)

A viewer never has two reports in flight. The script prints requests/s of both (median of the
rounds), the ratio, p50/p99 latency, and the concurrent viewers one machine carries at one
heartbeat per 10 s. Then it checks that not one acknowledged interval was lost: every viewer's
stored coverage must equal the union of the intervals the server acknowledged, with one stored
row per acknowledged interval. Goal: >= 500 heartbeats/s with p99 < 100 ms on this 2-core
machine. Never a pass/fail test; results go to docs/benchmarks.md.

One thread per worker (gthread, for keep-alive) is the default: with more threads, a thread that
holds SQLite's write lock waits for the GIL while its siblings run Python, so the lock is held
longer and the other worker's heartbeats sleep in SQLite's busy handler (measured: see the doc).
"""
from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORK = ROOT / "bench" / ".work" / "heartbeat"
PASSWORD = "bench-password-7"
LESSON_SECONDS = 4 * 3600.0
LESSONS = 20


# ---------------------------------------------------------------- the app, its data, gunicorn

def environment(port: int, work: Path = WORK) -> dict:
    return {
        "ELEARN_CONFIG": "default", "ELEARN_SECRET_KEY": secrets.token_hex(32),
        "ELEARN_DATABASE_URL": f"sqlite:///{work / 'bench.db'}", "ELEARN_MEDIA_DIR": str(work / "media"),
        "ELEARN_QUEUE_URL": f"sqlite:///{work / 'queue.db'}", "ELEARN_SEARCH_INDEX_DIR": str(work / "search"),
        "ELEARN_EMBEDDED_WORKER": "false", "ELEARN_PORT": str(port),
    }


def prepare(viewers: int) -> list[dict]:
    """A fresh database: one published course with LESSONS ready lessons, and ``viewers`` students."""
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from elearn import create_app
    from elearn.accounts.services import create_user
    from elearn.courses import services as courses
    from elearn.extensions import db
    from elearn.video.models import MediaAsset

    app = create_app()
    with app.app_context(), app.test_request_context():
        upgrade()
        course = courses.create_course(None, title="基准测试课程", category="taichi", visibility="signed_in")
        lessons = [courses.add_lesson(course, f"第{n + 1}课") for n in range(LESSONS)]
        courses.set_status(course, "published")
        for lesson in lessons:
            db.session.add(MediaAsset(lesson_id=lesson.id, status="ready", duration=LESSON_SECONDS, size=1,
                                      renditions={"master": "master.m3u8"}))
        quick = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
        people = []
        for n in range(viewers):
            user = create_user(name=f"学员{n}", mobile=f"136{n:08d}", roles=["student"])
            user.password_hash, user.must_change_password = quick, False
            people.append(user)
        db.session.commit()
        return [{"user_id": u.id, "login": u.mobile, "lesson_id": lessons[n % LESSONS].id}
                for n, u in enumerate(people)]


#: ``--server``: ``gunicorn`` (the command line below), ``run`` (what `make run` serves now:
#: elearn.serve, configured by ELEARN_WEB_WORKERS / ELEARN_WEB_THREADS), ``werkzeug`` (what `make
#: run` served before: Flask's development server, threaded).
WERKZEUG = ("from elearn import create_app; import os; "
            "create_app().run(host='127.0.0.1', port=int(os.environ['ELEARN_PORT']), threaded=True)")


def start_gunicorn(port: int, env: dict, workers: int, threads: int, kind: str = "gunicorn") -> subprocess.Popen:
    command = {
        "gunicorn": [str(ROOT / ".venv" / "bin" / "gunicorn"), "-w", str(workers), "-k", "gthread",
                     "--threads", str(threads), "-b", f"127.0.0.1:{port}", "--log-level", "warning",
                     "--keep-alive", "30", "elearn:create_app()"],
        "run": [sys.executable, "-m", "elearn.serve"],
        "werkzeug": [sys.executable, "-c", WERKZEUG],
    }[kind]
    if kind == "run":
        env = {**env, "ELEARN_WEB_WORKERS": str(workers), "ELEARN_WEB_THREADS": str(threads)}
    server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/api/v1/ping")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def browser_sign_in(port: int, login: str) -> tuple[http.client.HTTPConnection, str, str]:
    """The login form, as a browser sends it; the connection, the session cookie and the CSRF token."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/login")
    response = connection.getresponse()
    page = response.read().decode()
    cookie = _cookie(response)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"login": login, "password": PASSWORD, "csrf_token": token})
    connection.request("POST", "/login", body=form, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    response = connection.getresponse()
    response.read()
    if response.status != 302:
        raise SystemExit(f"sign-in failed for {login}: {response.status}")
    cookie = _cookie(response) or cookie
    connection.request("GET", "/learning", headers={"Cookie": cookie})
    response = connection.getresponse()
    page = response.read().decode()
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    return connection, _cookie(response) or cookie, token


def sign_in(port: int, viewer: dict) -> dict:
    """Signs the viewer in; returns it with its session cookie, CSRF token and viewing."""
    connection, cookie, token = browser_sign_in(port, viewer["login"])
    # The player's playback request: it starts the viewing every report then carries.
    connection.request("GET", f"/api/v1/lessons/{viewer['lesson_id']}/playback",
                       headers={"Cookie": cookie, "Accept": "application/json"})
    response = connection.getresponse()
    viewing = json.loads(response.read()).get("viewing")
    if response.status != 200 or not viewing:
        raise SystemExit(f"no viewing for {viewer['login']}: {response.status}")
    return {**viewer, "cookie": _cookie(response) or cookie, "csrf": token, "viewing": viewing}


def _cookie(response) -> str:
    values = [header.split(";", 1)[0] for name, header in response.getheaders() if name.lower() == "set-cookie"]
    return "; ".join(value for value in values if value.startswith("session="))


# ---------------------------------------------------------------- the load generator (its own process)

class Viewer:
    def __init__(self, data: dict):
        self.data = data
        self.position = 0.0
        self.last = None
        self.acked: list[list[float]] = []
        self.head = (f"Host: 127.0.0.1\r\nCookie: {data['cookie']}\r\nX-CSRFToken: {data['csrf']}\r\n"
                     "Content-Type: application/json\r\nAccept: application/json\r\n")


async def _request(reader, writer, viewer: Viewer, path: str, body: bytes) -> tuple[int, bytes]:
    writer.write(f"POST {path} HTTP/1.1\r\n{viewer.head}Content-Length: {len(body)}\r\n\r\n".encode() + body)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))
    return status, await reader.readexactly(length)


async def _connection(port, queue, deadline, kind, latencies, failures):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    while time.monotonic() < deadline:
        viewer = await queue.get()
        now = time.monotonic()
        if kind == "ping":
            path, body = "/api/v1/ping", b'{"position": 1}'
        else:
            start = viewer.position
            end = round(start + (now - viewer.last if viewer.last else 0.001), 3)
            path = f"/api/v1/lessons/{viewer.data['lesson_id']}/progress"
            body = json.dumps({"position": end, "intervals": [[start, end]], "beat": secrets.token_hex(8),
                               "viewing": viewer.data["viewing"]}).encode()
        status, answer = await _request(reader, writer, viewer, path, body)
        latencies.append(time.monotonic() - now)
        if status != 200:
            failures.append(f"{kind} {status} {answer[:200]!r}")
        elif kind == "heartbeat":
            credited = json.loads(answer)["credited"]
            if abs(credited - (end - start)) > 0.002:
                failures.append(f"heartbeat credited {credited} of {end - start}")
            viewer.acked.append([start, end])
            viewer.position, viewer.last = end, now
        queue.put_nowait(viewer)
    writer.close()


async def _round(port, viewers, kind, connections, seconds):
    queue = asyncio.Queue()
    for viewer in viewers:
        queue.put_nowait(viewer)
    latencies, failures = [], []
    started = time.monotonic()
    await asyncio.gather(*(_connection(port, queue, started + seconds, kind, latencies, failures)
                           for _ in range(connections)))
    elapsed = time.monotonic() - started
    return {"kind": kind, "requests": len(latencies), "seconds": elapsed, "rate": len(latencies) / elapsed,
            "latencies": latencies, "failures": failures}


def generate(config_path: str) -> None:
    """Entry point of the generator process: rounds of ping and heartbeat; results next to the config."""
    config = json.loads(Path(config_path).read_text())
    viewers = [Viewer(v) for v in config["viewers"]]

    async def run():
        results = []
        for _ in range(config["rounds"]):
            for kind in ("ping", "heartbeat"):
                results.append(await _round(config["port"], viewers, kind, config["connections"], config["seconds"]))
        return results

    results = asyncio.run(run())
    acked = {f"{v.data['user_id']}:{v.data['lesson_id']}": v.acked for v in viewers}
    Path(config_path).with_suffix(".out.json").write_text(json.dumps({"rounds": results, "acked": acked}))


# ---------------------------------------------------------------- checking and reporting

def lost_intervals(acked: dict) -> tuple[int, int, list[str]]:
    """Compare what the server acknowledged with what it stored: (acknowledged, stored, problems)."""
    from sqlalchemy import func, select

    from elearn import create_app
    from elearn.extensions import db
    from elearn.learning import intervals as iv
    from elearn.learning.models import LessonProgress, WatchInterval

    app = create_app()
    problems, total_acked, total_rows = [], 0, 0
    with app.app_context():
        rows = {f"{user}:{lesson}": count for user, lesson, count in db.session.execute(
            select(WatchInterval.user_id, WatchInterval.lesson_id, func.count())
            .group_by(WatchInterval.user_id, WatchInterval.lesson_id))}
        progress = {f"{p.user_id}:{p.lesson_id}": p for p in db.session.scalars(select(LessonProgress))}
        for key, intervals in acked.items():
            kept = [pair for pair in intervals if pair[1] > pair[0]]
            total_acked += len(kept)
            total_rows += rows.get(key, 0)
            stored = progress.get(key)
            expected = iv.total(kept)
            if rows.get(key, 0) != len(kept):
                problems.append(f"{key}: {len(kept)} intervals acknowledged, {rows.get(key, 0)} stored")
            if kept and (stored is None or abs(stored.covered_seconds - expected) > 0.01):
                problems.append(f"{key}: coverage {stored and stored.covered_seconds} stored, {expected:.3f} expected")
    return total_acked, total_rows, problems


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def report(results: list[dict], args) -> dict:
    summary = {}
    for kind in ("ping", "heartbeat"):
        rounds = [r for r in results if r["kind"] == kind]
        latencies = [x for r in rounds for x in r["latencies"]]
        summary[kind] = {"rate": statistics.median(r["rate"] for r in rounds),
                         "p50": percentile(latencies, 0.50) * 1000, "p99": percentile(latencies, 0.99) * 1000,
                         "requests": sum(r["requests"] for r in rounds),
                         "failures": [f for r in rounds for f in r["failures"]]}
    ping, beat = summary["ping"], summary["heartbeat"]
    print(f"\nmachine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"setup: {args.server}: {args.workers} workers x {args.threads} threads (gthread), SQLite WAL, "
          f"{args.viewers} signed-in viewers, {args.connections} keep-alive connections, "
          f"{args.rounds} rounds of {args.seconds:g} s each")
    print(f"{'':10} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9} {'errors':>7}")
    for kind, row in summary.items():
        print(f"{kind:10} {row['rate']:8.0f} {row['p50']:8.1f} {row['p99']:8.1f} {row['requests']:9d} "
              f"{len(row['failures']):7d}")
    print(f"ratio heartbeat/ping: {beat['rate'] / ping['rate']:.2f}")
    print(f"concurrent viewers at one heartbeat per 10 s: {beat['rate'] * 10:.0f} "
          f"(goal 5000, with p99 < 100 ms: p99 is {beat['p99']:.1f} ms)")
    for failure in (ping["failures"] + beat["failures"])[:5]:
        print("  failure:", failure)
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--viewers", type=int, default=800)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--port", type=int, default=5077)
    parser.add_argument("--server", choices=("gunicorn", "run", "werkzeug"), default="gunicorn")
    parser.add_argument("--generate", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        return generate(args.generate)
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    env = environment(args.port)
    os.environ.update(env)
    viewers = prepare(args.viewers)
    server = start_gunicorn(args.port, env, args.workers, args.threads, args.server)
    try:
        started = time.monotonic()
        # One at a time: concurrent sign-ins on SQLite can fail with "database is locked" (the login
        # records its attempt after reading in a deferred transaction; see the report in docs/benchmarks.md).
        viewers = [sign_in(args.port, viewer) for viewer in viewers]
        print(f"{len(viewers)} viewers signed in through the login form in {time.monotonic() - started:.1f} s")
        config = WORK / "generator.json"
        config.write_text(json.dumps({"port": args.port, "viewers": viewers, "rounds": args.rounds,
                                      "connections": args.connections, "seconds": args.seconds}))
        subprocess.run([sys.executable, __file__, "--generate", str(config)], check=True)
        output = json.loads(config.with_suffix(".out.json").read_text())
    finally:
        server.terminate()
        server.wait(timeout=30)
    report(output["rounds"], args)
    acked, stored, problems = lost_intervals(output["acked"])
    print(f"intervals acknowledged {acked}, stored {stored}, lost {max(0, acked - stored)}; "
          f"coverage mismatches: {len(problems)}")
    for problem in problems[:5]:
        print("  ", problem)


if __name__ == "__main__":
    main()
