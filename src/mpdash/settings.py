"""Django settings, driven by environment variables.

Embedded default (nothing set): SQLite in WAL mode and a file-system Celery
broker, both inside the data directory (``MPDASH_DATA_DIR``, default ``./.mpdash``).
Distributed: set ``DATABASE_URL`` (PostgreSQL) and ``CELERY_BROKER_URL`` (Redis).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("MPDASH_DATA_DIR", ".mpdash")).resolve()


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# prometheus_client's multiprocess mode (mpdash.metrics): every process of this machine writes its
# counters here and /metrics sums them. Set before prometheus_client is first imported.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(DATA_DIR / "prometheus"))
Path(os.environ["PROMETHEUS_MULTIPROC_DIR"]).mkdir(parents=True, exist_ok=True)

DEBUG = _env_bool("MPDASH_DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or os.environ.get("MPDASH_SECRET_KEY") or ""
if not SECRET_KEY:
    # The embedded default keeps a generated key in the data directory so that
    # sessions survive restarts; distributed deployments must set SECRET_KEY.
    from mpdash.keys import data_dir_secret

    SECRET_KEY = data_dir_secret(DATA_DIR, "secret_key")

ALLOWED_HOSTS = [h for h in os.environ.get("MPDASH_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("MPDASH_CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "django_celery_beat",
    "axes",
    "mpdash.catalog",
    "mpdash.channels",
    "mpdash.integration",
    "mpdash.orders",
    "mpdash.alarms",
    "mpdash.api",
    "mpdash.dashboard",
    "chartkick.django",  # its static files: Chart.js and Chartkick.js for the Dashboard's charts
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",  # Content-Security-Policy, see CONTENT_SECURITY_POLICY
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "mpdash.api.limits.RequestSizeLimits",  # a JSON 413 naming the limit instead of Django's bare 400
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: answers a locked sign-in with mpdash.security.lockout_response
]

ROOT_URLCONF = "mpdash.urls"
WSGI_APPLICATION = "mpdash.wsgi.application"

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
                "mpdash.dashboard.context.roles",
            ],
        },
    },
]

# --- database -----------------------------------------------------------------

SQLITE_OPTIONS = {
    # WAL lets readers and one writer work at once; the busy timeout and
    # IMMEDIATE transactions stop "database is locked" between web, worker and beat.
    "init_command": (
        "PRAGMA journal_mode=WAL;"
        "PRAGMA synchronous=NORMAL;"
        "PRAGMA busy_timeout=30000;"
        "PRAGMA foreign_keys=ON;"
    ),
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
}

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "mpdash.sqlite3"),
        }
    }
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not memory, so that worker processes started by the tests share it.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- brute-force protection (mpdash.security) -------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked address or username
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("MPDASH_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=float(os.environ.get("MPDASH_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]  # either one alone locks
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "mpdash.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "mpdash.security.client_ip"  # X-Forwarded-For only behind MPDASH_PROXY_COUNT proxies
AXES_VERBOSE = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("MPDASH_TIME_ZONE", "Europe/Istanbul")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = os.environ.get("MPDASH_STATIC_ROOT", str(DATA_DIR / "static"))
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing one
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

# Content-Security-Policy (django-csp) of every page: scripts, styles, images and fonts from our
# own origin only (htmx, Chart.js and Chartkick.js are served from our static files; the screens
# use no inline script, event handler or style attribute), no plugins, no framing, forms post
# here only. The Swagger UI at /api/docs/ loads its script from a CDN and is left out.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/api/docs/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Files operators upload on the screens (refund rejection images), kept in the data directory.
MEDIA_URL = "/media/"
MEDIA_ROOT = str(DATA_DIR / "media")

# Shared by every process of one machine (throttle counters); Redis when the broker is Redis.
_CACHE_URL = os.environ.get("MPDASH_CACHE_URL") or (
    os.environ["CELERY_BROKER_URL"] if os.environ.get("CELERY_BROKER_URL", "").startswith("redis") else "")
if _CACHE_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _CACHE_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(DATA_DIR / "cache")}}

# --- REST API -------------------------------------------------------------------

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "mpdash.security.TokenAuthentication",  # DRF's, throttled after repeated wrong tokens
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["mpdash.api.lookups.FilterBackend"],
    # JSON bodies (the schema says so); the CSV imports declare multipart themselves.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"failed_token": os.environ.get("MPDASH_TOKEN_FAILURE_RATE", "10/min")},
    "NUM_PROXIES": int(os.environ.get("MPDASH_PROXY_COUNT", "0")) or None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "mpdash API",
    "DESCRIPTION": "Catalog, prices, stock, sales channels and flow runs of the marketplace hub.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,  # request bodies with their own rules (required, minLength, write-only)
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "mpdash.api.schema_hooks.closed_bulk_rows",
        "mpdash.api.schema_hooks.lift_request_one_of",
        "mpdash.api.schema_hooks.truthful_strings",
        "mpdash.api.schema_hooks.webhook_secret",
    "mpdash.api.schema_bodies.request_rules",
    ],
}

# Largest body of a bulk/ upsert (mpdash.api.limits); other API bodies keep Django's 2.5 MB.
MPDASH_BULK_MAX_BYTES = int(os.environ.get("MPDASH_BULK_MAX_BYTES", str(200 * 1024 * 1024)))

# --- Celery -----------------------------------------------------------------------

BROKER_DIR = DATA_DIR / "broker"
# "localhost" only keeps kombu from warning that no host was given; the transport ignores it.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or "filesystem://localhost/"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
        # The worker sleeps this long whenever it cannot take a message (queue empty, or its
        # prefetch full), so it caps throughput: 300 tasks drained in 28.8 s at 0.2, 11.7 s
        # at 0.05, 5.2 s at 0.02 (two worker processes, this machine); idle polling at
        # 0.02 costs no measurable CPU.
        "polling_interval": 0.02,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = _env_bool("MPDASH_CELERY_EAGER", False)  # unit tests only
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- mpdash -----------------------------------------------------------------------

# Rate limiter storage shared by all workers: Redis when the broker is Redis,
# otherwise a SQLite file in the data directory.
MPDASH_RATE_LIMIT_URL = os.environ.get(
    "MPDASH_RATE_LIMIT_URL",
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else f"sqlite:///{DATA_DIR / 'ratelimit.sqlite3'}",
)
MPDASH_ENCRYPTION_KEY = os.environ.get("MPDASH_ENCRYPTION_KEY", "")
# Seconds between checks of products waiting for the marketplace's approval.
MPDASH_APPROVAL_POLL_SECONDS = float(os.environ.get("MPDASH_APPROVAL_POLL_SECONDS", "60"))
# Seconds a flow run holds its lease without a heartbeat before another worker may take over.
MPDASH_FLOW_LEASE_SECONDS = float(os.environ.get("MPDASH_FLOW_LEASE_SECONDS", "60"))
# Seconds a change waits before its flow runs, so that a burst of changes travels in one batch.
MPDASH_CHANGE_DEBOUNCE_SECONDS = float(os.environ.get("MPDASH_CHANGE_DEBOUNCE_SECONDS", "1.0"))
# Seconds a marketplace request may take before it counts as failed.
MPDASH_HTTP_TIMEOUT = float(os.environ.get("MPDASH_HTTP_TIMEOUT", "20"))
# Seconds between polls of batches the marketplace is still processing.
MPDASH_BATCH_POLL_SECONDS = float(os.environ.get("MPDASH_BATCH_POLL_SECONDS", "2.0"))
# A batch that is not full goes once its changes have been quiet for the debounce, and at the
# latest this long after the oldest of them (a steady writer is never quiet).
MPDASH_BATCH_MAX_WAIT_SECONDS = float(os.environ.get("MPDASH_BATCH_MAX_WAIT_SECONDS", "0") or 0) or 2 * MPDASH_CHANGE_DEBOUNCE_SECONDS
# Seconds from sending a batch to its first poll (0: the smaller of 0.5 s and the poll interval).
MPDASH_BATCH_FIRST_POLL_SECONDS = float(os.environ.get("MPDASH_BATCH_FIRST_POLL_SECONDS", "0") or 0)

# /metrics (mpdash.metrics): with a token, scrapes must send "Authorization: Bearer <token>";
# without one, only these addresses or networks may scrape.
MPDASH_METRICS_TOKEN = os.environ.get("MPDASH_METRICS_TOKEN", "")
MPDASH_METRICS_ALLOWED_IPS = [a.strip() for a in os.environ.get("MPDASH_METRICS_ALLOWED_IPS", "127.0.0.1,::1").split(",") if a.strip()]

# E-mail (alarms): SMTP when MPDASH_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and
# EMAIL_HOST/EMAIL_PORT/EMAIL_HOST_USER/EMAIL_HOST_PASSWORD/EMAIL_USE_TLS are set; the demo
# writes each message as a file under <data dir>/mail.
EMAIL_BACKEND = os.environ.get("MPDASH_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = os.environ.get("MPDASH_EMAIL_FILE_PATH", str(DATA_DIR / "mail"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("MPDASH_EMAIL_FROM", "mpdash <mpdash@localhost>")
# The address operators reach the screens at, for links in alarm e-mails.
MPDASH_PUBLIC_URL = os.environ.get("MPDASH_PUBLIC_URL", "http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "filters": {"redact": {"()": "mpdash.redaction.RedactSecretsFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("MPDASH_LOG_LEVEL", "INFO")},
    "loggers": {
        "httpx": {"level": "WARNING"},
        "django.db.backends": {"level": "WARNING"},
    },
}
