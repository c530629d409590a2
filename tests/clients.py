"""Signing test clients in: the real login form, a session set directly, bearer tokens, CSRF tokens."""
from __future__ import annotations

import re

from tests.factories import DEFAULT_PASSWORD, make_user


def csrf_token(client, path="/"):
    """The CSRF token the page at ``path`` carries (meta tag), for form posts in tests."""
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def login(client, user, password=DEFAULT_PASSWORD, remember=False):
    """Sign ``user`` in through the login form (expects the redirect of a successful sign-in)."""
    response = client.post("/login", data={"login": user.login_name, "password": password,
                                           "remember": "y" if remember else "",
                                           "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def sign_in(client, user):
    """Put ``user`` in the client's session as Flask-Login does (the login form has its own tests):
    a device session row, and its key in the cookie."""
    from elearn.accounts.sessions import start_session
    from elearn.extensions import db

    start_session(user, user_agent="tests", ip="127.0.0.1", remember=False)
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    client.user = user
    return client


def signed_in(app, db, roles=("teacher",)):
    """A test client signed in through the form as a new user with ``roles``; ``client.user``, ``client.csrf``."""
    user = make_user(db, roles=list(roles))
    client = app.test_client()
    login(client, user)
    client.user = user
    client.csrf = csrf_token(client)
    return client


def bearer(db, user) -> dict:
    """Authorization headers with a fresh API token of ``user``."""
    from elearn.accounts.services import issue_token

    token = issue_token(user)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def issue_fields(client, path) -> dict:
    """The CSRF token and the one-use nonce of the code-issuing form on the page at ``path``."""
    html = client.get(path).get_data(as_text=True)
    nonce = re.search(r'name="nonce" type="hidden" value="([^"]+)"', html)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert nonce and csrf, "the page has no form that issues codes"
    return {"csrf_token": csrf.group(1), "nonce": nonce.group(1)}


def follow(client, response):
    """The page a 303 answer sends the browser to (a reload of it repeats only this GET)."""
    assert response.status_code == 303, (response.status_code, response.get_data(as_text=True)[:300])
    return client.get(response.headers["Location"])
