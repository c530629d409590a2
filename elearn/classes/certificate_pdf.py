"""The 结业证书 as a PDF, drawn with fpdf2 in the reader's language.

The text is set in Noto Sans CJK's Simplified Chinese face: ``NotoSansCJK-Regular.ttc`` holds
several faces and index 0 is the Japanese one, whose forms of many characters (直, 骨, 写...) are
not those Chinese readers learnt, so the collection index is passed explicitly (fpdf2 reads the
CFF-based collection itself; reportlab cannot). fpdf2 embeds only the glyphs used, so a
certificate is a few kilobytes. The QR code is drawn as vector squares from segno's matrix: sharp
at any print size, no image library involved.
"""
from __future__ import annotations

from pathlib import Path

import segno
from flask import current_app, url_for
from flask_babel import format_percent, get_locale, gettext as _
from fpdf import FPDF
from fpdf.enums import WrapMode

from ..core.errors import ServiceError
from ..core.timeutil import localtime
from ..courses.demo import FONT_CANDIDATES
from . import models as m
from .certificates import display_code

FAMILY = "NotoSansSC"
INK, ACCENT = (20, 20, 20), (150, 30, 30)


def font_path() -> Path:
    """The Noto CJK collection: the configured one, or where fonts-noto-cjk installs it."""
    configured = current_app.config.get("CERTIFICATE_FONT")
    for candidate in [configured] if configured else FONT_CANDIDATES:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    current_app.logger.error("No Noto CJK font for certificates (install fonts-noto-cjk or set ELEARN_CERTIFICATE_FONT)")
    raise ServiceError("font_missing", _(
        "Certificates cannot be made on this server yet (the Chinese font is missing). Please tell the office."),
        status=503)


def verify_url(certificate: m.Certificate) -> str:
    return url_for("classes.verify_certificate", code=certificate.code, _external=True)


def render(certificate: m.Certificate) -> bytes:
    """The certificate on one landscape A4 page."""
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(_("Certificate of completion"))
    pdf.set_creator(certificate.issuer)
    pdf.add_font(FAMILY, fname=str(font_path()), collection_font_number=current_app.config["CERTIFICATE_FONT_INDEX"])
    pdf.set_auto_page_break(False)
    pdf.add_page()
    _frame(pdf)
    _body(pdf, certificate)
    _footer(pdf, certificate)
    return bytes(pdf.output())


def _frame(pdf: FPDF) -> None:
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    pdf.set_line_width(0.4)
    pdf.rect(14, 14, pdf.w - 28, pdf.h - 28)


def _body(pdf: FPDF, certificate: m.Certificate) -> None:
    chinese = (get_locale() or current_app.config["DEFAULT_LOCALE"]).language == "zh"
    width = pdf.w - 60
    pdf.set_text_color(*ACCENT)
    pdf.set_font(FAMILY, size=40)
    pdf.set_xy(30, 28)
    pdf.cell(width, 20, _("Certificate of completion"), align="C")
    pdf.set_text_color(*INK)
    pdf.set_font(FAMILY, size=30)
    pdf.set_xy(30, 62)
    pdf.cell(width, 16, certificate.person_name, align="C")
    rate = format_percent(certificate.attended / certificate.expected if certificate.expected else 0)
    text = _("took part in the class %(name)s of %(term)s, from %(start)s to %(end)s, attended %(attended)d of "
             "its %(expected)d sessions (%(rate)s), and has completed the class.",
             name=certificate.class_name, term=certificate.term_name, start=localtime(certificate.starts_on, "date"),
             end=localtime(certificate.ends_on, "date"), attended=certificate.attended,
             expected=certificate.expected, rate=rate)
    pdf.set_font(FAMILY, size=18)
    pdf.set_xy(40, 86)
    # Chinese has no spaces to break at: lines break between characters.
    pdf.multi_cell(pdf.w - 80, 11, text, align="C", wrapmode=WrapMode.CHAR if chinese else WrapMode.WORD)


def _footer(pdf: FPDF, certificate: m.Certificate) -> None:
    size, left, top = 36, 30, pdf.h - 30 - 36
    _qr(pdf, verify_url(certificate), left, top, size)
    pdf.set_font(FAMILY, size=12)
    pdf.set_xy(left + size + 6, top + 4)
    pdf.cell(110, 7, _("Certificate number: %(code)s", code=display_code(certificate.code)))
    pdf.set_xy(left + size + 6, top + 13)
    pdf.cell(110, 7, _("Scan the code, or type the number at:"))
    pdf.set_font(FAMILY, size=10)
    pdf.set_xy(left + size + 6, top + 21)
    pdf.multi_cell(110, 6, url_for("classes.verify_form", _external=True), wrapmode=WrapMode.CHAR)
    pdf.set_font(FAMILY, size=16)
    pdf.set_xy(pdf.w - 130, top + 8)
    pdf.cell(100, 10, certificate.issuer, align="R")
    pdf.set_xy(pdf.w - 130, top + 20)
    pdf.cell(100, 10, localtime(certificate.issued_at, "date"), align="R")


def _qr(pdf: FPDF, url: str, x: float, y: float, size: float) -> None:
    """The QR code as filled squares (with its quiet zone left white by the page)."""
    rows = [list(row) for row in segno.make(url, error="m").matrix_iter(scale=1, border=0)]
    cell = size / len(rows)
    pdf.set_fill_color(0, 0, 0)
    for j, row in enumerate(rows):
        for i, dark in enumerate(row):
            if dark:
                pdf.rect(x + i * cell, y + j * cell, cell, cell, style="F")
