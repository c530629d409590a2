"""What pages, the API and the player are shown of a lesson's media: signed URLs, states in the
reader's language, and what only the lesson's editors see."""
from __future__ import annotations

from sqlalchemy import select

from ...core import storage
from ...core.errors import translated
from ...extensions import db
from .. import signing
from ..models import ASSET_FAILED, ASSET_PENDING, ASSET_READY, CAPTION_READY, Caption, MediaAsset
from .assets import retryable
from .captions import CAPTION_LANGUAGES, caption_preview, encoding_choice, encoding_label


def lesson_media(lesson_id: int) -> dict:
    """``video``: the newest ready asset (what learners get now); ``pending_video``: the newest asset
    still probing, queued, processing or failed that is newer than it; ``captions``: every caption.

    A replaced video keeps being served until its successor is ready.
    """
    assets = db.session.scalars(select(MediaAsset).where(MediaAsset.lesson_id == lesson_id)
                                .order_by(MediaAsset.id.desc())).all()
    # A retired asset (replaced) is never served again, even when its successor has been removed.
    ready = next((a for a in assets if a.status == ASSET_READY and a.retired_at is None), None)
    pending = next((a for a in assets if a.status in ASSET_PENDING and (ready is None or a.id > ready.id)), None)
    captions = db.session.scalars(select(Caption).where(Caption.lesson_id == lesson_id)
                                  .order_by(Caption.id.desc())).all()
    return {
        "video": asset_dict(ready) if ready else None,
        "pending_video": asset_dict(pending) if pending else None,
        "captions": [caption_dict(c) for c in captions],
    }


def lessons_with_video(lesson_ids) -> set[int]:
    """Which of these lessons have a video (or sound recording) learners can play now: one query."""
    ids = list(lesson_ids)
    if not ids:
        return set()
    return set(db.session.scalars(select(MediaAsset.lesson_id).where(
        MediaAsset.lesson_id.in_(ids), MediaAsset.status == ASSET_READY, MediaAsset.retired_at.is_(None))))


def asset_dict(asset: MediaAsset) -> dict:
    urls = media_urls(asset)
    return {
        "id": asset.id,
        "status": asset.status,
        "progress": round(asset.progress or 0.0, 1),
        "error": translated(asset.error, asset.error_params),
        "duration": asset.duration,
        "eta_seconds": asset.eta_seconds,
        "kind": asset.kind,
        **urls,
    }


def media_urls(asset: MediaAsset) -> dict:
    """Signed URLs of a ready asset's renditions (see signing.py); None until it is ready."""
    urls = {"hls_url": None, "mp4_url": None, "poster_url": None, "thumbnail_url": None, "audio_url": None}
    made = asset.renditions or {}
    if asset.status != ASSET_READY or not made:
        return urls
    urls["hls_url"] = signing.signed_url("hls", asset.key, made.get("master") or "master.m3u8")
    audio = made.get("audio") or {}
    if audio.get("name"):
        urls["audio_url"] = signing.signed_url("hls", asset.key, f"{audio['name']}/index.m3u8")
    for key, name in (("mp4_url", made.get("download")), ("poster_url", made.get("poster")),
                      ("thumbnail_url", made.get("thumbnail"))):
        if name:
            urls[key] = signing.signed_url("hls", asset.key, name)
    return urls


def caption_dict(caption: Caption) -> dict:
    return {
        "id": caption.id,
        "lang": caption.lang,
        "status": caption.status,
        "label": caption.label or caption_language_name(caption.lang),
        "url": _caption_url(caption),
        "error": translated(caption.error, caption.error_params),
    }


def _caption_url(caption: Caption) -> str | None:
    if caption.status != CAPTION_READY or not caption.vtt_path:
        return None
    folder, filename = caption.vtt_path.rsplit("/", 1)
    if folder != storage.CAPTIONS + "/" + caption.key:  # a file not in the caption's own folder is not served
        return None
    return signing.signed_url("captions", caption.key, filename)


def caption_language_name(lang: str) -> str:
    name = CAPTION_LANGUAGES.get(lang)
    return str(name) if name is not None else lang


# ---------------------------------------------------------------- what the lesson's editors see

def editor_review(lesson_id: int, *, show_detail: bool) -> dict:
    """Beyond ``lesson_media``, for the people who edit the lesson: whether each failed video can be
    tried again and, with ``show_detail`` (admins), the ffmpeg detail; each caption's encoding and
    first lines, so a wrong encoding shows before learners see it."""
    failed = db.session.scalars(select(MediaAsset).where(MediaAsset.lesson_id == lesson_id,
                                                         MediaAsset.status == ASSET_FAILED))
    captions = db.session.scalars(select(Caption).where(Caption.lesson_id == lesson_id))
    return {"assets": {asset.id: asset_review(asset, show_detail=show_detail) for asset in failed},
            "captions": {caption.id: caption_review(caption) for caption in captions}}


def asset_review(asset: MediaAsset, *, show_detail: bool) -> dict:
    return {"retryable": retryable(asset), "error_detail": (asset.error_detail or None) if show_detail else None}


def caption_review(caption: Caption) -> dict:
    return {"encoding": caption.encoding, "encoding_label": encoding_label(caption.encoding),
            "encoding_choice": encoding_choice(caption.encoding), "preview": caption_preview(caption)}


def describe_upload(upload) -> dict:
    """What became of a video or caption upload, for the page that sent it (uploads.services.upload_dict)."""
    asset_id, caption_id = upload.result_id("asset_id"), upload.result_id("caption_id")
    asset = db.session.get(MediaAsset, asset_id) if asset_id else None
    caption = db.session.get(Caption, caption_id) if caption_id else None
    return {"lesson_id": upload.target_id, "asset": asset_dict(asset) if asset else None,
            "caption_id": caption_id, "caption": caption_dict(caption) if caption else None}
