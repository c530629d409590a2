"""Courses, chapters, lessons, handouts, the catalogue and course packages."""
from flask import Blueprint

bp = Blueprint("courses", __name__)

from . import models, views  # noqa: E402,F401
