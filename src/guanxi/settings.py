"""Django settings. Every knob comes from a GUANXI_* environment variable (core/config.py)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from guanxi.core import config as guanxi_config

try:
    GUANXI = guanxi_config.load()
except guanxi_config.ConfigError as exc:
    raise ImproperlyConfigured(str(exc)) from exc

PACKAGE_DIR = Path(__file__).resolve().parent

SECRET_KEY = guanxi_config.read_or_create_secret(GUANXI.secret_key_file, nbytes=48).decode()
DEBUG = GUANXI.debug
ALLOWED_HOSTS = list(GUANXI.allowed_hosts)

GUANXI_HOME = GUANXI.home  # var/ and every default path hang off it (core/config.py)
GUANXI_LAKE = GUANXI.lake
GUANXI_ENGINE = GUANXI.engine
GUANXI_QUERY_MEMORY = GUANXI.query_memory
GUANXI_BUILD_MEMORY = GUANXI.build_memory
GUANXI_QUERY_SLOTS = GUANXI.query_slots
GUANXI_FIGURE_CACHE = GUANXI.figure_cache
GUANXI_WARM_FIGURES = GUANXI.warm_figures
GUANXI_SPILL_DIR = GUANXI.spill_dir
GUANXI_KEY_FILE = GUANXI.key_file
GUANXI_IMPORT_DIR = GUANXI.import_dir
GUANXI_MAX_UPLOAD_BYTES = GUANXI.max_upload_mb * 1024 * 1024
# Uploads, error reports and rejected rows are deleted, and imports can no longer be undone
# (old lake versions are vacuumed), this many days after an import (imports/retention.py).
GUANXI_IMPORT_RETENTION_DAYS = GUANXI.import_retention_days
# Uploads go to a temporary file, never wholly into memory, then under a generated name in
# GUANXI_IMPORT_DIR (outside the web root).
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.TemporaryFileUploadHandler"]

# Imports run in the background on Django's task framework; `make run` starts the worker
# (`guanxi db_worker`) beside the web server.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "guanxi.core.apps.CoreConfig",
    "guanxi.accounts",
    "guanxi.customers",
    "guanxi.imports",
    "guanxi.performance",
    "guanxi.reports",
    "guanxi.store",
    "guanxi.privacy",
    "guanxi.loyalty",
    "guanxi.segments",
    "guanxi.servicedesk",
    "guanxi.knowledge",
    "guanxi.satisfaction",
    "guanxi.insight",
    "guanxi.installation",
    "django_tasks_db",
    "guanxi.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "guanxi.imports.middleware.UploadLimitMiddleware",
    "guanxi.imports.middleware.RecoveryMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "guanxi.core.middleware.AuditDownloadsMiddleware",
    "guanxi.core.middleware.QueryQueueMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "guanxi.urls"
WSGI_APPLICATION = "guanxi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "guanxi.imports.context_processors.derived_status",
                "guanxi.core.context_processors.query_queue",
            ],
        },
    }
]


def _database() -> dict[str, object]:
    db = GUANXI.database
    if db.engine == "sqlite":
        # Owner-only before SQLite opens it: it holds live session keys (its -wal and -shm
        # files take the database file's mode).
        guanxi_config.private_file(Path(db.name), create=True)
        for sidecar in ("-wal", "-shm"):
            guanxi_config.private_file(Path(db.name + sidecar))
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": db.name,
            "OPTIONS": {
                # WAL for concurrent readers; FULL so a committed write survives power loss;
                # a 128 MB page cache (allocated as used) keeps the blind indexes of an import's
                # customers in memory: inserting 100,000 customers took 2.5× longer with 2 MB.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-131072;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            "TEST": {"NAME": None},
        }
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": db.name,
        "USER": db.user,
        "PASSWORD": db.password,
        "HOST": db.host,
        "PORT": db.port,
        "OPTIONS": dict(db.options),
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# A session unused for GUANXI_SESSION_IDLE_MINUTES ends: each request restarts the clock.
SESSION_COOKIE_AGE = GUANXI.session_idle_minutes * 60
SESSION_SAVE_EVERY_REQUEST = True

# GUANXI_HTTPS=true: the site is served over HTTPS only. Browsers are told to use nothing
# else for a year (HSTS), plain-HTTP requests are redirected, cookies are sent over HTTPS
# only. GUANXI_BEHIND_PROXY=true: requests arrive through a reverse proxy that terminates
# TLS and sets X-Forwarded-Proto and X-Forwarded-For (the server must not be reachable
# around it); the client address for the login throttle is then the proxy's last hop.
GUANXI_BEHIND_PROXY = GUANXI.behind_proxy
if GUANXI.https:
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 365 * 24 * 3600
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    if GUANXI.behind_proxy:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HSTS preloading commits the whole registrable domain, which a shop's CRM host rarely
# owns: a decision for the domain's owner, not a default (check --deploy would ask for it).
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Content-Security-Policy: scripts and styles from this site only (Plotly is served from
# static files), no inline scripts or event handlers. Inline styles stay allowed: Plotly
# writes its own <style> rules as it draws.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Failed logins in the lock-out window before a lock-out, and the window's length: per login
# (any address; the name NFKC-normalised and case-folded), per client address (any login),
# and for everyone together. A lock-out is logged on the `guanxi.security` logger.
GUANXI_LOGIN_MAX_FAILURES = 5
GUANXI_LOGIN_MAX_FAILURES_PER_CLIENT = 20
GUANXI_LOGIN_MAX_FAILURES_GLOBAL = 100
GUANXI_LOGIN_LOCKOUT_SECONDS = 15 * 60

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = GUANXI.time_zone
USE_TZ = True

# Whose chats an agent may read (docs/privacy.md): "own" — only the sessions they served;
# "customer" — the whole history of every customer they served (after-sale teams).
GUANXI_AGENT_CHAT_SCOPE = os.environ.get("GUANXI_AGENT_CHAT_SCOPE", "own").strip() or "own"
if GUANXI_AGENT_CHAT_SCOPE not in ("own", "customer"):
    raise ImproperlyConfigured(
        f"GUANXI_AGENT_CHAT_SCOPE={GUANXI_AGENT_CHAT_SCOPE!r}: set it to own or customer"
    )


# --- Service desk mail and CSAT (servicedesk/mail_in.py, mail_out.py, csat.py) ---------
# Intake: unseen mail of GUANXI_IMAP_MAILBOX becomes tickets, fetched every
# GUANXI_IMAP_EVERY_MINUTES by the worker once GUANXI_IMAP_HOST is set (and by
# `guanxi mail fetch`). Replies and CSAT links go out by SMTP through Django's default
# mailer (MAILERS), set from GUANXI_EMAIL_*. Passwords may be given in a file
# (…_PASSWORD_FILE, first line) rather than in the environment.
def _env_int(name: str, default: int, low: int, high: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise ImproperlyConfigured(f"{name}={raw!r}: expected a whole number from {low} to {high}")
    return value


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw not in ("true", "false", "1", "0", "yes", "no"):
        raise ImproperlyConfigured(f"{name}={raw!r}: expected true or false")
    return raw in ("true", "1", "yes")


def _env_secret(name: str) -> str:
    path = os.environ.get(name + "_FILE", "").strip()
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").splitlines()[0].strip()
        except (OSError, IndexError) as exc:
            raise ImproperlyConfigured(f"{name}_FILE={path!r}: cannot read it ({exc})") from exc
    return os.environ.get(name, "")


GUANXI_IMAP_HOST = os.environ.get("GUANXI_IMAP_HOST", "").strip()
GUANXI_IMAP_SSL = _env_bool("GUANXI_IMAP_SSL", True)
GUANXI_IMAP_PORT = _env_int("GUANXI_IMAP_PORT", 993 if GUANXI_IMAP_SSL else 143, 1, 65535)
GUANXI_IMAP_USER = os.environ.get("GUANXI_IMAP_USER", "").strip()
GUANXI_IMAP_PASSWORD = _env_secret("GUANXI_IMAP_PASSWORD")
GUANXI_IMAP_MAILBOX = os.environ.get("GUANXI_IMAP_MAILBOX", "INBOX").strip() or "INBOX"
GUANXI_IMAP_EVERY_MINUTES = _env_int("GUANXI_IMAP_EVERY_MINUTES", 5, 1, 1440)
# A message larger than this is logged as malformed and not made into a ticket.
GUANXI_MAIL_MAX_BYTES = _env_int("GUANXI_MAIL_MAX_MB", 10, 1, 100) * 1024 * 1024
_EMAIL_STARTTLS = _env_bool("GUANXI_EMAIL_STARTTLS", False)
_EMAIL_SSL = _env_bool("GUANXI_EMAIL_SSL", False)
if _EMAIL_STARTTLS and _EMAIL_SSL:
    raise ImproperlyConfigured("GUANXI_EMAIL_STARTTLS and GUANXI_EMAIL_SSL: set only one")
# Django 6.1's MAILERS (the EMAIL_HOST… settings are deprecated): one SMTP mailer.
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": os.environ.get("GUANXI_EMAIL_HOST", "localhost").strip() or "localhost",
            "port": _env_int("GUANXI_EMAIL_PORT", 465 if _EMAIL_SSL else 25, 1, 65535),
            "username": os.environ.get("GUANXI_EMAIL_USER", "").strip() or None,
            "password": _env_secret("GUANXI_EMAIL_PASSWORD") or None,
            "use_tls": _EMAIL_STARTTLS,
            "use_ssl": _EMAIL_SSL,
            "timeout": 30,
        },
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("GUANXI_EMAIL_FROM", "service@localhost").strip()
# Days a CSAT link can be answered (servicedesk/csat.py).
GUANXI_CSAT_DAYS = _env_int("GUANXI_CSAT_DAYS", 7, 1, 90)
# A ticket's attachment (a photo of the parcel, a screenshot of the chat): larger is refused.
GUANXI_TICKET_ATTACHMENT_MAX_BYTES = (
    _env_int("GUANXI_TICKET_ATTACHMENT_MAX_MB", 5, 1, 50) * 1024 * 1024
)
# --- end of service desk mail and CSAT ----------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = GUANXI.static_root
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it even when unused


def _package_dir(name: str) -> Path:
    """An installed package's folder, found without importing it (plotly takes a while)."""
    found = importlib.util.find_spec(name)
    if found is None or found.origin is None:
        raise ImproperlyConfigured(f"the {name} package is not installed: pip install -e .")
    return Path(found.origin).resolve().parent


# Plotly's JavaScript is served from the installed Python package: no CDN, nothing vendored.
STATICFILES_DIRS = [("plotly", _package_dir("plotly") / "package_data")]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
