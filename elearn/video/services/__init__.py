"""The work behind the video pages, the API and the upload targets, by concern:

* ``assets``: recordings (finished uploads, package files), probing, queueing, 「重试」, letting go;
* ``captions``: caption files, WebVTT conversion, encodings;
* ``presenters``: what pages, the API and the player are shown (signed URLs, states, editors' review).

Functions flush and never commit. Callers import what they use from here.
"""
from .assets import (RETRYABLE, TRANSCODE, delete_asset_files, export_files, forget_lesson_media,  # noqa: F401
                     get_asset, get_caption, import_video_file, new_asset, probe_and_queue, remove_asset,
                     retry_asset, retryable, safe_extension)
from .captions import (CAPTION_EXTENSIONS, CAPTION_LANGUAGES, CAPTION_MAX_BYTES, add_caption,  # noqa: F401
                       caption_preview, check_caption, delete_caption, encoding_choice, encoding_label,
                       import_caption_file, recode_caption)
from .presenters import (asset_dict, asset_review, caption_dict, caption_language_name, caption_review,  # noqa: F401
                         describe_upload, editor_review, lesson_media, lessons_with_video, media_urls)
