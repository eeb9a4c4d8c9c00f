"""Django settings.

The embedded default is a SQLite file in the user's data directory; production sets
``DATABASE_URL`` (PostgreSQL) and ``SKILLNADER_PRODUCTION=1`` (see the README).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("SKILLNADER_HOME", Path.home() / ".local/share/skillnader"))

PRODUCTION = os.environ.get("SKILLNADER_PRODUCTION", "") == "1"
# DEBUG only when asked for explicitly: its error pages list URL patterns and settings.
DEBUG = os.environ.get("SKILLNADER_DEBUG", "0") == "1"

SECRET_KEY = os.environ.get("SKILLNADER_SECRET_KEY") or (
    "" if PRODUCTION else "dev-only-insecure-key-not-for-production-use-0123456789abcdef"
)
if PRODUCTION and len(SECRET_KEY) < 50:
    raise RuntimeError("SKILLNADER_SECRET_KEY must be set (at least 50 characters) in production")

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get(
        "SKILLNADER_ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1],testserver"
    ).split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "skillnader.web.data",
    "skillnader.web.public",
    "skillnader.web.api",
    "skillnader.web.consultation",
    "skillnader.web.steering",
    "skillnader.web.summerjobs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "skillnader.web.middleware.RejectNulMiddleware",
    "skillnader.web.middleware.SwedishFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "skillnader.web.urls"
WSGI_APPLICATION = "skillnader.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _database_config() -> dict:
    url = os.environ.get("DATABASE_URL")
    if url:
        # Persistent connections: opening a PostgreSQL connection costs more than most pages.
        return dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("SKILLNADER_SQLITE", str(DATA_DIR / "skillnader.sqlite3")),
        # WAL: pages keep being read while an import writes (readers never wait for the writer);
        # a second writer waits at most ``timeout`` seconds (imports refuse at once, see
        # ``web/data/importlock.py``).
        "OPTIONS": {
            "timeout": 30,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        },
    }


DATABASES = {"default": _database_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", "Svenska"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Stockholm"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("SKILLNADER_STATIC_ROOT", DATA_DIR / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    # WhiteNoise warns about a missing root; in development files come from the finders.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = DATA_DIR / "uploads"

# Board writers are not staff: they sign in on the consultation's own page (the admin's sign-in
# refuses non-staff accounts). Staff use it as well; the admin keeps /admin/login/.
LOGIN_URL = "/remiss/logga-in/"

# Pages are cached per URL, language and data version. In production the cache is a directory
# shared by all worker processes (SKILLNADER_CACHE_DIR); the embedded default keeps it in memory.
_CACHE_DIR = os.environ.get("SKILLNADER_CACHE_DIR")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": _CACHE_DIR,
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
        if _CACHE_DIR
        else {
            # Bounded in bytes too (pages are 10-600 KB): SKILLNADER_CACHE_MB per process.
            "BACKEND": "skillnader.web.cache.BoundedLocMemCache",
            "OPTIONS": {
                "MAX_ENTRIES": 20_000,
                "MAX_BYTES": int(os.environ.get("SKILLNADER_CACHE_MB", "128")) * 2**20,
            },
        }
    )
}

if PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("SKILLNADER_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SKILLNADER_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SKILLNADER_LOG_LEVEL", "WARNING")},
}

# --- Sign-in, Content-Security-Policy and faults (see docs/decisions.md, "Security") ---------
from datetime import timedelta  # noqa: E402

from csp.constants import NONE, SELF  # noqa: E402

INSTALLED_APPS += ["axes"]
# The database-fault middleware right after SecurityMiddleware, outside everything that may touch
# the database; CSP outermost so that every response gets the header, also a 503.
MIDDLEWARE.insert(1, "skillnader.web.faults.DatabaseUnavailableMiddleware")
MIDDLEWARE.insert(0, "csp.middleware.CSPMiddleware")
# Per-client limits on the API and report downloads (pages count in the page cache on a miss).
MIDDLEWARE.insert(
    MIDDLEWARE.index("skillnader.web.faults.DatabaseUnavailableMiddleware") + 1,
    "skillnader.web.ratelimit.RateLimitMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("skillnader.web.ratelimit.RateLimitMiddleware"),
    "skillnader.web.data.queries.RequestDataVersionMiddleware",
)
SKILLNADER_RATE_RENDER = os.environ.get("SKILLNADER_RATE_RENDER", "30/60")
SKILLNADER_RATE_API = os.environ.get("SKILLNADER_RATE_API", "300/60")
SKILLNADER_RATE_REPORT = os.environ.get("SKILLNADER_RATE_REPORT", "6/60")
#: Pages made outside the cache at once on the host (default: half the processors), so that
#: cached pages always find a free worker and a processor.
SKILLNADER_RENDER_SLOTS = int(
    os.environ.get("SKILLNADER_RENDER_SLOTS") or max(1, (os.cpu_count() or 2) // 2)
)
# Axes last: it answers a locked-out sign-in attempt before the view authenticates.
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
#: Proxies whose X-Forwarded-For is believed (the shipped nginx runs on the same host).
SKILLNADER_TRUSTED_PROXIES = [
    p.strip()
    for p in os.environ.get("SKILLNADER_TRUSTED_PROXIES", "127.0.0.1/32,::1/128").split(",")
    if p.strip()
]
# Five failures lock the account name (from anywhere) and the client address (for any name)
# for fifteen minutes; a successful sign-in resets the count.
AXES_FAILURE_LIMIT = int(os.environ.get("SKILLNADER_LOGIN_FAILURES", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("SKILLNADER_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "skillnader.web.security.client_ip"
AXES_LOCKOUT_CALLABLE = "skillnader.web.security.lockout_response"
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# No inline script or style anywhere: scripts and styles come from this site's static files,
# charts are drawn by Vega's expression interpreter (no eval) and JSON specs are data blocks.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

#: Summer-job applications (minors' personal data) are deleted this many days after they were
#: received, by ``skillnader manage summerjobs_purge`` (run it daily).
SUMMERJOBS_RETENTION_DAYS = int(os.environ.get("SKILLNADER_SUMMERJOBS_RETENTION_DAYS", "400"))

#: Records of admin imports (file name, result or error) are deleted this many days after the
#: import ended, and working directories left by killed imports are removed, by
#: ``skillnader manage data_import_purge`` (run it daily).
DATA_IMPORT_RETENTION_DAYS = int(os.environ.get("SKILLNADER_DATA_IMPORT_RETENTION_DAYS", "90"))
