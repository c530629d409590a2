"""Every endpoint states who may call it: a permission rule (``require``/``allow``), or an entry in
PUBLIC below with the reason it needs none. A new endpoint without either fails this test."""
from __future__ import annotations

from flask import Flask
from flask.views import MethodView

from elearn.core.permissions import allow, require

#: (endpoint, method) -> why it is open without a permission rule.
PUBLIC = {
    ("static", "GET"): "stylesheets, scripts and icons every page needs, signed in or not",
    ("core.healthz", "GET"): "the load balancer's health check; says nothing about data",
    ("index", "GET"): "the home page; what it lists is filtered by visible_clause for the visitor",
    ("accounts.preferences", "POST"): "text size, contrast and language, chosen by visitors too (CSRF-checked)",
    ("courses.catalogue", "GET"): "the catalogue; filtered by visible_clause for the visitor",
    ("accounts.login", "GET"): "the sign-in form",
    ("accounts.login", "POST"): "signing in (throttled)",
    ("accounts.login_code", "GET"): "signing in with a one-time code",
    ("accounts.login_code", "POST"): "redeeming a one-time code (the code is the credential)",
    ("accounts.register", "GET"): "the self-registration form",
    ("accounts.register", "POST"): "registering an account",
    ("accounts.logout", "POST"): "signing out; harmless for someone not signed in (CSRF-checked)",
    ("media.serve", "GET"): "media behind signed URLs: the expiry and signature in the path are the permission",
    ("api-docs.openapi_json", "GET"): "the OpenAPI document describes the API, not its data",
    ("api_auth.Token", "POST"): "exchanging a user name and password for a token (throttled)",
    ("api_auth.CsrfToken", "GET"): "a fresh CSRF token for the caller's own session; useless without its cookie",
    ("api_auth.Token", "DELETE"): "revoking the bearer token sent with the request: the token is the credential",
    ("api_courses.Categories", "GET"): "the managed list of categories, shown to visitors",
    ("api_courses.Courses", "GET"): "the course list; filtered by visible_clause for the caller",
    ("api_learning.Ping", "GET"): "a bare answer without data, the baseline of the heartbeat benchmark",
    ("api_learning.Ping", "POST"): "the same through the API's sign-in and CSRF checks",
    ("classes.scan", "GET"): "a scanned check-in code is the credential; it only reads, and checking in needs sign-in",
    ("classes.verify_form", "GET"): "the public check of a certificate number: a box to type it in",
    ("classes.verify_certificate", "GET"): "the public check of a certificate number (rate-limited; the name is masked)",
    ("classes.calendar_feed", "GET"): "a phone calendar cannot sign in: the signed, revocable address is the credential",
    ("uploads_api.UploadCollection", "OPTIONS"): "tus capability discovery, which the protocol answers to anyone",
    ("uploads_api.UploadResource", "OPTIONS"): "tus capability discovery, which the protocol answers to anyone",
}


def unguarded(app) -> set[tuple[str, str]]:
    """(endpoint, method) pairs whose view code runs without a permission rule."""
    found = set()
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if hasattr(view, "permission_rule"):  # a plain view, or a MethodView's class-wide decorators
            continue
        view_class = getattr(view, "view_class", None)
        for method in rule.methods - {"HEAD"}:  # HEAD runs the GET handler
            if method == "OPTIONS" and getattr(rule, "provide_automatic_options", False):
                continue  # Flask answers with the Allow header; no view code runs
            handler = view if view_class is None else getattr(view_class, method.lower(), None)
            if handler is not None and not hasattr(handler, "permission_rule"):
                found.add((rule.endpoint, method))
    return found


def test_every_endpoint_has_a_rule_or_a_reason(app):
    """No endpoint runs without a permission rule unless PUBLIC lists it with a reason."""
    assert sorted(unguarded(app) - set(PUBLIC)) == []


def test_the_public_list_has_no_stale_entries(app):
    """Each PUBLIC entry is a real endpoint that still has no rule (a rule added later removes the entry)."""
    assert sorted(set(PUBLIC) - unguarded(app)) == []
    assert all(reason.strip() for reason in PUBLIC.values())


def test_the_check_finds_unguarded_views_and_methods():
    """A bare function view and a MethodView method without a rule are found; guarded ones are not."""
    probe = Flask("probe")
    probe.add_url_rule("/bare", "bare", lambda: "x")
    probe.add_url_rule("/guarded", "guarded", require(lambda user: True)(lambda: "x"))

    class Things(MethodView):
        @allow(lambda user: True)
        def get(self):
            return "x"

        def post(self):
            return "x"

    class Mine(MethodView):
        decorators = [require()]

        def get(self):
            return "x"

    probe.add_url_rule("/things", view_func=Things.as_view("things"))
    probe.add_url_rule("/mine", view_func=Mine.as_view("mine"))
    assert unguarded(probe) - {("static", "GET")} == {("bare", "GET"), ("things", "POST")}
