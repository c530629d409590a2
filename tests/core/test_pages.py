def test_security_headers_and_csp(client):
    """Every page carries a CSP without unsafe-inline scripts that still lets hls.js use blob workers."""
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    script = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    assert "unsafe-inline" not in script
    assert "worker-src 'self' blob:" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_no_inline_scripts_or_styles_in_templates():
    """Templates carry no inline <script> bodies or style attributes (the CSP would block them)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "elearn" / "templates"
    offenders = []
    for path in root.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\sstyle=\"", text) or re.search(r"\son[a-z]+=\"", text):
            offenders.append(str(path.relative_to(root)))
    assert not offenders, offenders


def test_friendly_404_in_both_languages(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "找不到这个页面" in response.get_data(as_text=True)
    client.set_cookie("elearn_lang", "en")
    assert "Page not found" in client.get("/no-such-page").get_data(as_text=True)


def test_403_page_for_signed_in_user_without_permission(student_client):
    response = student_client.get("/admin/users")
    assert response.status_code == 403
    assert "没有权限" in response.get_data(as_text=True)


def test_anonymous_is_sent_to_login(client):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
