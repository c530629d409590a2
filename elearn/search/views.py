"""The search page, /search?q=: courses, lessons and moments in videos, for everyone."""
from __future__ import annotations

from flask import render_template, request

from ..core.permissions import actor, allow
from . import bp, services
from .permissions import can_search


def _int_arg(name: str) -> int | None:
    value = (request.args.get(name) or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


@bp.get("/search")
@allow(can_search)
def search_page():
    user = actor()
    category = (request.args.get("category") or "").strip()[:64] or None
    teacher = _int_arg("teacher")
    results = services.search(user, request.args.get("q"), category=category, teacher=teacher,
                              page=_int_arg("page") or 1)
    total = max(results["lessons_total"], results["moments_total"])
    pages = min((total + services.PER_PAGE - 1) // services.PER_PAGE, services.MAX_PAGE)
    return render_template("search/results.html", results=results, category=category, teacher=teacher,
                           pages=pages, choices=services.filter_choices(user))
