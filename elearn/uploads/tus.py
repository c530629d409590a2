"""The tus 1.0.0 resumable-upload protocol: core, creation, termination and expiration.

No maintained tus server exists for Flask, so this follows https://tus.io/protocols/resumable-upload
itself. The views in ``api.py`` parse the HTTP request and call these functions; nothing here
reads ``request`` (the PATCH body arrives as a stream argument).

What a finished file becomes is up to its upload target (targets.py); this module knows only the
protocol. Bytes land in MEDIA_DIR/uploads/<upload id>.part. A PATCH holds a short lease on its upload row
(``lock_token``/``locked_until``, taken with a compare-and-set on the expected offset), renews it
while it reads, and checks it before every write, so two clients sending the same upload never
interleave bytes: one wins, the other gets 409. Because the lease lives in the database it holds
across processes and machines that share the media folder.

Unlike ordinary services, ``append`` commits: the offset of bytes already on disk must be
recorded even when the client drops the connection half-way, and the lease must be visible to
other requests while the body is still arriving.
"""
from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
import time
from datetime import timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update
from werkzeug.exceptions import ClientDisconnected

from ..core import storage
from ..core.errors import NotFound, ServiceError
from ..core.timeutil import utcnow
from ..core.utils import format_size, safe_filename
from ..extensions import db
from . import targets
from .models import UPLOAD_COMPLETE, UPLOAD_RECEIVING, Upload

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,termination,expiration"
OFFSET_CONTENT_TYPE = "application/offset+octet-stream"
#: An upload nobody has added to for this long is abandoned and removed.
EXPIRY = timedelta(hours=24)
#: A PATCH's hold on its upload; renewed while bytes keep arriving.
LEASE = timedelta(seconds=30)
#: Renew the lease once it is this old, well before it runs out, and never write on an older one.
RENEW_AFTER_SECONDS = 10.0
#: Bytes read from the request and written to disk at a time (never the whole body in memory).
PIECE = 256 * 1024
_UPLOAD_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_METADATA_KEY = re.compile(r"^[^\s,]+$")


# ---------------------------------------------------------------- header helpers

def parse_metadata(header: str | None) -> dict[str, str]:
    """Decode ``Upload-Metadata``: comma-separated ``key base64value`` pairs; a value may be absent."""
    if header is None or not header.strip():
        return {}
    pairs: dict[str, str] = {}
    for item in header.split(","):
        parts = item.strip().split(" ")
        key = parts[0]
        if not key or len(parts) > 2 or not _METADATA_KEY.match(key) or key in pairs:
            raise _bad_metadata()
        raw = parts[1] if len(parts) == 2 else ""
        try:
            pairs[key] = base64.b64decode(raw, validate=True).decode("utf-8")
        except (binascii.Error, ValueError):
            raise _bad_metadata() from None
    return pairs


def encode_metadata(values: dict[str, str]) -> str:
    """The ``Upload-Metadata`` header for ``values`` (what a tus client sends)."""
    return ",".join(f"{key} {base64.b64encode(str(value).encode()).decode()}" for key, value in values.items())


def _bad_metadata():
    return ServiceError("bad_metadata", _l("The file details sent with the upload could not be read."), status=400)


#: Digits an Upload-Length or Upload-Offset may have: 20 holds any 64-bit size (a size past the
#: limit is refused by creation with 413); 5,000 digits made int() raise ValueError (a 500).
_SIZE_DIGITS = 20


def parse_size(value: str | None, header: str) -> int:
    """A non-negative whole number from ``Upload-Length``/``Upload-Offset``; refuses anything else."""
    text = (value or "").strip()
    if not text.isdigit() or not text.isascii() or len(text) > _SIZE_DIGITS:
        raise ServiceError("bad_header", _l("The upload header %(header)s must be a whole number.", header=header),
                           status=400)
    return int(text)


def http_date(moment) -> str:
    """An RFC 9110 date (``Upload-Expires``) for a naive UTC datetime."""
    return format_datetime(moment.replace(tzinfo=timezone.utc), usegmt=True)


def check_version(value: str | None) -> None:
    if value != TUS_VERSION:
        raise ServiceError("tus_version", _l("This upload program uses a protocol version we do not support "
                                             "(tus 1.0.0 is supported)."), status=412)


# ---------------------------------------------------------------- files

def uploads_dir() -> Path:
    return storage.root() / storage.UPLOADS


def part_relative(upload_id: str) -> str:
    """Where an upload's bytes are kept, relative to MEDIA_DIR; the id is ours (random), never a file name."""
    if not _UPLOAD_ID.match(upload_id or ""):
        raise ValueError("not an upload id")
    return storage.upload_part(upload_id)


def part_path(upload_id: str) -> Path:
    return storage.path(part_relative(upload_id))


# ---------------------------------------------------------------- creation

def max_upload_bytes() -> int:
    return int(current_app.config["MAX_UPLOAD_BYTES"])


def create_upload(user, length: int, raw_metadata: str | None) -> Upload:
    """A new upload of ``length`` bytes, checked before a single byte is accepted."""
    if length > max_upload_bytes():
        raise ServiceError("upload_too_large", _l("This file is too large. The largest file you can upload is "
                                                  "%(limit)s.", limit=format_size(max_upload_bytes())), status=413,
                           limit=max_upload_bytes())
    meta = parse_metadata(raw_metadata)
    target = targets.get(meta.get("kind") or "video")
    target_id = target.check(user, meta, length)
    if length == 0:
        raise ServiceError("empty_file", _l("This file is empty (0 bytes). Please choose the file again."),
                           status=400)
    upload = Upload(id=secrets.token_urlsafe(24), user_id=user.id, kind=target.kind, target_id=target_id,
                    filename=safe_filename(meta.get("filename")), meta=meta,
                    raw_metadata=(raw_metadata or "").strip(), length=length, offset=0,
                    state=UPLOAD_RECEIVING, expires_at=utcnow() + EXPIRY)
    db.session.add(upload)
    db.session.flush()
    path = part_path(upload.id)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "xb"):
            pass
    except OSError:  # read-only, immutable or full: the row goes with the rollback
        current_app.logger.exception("starting upload %s failed", upload.id)
        raise _storage_full() from None
    storage.remove_on_rollback(part_relative(upload.id))
    return upload


# ---------------------------------------------------------------- looking up

def get_upload(upload_id: str, user, *, allow_expired: bool = False) -> Upload:
    """The caller's own upload; anyone else's, or one that never existed, is simply not found."""
    upload = db.session.get(Upload, upload_id) if _UPLOAD_ID.match(upload_id or "") else None
    if upload is None or user is None or upload.user_id != user.id:
        raise NotFound("upload_not_found", _l("This upload does not exist. Please start the upload again."))
    if not allow_expired and is_expired(upload):
        raise ServiceError("upload_expired", _l("This upload was not finished within 24 hours and has been "
                                                "removed. Please upload the file again."), status=410)
    return upload


def is_expired(upload: Upload, now=None) -> bool:
    return upload.state == UPLOAD_RECEIVING and upload.expires_at <= (now or utcnow())


# ---------------------------------------------------------------- PATCH

class _Lease:
    """This request's hold on one upload row, taken and renewed with compare-and-set updates."""

    def __init__(self, upload_id: str):
        self.upload_id = upload_id
        self.token = secrets.token_hex(16)
        self.renewed = 0.0

    def take(self, offset: int) -> bool:
        now = utcnow()
        taken = _execute(update(Upload).where(
            Upload.id == self.upload_id, Upload.offset == offset, Upload.state == UPLOAD_RECEIVING,
            or_(Upload.lock_token.is_(None), Upload.locked_until < now),
        ).values(lock_token=self.token, locked_until=now + LEASE))
        self.renewed = time.monotonic()
        return taken

    def keep(self) -> bool:
        """Renew when due; False if another request has taken the upload over."""
        if time.monotonic() - self.renewed < RENEW_AFTER_SECONDS:
            return True
        if not _execute(update(Upload).where(Upload.id == self.upload_id, Upload.lock_token == self.token)
                        .values(locked_until=utcnow() + LEASE)):
            return False
        self.renewed = time.monotonic()
        return True

    def release(self, new_offset: int) -> bool:
        """Record ``new_offset`` and let go."""
        now = utcnow()
        return _execute(update(Upload).where(Upload.id == self.upload_id, Upload.lock_token == self.token).values(
            offset=new_offset, lock_token=None, locked_until=None, updated_at=now, expires_at=now + EXPIRY,
        ))


def _execute(statement, *, commit: bool = True) -> bool:
    # A write as the first statement of its own transaction: on SQLite a read transaction that
    # turns into a write fails at once if another connection has committed in between.
    result = db.session.execute(statement, execution_options={"synchronize_session": False})
    if commit:
        db.session.commit()
    return result.rowcount == 1


def append(upload: Upload, offset: int, stream, content_length: int | None) -> int:
    """Write the PATCH body at ``offset``; returns the new offset (the Upload-Offset to answer).

    Bytes that arrived before a dropped connection are kept and counted. When the last byte is
    in, the file is handed to its upload target (``finish``) in the same transaction.
    """
    upload_id, length, current = upload.id, upload.length, upload.offset
    if offset != current:
        raise _offset_conflict()
    remaining = length - offset
    if content_length is not None and content_length > remaining:
        raise ServiceError("too_much_data", _l("More data was sent than the file size given when the upload "
                                               "started."), status=413)
    if upload.state != UPLOAD_RECEIVING:
        return current
    db.session.commit()  # end the read transaction before taking the lease (see _execute)
    lease = _Lease(upload_id)
    if not lease.take(offset):
        raise _busy_or_moved(upload_id, offset)
    written, problem = _receive(part_path(upload_id), offset, remaining, stream, lease)
    if problem == "lease_lost":
        raise _busy_or_moved(upload_id, offset)
    new_offset = offset + written
    if new_offset < length or problem:
        if not lease.release(new_offset):
            raise _busy_or_moved(upload_id, offset)
        if problem == "disk":
            raise _storage_full()
        return new_offset
    try:
        _complete(upload_id, length, lease)
    except BaseException as err:
        db.session.rollback()
        # Back to the offset this request started from: the client sends its last piece again
        # and finishing is tried again (at the full length, a client would consider it done).
        lease.release(offset)
        if isinstance(err, OSError):
            current_app.logger.exception("finishing upload %s failed", upload_id)
            raise _storage_full() from None
        raise
    return new_offset


def _storage_full():
    return ServiceError("storage_full", _l("The server has no room to store this file right now. "
                                           "Please tell the administrator."), status=507)


def _receive(path: Path, offset: int, remaining: int, stream, lease: _Lease) -> tuple[int, str | None]:
    """Copy up to ``remaining`` bytes from ``stream`` to ``path`` at ``offset``.

    Returns the bytes written and what stopped it early, if anything: ``"lease_lost"`` (another
    request took the upload over: nothing more may be written) or ``"disk"`` (a write failed).
    A dropped connection is not a problem: what arrived counts.
    """
    written = 0
    try:
        out = open(path, "r+b", buffering=0)
    except OSError:  # a read-only or immutable folder: the lease is released by the caller
        current_app.logger.exception("opening upload %s failed", path.name)
        return 0, "disk"
    with out:
        out.seek(offset)
        while written < remaining:
            try:
                piece = stream.read(min(PIECE, remaining - written))
            except (ClientDisconnected, OSError):
                break
            if not piece:
                break
            if not lease.keep():
                return written, "lease_lost"
            try:
                _write_all(out, piece)
            except OSError:
                current_app.logger.exception("writing upload %s failed", path.name)
                out.truncate(offset + written)  # a partly written piece does not count
                return written, "disk"
            written += len(piece)
    return written, None


def _write_all(out, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[out.write(view):]


def _complete(upload_id: str, length: int, lease: _Lease) -> None:
    """All bytes are in: record that, and hand the file to its target, in one transaction."""
    path = part_path(upload_id)
    # Bytes past the end can only be left by a writer whose lease was taken over; drop them.
    os.truncate(path, length)
    if not _execute(update(Upload).where(Upload.id == upload_id, Upload.lock_token == lease.token).values(
            offset=Upload.length, lock_token=None, locked_until=None, state=UPLOAD_COMPLETE,
            completed_at=utcnow(), updated_at=utcnow()), commit=False):
        raise _busy_or_moved(upload_id, None)
    upload = db.session.get(Upload, upload_id, populate_existing=True)
    targets.get(upload.kind).finish(upload, path)
    db.session.flush()
    db.session.commit()


def _offset_conflict():
    return ServiceError("offset_mismatch", _l("The upload continued from a different place than expected. "
                                              "It will pick up from the right place by itself."), status=409)


def _busy_or_moved(upload_id: str, offset: int | None):
    db.session.rollback()
    current = db.session.scalar(select(Upload.offset).where(Upload.id == upload_id))
    if offset is not None and current != offset:
        return _offset_conflict()
    return ServiceError("upload_busy", _l("This file is being uploaded from another window or device at the same "
                                          "time. Please wait for that upload to finish."), status=409)


# ---------------------------------------------------------------- termination and expiry

def terminate(upload: Upload) -> None:
    """DELETE: forget the upload and its bytes (a finished file already belongs to its target)."""
    if upload.state == UPLOAD_RECEIVING:
        storage.remove_after_commit(part_relative(upload.id))
    db.session.delete(upload)
    db.session.flush()


def expire_uploads(now=None) -> int:
    """Remove uploads nobody has added to for 24 hours, and finished ones past that age too."""
    now = now or utcnow()
    removed = 0
    for upload in db.session.scalars(select(Upload).where(Upload.expires_at <= now)).all():
        if upload.locked_until is not None and upload.locked_until > now:
            continue  # a PATCH is writing to it right now
        storage.remove_after_commit(part_relative(upload.id))
        db.session.delete(upload)
        removed += 1
    db.session.flush()
    return removed


def remove_orphan_parts(now=None) -> int:
    """``.part`` files with no upload row (a crash between writing and committing), once old enough."""
    folder = uploads_dir()
    if not folder.is_dir():
        return 0
    known = set(db.session.scalars(select(Upload.id)))
    cutoff = time.time() - EXPIRY.total_seconds()
    removed = 0
    for path in folder.glob("*.part"):
        if path.stem not in known and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def forget(kind: str, target_id: int) -> None:
    """The object uploads of ``kind`` were for is being deleted: its uploads go, their bytes after the commit."""
    for upload in db.session.scalars(select(Upload).where(Upload.kind == kind, Upload.target_id == target_id)):
        if upload.state == UPLOAD_RECEIVING:
            storage.remove_after_commit(part_relative(upload.id))
        db.session.delete(upload)
    db.session.flush()
