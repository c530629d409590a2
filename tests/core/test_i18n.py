from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


def test_every_message_has_a_chinese_translation(tmp_path):
    """Every translatable string in the code and templates is translated in the zh catalogue."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("i18n_script", ROOT / "scripts" / "i18n.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    pot = tmp_path / "messages.pot"
    script.extract(pot)  # the same extraction `make i18n` runs
    with pot.open("rb") as fh:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    with (ROOT / "elearn/translations/zh/LC_MESSAGES/messages.po").open("rb") as fh:
        catalog = read_po(fh)
    translated = {}
    for m in catalog:
        if not m.id:
            continue
        key = m.id if isinstance(m.id, str) else m.id[0]
        text = m.string if isinstance(m.string, str) else (m.string[0] if m.string else "")
        translated[key] = text and "fuzzy" not in m.flags
    missing = sorted(k for k in wanted if not translated.get(k))
    assert not missing, f"untranslated (run `make i18n` and fill in zh): {missing[:20]}"


def test_language_switch_changes_the_page(client):
    """Chinese is the default; the header switch turns the page English and is remembered."""
    from tests.clients import csrf_token

    assert "登录" in client.get("/").get_data(as_text=True)
    response = client.post("/preferences", data={"locale": "en", "csrf_token": csrf_token(client), "next": "/login"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    html = client.get("/login").get_data(as_text=True)
    assert 'lang="en"' in html and "Sign in" in html and "登录" not in html


def test_text_size_and_contrast_are_remembered_per_user(client, user_factory, db):
    """Display choices made while signed in are stored on the account."""
    from tests.clients import csrf_token, login

    user = user_factory()
    login(client, user)
    client.post("/preferences", data={"text_size": "xlarge", "csrf_token": csrf_token(client)})
    client.post("/preferences", data={"contrast": "high", "csrf_token": csrf_token(client)})
    html = client.get("/").get_data(as_text=True)
    assert 'data-text="xlarge"' in html and 'data-contrast="high"' in html
    db.session.refresh(user)
    assert (user.text_size, user.contrast) == ("xlarge", "high")


def test_unknown_preference_is_refused(client):
    from tests.clients import csrf_token

    response = client.post("/preferences", data={"text_size": "huge", "csrf_token": csrf_token(client)})
    assert response.status_code == 400
    assert "没有这种字号" in response.get_data(as_text=True)


def test_english_catalogue_holds_no_chinese():
    """The English catalogue falls back to the English msgids; a Chinese msgstr there would show Chinese."""
    import re

    text = (ROOT / "elearn/translations/en/LC_MESSAGES/messages.po").read_text(encoding="utf-8")
    chinese = [line for line in text.splitlines() if line.startswith("msgstr") and re.search(r"[\u4e00-\u9fff]", line)]
    assert not chinese, chinese[:5]
