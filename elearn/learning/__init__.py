"""Learning: the player, progress and resume, completion, the learning record."""
from flask import Blueprint

bp = Blueprint("learning", __name__)

from . import models, views  # noqa: E402,F401
