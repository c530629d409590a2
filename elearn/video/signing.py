"""Signed media URLs: one scheme for pages, API, TV boxes and CDNs.

A URL grants read access to one folder under the media root until an expiry:

    /media/<expiry>/<signature>/<kind>/<key>/<file path>

``<key>`` is the asset's or caption's ``key`` (32 random hex digits, see ``core.storage``), never a
row id: ids come round again after a delete, and a saved URL must not open what took the id next.

The expiry and the HMAC are in the *path*, so the relative URIs inside an HLS playlist
(``720/seg_00001.ts``) resolve to URLs that carry them too, and players that send no cookies
(set-top boxes, ffmpeg, a CDN) are served. Checking a URL needs no database query: whoever
was allowed to see the lesson when the URL was made may use it until it expires. Expiries are
rounded up to whole hours so the same URL is handed out for an hour and caches well.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import quote

from flask import current_app, has_request_context, url_for

from ..core import storage

#: Folders under the media root that signed URLs may open, by kind.
KINDS = {"hls": "hls", "captions": "captions"}
#: Minimum validity of a URL handed out now (issue 4: at least 6 hours).
MIN_VALIDITY = 6 * 3600
ROUNDING = 3600


def _key() -> bytes:
    return hashlib.sha256(b"elearn-media-url:" + current_app.config["SECRET_KEY"].encode()).digest()


def signature(expiry: int, kind: str, key: str) -> str:
    message = f"{expiry}/{kind}/{key}".encode()
    digest = hmac.new(_key(), message, hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def expiry_for(now: float | None = None) -> int:
    now = time.time() if now is None else now
    return int(-(-(now + MIN_VALIDITY) // ROUNDING) * ROUNDING)


def signed_url(kind: str, key: str, filename: str, *, now: float | None = None, external: bool = False) -> str:
    """A URL for ``filename`` inside the ``kind``/``key`` folder, valid for at least six hours."""
    if kind not in KINDS:
        raise ValueError(f"unknown media kind {kind!r}")
    if not storage.is_key(key):
        raise ValueError(f"media URLs name a key, not {key!r}")
    expiry = expiry_for(now)
    values = dict(expiry=expiry, sig=signature(expiry, kind, key), kind=kind, key=key, filename=filename)
    if has_request_context():
        return url_for("media.serve", _external=external, **values)
    # Background work (a worker converting captions) has no request: the path alone is enough.
    return f"/media/{expiry}/{values['sig']}/{kind}/{key}/{quote(filename)}"


def check(expiry: int, sig: str, kind: str, key: str, now: float | None = None) -> str | None:
    """None if the URL is good; otherwise "expired" or "invalid" (a URL naming an id, as they did
    before keys, is invalid)."""
    if kind not in KINDS or not storage.is_key(key):
        return "invalid"
    expected = signature(expiry, kind, key)
    if not hmac.compare_digest(expected, sig):
        return "invalid"
    if expiry < (time.time() if now is None else now):
        return "expired"
    return None
