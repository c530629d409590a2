"""The learner's player settings: speed, captions and their size, playing the next lesson by itself.

Functions flush and never commit.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ...core.errors import ServiceError
from ...extensions import db
from ..models import CAPTION_SIZES, PLAYBACK_RATES, LearningPreference


def get_preferences(user) -> LearningPreference:
    """The user's player settings (defaults, not stored, until they change one)."""
    prefs = db.session.get(LearningPreference, user.id) if user and user.is_authenticated else None
    return prefs or LearningPreference(playback_rate=1.0, captions_on=True, caption_size="medium",
                                       autoplay_next=False)


def preferences_dict(prefs: LearningPreference) -> dict:
    return {"playback_rate": prefs.playback_rate, "captions_on": prefs.captions_on,
            "caption_size": prefs.caption_size, "autoplay_next": prefs.autoplay_next}


def set_preferences(user, **changes) -> LearningPreference:
    """Change some of ``playback_rate``, ``captions_on``, ``caption_size``, ``autoplay_next``."""
    prefs = db.session.get(LearningPreference, user.id)
    if prefs is None:
        prefs = LearningPreference(user_id=user.id, playback_rate=1.0, captions_on=True, caption_size="medium",
                                   autoplay_next=False)
        db.session.add(prefs)
    for name, value in changes.items():
        if value is None:
            continue
        if name == "playback_rate":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or float(value) not in PLAYBACK_RATES:
                raise ServiceError("invalid_speed", _l("Please choose one of the speeds offered."), status=400,
                                   field=name)
            prefs.playback_rate = float(value)
        elif name == "caption_size":
            if value not in CAPTION_SIZES:
                raise ServiceError("invalid_caption_size", _l("Please choose one of the caption sizes offered."),
                                   status=400, field=name)
            prefs.caption_size = value
        elif name in ("captions_on", "autoplay_next"):
            if not isinstance(value, bool):
                raise ServiceError("invalid_choice", _l("Please answer yes or no."), status=400, field=name)
            setattr(prefs, name, value)
        else:
            raise ServiceError("unknown_setting", _l("There is no such setting."), status=400, field=name)
    db.session.flush()
    return prefs

