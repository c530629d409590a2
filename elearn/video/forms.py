"""Forms of the teacher's media panel (the uploads themselves go through tus, not forms)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import DataRequired

from .captions import ENCODINGS


def encoding_choices() -> list[tuple[str, str]]:
    """The encodings a teacher can choose for a caption file (captions.ENCODINGS), described plainly."""
    names = {"gb18030": _l("GB18030 / GBK (simplified Chinese, older software)"),
             "big5": _l("Big5 (traditional Chinese)"),
             "utf-16": _l("UTF-16 (Windows Notepad “Unicode”)"),
             "utf-8": _l("UTF-8 (most files)")}
    return [(code, names.get(code, label)) for code, label in ENCODINGS]


class CaptionEncodingForm(FlaskForm):
    encoding = SelectField(_l("Read the file as"),
                           validators=[DataRequired(_l("Please choose an encoding from the list."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.encoding.choices = encoding_choices()
