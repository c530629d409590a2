"""Pages of the 结业证书: who qualifies and issuing (teachers, office), the member's download,
revoking (office), and the public check of a certificate number, which anyone may use."""
from __future__ import annotations

from datetime import timedelta

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_percent, gettext as _, ngettext

from ..core import throttle
from ..core.db import unit_of_work
from ..core.errors import ServiceError, with_retry_after
from ..core.permissions import actor, require
from . import bp, certificate_pdf, certificates
from .permissions import can_download_certificate, can_issue_certificates, can_revoke_certificate
from .services import get_class

VERIFY_BUCKET = "certificate_verify"


@bp.app_context_processor
def _certificate_rules() -> dict:
    return {"can_issue_certificates": can_issue_certificates}


@bp.app_template_global()
def own_certificate(group, user):
    """The class page shows the member their certificate, if they have one that stands."""
    if not getattr(user, "is_authenticated", False):
        return None
    certificate = certificates.certificate_of(group, user.id)
    return certificate if certificate is not None and certificate.revoked_at is None else None


@bp.get("/classes/<id:group>/certificates")
@require(can_issue_certificates, group=get_class)
def class_certificates(group):
    rows = certificates.standings(group)
    return render_template("classes/certificate_class.html", group=group, rows=rows,
                           required=certificates.required_rate(group), display_code=certificates.display_code,
                           can_revoke=lambda c: can_revoke_certificate(actor(), c), percent=format_percent,
                           waiting=sum(row.qualifies and row.certificate is None for row in rows))


@bp.post("/classes/<id:group>/certificates")
@require(can_issue_certificates, group=get_class)
def issue_certificates(group):
    """One step for the whole class: everyone who qualifies and has none yet gets one."""
    with unit_of_work(flash_errors=True, locked=True) as work:
        count = certificates.issue_all(group, actor=actor())
    if work.ok:
        flash(ngettext("%(num)d certificate issued.", "%(num)d certificates issued.", count), "success")
    return redirect(url_for("classes.class_certificates", group=group.id))


@bp.get("/certificates/<id:certificate>.pdf")
@require(can_download_certificate, certificate=certificates.get_certificate)
def certificate_file(certificate):
    if certificate.revoked_at is not None:
        raise ServiceError("revoked", _("This certificate has been revoked."), status=410)
    data = certificate_pdf.render(certificate)
    name = f"certificate-{certificates.display_code(certificate.code)}.pdf"
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "private, no-store"})


@bp.post("/certificates/<id:certificate>/revoke")
@require(can_revoke_certificate, certificate=certificates.get_certificate)
def revoke_certificate(certificate):
    with unit_of_work(flash_errors=True) as work:
        certificates.revoke(certificate, actor=actor(), reason=request.form.get("reason"))
    if work.ok:
        flash(_("The certificate has been revoked. Its number now shows it as revoked."), "success")
    return redirect(url_for("classes.class_certificates", group=certificate.class_id))


# ---------------------------------------------------------------- the public check

@bp.get("/certificates/verify")
def verify_form():
    """A box to type the number printed on a certificate (the QR code leads straight to the result)."""
    typed = request.args.get("code", "")
    if typed.strip():
        return redirect(url_for("classes.verify_certificate", code=certificates.normalise_code(typed) or "-"))
    return render_template("classes/certificate_verify.html", certificate=None, message=None)


@bp.get("/certificates/verify/<code>")
def verify_certificate(code):
    """Anyone may check a number; each look-up counts towards the address's limit, found or not, so
    trying numbers costs time (the count is committed on its own, before the answer is known)."""
    cfg = current_app.config
    try:
        with unit_of_work(locked=True):
            throttle.hit(VERIFY_BUCKET, request.remote_addr or "unknown", limit=cfg["CERTIFICATE_VERIFY_LIMIT"],
                         window=timedelta(seconds=cfg["CERTIFICATE_VERIFY_WINDOW_SECONDS"]))
        certificate = certificates.find_by_code(code)
    except ServiceError as refused:
        page = render_template("classes/certificate_verify.html", certificate=None, message=refused.message,
                               typed=code[:40])
        return with_retry_after(Response(page, status=refused.status), refused)
    return render_template("classes/certificate_verify.html", certificate=certificate, message=None,
                           masked=certificates.mask_name(certificate.person_name),
                           display_code=certificates.display_code)
