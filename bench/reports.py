#!/usr/bin/env python
"""Attendance report benchmark: a term's report and its .xlsx against hand-written baselines.

    .venv/bin/python bench/reports.py [--classes 200] [--members 40] [--sessions 16] [--rounds 5]

Builds a fresh SQLite database in bench/.work/reports/ (through the migrations): one term,
--classes classes of --members members each (different people), --sessions past sessions per class,
and one attendance record per member and session (200 × 40 × 16 = 128,000), with a mix of statuses.
Then, in interleaved rounds, it times

  report data   ``classes.reports.class_reports`` for all the term's classes (what the overview,
                the class pages and the exports read)
  hand SQL      one hand-written aggregate over the same rows (attended, excused and all records per
                class and person), fetched
  report xlsx   ``classes.exports.to_xlsx`` of that report data (one sheet per class, totals rows)
  bare xlsx     a bare openpyxl write-only workbook of the same cells, computed beforehand

and prints the medians, the ratios and the goals (data within 3× of the SQL, xlsx within 1.5× of
the bare workbook). Never a pass/fail test; results go to docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import io
import os
import random
import secrets
import shutil
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = ROOT / "bench" / ".work" / "reports"

HAND_SQL = """
SELECT s.class_id, r.user_id,
       SUM(CASE WHEN r.status IN ('present', 'late', 'left_early', 'made_up') THEN 1 ELSE 0 END),
       SUM(CASE WHEN r.status = 'excused' THEN 1 ELSE 0 END), COUNT(*)
FROM class_sessions s
JOIN class_groups g ON g.id = s.class_id
JOIN attendance_events e ON e.kind = 'class_session' AND e.owner_id = s.id
JOIN attendance_records r ON r.event_id = e.id
WHERE g.term_id = :term AND s.status = 'scheduled'
GROUP BY s.class_id, r.user_id
"""
#: A plausible mix: mostly present, some late, a few of everything else.
STATUS_MIX = ["present"] * 14 + ["late"] * 2 + ["excused", "absent", "left_early", "made_up"]


def environment() -> None:
    os.environ.update({
        "ELEARN_CONFIG": "default", "ELEARN_SECRET_KEY": secrets.token_hex(32),
        "ELEARN_DATABASE_URL": f"sqlite:///{WORK / 'bench.db'}", "ELEARN_MEDIA_DIR": str(WORK / "media"),
        "ELEARN_QUEUE_URL": f"sqlite:///{WORK / 'queue.db'}", "ELEARN_SEARCH_INDEX_DIR": str(WORK / "search"),
        "ELEARN_EMBEDDED_WORKER": "false",
    })


def prepare(classes: int, members: int, sessions: int):
    """The term, its classes, people, enrolments, sessions (with their events) and the records."""
    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from elearn.accounts.models import User
    from elearn.accounts.services import create_user
    from elearn.attendance import models as am
    from elearn.classes import models as m, schedule, services
    from elearn.core.timeutil import to_local, utcnow
    from elearn.extensions import db

    upgrade()
    now = utcnow()
    first = to_local(now - timedelta(weeks=sessions + 1)).date()
    term = services.save_term(None, name="基准学期", starts_on=first - timedelta(days=1), ends_on=first + timedelta(days=200))
    people = [{"name": f"学员{n}", "mobile": f"137{n:08d}"} for n in range(classes * members)]  # roles do not matter here
    db.session.execute(insert(User), people)
    user_ids = list(db.session.scalars(select(User.id).order_by(User.id)))
    teacher = create_user(name="基准老师", mobile="13600000000", roles=["teacher"])
    rng, records = random.Random(7), []
    for c in range(classes):
        group = services.save_class(None, term=term, name=f"班级{c:03d}", teacher_ids=[teacher.id])
        ids = user_ids[c * members:(c + 1) * members]
        db.session.execute(insert(m.Enrolment), [{"class_id": group.id, "user_id": uid, "state": m.ENROLLED,
                                                   "enrolled_at": now - timedelta(weeks=sessions + 2)} for uid in ids])
        # Sessions and their events in bulk (the report is measured here, not adding sessions).
        starts = [now - timedelta(weeks=sessions - week, hours=c % 12) for week in range(sessions)]
        session_ids = db.session.scalars(insert(m.ClassSession).returning(m.ClassSession.id), [
            {"class_id": group.id, "starts_at": at, "ends_at": at + timedelta(minutes=90)} for at in starts]).all()
        event_ids = db.session.scalars(insert(am.AttendanceEvent).returning(am.AttendanceEvent.id), [
            {"kind": schedule.EVENT_KIND, "owner_id": sid, "title": group.name, "starts_at": at,
             "ends_at": at + timedelta(minutes=90), "checkin_secret": secrets.token_hex(16)}
            for sid, at in zip(session_ids, starts)]).all()
        records += [{"event_id": eid, "user_id": uid, "person_name": f"学员{uid}", "status": rng.choice(STATUS_MIX),
                     "mode": am.ON_SITE, "source": am.BY_TEACHER, "marked_at": at}
                    for eid, at in zip(event_ids, starts) for uid in ids]
    db.session.execute(insert(am.AttendanceRecord), records)
    db.session.commit()
    return term.id, len(records)


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--classes", type=int, default=200)
    parser.add_argument("--members", type=int, default=40)
    parser.add_argument("--sessions", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    environment()

    from openpyxl import Workbook
    from sqlalchemy import text

    from elearn import create_app
    from elearn.classes import exports, reports, services
    from elearn.extensions import db

    app = create_app()
    with app.app_context(), app.test_request_context():
        start = time.perf_counter()
        term_id, count = prepare(args.classes, args.members, args.sessions)
        print(f"built {args.classes} classes × {args.members} members × {args.sessions} sessions: "
              f"{count} records in {time.perf_counter() - start:.0f} s")
        groups = list(services.get_term(term_id).classes)
        data = reports.class_reports(groups)
        sheets = [(report.group.name, [exports.headers(), *exports.rows(report)]) for report in data]

        def report_data():
            reports.class_reports(groups)

        def hand_sql():
            db.session.execute(text(HAND_SQL), {"term": term_id}).all()

        def bare_xlsx():
            book = Workbook(write_only=True)
            for name, rows in sheets:
                sheet = book.create_sheet(name)
                for row in rows:
                    sheet.append(row)
            book.save(io.BytesIO())

        variants = {"report data": report_data, "hand SQL": hand_sql,
                    "report xlsx": lambda: exports.to_xlsx(data), "bare xlsx": bare_xlsx}
        times = {name: [] for name in variants}
        for round_number in range(args.rounds):
            names = list(variants)
            names = names[round_number % len(names):] + names[:round_number % len(names)]  # rotate the order
            for name in names:
                times[name].append(timed(variants[name]))
        medians = {name: statistics.median(values) for name, values in times.items()}
    for name, value in medians.items():
        print(f"{name:12s} median {value * 1000:8.1f} ms   (rounds: {', '.join(f'{t * 1000:.0f}' for t in times[name])})")
    data_ratio = medians["report data"] / medians["hand SQL"]
    xlsx_ratio = medians["report xlsx"] / medians["bare xlsx"]
    print(f"ratio report data / hand SQL  = {data_ratio:.2f}  (goal ≤ 3)  {'met' if data_ratio <= 3 else 'NOT met'}")
    print(f"ratio report xlsx / bare xlsx = {xlsx_ratio:.2f}  (goal ≤ 1.5)  {'met' if xlsx_ratio <= 1.5 else 'NOT met'}")


if __name__ == "__main__":
    main()
