"""Transcoding on the queue, with database leases so no job is ever lost (see core.jobs).

``init_app`` registers the job kind ``transcode``; the core reaper hands it back when a worker dies.
"""
from __future__ import annotations

import errno
import shutil
import time
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from huey import crontab
from sqlalchemy import select

from ..core import jobs, storage
from ..core import models as events
from ..core.errors import stored_message
from ..core.timeutil import utcnow
from ..extensions import db
from . import probe as probing
from . import transcode as transcoding
from .models import ASSET_READY, MediaAsset
from .services import TRANSCODE, delete_asset_files

PROGRESS_EVERY = 2.0  # seconds between progress writes
#: Files of a replaced asset stay this long after it was retired: every signed URL handed out
#: before then (valid at most 7 hours) has expired by the time they go.
RETIRED_GRACE = timedelta(hours=8)


#: OSError numbers that mean the media folder cannot be written: a person must fix the disk, the
#: recording itself is fine. (A read-only mount, an immutable folder, a full disk or quota.)
DISK_ERRNOS = {errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOSPC, errno.EDQUOT}
DISK_FAILED = _l("The media folder on the server cannot be written (it is read-only or full), so this "
                 "recording could not be prepared. The recording itself is fine: the administrator "
                 "needs to fix the disk, then press \"Try again\".")


class LeaseLost(Exception):
    """Another worker holds this job now; stop without writing anything."""


def init_app(app) -> None:
    jobs.register(TRANSCODE, model=MediaAsset, run=run_transcode, give_up=_give_up,
                  label=_l("Preparing videos for playing"))


def enqueue(asset_id: int) -> None:
    """Wake a worker for the asset now (its row says ``queued`` and is committed)."""
    jobs.enqueue(TRANSCODE, asset_id)


def run_transcode(asset_id: int) -> str:
    """Claim the asset, build its renditions, and record the outcome. Returns what happened."""
    attempt = jobs.claim(MediaAsset, asset_id, jobs.worker_identity())
    if attempt is None:
        return "not claimed"
    app = current_app._get_current_object()
    with jobs.running(TRANSCODE, asset_id, attempt), \
            jobs.LeaseKeeper(app, MediaAsset, asset_id, attempt) as keeper:
        try:
            result = _transcode(asset_id, attempt, keeper)
        except LeaseLost:
            return "lease lost"
        except transcoding.TranscodeError as err:
            return _failed(asset_id, attempt, err.message, err.detail)
        except probing.MediaError as err:  # probed again here: the file may have been queued by older code
            final = err.code in probing.REFUSALS  # no recording at all: fail at once, 「重试」 refuses it
            return _failed(asset_id, attempt, err.message, err.detail,
                           code=err.code if final else "transcode_failed", final=final)
        except OSError as err:
            if err.errno not in DISK_ERRNOS:
                current_app.logger.exception("transcoding asset %s failed", asset_id)
                return _failed(asset_id, attempt, transcoding.FAILED, f"{type(err).__name__}: {err}")
            current_app.logger.error("transcoding asset %s: the media folder cannot be written: %s", asset_id, err)
            return _failed(asset_id, attempt, DISK_FAILED, f"{type(err).__name__}: {err}", code="media_disk")
        except Exception as err:  # noqa: BLE001 - any crash is a failed attempt, told plainly
            current_app.logger.exception("transcoding asset %s failed", asset_id)
            return _failed(asset_id, attempt, transcoding.FAILED, f"{type(err).__name__}: {err}")
    if not jobs.guarded_update(MediaAsset, asset_id, attempt, status=ASSET_READY, progress=100.0, eta_seconds=0,
                               duration=result.duration, renditions=_summary(result), ready_at=utcnow(),
                               lease_owner=None, lease_expires_at=None, error=None, error_params=None,
                               error_code=None, error_detail=None):
        if db.session.get(MediaAsset, asset_id) is None:  # the lesson was deleted while we worked
            shutil.rmtree(result.out_dir, ignore_errors=True)
        return "lease lost"
    retire_older(asset_id)
    return "ready"


def _transcode(asset_id: int, attempt: int, keeper) -> transcoding.TranscodeResult:
    asset = db.session.get(MediaAsset, asset_id)
    source = storage.path(asset.source_path)
    db.session.rollback()  # release the read transaction: other workers and the web app write meanwhile
    cfg = current_app.config
    key = asset.key
    _remove_leftovers(key)
    info = probing.probe(source, ffprobe=cfg["FFPROBE"])
    last = [0.0]

    def on_progress(percent: float, eta: float | None) -> None:
        if keeper.lost.is_set():
            raise LeaseLost()
        now = time.monotonic()
        if now - last[0] < PROGRESS_EVERY:
            return
        last[0] = now
        if not jobs.guarded_update(MediaAsset, asset_id, attempt, progress=round(min(percent, 99.0), 1),
                                   eta_seconds=int(eta) if eta is not None else None):
            raise LeaseLost()

    return transcoding.transcode(source, storage.path(storage.hls_folder(key)), info, ffmpeg=cfg["FFMPEG"],
                                 ffprobe=cfg["FFPROBE"], on_progress=on_progress,
                                 allow_1080=cfg["TRANSCODE_1080"])


def _remove_leftovers(key: str) -> None:
    """Temporary folders of earlier attempts on this asset (their worker died); we hold the lease now."""
    for leftover in (storage.root() / storage.HLS).glob(f".{key}.*.tmp"):
        shutil.rmtree(leftover, ignore_errors=True)


def _summary(result: transcoding.TranscodeResult) -> dict:
    data = result.to_dict()
    data.pop("out_dir", None)
    return data


def _failed(asset_id: int, attempt: int, message, detail: str, code: str = "transcode_failed",
            final: bool = False) -> str:
    """Retry while attempts remain (the job goes back to the queue); then fail with a plain reason.

    ``final`` (a file that is no recording) fails at once with ``code``, which 「重试」 refuses.
    A disk problem (``media_disk``) is retried after JOB_DISK_RETRY_SECONDS, doubling each time:
    the queue wakes the job later (the row says ``queued`` meanwhile, so nothing holds a lease or
    a thread while it waits); retrying at once would use up every attempt in seconds.
    """
    asset = db.session.get(MediaAsset, asset_id)
    attempts = asset.attempts
    db.session.rollback()
    text, params = stored_message(message)
    if not final and attempts < current_app.config["JOB_MAX_ATTEMPTS"]:
        delay = current_app.config["JOB_DISK_RETRY_SECONDS"] * 2 ** (attempts - 1) if code == "media_disk" else None
        if jobs.guarded_update(MediaAsset, asset_id, attempt, status=jobs.QUEUED, lease_owner=None,
                               lease_expires_at=None, queued_at=utcnow(), error_detail=detail[-4000:],
                               error_code=code if delay else None):
            if delay:
                events.record(TRANSCODE, asset_id, events.RETRY_LATER, code=code,
                              detail=f"attempt {attempt}, next in {delay} s: {detail}")
                db.session.commit()
            enqueue_later(asset_id, delay)
        return "retrying"
    if jobs.guarded_update(MediaAsset, asset_id, attempt, status=jobs.FAILED, lease_owner=None,
                           lease_expires_at=None, error=text, error_params=params, error_code=code,
                           error_detail=detail[-4000:]):
        events.record(TRANSCODE, asset_id, events.FAILED, code=code, detail=detail)
        db.session.commit()
    return "failed"


def enqueue_later(asset_id: int, delay: float | None) -> None:
    jobs.enqueue(TRANSCODE, asset_id, delay=delay)


def retire_older(asset_id: int) -> None:
    """A newer asset of the lesson is ready: older ready ones stop being served and are cleaned later."""
    asset = db.session.get(MediaAsset, asset_id)
    older = db.session.scalars(select(MediaAsset).where(
        MediaAsset.lesson_id == asset.lesson_id, MediaAsset.id < asset_id, MediaAsset.retired_at.is_(None),
        MediaAsset.status.in_([ASSET_READY, jobs.FAILED]))).all()
    for row in older:
        row.retired_at = utcnow()
    db.session.commit()


def _give_up(asset: MediaAsset) -> None:
    text, params = stored_message(transcoding.FAILED)
    asset.error, asset.error_params, asset.error_code = text, params, "transcode_failed"
    asset.error_detail = (asset.error_detail or "") + "\nThe worker stopped (killed or lost) on every attempt."


@jobs.periodic(crontab(minute="23"))
def remove_retired_files() -> int:
    """Delete the renditions and sources of assets replaced long enough ago that no URL reaches them."""
    cutoff = utcnow() - RETIRED_GRACE
    rows = db.session.scalars(select(MediaAsset).where(MediaAsset.retired_at < cutoff)).all()
    for row in rows:
        delete_asset_files(row)
        db.session.delete(row)
    db.session.commit()
    return len(rows)
