"""Django settings. Every knob comes from a GUANXI_* environment variable (core/config.py)."""

from __future__ import annotations

from pathlib import Path

import plotly
from django.core.exceptions import ImproperlyConfigured
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
GUANXI_SPILL_DIR = GUANXI.spill_dir
GUANXI_KEY_FILE = GUANXI.key_file
GUANXI_IMPORT_DIR = GUANXI.import_dir
GUANXI_MAX_UPLOAD_BYTES = GUANXI.max_upload_mb * 1024 * 1024
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
    "guanxi.installation",
    "django_tasks_db",
    "guanxi.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "guanxi.imports.middleware.UploadLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "guanxi.core.middleware.AuditDownloadsMiddleware",
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
            ],
        },
    }
]


def _database() -> dict[str, object]:
    db = GUANXI.database
    if db.engine == "sqlite":
        Path(db.name).parent.mkdir(parents=True, exist_ok=True)
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

# Failed logins per (username, client address) before a lock-out, and its length.
GUANXI_LOGIN_MAX_FAILURES = 5
GUANXI_LOGIN_LOCKOUT_SECONDS = 15 * 60

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = GUANXI.time_zone
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = GUANXI.static_root
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it even when unused
# Plotly's JavaScript is served from the installed Python package: no CDN, nothing vendored.
STATICFILES_DIRS = [("plotly", Path(plotly.__file__).resolve().parent / "package_data")]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
