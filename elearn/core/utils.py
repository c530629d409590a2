from __future__ import annotations

from urllib.parse import urlsplit

from .text import printable


def safe_next(target: str | None) -> str | None:
    """A same-site path to go back to after a form, or None (never an outside address)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def safe_filename(name, default: str = "") -> str:
    """The uploader's file name without folders or control characters, for showing and downloading.

    Only ever displayed or sent in a Content-Disposition header; files on disk get names of ours.
    """
    base = str(name or "").replace("\\", "/").rsplit("/", 1)[-1]
    # printable() drops bidi overrides too: "photo\u202egpj.exe" must not show as "photoexe.jpg".
    cleaned = "".join(ch for ch in printable(base) if ch not in '"<>|:*?').strip().lstrip(".")
    return cleaned[:200] or default


def format_size(size: int) -> str:
    """Bytes in the words people know (``820 KB``, ``1.5 MB``, ``4 GB``), or 「无」 for nothing.

    The one formatter for file sizes: templates use it as the ``filesize`` filter.
    """
    from flask_babel import gettext as _

    size = max(0, int(size or 0))
    if size == 0:
        return _("nothing")
    if size < 1024 * 1024:
        return _("%(n)s KB", n=max(1, round(size / 1024)))
    if size < 1024 ** 3:
        return _("%(n)s MB", n=_short(size / 1024 ** 2))
    return _("%(n)s GB", n=_short(size / 1024 ** 3))


def _short(value: float) -> str:
    """One decimal, none when it is whole: 1.5, 4."""
    return f"{value:.1f}".removesuffix(".0")
