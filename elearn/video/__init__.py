"""Video: recordings and captions of lessons, probing, transcoding, renditions, media serving.

``init_app`` plugs video into the features below it without their importing it: the ``video`` and
``caption`` upload targets, the ``transcode`` job kind, and what courses ask (``courses.hooks``): a
lesson's media, its files for course packages, the upload panel of the lesson edit page, and what
to do when a lesson is deleted or a package brings a lesson's files.
"""
from flask import Blueprint, render_template
from markupsafe import Markup

#: The teachers' and admins' pages and form actions (views.py); media files are served by media.bp.
bp = Blueprint("video", __name__)

from ..api import register_api  # noqa: E402
from ..courses import hooks as courses_hooks  # noqa: E402
from ..uploads import targets  # noqa: E402
from . import api, media, services, tasks, uploads, views  # noqa: E402,F401


def init_app(app) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(media.bp)
    register_api(app, api.blp)
    tasks.init_app(app)
    targets.register(uploads.VIDEO)
    targets.register(uploads.CAPTION)
    courses_hooks.lesson_media.register("video", services.lesson_media)
    courses_hooks.lessons_with_video.register("video", services.lessons_with_video)
    courses_hooks.lesson_exporters.register("video", services.export_files)
    courses_hooks.lesson_edit_panels.register("video", _upload_panel)
    courses_hooks.lesson_deleting.connect(_lesson_deleting)
    courses_hooks.package_lesson_imported.connect(_package_lesson_imported)


def _upload_panel(lesson):
    # Rendered by our own template (autoescaped inside), so it is safe to place as HTML.
    return Markup(render_template("video/lesson_media_panel.html", lesson=lesson,
                                  media=services.lesson_media(lesson.id)))


def _lesson_deleting(lesson):
    services.forget_lesson_media(lesson.id)


def _package_lesson_imported(lesson, video=None, captions=()):
    if video is not None:
        services.import_video_file(lesson, video)
    for path, lang in captions:
        services.import_caption_file(lesson, path, lang)
