"""Text people type or paste (titles, names, descriptions, imported cells), made honest before it is kept.

Two kinds of character are a problem. Control codes (NUL and the rest of C0 and C1, and lone
surrogates) are never typed on purpose: PostgreSQL refuses a NUL with a server error and the
others garble pages, so they are refused with a plain message. Invisible format characters
(bidirectional overrides, embeddings and isolates, zero-width spaces, the BOM) change how a text
looks without showing themselves: "U+202E" turns 「张三abc」 into something that reads like another
name, so they are dropped. Feature-free: every feature cleans its text here.
"""
from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l

from .errors import ServiceError

#: Line and paragraph separators are line breaks to a person; treat them as such.
LINE_BREAKS = {"\r\n": "\n", "\r": "\n", "\u2028": "\n", "\u2029": "\n", "\x85": "\n"}
ZERO_WIDTH_JOINER = "\u200d"


def bad_characters(field: str | None = None) -> ServiceError:
    return ServiceError("bad_characters", _l(
        "This text contains hidden control characters that cannot be saved. "
        "Please type it again instead of pasting it."), status=400, field=field)


def _is_control(ch: str, keep: str) -> bool:
    category = unicodedata.category(ch)
    return (category == "Cc" and ch not in keep) or category == "Cs"


def _keeps_joiner(text: str, at: int) -> bool:
    """A zero-width joiner glues emoji into one picture (👨‍👩‍👧); between letters it only hides a difference."""
    before = text[at - 1] if at else ""
    after = text[at + 1] if at + 1 < len(text) else ""
    return (unicodedata.category(before) in ("So", "Mn", "Sk") if before else False) and \
        (unicodedata.category(after) == "So" if after else False)


def strip_invisible(text: str) -> str:
    """``text`` without invisible format characters (category Cf: bidi controls, zero widths, BOM)."""
    if all(unicodedata.category(ch) != "Cf" for ch in text):
        return text
    return "".join(ch for at, ch in enumerate(text)
                   if unicodedata.category(ch) != "Cf" or (ch == ZERO_WIDTH_JOINER and _keeps_joiner(text, at)))


def clean_line(value, field: str | None = None) -> str:
    """One line of text (a title, a name): spaces collapsed, control codes refused, invisibles dropped.

    Tabs and line breaks become single spaces, as a one-line field shows them.
    """
    text = "" if value is None else str(value)
    for ch in text:
        if _is_control(ch, "\t\n\r\x85"):
            raise bad_characters(field)
    return " ".join(strip_invisible(text).split())


def clean_text(value, field: str | None = None) -> str:
    """Text with lines (a description): line breaks kept as ``\\n`` and tabs kept; otherwise as ``clean_line``."""
    text = "" if value is None else str(value)
    for old, new in LINE_BREAKS.items():
        text = text.replace(old, new)
    for ch in text:
        if _is_control(ch, "\t\n"):
            raise bad_characters(field)
    return strip_invisible(text).strip()


def printable(value) -> str:
    """What may be shown of a text we do not refuse (a file name someone else chose): control codes,
    invisible format characters and separators other than the space dropped, never an error."""
    return "".join(ch for ch in str(value or "") if ch.isprintable())


def half_width(value) -> str:
    """Full-width digits, letters and signs (１３８, Ａ, －, the ideographic space) as their ASCII forms:
    Chinese keyboards type them, and a mobile number or code must read the same either way."""
    return unicodedata.normalize("NFKC", "" if value is None else str(value))


def within(text: str, limit: int, field: str | None = None, status: int = 422) -> str:
    """``text`` if it is at most ``limit`` characters, else the one "please keep this to N" refusal."""
    if len(text) > limit:
        raise ServiceError("too_long", _l("Please keep this to %(limit)d characters.", limit=limit),
                           status=status, field=field, limit=limit)
    return text


def required(text: str, field: str | None = None, limit: int | None = None) -> str:
    """``text`` (already cleaned) if it is not empty (and within ``limit``), else "please fill this in"."""
    if not text:
        raise ServiceError("required", _l("Please fill this in."), status=422, field=field)
    return within(text, limit, field) if limit is not None else text


def required_line(value, field: str, limit: int) -> str:
    """One line a person must fill in: cleaned (``clean_line``), not empty, at most ``limit`` characters."""
    return required(clean_line(value, field), field, limit)
