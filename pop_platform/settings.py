"""Settings for POP Platform, read from the environment.

Local defaults need no server: SQLite and kombu's filesystem broker under ``var/``, and
e-mail on the console. Production is switched on by environment variables; see
``.env.example`` for every variable. Bad values fail loudly at start.
"""

import logging
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Exchange, Queue

from pop_platform import cache, observability, storage
from pop_platform.proxy import DEFAULT_TRUSTED_PROXIES, parse_networks
from pop_platform.static_headers import add_security_headers

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    env.read_env(BASE_DIR / ".env", overwrite=False)
VAR_DIR = Path(env.str("POP_VAR_DIR", default="") or BASE_DIR / "var")

_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def env_bool(name: str, *, default: bool) -> bool:
    """A yes/no variable; anything but a clear yes or no stops the start."""
    raw = env.str(name, default="").strip().lower()
    if not raw:
        return default
    if raw not in _TRUE | _FALSE:
        raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")
    return raw in _TRUE


DEBUG = env_bool("DJANGO_DEBUG", default=True)
# With DEBUG on, people still get the app's own "page not found" page; a developer who
# wants Django's technical 404 page (with the URL patterns tried) switches this on.
DEBUG_TECHNICAL_404 = DEBUG and env_bool("DJANGO_DEBUG_TECHNICAL_404", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false.")
    SECRET_KEY = "local-development-only-not-secret-8f2c1d7e4b9a"  # noqa: S105

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set when DJANGO_DEBUG is false.")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "template_partials",
    "axes",
    "csp",
    "storages",
    "django_prometheus",
    "django_structlog",
    # Shared infrastructure: system checks, /healthz, /metrics (no models of its own).
    "pop_platform",
    # Single sign-on with each organisation's OpenID Connect provider (people.sso) and
    # two-factor sign-in with TOTP and recovery codes (people.two_factor).
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Our apps, in layering order (see pyproject.toml's import-linter contract).
    "people",
    "goals",
    "plans",
    "feedback",
    "conversations",
    "dashboards",
    "integrations",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # Health checks answer whatever the Host header (a probe uses the container's address).
    "pop_platform.health.HealthCheckMiddleware",
    # First of ours: the client's real address and scheme behind the reverse proxy.
    "pop_platform.proxy.ProxyHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "pop_platform.middleware.SessionIdleRefreshMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # JSON request logs with a request id and the signed-in person's public id.
    "django_structlog.middlewares.RequestMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "pop_platform.middleware.UserLanguageMiddleware",
    "pop_platform.middleware.OwnNotFoundPageMiddleware",
    "pop_platform.middleware.NoStoreForSignedInMiddleware",
    # Writes the request's audit events (people.audit) in one INSERT when it is done.
    "people.audit.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # After the messages (it says why a session ended) and inside the security headers
    # (its htmx redirect gets them too); before the views.
    "pop_platform.middleware.SessionLimitsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Axes last: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "pop_platform.urls"
# ``make bench`` only: a bare signed-in view to compare every page with.
BENCH_BASELINE = env_bool("POP_BENCH_BASELINE", default=False)
WSGI_APPLICATION = "pop_platform.wsgi.application"

# Part of the key of every cached fragment (pop_platform.cache.fragment).
RELEASE_DIGEST = cache.release_digest(BASE_DIR)
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "people.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": env.db_url_config(
        env.str("DATABASE_URL", default="") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
    )
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=0))
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication --------------------------------------------------------------------
AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's model backend; also refuses people past their end date, at sign-in and
    # on every request of their sessions.
    "people.backends.PersonBackend",
    # Sessions begun at the organisation's OpenID Connect provider (people.sso).
    "people.backends.SingleSignOnBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboards:home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "people.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24  # one day
# An invitation's link to set a password is valid this many days (people.invitations).
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=14)
if INVITATION_VALID_DAYS < 1:
    raise ImproperlyConfigured("INVITATION_VALID_DAYS must be at least 1.")

# django-allauth serves only the OpenID Connect sign-in of each organisation's provider
# (people.sso); our own pages do password sign-in, reset and sign-out. Its apps come from
# the organisations' SignInSettings (people.sso.SingleSignOnAdapter.list_apps).
SOCIALACCOUNT_ADAPTER = "people.sso.SingleSignOnAdapter"
ACCOUNT_ADAPTER = "people.sso.AccountAdapter"
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True}}
SOCIALACCOUNT_REQUESTS_TIMEOUT = env.int("SSO_TIMEOUT_SECONDS", default=10)
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_EMAIL_NOTIFICATIONS = False
# django-otp: the issuer shown in authenticator apps.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="POP Platform")

# Lock out after repeated failed sign-ins, counted per user name + IP address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "people.access.axes_username"
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_RESET_ON_SUCCESS = True
# The client's address as pop_platform.proxy found it (never a header a client sent).
AXES_CLIENT_IP_CALLABLE = "pop_platform.proxy.client_ip"
AXES_VERBOSE = False

# --- Sessions and cookies --------------------------------------------------------------
# Idle limit: the session expires after this many minutes without a request. A session
# in use is saved again (its expiry renewed) at most once a minute, not on every request
# (pop_platform.middleware.SessionIdleRefreshMiddleware).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=60) * 60
# Sessions in the shared cache, backed by the database (pop_platform.sessions).
SESSION_ENGINE = "pop_platform.sessions"
SESSION_CACHE_ALIAS = "sessions"
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = 60
# Absolute limit: a session ends this many hours after sign-in, however active it is
# (pop_platform.middleware.SessionLimitsMiddleware).
SESSION_ABSOLUTE_HOURS = env.int("SESSION_ABSOLUTE_HOURS", default=12)
if SESSION_COOKIE_AGE < 60 or SESSION_ABSOLUTE_HOURS < 1:
    raise ImproperlyConfigured(
        "SESSION_IDLE_MINUTES and SESSION_ABSOLUTE_HOURS must be at least 1."
    )
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_NAME = "pop_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Reverse proxies ------------------------------------------------------------------
# How many proxies (Caddy, an ingress) stand between the clients and the app, and where
# they may connect from; their X-Forwarded-* headers are believed from there only
# (pop_platform.proxy).
PROXY_COUNT = env.int("DJANGO_PROXY_COUNT", default=0)
if PROXY_COUNT < 0:
    raise ImproperlyConfigured("DJANGO_PROXY_COUNT must be 0 or more.")
TRUSTED_PROXY_NETWORKS = parse_networks(
    env.list("DJANGO_TRUSTED_PROXY_IPS", default=list(DEFAULT_TRUSTED_PROXIES)),
    setting="DJANGO_TRUSTED_PROXY_IPS",
)

# --- Security headers ------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz(/live)?$", r"^metrics$"]
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

# Strict Content-Security-Policy: no inline scripts or styles, no eval, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# --- Internationalisation --------------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [Path(env.str("POP_LOCALE_DIR", default="") or BASE_DIR / "locale")]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
# One date format per language for every page, e-mail and PDF (pop_platform/formats).
FORMAT_MODULE_PATH = ["pop_platform.formats"]
USE_TZ = True

# --- Static files ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_ADD_HEADERS_FUNCTION = add_security_headers
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default="") or VAR_DIR / "media")
MEDIA_URL = "/media/"
# Generated files (plan PDFs) are private: no URL serves them; the app reads them back
# after its access checks (pop_platform.storage). Embedded default: the local disk under
# MEDIA_ROOT. With a bucket: any S3-compatible store, shared by every web and worker.
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
_default_storage = (
    storage.object_storage(
        bucket=AWS_STORAGE_BUCKET_NAME,
        endpoint=env.str("AWS_S3_ENDPOINT_URL", default=""),
        region=env.str("AWS_S3_REGION_NAME", default=""),
        access_key=env.str("AWS_ACCESS_KEY_ID", default=""),
        secret_key=env.str("AWS_SECRET_ACCESS_KEY", default=""),
        location=env.str("AWS_LOCATION", default=""),
        addressing_style=env.str("AWS_S3_ADDRESSING_STYLE", default=""),
    )
    if AWS_STORAGE_BUCKET_NAME
    else storage.local_storage()
)
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- Cache -----------------------------------------------------------------------------
# One cache for every process: Redis when REDIS_URL is set (CACHE_URL picks another Redis
# or database), this process's memory otherwise (pop_platform.cache).
CACHE_URL = env.str("CACHE_URL", default="") or env.str("REDIS_URL", default="")
# Redis behind Sentinel: the sentinels' host:port, comma-separated; REDIS_URL (and
# CACHE_URL) then name the master instead of a host: redis://:PASSWORD@mymaster/0.
REDIS_SENTINELS = cache.sentinels(env.list("REDIS_SENTINELS", default=[]))
CACHES = cache.caches_config(CACHE_URL, sentinels=REDIS_SENTINELS)
# A Redis that cannot be reached is logged, and read as a miss.
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True

# --- E-mail ----------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url_config(env.str("EMAIL_URL", default="") or "consolemail://")
vars().update(EMAIL_CONFIG)
# Seconds an SMTP connection may block on one step, so a hung mail server fails the
# attempt (and the task retries) instead of holding a worker forever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="POP Platform <pop@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# --- Celery ----------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# Seconds after which Redis hands a task that was taken but never acknowledged (its
# worker died) to another worker. Longer than any task runs and than the longest retry
# wait (TASK_RETRY_BACKOFF_MAX_SECONDS), or that task would be handed out twice.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60)
if CELERY_VISIBILITY_TIMEOUT < 1:
    raise ImproperlyConfigured("CELERY_VISIBILITY_TIMEOUT must be at least 1 second.")
if REDIS_URL:
    CELERY_BROKER_URL = cache.broker_url(REDIS_URL, sentinels=REDIS_SENTINELS)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **cache.broker_sentinel_options(REDIS_URL, sentinels=REDIS_SENTINELS),
        "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
        # Workers look for such abandoned tasks every tenth of the timeout (1 to 10 s)
        # rather than kombu's default of about every 100 s.
        "unacked_restore_interval": min(10, max(1, CELERY_VISIBILITY_TIMEOUT // 10)),
        "unacked_restore_throttle": 1,
        "socket_connect_timeout": 3,
        "socket_timeout": 10,
    }
else:
    # One folder in and out (kombu needs them equal), and a control folder.
    _queue_dir = VAR_DIR / "celery" / "queue"
    _control_dir = VAR_DIR / "celery" / "control"
    for _folder in (_queue_dir, _control_dir):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "control_folder": str(_control_dir),
    }
CELERY_TASK_IGNORE_RESULT = True
# PDFs have a queue of their own, which every worker also takes from (Celery's workers
# consume all of ``task_queues``): someone waiting for their PDF is not kept behind a
# morning's reminders, and their export is not given up while the other queue is long.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = tuple(
    Queue(name, Exchange(name), routing_key=name) for name in ("celery", "celery-pdf")
)
CELERY_TASK_ROUTES = {"plans.tasks.plan_render_pdf": {"queue": "celery-pdf"}}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
# Beat: one sweep decides which reminders are due and queues them in the outbox; the
# outbox queues again the messages whose task was lost (Redis down); plans record the
# PDFs whose render was lost; the retention job runs once a day per organisation.
REMINDER_SWEEP_SECONDS = env.int("REMINDER_SWEEP_SECONDS", default=5 * 60)
CELERY_BEAT_SCHEDULE: dict = {
    "reminders-sweep": {
        "task": "conversations.tasks.reminders_sweep",
        "schedule": REMINDER_SWEEP_SECONDS,
    },
    "outbox-requeue": {"task": "people.tasks.outbox_requeue", "schedule": REMINDER_SWEEP_SECONDS},
    "plan-exports-stale": {
        "task": "plans.tasks.plan_exports_fail_stale",
        "schedule": REMINDER_SWEEP_SECONDS,
    },
    "retention": {"task": "people.tasks.retention_sweep", "schedule": 15 * 60},
    "plan-exports-expire": {"task": "plans.tasks.plan_exports_expire", "schedule": 60 * 60},
}
# Beat wakes at least this often and says so in a heartbeat file (its health check).
CELERY_BEAT_SCHEDULER = "pop_platform.celery.HeartbeatScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = 30
# Days a made plan PDF is kept in the store (local disk or bucket) before its file is
# deleted; asking again makes a new one.
PDF_KEEP_DAYS = env.int("PDF_KEEP_DAYS", default=30)
if PDF_KEEP_DAYS < 1:
    raise ImproperlyConfigured("PDF_KEEP_DAYS must be at least 1.")
# Sending and rendering tasks retry failures (SMTP down, disk full) this many times,
# waiting between half and all of TASK_RETRY_BACKOFF_SECONDS, then twice as long each time
# (at most ten minutes; pop_platform.retries), before they give up and
# record the failure on the row.
TASK_MAX_RETRIES = env.int("TASK_MAX_RETRIES", default=5)
TASK_RETRY_BACKOFF_SECONDS = env.int("TASK_RETRY_BACKOFF_SECONDS", default=30)
TASK_RETRY_BACKOFF_MAX_SECONDS = 10 * 60
if TASK_MAX_RETRIES < 0 or TASK_RETRY_BACKOFF_SECONDS < 1:
    raise ImproperlyConfigured(
        "TASK_MAX_RETRIES must be 0 or more and TASK_RETRY_BACKOFF_SECONDS at least 1."
    )

# --- Forms, logging --------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"


# --- Logs, metrics, errors -------------------------------------------------------------
# Logs on stdout: JSON lines in production (DJANGO_LOG_FORMAT=json), readable lines for
# local use. Each request's lines carry its request id, the signed-in person's public id
# (never a name or an e-mail address) and, on the last one, its duration.
LOG_FORMAT = env.str("DJANGO_LOG_FORMAT", default="") or ("console" if DEBUG else "json")
if LOG_FORMAT not in ("json", "console"):
    raise ImproperlyConfigured("DJANGO_LOG_FORMAT must be json or console.")
LOGGING = observability.logging_config(
    json=LOG_FORMAT == "json", level=env.str("DJANGO_LOG_LEVEL", default="INFO")
)
observability.configure_structlog(json=LOG_FORMAT == "json")
DJANGO_STRUCTLOG_USER_ID_FIELD = "uuid"
DJANGO_STRUCTLOG_IP_LOGGING_ENABLED = False
# Caddy sends each request's id (X-Request-ID), so its log and ours match; from anywhere
# else the header is dropped (pop_platform.proxy).
DJANGO_STRUCTLOG_TRUST_UPSTREAM_REQUEST_ID = True
DJANGO_STRUCTLOG_CELERY_ENABLED = True
DJANGO_STRUCTLOG_COMMAND_LOGGING_ENABLED = False
# One line per request: request_finished (with the request, user agent, status and
# duration). request_started is a debug line, dropped before it is formatted.
DJANGO_STRUCTLOG_STATUS_START_LOG_LEVEL = logging.DEBUG

# Prometheus metrics at /metrics, for a scraper holding METRICS_TOKEN (without it the page
# answers 404). Processes of one server share their counters through
# PROMETHEUS_MULTIPROC_DIR (gunicorn.conf.py sets one up).
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
PROMETHEUS_EXPORT_MIGRATIONS = False

# Errors to Sentry when SENTRY_DSN is set, with personal data scrubbed.
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    observability.init_sentry(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

# --- Webhooks, Teams and Slack ---------------------------------------------------------
# Deliveries to the loopback, private and link-local ranges are refused (a URL typed by HR
# must not reach into the operator's network) unless this is true: for an installation
# whose receivers live on its own network, and for tests.
WEBHOOK_ALLOW_PRIVATE = env_bool("WEBHOOK_ALLOW_PRIVATE", default=False)
WEBHOOK_TIMEOUT_SECONDS = env.int("WEBHOOK_TIMEOUT_SECONDS", default=10)
# A subscription is switched off (and HR told) after this many deliveries in a row were
# given up, each after every retry (TASK_MAX_RETRIES).
WEBHOOK_DISABLE_AFTER = env.int("WEBHOOK_DISABLE_AFTER", default=3)
if WEBHOOK_TIMEOUT_SECONDS < 1 or WEBHOOK_DISABLE_AFTER < 1:
    raise ImproperlyConfigured(
        "WEBHOOK_TIMEOUT_SECONDS and WEBHOOK_DISABLE_AFTER must be at least 1."
    )

# --- REST API ------------------------------------------------------------------------------
# Requests per client per window (seconds), counted in the shared cache; past it, 429 with
# Retry-After.
API_RATE_LIMIT = env.int("API_RATE_LIMIT", default=600)
API_RATE_WINDOW = env.int("API_RATE_WINDOW", default=60)
if API_RATE_LIMIT < 1 or API_RATE_WINDOW < 1:
    raise ImproperlyConfigured("API_RATE_LIMIT and API_RATE_WINDOW must be at least 1.")
