"""Language choice and the translation catalogues (compiled from the .po files when stale)."""
from __future__ import annotations

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


def compile_catalogues(directory: Path) -> None:
    """Compile every messages.po newer than its messages.mo (the .mo files are not committed)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in directory.glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=po_path.parent.parent.name)
        tmp = mo_path.with_suffix(".mo.tmp")
        with tmp.open("wb") as fh:
            write_mo(fh, catalog)
        tmp.replace(mo_path)


def init_app(app, babel) -> None:
    directory = Path(app.config["BABEL_TRANSLATION_DIRECTORIES"])
    compile_catalogues(directory)
    babel.init_app(app, locale_selector=select_locale)
