#!/usr/bin/env python
"""Refresh the translation catalogues and merge Chinese translations into them.

    python scripts/i18n.py                  extract strings, update zh_CN and en catalogues
    python scripts/i18n.py zh.json [...]    ...and set zh_CN translations from JSON files
                                            ({"English msgid": "中文", ...}; plural msgids map to one string)
    python scripts/i18n.py --missing        list msgids that have no zh_CN translation yet
    python scripts/i18n.py --compile        compile every .po newer than its .mo (what `make setup` runs)

Holds a lock so several people (or processes) can run it at once without losing work.
"""
from __future__ import annotations

import fcntl
import json
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "elearn" / "translations"
POT = TRANSLATIONS / "messages.pot"
KEYWORDS = ["-k", "_l", "-k", "lazy_gettext", "-k", "ngettext:1,2", "-k", "lazy_ngettext:1,2"]


def _read(path: Path, locale: str | None = None):
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def _write(catalog, path: Path) -> None:
    tmp = path.with_suffix(".po.tmp")
    with tmp.open("wb") as fh:
        write_po(fh, catalog, sort_output=True, omit_header=False, include_previous=False, width=0)
    tmp.replace(path)


def extract(pot: Path = POT) -> None:
    pybabel = Path(sys.executable).parent / "pybabel"
    # pybabel skips folders starting with "_" unless told otherwise, which would lose templates/_macros.
    subprocess.run([str(pybabel), "-q", "extract", "-F", str(ROOT / "babel.cfg"), *KEYWORDS, "--no-location",
                    "--ignore-dirs", ".* node_modules media instance", "--sort-output", "-o", str(pot), str(ROOT)],
                   check=True, cwd=ROOT)


def update(translations: dict[str, str]) -> list[str]:
    missing = []
    for locale in ("zh", "en"):
        # Read afresh for each catalogue: Catalog.update() adopts the template's Message objects,
        # so a shared template would carry the Chinese strings into the English catalogue.
        template = _read(POT)
        path = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog = _read(path, locale) if path.exists() else None
        if catalog is None:
            from babel.messages.catalog import Catalog

            catalog = Catalog(locale=locale, project="elearn")
        catalog.update(template, no_fuzzy_matching=True)
        for key in list(catalog.obsolete):
            del catalog.obsolete[key]
        if locale == "zh":
            for message in catalog:
                if not message.id:
                    continue
                msgid = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
                if msgid in translations:
                    value = translations[msgid]
                    message.string = (value,) if isinstance(message.id, (list, tuple)) else value
                message.flags.discard("fuzzy")
                text = message.string[0] if isinstance(message.string, (list, tuple)) else message.string
                if not text:
                    missing.append(msgid)
        _write(catalog, path)
    return missing


def compile_all() -> int:
    sys.path.insert(0, str(ROOT))
    from elearn.core.i18n import compile_catalogues

    for path in compile_catalogues(TRANSLATIONS):
        print(f"compiled {path.relative_to(ROOT)}", file=sys.stderr)
    return 0


def main(argv: list[str]) -> int:
    if "--compile" in argv:
        return compile_all()
    translations: dict[str, str] = {}
    for name in (a for a in argv if not a.startswith("--")):
        translations.update(json.loads(Path(name).read_text(encoding="utf-8")))
    lock_path = TRANSLATIONS / ".lock"
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        extract()
        missing = update(translations)
    if "--missing" in argv:
        print("\n".join(missing))
    print(f"{len(missing)} msgids without a zh_CN translation", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
