"""The one media store: where files live under MEDIA_DIR, and how they follow the transaction.

Every path under MEDIA_DIR is built here, from keys, ids and random names chosen by the server,
never from what a person sent. Files are written to a temporary name and moved into place; a file put in
place for a transaction that rolls back is removed (or moved back) again, and a file that belongs
to a removed row goes only after the commit. So the disk and the database never disagree for long,
and a half-written file is never in place.

The folder layout (relative to MEDIA_DIR)::

    uploads/<upload id>.part              tus uploads while bytes arrive
    sources/<asset key>/source.<ext>      a video's or recording's original
    hls/<asset key>/...                   its renditions: playlists, segments, poster, download
    captions/<caption key>/<random>.<ext> a caption file as uploaded, and its WebVTT
    handouts/<lesson id>/<random>.<ext>   handouts
    activities/<activity id>/<random>.<ext> a branch activity's attachments
    covers/<random>.<ext>                 course covers
    imports/<random>.<ext>                a spreadsheet waiting for its import job to read it

Assets and captions are named by their ``key`` (``new_key``: 32 random hex digits, unique, stored on
the row), not by their id: signed URLs open the folder they name without asking the database, and
ids come round again (SQLite reuses a deleted row's id), so a saved URL for deleted media would open
whatever took the id next. A key is never handed out twice.
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l

from .errors import ServiceError
from .transaction import after_commit, after_rollback

UPLOADS, SOURCES, HLS, CAPTIONS, HANDOUTS, COVERS = "uploads", "sources", "hls", "captions", "handouts", "covers"
IMPORTS, ACTIVITIES = "imports", "activities"


# ---------------------------------------------------------------- the layout

def root() -> Path:
    return Path(current_app.config["MEDIA_DIR"]).resolve()


def path(relative: str) -> Path:
    """The absolute path of a stored file; refuses anything that would leave MEDIA_DIR."""
    base = root()
    if not relative or Path(relative).is_absolute():
        raise _bad_path()
    resolved = (base / relative).resolve()
    if not resolved.is_relative_to(base) or resolved == base:
        raise _bad_path()
    return resolved


def _bad_path() -> ServiceError:
    return ServiceError("bad_path", _l("This file cannot be used."), status=400)


def random_name(folder: str, suffix: str = "") -> str:
    """``folder/<32 random hex digits><suffix>``: a new file's relative path."""
    return f"{folder}/{secrets.token_hex(16)}{suffix}"


def new_key() -> str:
    """A media folder's name: 32 random hex digits, the ``key`` column of assets and captions."""
    return secrets.token_hex(16)


_KEY = re.compile(r"^[0-9a-f]{32}$")


def is_key(value: str) -> bool:
    return bool(_KEY.match(value or ""))


def _keyed(folder: str, key: str) -> str:
    # A row id here would bring back the bug keys exist for (see the module docstring): refuse it loudly.
    if not is_key(key):
        raise ValueError(f"not a media key: {key!r}")
    return f"{folder}/{key}"


def upload_part(upload_id: str) -> str:
    return f"{UPLOADS}/{upload_id}.part"


def source_file(asset_key: str, extension: str) -> str:
    return f"{_keyed(SOURCES, asset_key)}/source.{extension}"


def hls_folder(asset_key: str) -> str:
    return _keyed(HLS, asset_key)


def asset_folders(asset_key: str) -> list[str]:
    """Everything an asset has on disk: its source and its renditions."""
    return [_keyed(SOURCES, asset_key), hls_folder(asset_key)]


def caption_file(caption_key: str, suffix: str) -> str:
    return random_name(_keyed(CAPTIONS, caption_key), suffix)


def handout_file(lesson_id: int, suffix: str) -> str:
    return random_name(f"{HANDOUTS}/{lesson_id}", suffix)


def activity_file(activity_id: int, suffix: str) -> str:
    return random_name(f"{ACTIVITIES}/{activity_id}", suffix)


def cover_file(suffix: str) -> str:
    return random_name(COVERS, suffix)


def import_file(suffix: str) -> str:
    return random_name(IMPORTS, suffix)


# ---------------------------------------------------------------- writing, following the transaction

def write_bytes(relative: str, data: bytes) -> str:
    """Write ``data`` at ``relative`` atomically; removed again if the transaction rolls back."""
    target = path(relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    remove_on_rollback(relative)
    return relative


def write_text(relative: str, text: str) -> str:
    return write_bytes(relative, text.encode("utf-8"))


def move_into_place(source: Path, relative: str) -> Path:
    """Rename ``source`` to ``relative`` (same file system: atomic); moved back if the transaction
    rolls back, so a finished upload can be finished again."""
    target = path(relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(source, target)
    after_rollback(lambda: os.replace(target, source))
    return target


def copy_into_place(source: Path, relative: str) -> Path:
    """Copy to a temporary name beside ``relative``, then rename; removed if the transaction rolls back."""
    target = path(relative)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    remove_on_rollback(relative)
    return target


def remove_on_rollback(relative: str) -> None:
    target = path(relative)
    after_rollback(lambda: _remove(target))


def remove_after_commit(relative: str | None) -> None:
    """Remove the file or folder at ``relative`` once the transaction has committed."""
    if relative:
        target = path(relative)
        after_commit(lambda: _remove(target))


def _remove(target: Path) -> None:
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target, ignore_errors=True)
    else:
        target.unlink(missing_ok=True)


# ---------------------------------------------------------------- sizes

def tree_size(relative: str | None) -> int:
    """Bytes in the files under ``relative`` (a file counts itself); 0 if it is not there.

    ``os.scandir`` walks without following symlinks, so the figure is what really is on disk here.
    """
    if not relative:
        return 0
    try:
        top = path(relative)
    except ServiceError:
        return 0
    return _size_under(top)


def _size_under(top: Path) -> int:
    try:
        if not top.is_dir():
            return top.stat().st_size if top.is_file() else 0
    except OSError:
        return 0
    total, folders = 0, [str(top)]
    while folders:
        try:
            entries = os.scandir(folders.pop())
        except OSError:  # removed while we walk
            continue
        with entries:
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(entry.path)
                    elif entry.is_file(follow_symlinks=False):
                        total += entry.stat(follow_symlinks=False).st_size
                except OSError:
                    continue
    return total


def total_size() -> int:
    return _size_under(root())
