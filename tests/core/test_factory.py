import pytest

import config as config_module
from elearn import create_app


def test_create_app_uses_given_config(tmp_path):
    """create_app takes a Config object and exposes its settings and blueprints."""
    from tests.conftest import make_config

    app = create_app(make_config(tmp_path, PORT=5123))
    assert app.config["PORT"] == 5123
    assert app.config["TESTING"] is True
    assert {"core", "accounts", "api-docs"} <= set(app.blueprints)


def test_env_overrides_and_type_conversion(monkeypatch):
    """ELEARN_* variables override settings with the default's type."""
    monkeypatch.setenv("ELEARN_PORT", "8123")
    monkeypatch.setenv("ELEARN_SELF_REGISTRATION", "yes")
    monkeypatch.setenv("ELEARN_MEDIA_DIR", "/srv/media")
    cfg = config_module.TestConfig()
    assert cfg.PORT == 8123 and cfg.SELF_REGISTRATION is True and cfg.MEDIA_DIR == "/srv/media"


def test_bad_env_value_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("ELEARN_PORT", "eighty")
    with pytest.raises(config_module.ConfigError, match="ELEARN_PORT must be a whole number"):
        config_module.TestConfig()


def test_prod_config_refuses_missing_secret(monkeypatch):
    """ProdConfig will not start without a real SECRET_KEY."""
    monkeypatch.delenv("ELEARN_SECRET_KEY", raising=False)
    with pytest.raises(config_module.ConfigError, match="SECRET_KEY"):
        config_module.ProdConfig()
    monkeypatch.setenv("ELEARN_SECRET_KEY", "short")
    with pytest.raises(config_module.ConfigError):
        config_module.ProdConfig()
    monkeypatch.setenv("ELEARN_SECRET_KEY", "x" * 40)
    assert config_module.ProdConfig().SECRET_KEY == "x" * 40


def test_embedded_defaults(monkeypatch):
    """With no settings, everything is embedded: SQLite database and queue under instance/."""
    for key in ("ELEARN_DATABASE_URL", "ELEARN_QUEUE_URL"):
        monkeypatch.delenv(key, raising=False)
    cfg = config_module.DevConfig()
    assert cfg.DATABASE_URL.startswith("sqlite:///") and cfg.DATABASE_URL.endswith("instance/elearn.db")
    assert cfg.QUEUE_URL.endswith("instance/queue.db")
    assert cfg.DEMO_DATA is True
