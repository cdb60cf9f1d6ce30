"""QuantDesk settings: one module, every value read from the environment.

Defaults give the embedded development set-up (SQLite, in-process Dramatiq broker with
worker threads inside the server, in-memory channel layer). Production sets
``DATABASE_URL``, ``REDIS_URL``, ``SECRET_KEY`` and ``ALLOWED_HOSTS``.
"""

import os
import tempfile
from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)

_DEV_SECRET = "dev-only-insecure-secret-key-change-me-in-production"
if env.str("SECRET_KEY_FILE", default=""):
    SECRET_KEY = Path(env.str("SECRET_KEY_FILE")).read_text().strip()
else:
    SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise RuntimeError("SECRET_KEY (or SECRET_KEY_FILE) must be set when DEBUG is off")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "channels",
    "django_dramatiq",
    "accounts",
    "nodes",
    "ide",
    "backtesting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Worker threads and the web server share the file: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    # SQLite has no row locks: take the write lock when a transaction begins, so two
    # launches cannot both read a node as idle (and deferred lock upgrades cannot deadlock).
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
    # Tests run worker threads and worker processes: an in-memory shared-cache database
    # answers "table is locked" instead of waiting, so tests use a file of their own.
    DATABASES["default"].setdefault("TEST", {}).setdefault(
        "NAME", str(Path(tempfile.gettempdir()) / f"quantdesk-test-{os.getpid()}.sqlite3")
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
    "DATABASE_POOL", default=True
):
    # Without a pool every request, and every worker step, opened its own connection and
    # PostgreSQL forked a backend for each: a simple API call took 21 ms on loopback
    # against 9.5 ms with the pool. Each process has its own pool; a thread's connection
    # goes back when Django closes it (worker threads: after each message, middleware.py).
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": env.int("DATABASE_POOL_SIZE", default=20),
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=30.0),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 4},
    },
]

# Argon2 (memory-hard) for new passwords; PBKDF2 still checks (and upgrades) older hashes.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

#: failed log-ins per username and per client address before log-in is refused for a while.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
#: seconds a failed log-in counts against the limit.
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_SECONDS", default=300)
#: reverse proxies in front of the server that append to X-Forwarded-For (0: use REMOTE_ADDR).
LOGIN_TRUSTED_PROXIES = env.int("LOGIN_TRUSTED_PROXIES", default=0)

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"

LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/projects/"
LOGOUT_REDIRECT_URL = "/login/"

#: LEAN-format market data (read-only for algorithms).
DATA_DIR = Path(env.str("DATA_DIR", default=str(BASE_DIR.parent / "shared" / "data" / "lean")))

#: seconds a B-MICRO launch waits before it starts (QuantConnect's free-tier delay).
BMICRO_DELAY_SECONDS = env.float("BMICRO_DELAY_SECONDS", default=20.0)

#: seconds without a heartbeat after which the sweeper declares a running backtest's node lost.
HEARTBEAT_TIMEOUT_SECONDS = env.float("HEARTBEAT_TIMEOUT_SECONDS", default=20.0)

REDIS_URL = env.str("REDIS_URL", default="")
#: prefix of every Redis key (queues and channel groups), so several deployments or test
#: runs can share one Redis server without taking each other's messages.
REDIS_NAMESPACE = env.str("REDIS_NAMESPACE", default="quantdesk")

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py's asyncio pool refuses a 101st concurrent command ("Too many
                # connections") instead of waiting; a web process with hundreds of open
                # sockets joining and leaving groups needs more than that.
                "hosts": [
                    {
                        "address": REDIS_URL,
                        "max_connections": env.int("REDIS_CHANNEL_MAX_CONNECTIONS", default=1000),
                    }
                ],
                "prefix": f"{REDIS_NAMESPACE}.asgi",
            },
        }
    }
    # The log-in rate limit's counters must be shared by every server process.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"{REDIS_NAMESPACE}.cache",
        }
    }
    DRAMATIQ_BROKER = {
        "BROKER": "dramatiq.brokers.redis.RedisBroker",
        "OPTIONS": {"url": REDIS_URL, "namespace": f"{REDIS_NAMESPACE}.dramatiq"},
        "MIDDLEWARE": [
            "dramatiq.middleware.AgeLimit",
            "dramatiq.middleware.TimeLimit",
            "dramatiq.middleware.Callbacks",
            "dramatiq.middleware.Retries",
            "backtesting.middleware.WorkerDbConnectionsMiddleware",
            # Node worker processes sweep for lost backtests of dead workers.
            "backtesting.middleware.SweeperMiddleware",
        ],
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    # In-process broker: the web server starts worker threads itself (see config/workers.py).
    DRAMATIQ_BROKER = {
        "BROKER": "dramatiq.brokers.stub.StubBroker",
        "OPTIONS": {},
        "MIDDLEWARE": [
            "dramatiq.middleware.AgeLimit",
            "dramatiq.middleware.TimeLimit",
            "dramatiq.middleware.Callbacks",
            "dramatiq.middleware.Retries",
            "backtesting.middleware.WorkerDbConnectionsMiddleware",
        ],
    }

#: worker threads started inside the server process when no REDIS_URL is set.
INPROCESS_WORKER_THREADS = env.int("INPROCESS_WORKER_THREADS", default=4)
#: start in-process workers (``make run``); tests drive the stub broker themselves.
START_INPROCESS_WORKERS = env.bool("START_INPROCESS_WORKERS", default=False)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.tokens.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "QuantDesk API",
    "VERSION": "1.0.0",
    "ENUM_NAME_OVERRIDES": {
        "BacktestStatusEnum": ["queued", "running", "completed", "runtime_error", "stopped"],
        "NodeStatusEnum": ["idle", "busy"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

#: seconds a queued backtest's message may wait before the sweeper sends it again.
QUEUED_RESEND_SECONDS = env.float("QUEUED_RESEND_SECONDS", default=60.0)
#: seconds between sweeps for lost nodes and stale queued messages.
SWEEP_INTERVAL_SECONDS = env.float("SWEEP_INTERVAL_SECONDS", default=5.0)
#: seconds between a running backtest's heartbeats (well under HEARTBEAT_TIMEOUT_SECONDS).
HEARTBEAT_INTERVAL_SECONDS = env.float("HEARTBEAT_INTERVAL_SECONDS", default=2.0)
#: seconds a worker keeps retrying an unreachable database (buffering events) before the
#: run fails; see backtesting.execution.EventWriter.
DATABASE_OUTAGE_SECONDS = env.float("DATABASE_OUTAGE_SECONDS", default=300.0)
#: seconds between two re-joins of a backtest websocket to its group, each catching up from
#: the database (a Redis restart forgets group memberships).
WEBSOCKET_RESYNC_SECONDS = env.float("WEBSOCKET_RESYNC_SECONDS", default=10.0)
#: longest a whole backtest may run (wall clock), seconds; the sandbox enforces it.
BACKTEST_MAX_SECONDS = env.float("BACKTEST_MAX_SECONDS", default=12 * 3600.0)
#: longest one time step (an ``on_data`` call or a scheduled event) may run, seconds.
BACKTEST_STEP_MAX_SECONDS = env.float("BACKTEST_STEP_MAX_SECONDS", default=600.0)

#: modules django_dramatiq imports in ``rundramatiq`` to find actors.
DRAMATIQ_AUTODISCOVER_MODULES = ["actors"]

REST_FRAMEWORK["EXCEPTION_HANDLER"] = "config.exceptions.api_exception_handler"

# Web security. Headers hold in development too; the TLS-only settings default on when DEBUG
# is off (so `manage.py check --deploy` passes) and can be turned off by environment for a
# deployment that terminates TLS elsewhere and says so.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    # Behind a TLS-terminating proxy that sets X-Forwarded-Proto (and strips clients' own).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
#: Content-Security-Policy sent with every page (config.middleware.SecurityHeadersMiddleware).
CONTENT_SECURITY_POLICY = env.str(
    "CONTENT_SECURITY_POLICY",
    default="frame-ancestors 'none'; object-src 'none'; base-uri 'self'; form-action 'self'",
)
