from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField

from .models import CAPTION_SIZES, PLAYBACK_RATES


def speed_label(rate: float):
    return _l("Normal speed") if rate == 1.0 else _l("%(rate)s times", rate=format(rate, "g"))


CAPTION_SIZE_LABELS = {"small": _l("Small"), "medium": _l("Medium"), "large": _l("Large"),
                       "xlarge": _l("Extra large")}


class PlayerSettingsForm(FlaskForm):
    """The player settings as a plain form on 「我的学习」 (the player itself saves them as they change)."""

    playback_rate = SelectField(_l("Playing speed"), coerce=float,
                                choices=[(rate, speed_label(rate)) for rate in PLAYBACK_RATES])
    caption_size = SelectField(_l("Caption size"), choices=[(size, CAPTION_SIZE_LABELS[size])
                                                            for size in CAPTION_SIZES])
    captions_on = BooleanField(_l("Show captions when a lesson has them"))
    autoplay_next = BooleanField(_l("When a lesson ends, start the next one by itself after a short countdown"))
