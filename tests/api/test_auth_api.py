from tests.clients import csrf_token, login
from tests.factories import DEFAULT_PASSWORD


def get_token(client, user, password=DEFAULT_PASSWORD):
    response = client.post("/api/v1/auth/token", json={"login": user.login_name, "password": password})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["token"]


def test_token_and_me(client, user_factory):
    """A login and password buy a bearer token; /me answers who that is."""
    user = user_factory(roles=["teacher"])
    body = client.post("/api/v1/auth/token", json={"login": user.mobile, "password": DEFAULT_PASSWORD}).get_json()
    assert body["user"]["id"] == user.id and body["user"]["roles"] == ["teacher"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.get_json()["name"] == user.name


def test_bad_credentials_are_401_json_with_code(client, user_factory):
    user = user_factory()
    response = client.post("/api/v1/auth/token", json={"login": user.mobile, "password": "nope-nope"})
    assert response.status_code == 401
    body = response.get_json()
    assert body["code"] == "invalid_credentials"
    assert "密码不正确" in body["message"]


def test_message_language_follows_the_caller(client, user_factory):
    client.set_cookie("elearn_lang", "en")
    body = client.post("/api/v1/auth/token", json={"login": "13700000000", "password": "x1234567"}).get_json()
    assert "not right" in body["message"]


def test_api_throttling_matches_the_login_page(client, user_factory):
    user = user_factory()
    codes = [client.post("/api/v1/auth/token", json={"login": user.mobile, "password": "wrong-pass"}).status_code
             for _ in range(6)]
    assert codes == [401, 401, 401, 401, 429, 429]
    assert client.post("/api/v1/auth/token", json={"login": user.mobile, "password": DEFAULT_PASSWORD}).status_code == 429


def test_malformed_json_and_missing_fields(client):
    bad = client.post("/api/v1/auth/token", data="{not json", content_type="application/json")
    assert bad.status_code == 400 and bad.get_json()["code"] == "malformed_json"
    missing = client.post("/api/v1/auth/token", json={"login": "13800000000"})
    assert missing.status_code == 422
    body = missing.get_json()
    assert body["code"] == "invalid" and "password" in str(body["errors"])


def test_me_requires_authentication(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.get_json()["code"] == "login_required"
    forged = client.get("/api/v1/me", headers={"Authorization": "Bearer el_forged"})
    assert forged.status_code == 401 and forged.get_json()["code"] == "invalid_token"
    odd = client.get("/api/v1/me", headers={"Authorization": "Basic abc"})
    assert odd.status_code == 401


def test_token_revocation(client, user_factory):
    """DELETE /auth/token revokes the token used; it stops working at once."""
    user = user_factory()
    token = get_token(client, user)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_disabling_a_user_revokes_tokens(client, user_factory, db):
    from elearn.accounts import services

    admin = user_factory(roles=["admin"])
    user = user_factory()
    token = get_token(client, user)
    services.set_disabled(user, True, by=admin)
    db.session.commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_password_reset_revokes_tokens(client, user_factory, db):
    from elearn.accounts import services

    user = user_factory()
    token = get_token(client, user)
    services.reset_password(user)
    db.session.commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_session_callers_need_the_csrf_header_to_change_things(client, user_factory):
    """A browser session may call the API, but unsafe methods need X-CSRFToken."""
    user = user_factory()
    login(client, user)
    assert client.get("/api/v1/me").status_code == 200
    refused = client.delete("/api/v1/auth/token")
    assert refused.status_code == 400 and refused.get_json()["code"] == "csrf_failed"
    allowed = client.delete("/api/v1/auth/token", headers={"X-CSRFToken": csrf_token(client)})
    assert allowed.status_code == 401  # no bearer token to revoke: a plain answer, not a CSRF failure


def test_openapi_document(client):
    """/api/v1/openapi.json is generated from the code and lists the endpoints."""
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    assert "/api/v1/auth/token" in doc["paths"] and "/api/v1/me" in doc["paths"]
    assert "bearerAuth" in doc["components"]["securitySchemes"]


def test_unknown_api_path_is_json(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.get_json()["code"] == "not_found"


def test_a_fresh_csrf_token_replaces_one_from_an_earlier_session(client, user_factory):
    """After signing out and in again, the old page's token is refused (csrf_failed); GET /auth/csrf
    gives one that works, and says it must not be cached."""
    user = user_factory()
    login(client, user)
    old = csrf_token(client)
    client.post("/logout", data={"csrf_token": old})
    login(client, user)
    refused = client.delete("/api/v1/auth/token", headers={"X-CSRFToken": old})
    assert refused.status_code == 400 and refused.get_json()["code"] == "csrf_failed"
    fresh = client.get("/api/v1/auth/csrf")
    assert fresh.status_code == 200 and fresh.headers["Cache-Control"] == "no-store"
    token = fresh.get_json()["csrf_token"]
    assert token != old
    allowed = client.delete("/api/v1/auth/token", headers={"X-CSRFToken": token})
    assert allowed.status_code == 401  # past the CSRF check: only the missing bearer token is left


def test_the_csrf_endpoint_is_documented(client):
    """GET /api/v1/auth/csrf is in the OpenAPI document with its body and no-store header."""
    operation = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/auth/csrf"]["get"]
    answer = operation["responses"]["200"]
    assert "Cache-Control" in answer["headers"]
    assert answer["content"]["application/json"]["schema"]
