#!/usr/bin/env python
"""Search benchmark: Whoosh (the app's own index code) against SQLite FTS5 on the same text.

    .venv/bin/python bench/search.py [--lessons 20000] [--cues-per-lesson 10] [--seed 13]

Builds a synthetic corpus in bench/.work/search/: --lessons lessons in courses of 20, each with a
title, a description and --cues-per-lesson caption cues, written from words of jieba's own
dictionary drawn by their frequencies (so the vocabulary has jieba's long tail, not a handful of
words); the courses, lessons and cues of tests/search/relevance.json go in among them.

Both engines get the same jieba-segmented words: Whoosh through elearn.search (analysis, index,
documents, query: the code the site runs), FTS5 as the same index-mode words (a long word's parts
included) joined by spaces under the unicode61 tokenizer (its trigram tokenizer cannot find
two-character words such as 太极). FTS5 is given its best: the query cut by the same code, titles,
teachers and descriptions in their own columns weighted as Whoosh weighs its fields (bm25 3/1/1),
the words ANDed and, when that finds nothing at all, ORed (so a mixed or mistyped query still finds
what its Chinese words name). What it cannot do is what the site's analysis adds on top: pinyin,
initials and homophones. Single-threaded, it measures:

  build      documents per second and total seconds for each engine (Whoosh's is the rebuild)
  latency    p50/p95 over 200 fixed queries (the fixture's, then words, word pairs, pinyin joined
             and spaced, initials drawn from the corpus): one search = courses, a page of lessons
             with its total, a page of moments with its total, as the search page asks
  relevance  top-3 hit rate on the fixture's queries for both, by kind of query, and the margin

Goals (issue 13): Whoosh p95 <= 50 ms, top-3 >= 0.9 and >= 0.3 above FTS5, rebuild < 5 minutes.
Never a pass/fail test; results go to docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import bisect
import itertools
import json
import os
import random
import shutil
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import jieba  # noqa: E402
from pypinyin import lazy_pinyin  # noqa: E402

from elearn.search import analysis, documents, query  # noqa: E402
from elearn.search.index import Store  # noqa: E402

FIXTURE = ROOT / "tests" / "search" / "relevance.json"
WORK = ROOT / "bench" / ".work" / "search"
PUNCT = "，。、；！？"
NAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "建国秀英伟芳敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华玉兰"
CATEGORIES = ["calligraphy", "painting", "singing", "instruments", "dance", "taichi", "photography",
              "smartphone", "health", "history-culture"]


class Words:
    """jieba's dictionary as a weighted draw (Chinese words only)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.words, self.cumulative, total = [], [], 0
        with jieba.dt.get_dict_file() as handle:
            for line in handle:
                word, freq, *_ = line.decode("utf-8").split()
                if all(analysis._CJK.match(ch) for ch in word):
                    total += int(freq)
                    self.words.append(word)
                    self.cumulative.append(total)
        self.total = total

    def draw(self) -> str:
        return self.words[bisect.bisect(self.cumulative, self.rng.random() * self.total)]

    def sentence(self, low: int, high: int) -> str:
        out = []
        for _ in range(self.rng.randint(low, high)):
            out.append(self.draw())
            if self.rng.random() < 0.12:
                out.append(self.rng.choice(PUNCT))
        return "".join(out)


def corpus(lessons: int, cues_per_lesson: int, seed: int):
    """(courses, lessons, cues) as the documents module takes them; the fixture's first."""
    rng = random.Random(seed)
    draw = Words(rng)
    fixture = json.loads(FIXTURE.read_text("utf-8"))
    courses, lesson_rows, cue_rows, keys = [], [], [], {}
    ids = itertools.count(1)
    for c in fixture["courses"]:
        course = {"id": next(ids), "title": c["title"], "description": c["description"], "status": "published",
                  "visibility": "public", "category": c["category"], "teachers": [(next(ids), c["teacher"])]}
        courses.append(course)
        keys[course["id"]] = ("course", c["key"])
        for lesson in c["lessons"]:
            row = {"id": next(ids), "title": lesson["title"], "description": lesson["description"]}
            lesson_rows.append((row, course))
            keys[row["id"]] = ("lesson", lesson["key"])
            cue_rows.append((next(ids), row["id"], course, [{"start": s, "text": t} for s, t in lesson["cues"]]))
    for n in range(lessons):
        if n % 20 == 0:
            teacher = rng.choice(NAMES) + "".join(rng.sample(GIVEN, 2))
            course = {"id": next(ids), "title": draw.sentence(2, 4), "description": draw.sentence(20, 40),
                      "status": "published", "visibility": rng.choice(["public", "signed_in"]),
                      "category": rng.choice(CATEGORIES), "teachers": [(next(ids), teacher)]}
            courses.append(course)
        row = {"id": next(ids), "title": f"第{n % 20 + 1}课：" + draw.sentence(2, 4),
               "description": draw.sentence(20, 50)}
        lesson_rows.append((row, course))
        cues = [{"start": i * 7.5, "text": draw.sentence(5, 12)} for i in range(cues_per_lesson)]
        cue_rows.append((next(ids), row["id"], course, cues))
    return fixture, courses, lesson_rows, cue_rows, keys, draw


def queries(fixture: dict, draw: Words, rng: random.Random) -> list[str]:
    fixed = [q["q"] for q in fixture["queries"]]
    out = list(fixed)
    while len(out) < 200:
        kind = len(out) % 5
        word = draw.draw()
        if kind == 0:
            out.append(word)
        elif kind == 1:
            out.append(f"{word} {draw.draw()}")
        elif kind == 2:
            out.append("".join(lazy_pinyin(word)))
        elif kind == 3:
            out.append(" ".join(lazy_pinyin(word)))
        else:
            out.append("".join(s[0] for s in lazy_pinyin(word)) if len(word) > 1 else word)
    return out


# ---------------------------------------------------------------- Whoosh

def build_whoosh(folder: Path, courses, lesson_rows, cue_rows) -> tuple[Store, float, int]:
    store = Store(folder)
    started = time.perf_counter()
    generation = store.new_generation()
    indexes = store.open(generation)
    items = indexes["items"].writer(limitmb=256)
    for course in courses:
        items.add_document(**documents.course_doc(course))
    for lesson, course in lesson_rows:
        items.add_document(**documents.lesson_doc(lesson, course))
    items.commit()
    cues = indexes["cues"].writer(limitmb=256)
    count = 0
    for caption_id, lesson_id, course, rows in cue_rows:
        for doc in documents.cue_docs(caption_id, lesson_id, course, rows):
            cues.add_document(**doc)
            count += 1
    cues.commit()
    store.swap(generation)
    return store, time.perf_counter() - started, count + len(courses) + len(lesson_rows)


def whoosh_search(searchers, text: str, visible) -> dict:
    """What elearn.search.services.search asks of the index (without the database re-check)."""
    parsed = query.parse(text)
    found = query.find(searchers, parsed, visible=visible)
    if not (found["courses"] or found["lessons"] or found["moments"]) and not parsed.empty:
        meant = query.did_you_mean(searchers["items"], parsed)
        if meant:
            found = query.find(searchers, query.parse(meant), visible=visible)
    return found


# ---------------------------------------------------------------- FTS5

def build_fts(path: Path, courses, lesson_rows, cue_rows) -> tuple[sqlite3.Connection, float]:
    con = sqlite3.connect(path)
    con.executescript("""
        CREATE VIRTUAL TABLE items USING fts5(kind UNINDEXED, ref UNINDEXED, lesson UNINDEXED,
                                              title, teachers, body, tokenize='unicode61');
        CREATE VIRTUAL TABLE cues USING fts5(lesson UNINDEXED, start UNINDEXED, text, tokenize='unicode61');
    """)
    seg = lambda text: " ".join(analysis.words(text, index=True))  # noqa: E731
    started = time.perf_counter()
    with con:
        for c in courses:
            con.execute("INSERT INTO items VALUES ('course', ?, NULL, ?, ?, ?)",
                        (c["id"], seg(c["title"]), seg(names(c)), seg(c["description"])))
        for lesson, course in lesson_rows:
            con.execute("INSERT INTO items VALUES ('lesson', ?, ?, ?, ?, ?)",
                        (lesson["id"], lesson["id"], seg(lesson["title"]), seg(names(course)),
                         seg(lesson["description"])))
        for _, lesson_id, _, rows in cue_rows:
            con.executemany("INSERT INTO cues VALUES (?, ?, ?)",
                            [(lesson_id, r["start"], seg(r["text"])) for r in rows])
    return con, time.perf_counter() - started


def names(course: dict) -> str:
    return " ".join(n for _, n in course["teachers"])


def fts_search(con, text: str, *, fallback: bool = True) -> dict:
    """The query's words ANDed; when nothing at all matches (and ``fallback``), ORed."""
    words = [w for w, _ in query.parse(text).words]
    if not words:
        return {"courses": [], "lessons": [], "moments": []}
    quoted = ['"' + w.replace('"', '""') + '"' for w in words]
    found = fts_match(con, " AND ".join(quoted))
    if fallback and len(words) > 1 and not any(found.values()):
        found = fts_match(con, " OR ".join(quoted))
    return found


def fts_match(con, match: str) -> dict:
    out = {}
    for kind in ("course", "lesson"):
        rows = con.execute("SELECT ref FROM items WHERE items MATCH ? AND kind = ?"
                           " ORDER BY bm25(items, 0, 0, 0, 3, 1, 1) LIMIT 10", (match, kind)).fetchall()
        con.execute("SELECT count(*) FROM items WHERE items MATCH ? AND kind = ?", (match, kind)).fetchone()
        out[kind + "s"] = [{"ref": r[0]} for r in rows]
    rows = con.execute("SELECT lesson, start FROM cues WHERE cues MATCH ? ORDER BY rank LIMIT 10", (match,)).fetchall()
    con.execute("SELECT count(*) FROM cues WHERE cues MATCH ?", (match,)).fetchone()
    out["moments"] = [{"lesson_id": str(r[0]), "start": r[1]} for r in rows]
    return out


# ---------------------------------------------------------------- measuring

def hit(found: dict, want: dict, keys: dict) -> bool:
    """The fixture query's expected course, lesson or moment among the top 3 of its group."""
    if want["group"] == "moment":
        return any(keys.get(int(m["lesson_id"])) == ("lesson", want["expect"]) and float(m["start"]) == want["at"]
                   for m in found["moments"][:3])
    group = found["courses" if want["group"] == "course" else "lessons"]
    return any(keys.get(int(h["ref"])) == (want["group"], want["expect"]) for h in group[:3])


def relevance(fixture: dict, keys: dict, engines: dict) -> dict:
    """Top-3 hit rate of each engine on the fixture's queries, by kind and in all; prints the table."""
    wanted = fixture["queries"]
    rates = {}
    print(f"top-3 hit rate on {len(wanted)} fixture queries   " + "  ".join(f"{n:>8}" for n in engines))
    for kind in list(fixture["kinds"]) + ["all"]:
        chosen = [i for i, q in enumerate(wanted) if kind in ("all", q["kind"])]
        row = {name: sum(hit(found[i], wanted[i], keys) for i in chosen) / len(chosen)
               for name, found in engines.items()}
        rates[kind] = row
        print(f"  {kind:<14} {len(chosen):3d} queries             " + "  ".join(f"{row[n]:8.2f}" for n in engines))
    missed = [q["q"] for q, found in zip(wanted, engines["Whoosh"]) if not hit(found, q, keys)]
    if missed:
        print("  Whoosh missed:", " | ".join(missed))
    return rates["all"]


def timed(fn, items) -> tuple[list[float], list[float], list]:
    """Wall and CPU milliseconds of each call: on a shared machine the wall time counts the waits for a
    core, the CPU time only this process's own work (single-threaded, so the two agree when quiet)."""
    times, cpu, results = [], [], []
    for item in items:
        started, started_cpu = time.perf_counter(), time.process_time()
        results.append(fn(item))
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return times, cpu, results


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lessons", type=int, default=20000)
    parser.add_argument("--cues-per-lesson", type=int, default=10)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()

    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    started = time.perf_counter()
    analysis.load(WORK / "jieba")
    print(f"jieba loaded in {time.perf_counter() - started:.2f} s")
    fixture, courses, lesson_rows, cue_rows, keys, draw = corpus(args.lessons, args.cues_per_lesson, args.seed)
    asked = queries(fixture, draw, random.Random(args.seed + 1))
    cues = sum(len(r[3]) for r in cue_rows)
    print(f"corpus: {len(courses)} courses, {len(lesson_rows)} lessons, {cues} cues; {len(asked)} queries")

    store, whoosh_build, docs = build_whoosh(WORK / "whoosh", courses, lesson_rows, cue_rows)
    print(f"Whoosh build (the rebuild): {whoosh_build:.1f} s, {docs} documents, {docs / whoosh_build:.0f} documents/s")
    con, fts_build = build_fts(WORK / "fts.sqlite", courses, lesson_rows, cue_rows)
    print(f"FTS5 build: {fts_build:.1f} s, {docs / fts_build:.0f} documents/s (the same documents)")

    from elearn.search.index import readers
    searchers = readers.searchers(store)
    visible = query.audience_filter(("public", "signed_in"))
    for text in asked[:20]:  # warm both: first searches load postings and the SQLite page cache
        whoosh_search(searchers, text, visible)
        fts_search(con, text)
    w_times, w_cpu, w_found = timed(lambda t: whoosh_search(searchers, t, visible), asked)
    f_times, f_cpu, f_found = timed(lambda t: fts_search(con, t), asked)
    w50, w95, f50, f95 = (percentile(w_times, 50), percentile(w_times, 95), percentile(f_times, 50),
                          percentile(f_times, 95))
    print(f"latency ms    p50     p95   CPU p50  CPU p95  ({len(asked)} queries, single-threaded)")
    for name, wall, cpu in (("Whoosh", w_times, w_cpu), ("FTS5", f_times, f_cpu)):
        print(f"  {name:<7}{percentile(wall, 50):6.1f}  {percentile(wall, 95):6.1f}  "
              f"{percentile(cpu, 50):7.1f}  {percentile(cpu, 95):7.1f}")
    print(f"  ratio  {w50 / f50:6.1f}x {w95 / f95:6.1f}x {percentile(w_cpu, 50) / max(percentile(f_cpu, 50), 0.01):6.1f}x"
          f"  {percentile(w_cpu, 95) / max(percentile(f_cpu, 95), 0.01):6.1f}x  (Whoosh / FTS5)")
    print(f"  load average during the run: {os.getloadavg()[0]:.1f} (2 cores: above 2, other work shared them)")
    wanted = fixture["queries"]
    and_only = [fts_search(con, q["q"], fallback=False) for q in wanted]
    rates = relevance(fixture, keys, {"Whoosh": w_found[:len(wanted)], "FTS5": f_found[:len(wanted)],
                                      "FTS5 AND": and_only})
    margin = rates["Whoosh"] - max(rates["FTS5"], rates["FTS5 AND"])
    print(f"index size: Whoosh {store.stats()['bytes'] / 1e6:.0f} MB, FTS5 {(WORK / 'fts.sqlite').stat().st_size / 1e6:.0f} MB")
    print("goals (issue 13):")
    for goal, value, met in (
            ("Whoosh p95 <= 50 ms", f"{w95:.1f} ms", w95 <= 50),
            ("top-3 >= 0.90", f"{rates['Whoosh']:.2f}", rates["Whoosh"] >= 0.9),
            ("margin over FTS5 >= 0.30", f"{margin:+.2f}", margin >= 0.3),
            ("rebuild < 5 minutes", f"{whoosh_build:.0f} s for {docs} documents", whoosh_build < 300)):
        print(f"  {goal:<26} {value:<32} {'met' if met else 'NOT MET'}")


if __name__ == "__main__":
    main()
