"""Settings for the archive, read from the environment.

One file for every environment. ``ARCHIVE_ENV`` chooses between ``development``
(the default: what ``make run`` serves on a laptop), ``test`` and ``production``.
Production refuses to start without ``SECRET_KEY``, ``ALLOWED_HOSTS`` and
``ARCHIVE_BASE_URL`` or with
``DEBUG`` on. Every variable is checked, and a bad value stops start-up with a
message that names it.
"""

import os
import re
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.files.storage import FileSystemStorage
from django.core.validators import EmailValidator, URLValidator
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envbool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean: use 1/0, true/false, yes/no or on/off")


def envint(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number") from None


def envcontact(name):
    """An e-mail address or an https:// address, or "" when unset."""
    value = os.environ.get(name, "").strip()
    if not value:
        return ""
    for validate in (EmailValidator(), URLValidator(schemes=["https"])):
        try:
            validate(value)
            return value
        except ValidationError:
            pass
    raise ImproperlyConfigured(f"{name}={value!r} must be an e-mail address or an https:// address")


def envlist(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


ENVIRONMENTS = ("development", "test", "production")
ARCHIVE_ENV = os.environ.get("ARCHIVE_ENV", "development")
if ARCHIVE_ENV not in ENVIRONMENTS:
    raise ImproperlyConfigured(f"ARCHIVE_ENV={ARCHIVE_ENV!r} must be one of {', '.join(ENVIRONMENTS)}")
PRODUCTION = ARCHIVE_ENV == "production"

DEBUG = envbool("DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when ARCHIVE_ENV=production")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when ARCHIVE_ENV=production")
    # The site keeps no sessions and signs nothing a reader sends back, so a
    # fixed key outside production weakens nothing that exists.
    SECRET_KEY = "development-only-key-not-for-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when ARCHIVE_ENV=production (comma-separated host names)")

# The public site needs no users, sessions or admin: nothing in it can write.
INSTALLED_APPS = [
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_filters",
    "cases",
]

# Order matters: the header middleware come first so that every answer, a
# refused write, a bad request or a static file included, carries the headers.
# Then writes are refused, malformed requests turned away and addresses not
# written the site's one way redirected to it, before static files are served
# or any view (or query) runs. Past the static files, everything the request
# reads, to the last byte of a streamed answer, is read from one load
# (cases/snapshot.py); none of the middleware before it reads the database.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cases.middleware.SecurityHeadersMiddleware",
    "cases.middleware.ReadOnlyMiddleware",
    "cases.middleware.RequestSanityMiddleware",
    "cases.middleware.CleanAddressMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "cases.snapshot.SnapshotMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    # Last, so a page served from its cache still gets the headers above.
    "cases.caching.PageCacheMiddleware",
]

# No CSRF middleware: no page has a form that writes (ReadOnlyMiddleware
# refuses every write before any view), and the middleware would answer a
# malformed csrftoken cookie with a fresh one-year cookie. The site sets no
# cookie, ever, so the deploy check's warning that it is absent is silenced.
SILENCED_SYSTEM_CHECKS = ["security.W003"]

ROOT_URLCONF = "archive.urls"
WSGI_APPLICATION = "archive.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "cases.context_processors.archive",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    try:
        # A kept connection is checked before a request uses it, so one the
        # server ended (a restart, a failover, an idle timeout) is replaced
        # rather than failing that request with a 500.
        _database = dj_database_url.parse(
            DATABASE_URL, conn_max_age=envint("CONN_MAX_AGE", 60), conn_health_checks=True
        )
    except ValueError as error:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL this site can use: {error}") from None
    if _database["ENGINE"] not in ("django.db.backends.postgresql", "django.db.backends.sqlite3"):
        raise ImproperlyConfigured("DATABASE_URL must name a PostgreSQL (postgres://) or SQLite (sqlite:///) database")
else:
    _database = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "var" / "archive.sqlite3")),
    }
# SQLite keeps a write-ahead log, so that requests go on reading the last committed
# load while a load writes the next one, and a load commits while requests read (in
# the default rollback journal either waits for the other, then fails with "database
# is locked"). A connection that does need a lock waits for it (the busy timeout, in
# seconds) before it gives up.
SQLITE_OPTIONS = {"init_command": "PRAGMA journal_mode=WAL", "timeout": 20}
if _database["ENGINE"] == "django.db.backends.sqlite3":
    _database["OPTIONS"] = {**SQLITE_OPTIONS, **_database.get("OPTIONS", {})}
if _database["ENGINE"] == "django.db.backends.postgresql":
    _database.setdefault("TEST", {})
    if os.environ.get("TEST_DATABASE_NAME"):
        _database["TEST"]["NAME"] = os.environ["TEST_DATABASE_NAME"]
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "archive",
        "OPTIONS": {"MAX_ENTRIES": envint("CACHE_MAX_ENTRIES", 5000)},
    }
}

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
# collectstatic writes here for production; elsewhere whitenoise serves the
# files straight from static/ (WHITENOISE_USE_FINDERS), so nothing is collected.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static")) if PRODUCTION else None
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if PRODUCTION:
    # The manifest (which hashed name each file has) is kept beside STATIC_ROOT,
    # not in it: whitenoise serves every file in STATIC_ROOT, and the manifest
    # is the server's own index, not a file of the site.
    STORAGES["staticfiles"] = {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "OPTIONS": {
            "manifest_storage": FileSystemStorage(location=STATIC_ROOT.with_name(f"{STATIC_ROOT.name}-manifest"))
        },
    }
# Outside production whitenoise serves straight from the app's folders, so a
# checkout works without collectstatic.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

# Readers may be at risk: nothing loads from another host and nothing leaks
# the page they read to the sites they follow a link to.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    # Scripts only as same-origin files: no inline script and no nonce, so a
    # page can be cached whole and served again without weakening the policy.
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_REFERRER_POLICY = "no-referrer"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=(), browsing-topics=()"
)

if PRODUCTION:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 63072000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Site identity, used in citations, feeds and the dataset page.
ARCHIVE_NAME = os.environ.get("ARCHIVE_NAME", "Archive of Detentions and Protests")
# The public address that permalinks and citations are written with; outside
# production, when empty, the address the request came to. Production
# requires it, so no request header (Host: 127.0.0.1:1) reaches a permalink.
ARCHIVE_BASE_URL = os.environ.get("ARCHIVE_BASE_URL", "").rstrip("/")
if PRODUCTION and not ARCHIVE_BASE_URL:
    raise ImproperlyConfigured(
        "ARCHIVE_BASE_URL must be set when ARCHIVE_ENV=production (the public address, https://archive.example.org)"
    )
if ARCHIVE_BASE_URL and not re.fullmatch(r"https?://[^/?#\s]+", ARCHIVE_BASE_URL):
    raise ImproperlyConfigured(
        f"ARCHIVE_BASE_URL={ARCHIVE_BASE_URL!r} must be a scheme and a host, such as https://archive.example.org"
    )
# Who publishes this copy of the archive and how to reach them, shown on /about/. Left
# unset, the about page says so rather than naming anyone.
ARCHIVE_PUBLISHER = os.environ.get("ARCHIVE_PUBLISHER", "").strip() or "Not configured (ARCHIVE_PUBLISHER is not set)"
ARCHIVE_CONTACT = envcontact("ARCHIVE_CONTACT") or "Not configured (ARCHIVE_CONTACT is not set)"
ARCHIVE_DATA_LICENCE = "CC BY 4.0"
ARCHIVE_DATA_LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
# Where the export of every case is kept, one file per load and format
# (cases/downloads.py), and how many filtered exports a host streams at once.
EXPORT_ROOT = Path(os.environ.get("EXPORT_ROOT", BASE_DIR / "var" / "exports"))
EXPORT_CONCURRENCY = envint("EXPORT_CONCURRENCY", 1)
if EXPORT_CONCURRENCY < 1:
    raise ImproperlyConfigured("EXPORT_CONCURRENCY must be 1 or more")
ARCHIVE_FIXTURE = Path(os.environ.get("ARCHIVE_FIXTURE", BASE_DIR / "fixtures" / "archive.json"))
# Where each load's full release (cases.release) is written on first request and kept.
ARCHIVE_RELEASE_DIR = Path(os.environ.get("ARCHIVE_RELEASE_DIR", BASE_DIR / "var" / "releases"))


# Logs go to standard output, one line per event. They name the path that
# failed, never who asked or what they sent: no address, user agent,
# referrer, query value or header value is logged (archive/logs.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"client_errors_in_brief": {"()": "archive.logs.ClientErrorsInBrief"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "stream": "ext://sys.stdout",
            "filters": ["client_errors_in_brief"],
        }
    },
    "root": {"handlers": ["stdout"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
