"""Configuration classes.

Every upper-case setting below can be overridden by an environment variable of the same
name prefixed with ``ELEARN_`` (``ELEARN_DATABASE_URL``, ``ELEARN_PORT``...). Values are
converted to the type of the default: ``1/true/yes/on`` for booleans, integers for integers.
The embedded defaults need nothing installed: SQLite under the instance folder (``instance/``
of the checkout unless ``ELEARN_INSTANCE_DIR`` says otherwise), media under ``media/``, a
SQLite-backed queue.
"""
from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
#: The default instance folder; ``Config.INSTANCE_DIR`` (ELEARN_INSTANCE_DIR) is the one in use.
INSTANCE_DIR = BASE_DIR / "instance"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class ConfigError(RuntimeError):
    """Raised when a configuration cannot be used (for example no real secret key)."""


class Config:
    #: Folder for this installation's own files: the SQLite database, the queue file, the search
    #: index and the generated secret key live here unless their own settings say otherwise.
    INSTANCE_DIR = str(INSTANCE_DIR)
    #: Session and signing secret. Development and test generate one (<instance>/secret_key);
    #: production refuses to start without it.
    SECRET_KEY = ""
    #: SQLAlchemy database URL. Empty means SQLite at <instance>/elearn.db.
    DATABASE_URL = ""
    #: Folder for runtime media (uploads/, hls/, posters/).
    MEDIA_DIR = str(BASE_DIR / "media")
    #: Folder for the Whoosh search index. Empty means <instance>/search-index.
    SEARCH_INDEX_DIR = ""
    #: Queue: empty means a SQLite file at <instance>/queue.db; redis://... uses Redis.
    QUEUE_URL = ""
    #: SQLite only: how long a write waits for another writer's lock, in milliseconds, before the
    #: request is answered 503 "try again in a few seconds".
    SQLITE_BUSY_MS = 15000
    #: Reverse proxies (nginx) in front of the app that set X-Forwarded-For/-Proto/-Host/-Port/-Prefix.
    #: 0 trusts no such header (a client could forge them); 1 for one nginx in front.
    TRUSTED_PROXIES = 0
    #: Run the background worker inside `python run.py` (the embedded default).
    EMBEDDED_WORKER = True
    #: Host and port of `python run.py`.
    HOST = "127.0.0.1"
    PORT = 5000
    #: gunicorn under `python run.py`: processes, and threads in each (gthread). A slow 8 MiB upload
    #: piece from a weak uplink holds one thread for its whole transfer, so keep threads plentiful.
    WEB_WORKERS = 2
    WEB_THREADS = 16
    #: A dead embedded worker is restarted after 1 s, then 2 s, 4 s... at most this many seconds.
    WORKER_RESTART_MAX_SECONDS = 60
    #: A worker writes its heartbeat row this often; the status page calls it gone after three misses.
    WORKER_HEARTBEAT_SECONDS = 5
    #: Default interface language (zh_CN or en).
    DEFAULT_LOCALE = "zh_CN"
    #: Anyone may create a student account from the login page.
    SELF_REGISTRATION = False
    #: Sign-in throttling (accounts/signin.py). Wrong passwords for one account within the window
    #: (its username and its mobile number count together) before its password is refused for the rest
    #: of the window; a one-time code from the office still signs the person in meanwhile.
    LOGIN_ACCOUNT_LIMIT = 5
    #: Wrong one-time codes for one account within the window, counted apart from passwords.
    LOGIN_CODE_LIMIT = 5
    #: The window, in minutes: failures older than this no longer count, and a lock lasts this long.
    LOGIN_WINDOW_MINUTES = 15
    #: From this wrong password on, the answer says how many tries are left.
    LOGIN_WARN_FROM = 3
    #: One address (a classroom behind one router, a carrier's shared address) is never locked. After
    #: this many failures from it within the window, each further failure makes it wait one second
    #: more before the next try (429 with Retry-After), up to LOGIN_IP_MAX_DELAY_SECONDS.
    LOGIN_IP_FREE_FAILURES = 20
    LOGIN_IP_MAX_DELAY_SECONDS = 30
    #: The hash checked for a login that names nobody, so it costs what a real check costs. Empty:
    #: werkzeug's default, the method passwords are stored with.
    LOGIN_DUMMY_HASH_METHOD = ""
    #: 结业证书 (classes/certificates.py): the issuing body printed on them, and the public check's
    #: rate limit, per address: at most this many look-ups per window (429 with Retry-After after).
    CERTIFICATE_ISSUER = "老年大学"
    CERTIFICATE_VERIFY_LIMIT = 30
    CERTIFICATE_VERIFY_WINDOW_SECONDS = 600
    #: The Noto CJK collection and its Simplified Chinese face (index 0 has the Japanese forms).
    #: Empty: the first of the usual places fonts-noto-cjk installs it to.
    CERTIFICATE_FONT = ""
    CERTIFICATE_FONT_INDEX = 2
    #: "Remember me" lasts this many days.
    REMEMBER_DAYS = 30
    #: A sign-in without "remember me" ends on the server after this many hours without a request.
    SESSION_IDLE_HOURS = 24
    #: One-time codes: reset codes issued by an admin, and codes on import slips (hours).
    RESET_CODE_HOURS = 72
    IMPORT_CODE_HOURS = 24 * 14
    #: The page that issued codes shows them again on reload for this many minutes (kept encrypted).
    CODES_SHOWN_MINUTES = 30
    #: API bearer tokens expire after this many days of not being used.
    TOKEN_IDLE_DAYS = 90
    #: Largest upload accepted, in bytes (4 GiB).
    MAX_UPLOAD_BYTES = 4 * 1024 ** 3
    #: Create demo accounts and content on the first start (development only).
    DEMO_DATA = False
    #: Use secure cookies (HTTPS only).
    SECURE_COOKIES = False
    #: Path of ffmpeg and ffprobe.
    FFMPEG = "ffmpeg"
    FFPROBE = "ffprobe"
    #: A worker's hold on a job lasts this long unless renewed; a killed worker's job is re-run after it.
    JOB_LEASE_SECONDS = 30
    #: A job that failed (or whose worker died) this many times is given up with a plain reason.
    JOB_MAX_ATTEMPTS = 3
    #: A job that failed because the media folder cannot be written waits this long before its next
    #: attempt, doubling each time (the disk needs a person; retrying at once only burns attempts).
    JOB_DISK_RETRY_SECONDS = 30
    #: Renditions the transcoder makes, by the shorter side of the picture (1080 is opt-in).
    TRANSCODE_1080 = False
    #: Huey runs tasks in the calling process (tests of services only).
    QUEUE_IMMEDIATE = False
    #: A lesson counts as completed once this share of it has been watched (each second once).
    LESSON_COMPLETE_RATIO = 0.9
    #: A viewing of a session's linked lesson marks 出勤/线上 (or 补学) once it has covered this share
    #: of the lesson, each second once.
    ATTENDANCE_ONLINE_COVERAGE = 0.8
    #: A branch member who missed an activity and watches its linked recording within this many
    #: days after it is marked 补学 (a class uses its own setting).
    BRANCH_MAKEUP_DAYS = 30
    #: The site's time zone: every time shown on a page, and the days, weeks and months of the learning record.
    TIMEZONE = "Asia/Shanghai"

    def __init__(self) -> None:
        for name in dir(type(self)):
            if not name.isupper():
                continue
            raw = os.environ.get(f"ELEARN_{name}")
            if raw is None:
                continue
            default = getattr(type(self), name)
            setattr(self, name, _convert(name, raw, default))
        self.finalise()

    def finalise(self) -> None:
        # Flask wants an absolute instance path; a relative one is taken from the current folder.
        instance = Path(self.INSTANCE_DIR).expanduser().absolute()
        self.INSTANCE_DIR = str(instance)
        if self.SQLITE_BUSY_MS < 0:
            raise ConfigError("ELEARN_SQLITE_BUSY_MS must be 0 or more (milliseconds)")
        if self.TRUSTED_PROXIES < 0:
            raise ConfigError("ELEARN_TRUSTED_PROXIES must be 0 or more (the number of proxies in front)")
        if not self.DATABASE_URL:
            self.DATABASE_URL = f"sqlite:///{instance / 'elearn.db'}"
        if not self.QUEUE_URL:
            self.QUEUE_URL = f"sqlite:///{instance / 'queue.db'}"
        if not self.SEARCH_INDEX_DIR:
            self.SEARCH_INDEX_DIR = str(instance / "search-index")
        if not self.SECRET_KEY:
            self.SECRET_KEY = _instance_secret(instance)

    def as_flask(self) -> dict:
        """The settings as Flask config keys, including the ones extensions expect."""
        values = {name: getattr(self, name) for name in dir(self) if name.isupper()}
        values.update(
            SQLALCHEMY_DATABASE_URI=self.DATABASE_URL,
            SQLALCHEMY_ENGINE_OPTIONS=self.engine_options(),
            BABEL_DEFAULT_LOCALE=self.DEFAULT_LOCALE,
            BABEL_DEFAULT_TIMEZONE=self.TIMEZONE,
            BABEL_TRANSLATION_DIRECTORIES=str(BASE_DIR / "elearn" / "translations"),
            MAX_CONTENT_LENGTH=64 * 1024 * 1024,
            SESSION_COOKIE_HTTPONLY=True,
            SESSION_COOKIE_SAMESITE="Lax",
            SESSION_COOKIE_SECURE=self.SECURE_COOKIES,
            REMEMBER_COOKIE_HTTPONLY=True,
            REMEMBER_COOKIE_SAMESITE="Lax",
            REMEMBER_COOKIE_SECURE=self.SECURE_COOKIES,
            REMEMBER_COOKIE_DURATION=self.REMEMBER_DAYS * 86400,
            WTF_CSRF_TIME_LIMIT=None,
            API_TITLE="elearn API",
            API_VERSION="v1",
            OPENAPI_VERSION="3.0.3",
            OPENAPI_URL_PREFIX="/api/v1",
            OPENAPI_JSON_PATH="openapi.json",
        )
        return values


    def engine_options(self) -> dict:
        options = {"pool_pre_ping": True}
        if self.DATABASE_URL.startswith("sqlite"):
            # pysqlite's timeout is SQLite's busy timeout, set on every new connection.
            options["connect_args"] = {"timeout": self.SQLITE_BUSY_MS / 1000}
        return options


class DevConfig(Config):
    DEMO_DATA = True


class TestConfig(Config):
    TESTING = True
    EMBEDDED_WORKER = False
    SECRET_KEY = "test-secret-key-not-for-production"
    LOGIN_WINDOW_MINUTES = 15
    #: The cheap hash tests store passwords with (tests/factories.py fast_hash), so unknown logins stay fast.
    LOGIN_DUMMY_HASH_METHOD = "pbkdf2:sha256:1000"


class ProdConfig(Config):
    EMBEDDED_WORKER = False
    SECURE_COOKIES = True
    #: Hand media files to nginx with X-Accel-Redirect under this internal prefix (empty: serve directly).
    ACCEL_REDIRECT_PREFIX = ""

    def finalise(self) -> None:
        if not self.SECRET_KEY or len(self.SECRET_KEY) < 32:
            raise ConfigError(
                "ProdConfig needs ELEARN_SECRET_KEY: a random secret of at least 32 characters, "
                "for example the output of `python -c 'import secrets; print(secrets.token_hex(32))'`."
            )
        super().finalise()


CONFIGS = {"dev": DevConfig, "test": TestConfig, "prod": ProdConfig, "default": Config}


def load(name: str | None = None) -> Config:
    """Build the configuration named by ``name`` or ``ELEARN_CONFIG`` (dev by default)."""
    name = name or os.environ.get("ELEARN_CONFIG", "dev")
    try:
        return CONFIGS[name]()
    except KeyError:
        raise ConfigError(f"Unknown configuration {name!r}; use one of {', '.join(CONFIGS)}") from None


def _convert(name: str, raw: str, default):
    if isinstance(default, bool):
        lowered = raw.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ConfigError(f"ELEARN_{name} must be true or false, not {raw!r}")
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"ELEARN_{name} must be a whole number, not {raw!r}") from None
    if isinstance(default, float):
        try:
            return float(raw)
        except ValueError:
            raise ConfigError(f"ELEARN_{name} must be a number, not {raw!r}") from None
    return raw


def _instance_secret(instance: Path) -> str:
    """A random secret kept in <instance>/secret_key so sessions survive restarts in development."""
    import secrets

    path = instance / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        instance.mkdir(parents=True, exist_ok=True)
        # Several processes may start at once: each writes a file of its own, and the first to link
        # it into place wins; the others read the winner's, so all of them sign with one secret.
        tmp = path.with_name(f".secret_key.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
        return path.read_text().strip()
