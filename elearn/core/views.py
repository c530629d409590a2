"""The site-wide endpoints that belong to no feature: the health check and the admins' status page."""
from __future__ import annotations

from flask import jsonify, render_template

from ..extensions import csrf
from . import bp, health, status
from .permissions import can_view_operations, require


@bp.get("/healthz")
@csrf.exempt
def healthz():
    body, healthy = health.report()
    return jsonify(body), 200 if healthy else 503


@bp.get("/admin/status")
@require(can_view_operations)
def admin_status():
    """Background workers, jobs per kind and state, expired leases and what happened lately."""
    return render_template("admin/status.html", report=status.report())
