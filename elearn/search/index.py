"""The index on disk: two Whoosh indexes per generation, and the symlink naming the current one.

Layout under SEARCH_INDEX_DIR::

    current -> gen-20261201T120000-3fa2   (a symlink, replaced by a rename, so readers never see none)
    gen-.../items/    courses and lessons: titles, pinyin, teachers, descriptions, handouts' titles
    gen-.../cues/     one document per passage of a few caption cues (their texts and seconds)

Courses and lessons are few and long, cues are many and short: apart, a query over titles never
walks 200,000 cue postings, and each index's scores are measured against its own kind.

Each document carries its course's ``status``, ``visibility``, ``category`` and teachers, so the
visibility filter runs inside the index (pages and totals are right) before the database re-check.

Pure Whoosh and files, no Flask: the benchmark builds the same indexes.
"""
from __future__ import annotations

import os
import secrets
import shutil
import threading
import time
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from .analysis import is_latin, pinyin_analyzer, sound_key, text_analyzer, word_pairs, words

CURRENT = "current"
KINDS = ("items", "cues")
#: What the documents look like; a generation of another format is rebuilt by the writer.
FORMAT = "3"  # 2: cues as passages; 3: no HMM, pinyin of word pairs, fuzzy sounds


def item_schema() -> Schema:
    return Schema(
        key=ID(unique=True, stored=True),            # "course:12" or "lesson:40"
        kind=ID(stored=True),
        ref=STORED(),
        course_id=ID(stored=True),
        lesson_id=ID(stored=True),
        title=TEXT(analyzer=text_analyzer(), phrase=False, stored=True, field_boost=3.0),
        title_py=TEXT(analyzer=pinyin_analyzer(), phrase=False, field_boost=2.0),
        teachers=TEXT(analyzer=text_analyzer(), phrase=False, stored=True),
        teachers_py=TEXT(analyzer=pinyin_analyzer(), phrase=False),
        body=TEXT(analyzer=text_analyzer(), phrase=False, stored=True),
        handouts=TEXT(analyzer=text_analyzer(), phrase=False, stored=True),
        sounds=KEYWORD(),                            # "taiji=太极": how each title word sounds
        **_audience_fields(),
    )


def cue_schema() -> Schema:
    return Schema(
        key=STORED(),                                # "cue:<caption id>:<n>": a passage of cues
        caption_id=ID(stored=True),
        lesson_id=ID(stored=True),
        course_id=ID(stored=True),
        start=STORED(),                              # the passage's first second (never searched by)
        text=TEXT(analyzer=text_analyzer(), phrase=False),
        cues=STORED(),                               # [(start, text)]: the moment is the cue that matched
        **_audience_fields(),
    )


def _audience_fields() -> dict:
    return {
        "status": ID(),
        "visibility": ID(),
        "category": ID(stored=True),
        "teacher_ids": KEYWORD(commas=True),
    }


SCHEMAS = {"items": item_schema, "cues": cue_schema}


def sounds(*texts: str) -> str:
    """The ``sounds`` field: each Chinese word of the titles and names, and each two neighbouring words,
    with how it sounds (``sound_key``), so a homophone typo (太级, 广场午, 静夜诗) or a pinyin query
    (taiji) finds the word meant (太极, 广场舞, 静夜思) by one prefix."""
    found = set()
    for text in texts:
        for word in words(text, index=True) + word_pairs(text):
            if len(word) > 1 and not is_latin(word):
                sound = sound_key(word)
                if sound:
                    found.add(f"{sound}={word}")
    return " ".join(sorted(found))


class Store:
    """The generations under one folder; ``current()`` follows the symlink."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def current(self) -> Path | None:
        link = self.root / CURRENT
        try:
            return self.root / os.readlink(link)
        except OSError:
            return None

    def new_generation(self) -> Path:
        """An empty generation, not yet current."""
        name = f"gen-{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{secrets.token_hex(3)}"
        folder = self.root / name
        for kind in KINDS:
            (folder / kind).mkdir(parents=True)
            whoosh_index.create_in(str(folder / kind), SCHEMAS[kind]())
        (folder / "format").write_text(FORMAT)
        return folder

    def outdated(self) -> bool:
        """The current generation was written by code with other documents (see FORMAT)."""
        folder = self.current()
        try:
            return folder is not None and (folder / "format").read_text().strip() != FORMAT
        except OSError:
            return True

    def ensure(self) -> Path:
        """The current generation, making an empty one the first time."""
        self.root.mkdir(parents=True, exist_ok=True)
        return self.current() or self.swap(self.new_generation())

    def swap(self, folder: Path) -> Path:
        """Make ``folder`` current by renaming a new symlink over the old one, then drop old generations.

        The generation before stays one round, so a reader that resolved the link a moment ago
        (also on another machine sharing the folder) can finish its search.
        """
        temp = self.root / f".{CURRENT}-{secrets.token_hex(4)}"
        os.symlink(folder.name, temp)
        os.replace(temp, self.root / CURRENT)
        keep = {folder.name}
        gens = sorted((p for p in self.root.glob("gen-*") if p.name != folder.name), key=lambda p: p.stat().st_mtime)
        keep |= {p.name for p in gens[-1:]}
        for old in gens:
            if old.name not in keep:
                shutil.rmtree(old, ignore_errors=True)
        return folder

    def open(self, folder: Path | None = None) -> dict:
        folder = folder or self.ensure()
        return {kind: whoosh_index.open_dir(str(folder / kind)) for kind in KINDS}

    def stats(self) -> dict:
        folder = self.current()
        if folder is None:
            return {"generation": None, "bytes": 0, "age_seconds": None}
        files = [p for p in folder.rglob("*") if p.is_file()]
        newest = max((p.stat().st_mtime for p in files), default=folder.stat().st_mtime)
        return {"generation": folder.name, "bytes": sum(p.stat().st_size for p in files),
                "age_seconds": round(time.time() - newest, 1)}


class Readers:
    """One searcher per index per process, reopened only when the generation or its commit changes."""

    def __init__(self):
        self._lock = threading.Lock()
        self._open: dict[str, tuple[Path, dict, dict]] = {}

    def searchers(self, store: Store) -> dict:
        folder = store.ensure()
        key = str(store.root)
        with self._lock:
            held = self._open.get(key)
            if held is None or held[0] != folder:
                indexes = store.open(folder)
                held = (folder, indexes, {k: ix.searcher() for k, ix in indexes.items()})
            else:
                # A cheap look at the table of contents: a new commit by the writer means a new searcher.
                # (Not Searcher.refresh(), which fails on a one-segment index.) The old one is left
                # to the garbage collector: another thread may still be reading it.
                held = (folder, held[1], {k: s if s.up_to_date() else held[1][k].searcher()
                                          for k, s in held[2].items()})
            self._open[key] = held
            return held[2]

    def close(self) -> None:
        with self._lock:
            for _, _, searchers in self._open.values():
                for s in searchers.values():
                    s.close()
            self._open.clear()


readers = Readers()
