"""JSON from outside, read with limits: the app's JSON provider (``request.get_json``) and the API's
body parser both load through ``loads`` here, so every endpoint gets the same refusals.

Python's own ``json.loads`` reads anything: a 5,000-digit number (ValueError past 4,300 digits, and
floats like 1e400 that no arithmetic can use), nesting 5,000 deep (RecursionError), NaN and Infinity,
and ``"\\ud800"``, a lone surrogate that no database can store (UnicodeEncodeError at the flush).
Each of those was a 500; here each is a 400 ``malformed_json`` before any view runs.
"""
from __future__ import annotations

import json
import math

from flask.json.provider import DefaultJSONProvider
from flask_babel import lazy_gettext as _l

from .errors import ServiceError

#: Digits a number may have. Positions and sizes need at most 16; ids 10.
MAX_NUMBER_CHARS = 40
#: Arrays and objects inside each other. Our bodies go three deep (intervals: [[start, end], ...]).
MAX_DEPTH = 32


class MalformedJSON(ServiceError, ValueError):
    """A ValueError as well, so ``get_json(silent=True)`` treats it as the bad JSON it is."""

    def __init__(self):
        super().__init__("malformed_json", _l("The request body is not valid JSON."), status=400)


def _number(text: str):
    if len(text) > MAX_NUMBER_CHARS:
        raise MalformedJSON()
    return text


def _parse_int(text: str) -> int:
    return int(_number(text))


def _parse_float(text: str) -> float:
    value = float(_number(text))
    if not math.isfinite(value):  # 1e999
        raise MalformedJSON()
    return value


def _refuse_constant(text: str):
    raise MalformedJSON()  # NaN, Infinity, -Infinity are not JSON


def _check(value) -> None:
    """No nesting deeper than MAX_DEPTH and no text a database cannot store; walked without recursion."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, (list, dict)):
            if depth >= MAX_DEPTH:
                raise MalformedJSON()
            if isinstance(item, dict):
                for key, inner in item.items():
                    _check_text(key)
                    stack.append((inner, depth + 1))
            else:
                stack.extend((inner, depth + 1) for inner in item)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate such as "\ud800"
        raise MalformedJSON() from None


def loads(data: str | bytes):
    """Parse JSON from a request, refusing what ``MalformedJSON`` covers (and anything unparsable)."""
    try:
        if isinstance(data, (bytes, bytearray)):
            data = data.decode("utf-8")
        value = json.loads(data, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_refuse_constant)
    except MalformedJSON:
        raise
    except (ValueError, RecursionError):  # syntax, bad UTF-8 (UnicodeDecodeError), deep nesting
        raise MalformedJSON() from None
    _check(value)
    return value


class SafeJSONProvider(DefaultJSONProvider):
    """``app.json``: reads with ``loads`` above; writes as Flask does."""

    def loads(self, s: str | bytes, **kwargs):
        return loads(s)


def init_app(app) -> None:
    app.json = SafeJSONProvider(app)
