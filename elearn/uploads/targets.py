"""Upload targets: what a tus upload can be for, and what becomes of the finished file.

tus is a protocol, not a lesson feature. Each feature that takes files registers a target in its
``init_app`` (``video`` and ``caption`` by elearn.video, ``handout`` by elearn.courses, ``activity`` by
elearn.branches for an activity's files), declaring who may upload, the size and type limits, and what to do with the file:

* ``may_start(user)``: whether the person may start uploads of this kind at all;
* ``check(user, meta, length)``: refuse up front (ServiceError/Forbidden) before a byte is stored:
  the object the file is for, the person's permission on it, the file's type and size; returns the
  id of that object (``target_id``);
* ``may_continue(user, upload)``: whether the person may still send bytes to an upload they began
  (a teacher taken off a course stops here);
* ``finish(upload, path)``: every byte is in: turn the file at ``path`` into what it was sent for,
  inside the transaction that records the upload as complete, and record that in ``upload.result``
  (or call ``refuse``). Files move through ``core.storage`` so a rollback undoes them;
* ``describe(upload)``: what the JSON read-out of the upload shows about the result.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from flask_babel import lazy_gettext as _l

from ..core.errors import ServiceError, stored_message
from ..core.registry import Registry
from .models import UPLOAD_REFUSED

targets = Registry("upload targets")


def _nothing(upload) -> dict:
    return {}


@dataclass(frozen=True)
class UploadTarget:
    kind: str
    may_start: Callable
    check: Callable
    may_continue: Callable
    finish: Callable
    describe: Callable = _nothing


def register(target: UploadTarget) -> UploadTarget:
    return targets.register(target.kind, target)


def get(kind: str) -> UploadTarget:
    target = targets.get(kind) if isinstance(kind, str) else None
    if target is None:
        raise ServiceError("bad_kind", _l("Please say what the file is for: a video, captions or a handout."),
                           status=400)
    return target


def refuse(upload, err: ServiceError) -> None:
    """The finished file cannot be used: the upload says why (``finish`` removes what it moved in place)."""
    upload.state = UPLOAD_REFUSED
    upload.error_code = err.code
    upload.error, upload.error_params = stored_message(err.message)
