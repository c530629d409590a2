"""Language choice, and the translation catalogues (compiled from the .po files at setup)."""
from __future__ import annotations

import os
from pathlib import Path

from flask import request
from flask_login import current_user

LOCALES = ("zh_CN", "en")
LOCALE_COOKIE = "elearn_lang"


def select_locale() -> str:
    from flask import current_app, has_request_context

    # Outside a request (CLI commands, background tasks) there is no user or cookie to ask.
    if has_request_context():
        user = current_user
        if user and user.is_authenticated and user.locale in LOCALES:
            return user.locale
        chosen = request.cookies.get(LOCALE_COOKIE)
        if chosen in LOCALES:
            return chosen

    return current_app.config["DEFAULT_LOCALE"]


def catalogue_sources(directory: Path) -> list[Path]:
    return sorted(Path(directory).glob("*/LC_MESSAGES/messages.po"))


def compile_catalogues(directory: Path) -> list[Path]:
    """Compile every messages.po newer than its messages.mo (the .mo files are not committed).

    Run at setup (``make``, ``scripts/i18n.py --compile``) and by the test suite, never by the app:
    a read-only install cannot write here, and several workers starting at once would race.
    Returns the catalogues it wrote.
    """
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po_path in catalogue_sources(directory):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=po_path.parent.parent.name)
        # A temporary name of its own, moved into place: a reader never sees half a catalogue.
        tmp = mo_path.with_name(f".{mo_path.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as fh:
            write_mo(fh, catalog)
        tmp.replace(mo_path)
        written.append(mo_path)
    return written


def stale_catalogues(directory: Path) -> list[str]:
    """Locales whose compiled catalogue is missing or older than its .po."""
    stale = []
    for po_path in catalogue_sources(directory):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            stale.append(po_path.parent.parent.name)
    return stale


def init_app(app, babel) -> None:
    directory = Path(app.config["BABEL_TRANSLATION_DIRECTORIES"])
    stale = stale_catalogues(directory)
    if stale:
        # Pages still work: Flask-Babel shows the English msgids where a catalogue is missing.
        app.logger.warning("Translation catalogues not compiled or out of date (%s) in %s: run `make setup` "
                           "or `python scripts/i18n.py --compile`", ", ".join(stale), directory)
    babel.init_app(app, locale_selector=select_locale)
