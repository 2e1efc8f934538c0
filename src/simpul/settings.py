"""Simpul settings: one file, read from SIMPUL_* environment variables.

Bad values never crash with a traceback: they are collected in CONFIG_ERRORS, and
both `simpul` (before any command) and the system check `simpul.E001` report them in one
line each that says what to set.
"""

import os
import secrets
import sys
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("SIMPUL_DATA_DIR", Path.cwd() / "var")).resolve()

CONFIG_ERRORS: list[str] = []

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _env_bool(name, default=False):
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    CONFIG_ERRORS.append(f"{name}={raw!r} is not a boolean: set it to 1 or 0.")
    return default


def _env_int(name, default):
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        CONFIG_ERRORS.append(f"{name}={raw!r} is not a whole number: set it to e.g. {default}.")
        return default


def parse_database_url(url, data_dir):
    """Return a Django DATABASES entry for sqlite:///path or postgres://user@host:port/db."""
    parts = urlsplit(url)
    options = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    if parts.scheme == "sqlite":
        raw_path = unquote(parts.path)
        if parts.netloc or not raw_path or raw_path == "/":
            raise ValueError("expected sqlite:///relative/path.sqlite3 or sqlite:////abs/path")
        path = raw_path[1:]  # sqlite:///var/x.db is relative, sqlite:////x.db absolute
        name = path if path == ":memory:" else str(Path(path).resolve())
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name,
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                    "PRAGMA busy_timeout=20000; PRAGMA cache_size=-20000;"
                ),
            },
            "TEST": {"NAME": None},
            # Keep the connection (and its PRAGMAs) across requests, as for PostgreSQL.
            "CONN_MAX_AGE": 300,
            "CONN_HEALTH_CHECKS": True,
        }
    if parts.scheme in ("postgres", "postgresql", "pgsql"):
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ValueError("the URL names no database (postgres://user@host:5432/simpul)")
        try:
            port = parts.port
        except ValueError as exc:
            raise ValueError("the port is not a number") from exc
        # JIT compilation added ~0.1 s to each large count (reach ledger) and helps none of
        # our short queries; ?options=... in the URL overrides this.
        options.setdefault("options", "-c jit=off")
        return {
            # Django's backend, with a health check that needs no round trip (core/postgresql).
            "ENGINE": "simpul.core.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(port or ""),
            "CONN_MAX_AGE": int(options.pop("conn_max_age", 300)),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
            "TEST": {"NAME": options.pop("test_name", None) or f"test_{name}"},
        }
    raise ValueError(f"unknown scheme {parts.scheme!r}: use sqlite:/// or postgres://")


DEBUG = _env_bool("SIMPUL_DEBUG", False)
DEMO = _env_bool("SIMPUL_DEMO", False)
TESTING = _env_bool("SIMPUL_TESTING", "pytest" in sys.modules)

DATA_DIR.mkdir(parents=True, exist_ok=True)

# Secret key: required in production; generated into the data directory in development.
SECRET_KEY = os.environ.get("SIMPUL_SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or DEMO or TESTING:
        key_file = DATA_DIR / "secret_key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(50))
            key_file.chmod(0o600)
        SECRET_KEY = key_file.read_text().strip()
    else:
        CONFIG_ERRORS.append(
            "SIMPUL_SECRET_KEY is not set: set it to a long random string "
            "(or SIMPUL_DEBUG=1 for development)."
        )
        SECRET_KEY = "unset-" + secrets.token_urlsafe(20)

# Key for personal data encrypted at rest (members' phones); see simpul/registry/crypto.py.
FIELD_ENCRYPTION_KEYS = os.environ.get("SIMPUL_FIELD_KEY", "")
if not FIELD_ENCRYPTION_KEYS:
    if DEBUG or DEMO or TESTING:
        field_key_file = DATA_DIR / "field_key"
        if not field_key_file.exists():
            from cryptography.fernet import Fernet

            field_key_file.write_text(Fernet.generate_key().decode())
            field_key_file.chmod(0o600)
        FIELD_ENCRYPTION_KEYS = field_key_file.read_text().strip()
    else:
        CONFIG_ERRORS.append(
            "SIMPUL_FIELD_KEY is not set: set it to a Fernet key (python -c 'from "
            "cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')."
        )

_db_url = os.environ.get("SIMPUL_DATABASE_URL") or f"sqlite:///{DATA_DIR / 'simpul.sqlite3'}"
try:
    _default_db = parse_database_url(_db_url, DATA_DIR)
except ValueError as exc:
    CONFIG_ERRORS.append(
        f"SIMPUL_DATABASE_URL is not a valid database URL ({exc}): set it to "
        "postgres://user:password@127.0.0.1:5432/simpul or sqlite:///var/simpul.sqlite3."
    )
    _default_db = parse_database_url(f"sqlite:///{DATA_DIR / 'simpul.sqlite3'}", DATA_DIR)
DATABASES = {"default": _default_db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("SIMPUL_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]
if DEBUG:
    ALLOWED_HOSTS += ["127.0.0.1", "localhost", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("SIMPUL_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
SITE_URL = os.environ.get("SIMPUL_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks",
    "django_tasks_db",
    "simpul.core",
    "simpul.web",
    "simpul.regions",
    "simpul.accounts",
    "simpul.audit",
    "simpul.registry",
    "simpul.newsroom",
    "simpul.broadcasts",
    "simpul.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "simpul.web.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "simpul.accounts.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "simpul.urls"
WSGI_APPLICATION = "simpul.wsgi.application"

TEMPLATES = [
    {
        # Django's backend; its check accepts the i18n library below (web/template_i18n.py).
        "BACKEND": "simpul.web.template_i18n.DjangoTemplates",
        "NAME": "django",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "simpul.web.context_processors.site",
            ],
            # Django's i18n tags, with constant {% translate %} texts kept per language.
            "libraries": {"i18n": "simpul.web.template_i18n"},
            # Django's `date` filter, with compiled formats (web/templatetags/fastdate.py).
            "builtins": ["simpul.web.templatetags.fastdate"],
        },
    }
]
if not DEBUG:
    TEMPLATES[0]["APP_DIRS"] = False
    TEMPLATES[0]["OPTIONS"]["loaders"] = [
        (
            "django.template.loaders.cached.Loader",
            ["django.template.loaders.app_directories.Loader"],
        )
    ]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "kelola:home"
LOGOUT_REDIRECT_URL = "web:home"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = _env_bool("SIMPUL_SECURE_COOKIES", not DEBUG and not DEMO)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3
OTP_TOTP_ISSUER = "Simpul"
# django-otp's own per-device delay rejects a right code typed just after a typo, without
# saying why; Simpul throttles OTP attempts itself (accounts.throttle) with a clear message.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0

# Login throttling: after LOGIN_MAX_FAILURES failures for one e-mail or one IP address
# within LOGIN_WINDOW seconds, logins are refused until the window has passed.
LOGIN_MAX_FAILURES = _env_int("SIMPUL_LOGIN_MAX_FAILURES", 5)
LOGIN_WINDOW = _env_int("SIMPUL_LOGIN_WINDOW", 15 * 60)
# Public KIM self-registrations allowed from one IP address in the same window.
REGISTRATIONS_PER_IP = _env_int("SIMPUL_REGISTRATIONS_PER_IP", 5)

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING

# E-mail: smtp://user:pass@host:port, smtp+tls://..., console:// or file://path
EMAIL_URL = os.environ.get("SIMPUL_EMAIL_URL", "console://" if (DEBUG or DEMO) else "")
DEFAULT_FROM_EMAIL = os.environ.get("SIMPUL_FROM_EMAIL", "Simpul <simpul@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
_email = urlsplit(EMAIL_URL) if EMAIL_URL else None
if _email is None or _email.scheme == "":
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    if not (DEBUG or DEMO or TESTING):
        CONFIG_ERRORS.append(
            "SIMPUL_EMAIL_URL is not set: set it to smtp://user:password@host:587 "
            "(password reset and verification need e-mail)."
        )
elif _email.scheme == "console":
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
elif _email.scheme == "file":
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = _email.path or str(DATA_DIR / "mail")
elif _email.scheme in ("smtp", "smtp+tls", "smtps"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "127.0.0.1"
    try:
        EMAIL_PORT = _email.port or (465 if _email.scheme == "smtps" else 25)
    except ValueError:
        EMAIL_PORT = 25
        CONFIG_ERRORS.append("SIMPUL_EMAIL_URL has a port that is not a number.")
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_TLS = _email.scheme == "smtp+tls"
    EMAIL_USE_SSL = _email.scheme == "smtps"
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    CONFIG_ERRORS.append(
        f"SIMPUL_EMAIL_URL has an unknown scheme {_email.scheme!r}: use smtp://, "
        "smtp+tls://, smtps://, console:// or file://."
    )

REDIS_URL = os.environ.get("SIMPUL_REDIS_URL", "")
if TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif REDIS_URL:
    if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
        CONFIG_ERRORS.append(
            "SIMPUL_REDIS_URL must start with redis://, rediss:// or unix:// "
            "(e.g. redis://127.0.0.1:6379/0)."
        )
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    # Shared between the web and worker processes without any extra service.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    }

TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if _env_bool("SIMPUL_TASKS_IMMEDIATE", TESTING)
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default", "mail", "periodic"],
    }
}
TASK_MAX_ATTEMPTS = _env_int("SIMPUL_TASK_MAX_ATTEMPTS", 5)
TASK_RETRY_BASE_SECONDS = _env_int("SIMPUL_TASK_RETRY_BASE_SECONDS", 30)
# A worker whose heartbeat is older than this is dead; its RUNNING tasks are re-queued.
TASK_STALE_AFTER_SECONDS = _env_int("SIMPUL_TASK_STALE_AFTER_SECONDS", 120)
# How often each worker beats, sweeps and enqueues due periodic tasks.
WORKER_HOUSEKEEPING_SECONDS = _env_int("SIMPUL_WORKER_HOUSEKEEPING_SECONDS", 10)

# Siaran delivery (simpul/broadcasts/delivery.py).
DELIVERY_CHAINS = _env_int("SIMPUL_DELIVERY_CHAINS", 2)  # parallel tasks per channel and province
DELIVERY_BATCH = _env_int("SIMPUL_DELIVERY_BATCH", 100)  # e-mails claimed at once
DELIVERY_FLUSH = _env_int("SIMPUL_DELIVERY_FLUSH", 10)  # results written every N: duplicate bound
DELIVERY_CLAIM_TIMEOUT = _env_int("SIMPUL_DELIVERY_CLAIM_TIMEOUT", 300)
DELIVERY_MAX_ATTEMPTS = _env_int("SIMPUL_DELIVERY_MAX_ATTEMPTS", 5)
DELIVERY_TASK_SECONDS = _env_int("SIMPUL_DELIVERY_TASK_SECONDS", 20)

# Spreadsheet imports: kept on the server between dry run and apply (shared by app nodes).
IMPORT_MAX_BYTES = _env_int("SIMPUL_IMPORT_MAX_BYTES", 5 * 1024 * 1024)
IMPORT_MAX_ROWS = _env_int("SIMPUL_IMPORT_MAX_ROWS", 20_000)
IMPORT_DIR = Path(os.environ.get("SIMPUL_IMPORT_DIR", DATA_DIR / "imports"))

# Whole-page cache of public pages for anonymous visitors (simpul/web/pagecache.py).
PAGE_CACHE = _env_bool("SIMPUL_PAGE_CACHE", not TESTING)

# Wilayah rows named on public pages are kept in each process this long (regions/queries.py:
# they change only when `simpul regions load` runs). 0 turns it off (the tests).
REGION_CACHE_SECONDS = _env_int("SIMPUL_REGION_CACHE_SECONDS", 0 if TESTING else 300)

# Only the bench harness turns on the bare baseline view.
BENCH_BASELINE = _env_bool("SIMPUL_BENCH_BASELINE", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SIMPUL_LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        # httpx logs every request URL at INFO, and the Telegram Bot API puts the bot's
        # token in the URL: provider secrets stay out of the logs.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}

if not DEBUG:
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"
    SECURE_REFERRER_POLICY = "same-origin"
