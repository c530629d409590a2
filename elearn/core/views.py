"""The site-wide endpoint that belongs to no feature: the health check."""
from __future__ import annotations

from flask import jsonify

from ..extensions import csrf
from . import bp, health


@bp.get("/healthz")
@csrf.exempt
def healthz():
    body, healthy = health.report()
    return jsonify(body), 200 if healthy else 503
