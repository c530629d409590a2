"""Video: uploads (tus), probing, transcoding, renditions, captions, media serving."""
from flask import Blueprint

#: The teachers' and admins' pages and form actions (views.py); media files are served by media.bp.
bp = Blueprint("video", __name__)

from . import views  # noqa: E402,F401
