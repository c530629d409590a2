"""Serving media files through signed URLs (see signing.py), with byte ranges and caching."""
from __future__ import annotations

import time
from pathlib import Path

from flask import Blueprint, current_app, jsonify, make_response, send_file
from flask_babel import gettext as _
from werkzeug.security import safe_join
from werkzeug.utils import get_content_type

from ..extensions import csrf
from . import signing

bp = Blueprint("media", __name__)
csrf.exempt(bp)

CONTENT_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".vtt": "text/vtt",  # text/*: the charset (utf-8) is added once, by werkzeug
    ".jpg": "image/jpeg",
    ".mp4": "video/mp4",
    ".m4a": "audio/mp4",
    ".aac": "audio/aac",
}


def _refuse(status: int, code: str, message: str):
    # Plain JSON: players and TV boxes read the status; the page's player asks for fresh URLs on 403.
    response = jsonify({"code": code, "message": message, "status": status})
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/media/<int:expiry>/<sig>/<kind>/<key>/<path:filename>")
def serve(expiry: int, sig: str, kind: str, key: str, filename: str):
    """The file ``filename`` in the folder of the asset or caption whose key is ``key``."""
    problem = signing.check(expiry, sig, kind, key)
    if problem == "expired":
        return _refuse(403, "media_url_expired", _("This link has expired. Please reload the page."))
    if problem:
        return _refuse(403, "media_url_invalid", _("This link is not valid."))
    folder = Path(current_app.config["MEDIA_DIR"]) / signing.KINDS[kind]
    relative = safe_join(key, filename)
    path = safe_join(str(folder), relative) if relative else None
    suffix = Path(filename).suffix.lower()
    if path is None or suffix not in CONTENT_TYPES or not Path(path).is_file():
        return _refuse(404, "not_found", _("This file does not exist (any more)."))
    remaining = max(0, expiry - int(time.time()))
    prefix = current_app.config.get("ACCEL_REDIRECT_PREFIX")
    if prefix:
        response = make_response("")
        response.headers["X-Accel-Redirect"] = f"{prefix.rstrip('/')}/{signing.KINDS[kind]}/{relative}"
        response.headers["Content-Type"] = get_content_type(CONTENT_TYPES[suffix], "utf-8")
    else:
        response = send_file(path, mimetype=CONTENT_TYPES[suffix], conditional=True, etag=True,
                             max_age=0)
    # Segments and posters never change under a URL; playlists may be replaced by a re-transcode
    # (the folder is swapped atomically), so they are cached only briefly.
    max_age = 60 if suffix == ".m3u8" else min(remaining, 86400)
    response.headers["Cache-Control"] = f"public, max-age={max_age}"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
