"""Settings shared by every environment; values come from the environment (django-environ)."""

from email.utils import getaddresses
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A developer's .env is read if present; real deployments set the environment directly.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="insecure-local-only-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    # The project's apps, lowest layer first (DEVELOPERS.md, "Layers"); each imports only those above it here.
    "jobs",
    "reviews",
    "notifications",
    "clients",
    "indicators",
    "results",
    "goals",
    "interviews",
    "appeals",
    "documents",
    "portal",
    "demo",
]

MIDDLEWARE = [
    # First: /healthz and /readyz answer a container's health check whatever its Host header (lawfirm_kpi/health.py).
    "lawfirm_kpi.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "lawfirm_kpi.urls"
WSGI_APPLICATION = "lawfirm_kpi.wsgi.application"

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
                "reviews.context_processors.roles",
            ],
            # {% colon %} between a label and its value, in the reader's language (docs/chinese.md).
            "builtins": ["lawfirm_kpi.text"],
        },
    },
]

# The embedded default is a SQLite file next to manage.py; DATABASE_URL=postgres://… switches.
DATABASES = {"default": env.db_url_config(env("DATABASE_URL", default="") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while an import writes; the timeout rides out short write locks.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# No page keeps what it shows in the cache: every page is read fresh and fast cold (docs/operations.md, "No
# results cache"). The cache is still configured, as Django expects one and /readyz checks it.
CACHES = {"default": env.cache_url_config(env("CACHE_URL", default="locmemcache://"))}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Users read Chinese first: Simplified Chinese is the default, English the alternative.
LANGUAGE_CODE = "zh-hans"
# English dates in ISO order (year first, 24-hour clock), like the firm's Chinese ones: lawfirm_kpi/formats.
FORMAT_MODULE_PATH = ["lawfirm_kpi.formats"]
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
# Private files (imports in flight, feedback PDFs, appeal evidence) never live under a public URL: a local folder,
# or an S3-compatible bucket with PRIVATE_STORAGE=s3 (lawfirm_kpi/settings/storage.py).
from lawfirm_kpi.settings import storage as _storage  # noqa: E402

PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private_media")))
STORAGES = {
    "default": _storage.from_environment(env, location=PRIVATE_MEDIA_ROOT),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: one configuration for every environment (docs/operations.md "E-mail"). Locally the console prints the
# messages; set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and the EMAIL_HOST… below to send.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
# Seconds an SMTP connection may block; a mail server that hangs otherwise holds the outbox sender for ever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="kpi@lawfirm.example")
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
FIRM_NAME = env("FIRM_NAME", default="明理律师事务所")

# The outbox of notices (notifications.outbox, docs/operations.md "Notices"). A failed e-mail waits
# NOTICE_RETRY_BACKOFF seconds, then twice that… up to NOTICE_RETRY_BACKOFF_MAX, and is given up (shown to the
# execution group, who can retry it) after NOTICE_MAX_ATTEMPTS attempts: about a day of outage at the defaults.
NOTICE_EMAIL = True  # False: notices go to the in-app list only (the demo's history uses it)
NOTICE_RETRY_BACKOFF = env.float("NOTICE_RETRY_BACKOFF", default=30)
NOTICE_RETRY_BACKOFF_MAX = env.float("NOTICE_RETRY_BACKOFF_MAX", default=300)
NOTICE_MAX_ATTEMPTS = env.int("NOTICE_MAX_ATTEMPTS", default=300)
# One drain task may run this long (hard limit); it stops claiming after NOTICE_DRAIN_BUDGET and queues the next.
NOTICE_DRAIN_TIME_LIMIT = env.int("NOTICE_DRAIN_TIME_LIMIT", default=150)
NOTICE_DRAIN_BUDGET = env.float("NOTICE_DRAIN_BUDGET", default=60)
# A sender owns a claimed e-mail this long: longer than a drain may run, so no two senders ever hold the same
# row; a sender that died gives it up when this ends.
NOTICE_CLAIM_SECONDS = env.int("NOTICE_CLAIM_SECONDS", default=NOTICE_DRAIN_TIME_LIMIT + 30)

# Feedback documents (documents.feedback). A render is killed after FEEDBACK_RENDER_TIME_LIMIT seconds, so a
# document "rendering" for longer lost its worker and is queued again; one waiting longer than
# FEEDBACK_STUCK_PENDING_AFTER lost its message. Workers sweep for both when they start (then every
# FEEDBACK_SWEEP_INTERVAL while documents are unfinished) and after each render; beat sweeps too.
FEEDBACK_RENDER_TIME_LIMIT = env.int("FEEDBACK_RENDER_TIME_LIMIT", default=150)
FEEDBACK_RENDER_MAX_RETRIES = env.int("FEEDBACK_RENDER_MAX_RETRIES", default=3)
FEEDBACK_RETRY_BACKOFF = env.float("FEEDBACK_RETRY_BACKOFF", default=20)
FEEDBACK_RETRY_BACKOFF_MAX = env.float("FEEDBACK_RETRY_BACKOFF_MAX", default=300)
FEEDBACK_STUCK_PENDING_AFTER = env.int("FEEDBACK_STUCK_PENDING_AFTER", default=600)
FEEDBACK_SWEEP_INTERVAL = env.int("FEEDBACK_SWEEP_INTERVAL", default=FEEDBACK_RENDER_TIME_LIMIT + 30)
# A quarter published this recently whose results have no documents yet gets its batch again (lost message).
FEEDBACK_MISSING_WINDOW = env.int("FEEDBACK_MISSING_WINDOW", default=2 * 24 * 3600)

# Jobs (docs/operations.md, "Jobs"): the longest one job may run, and how long a queued or running job may go
# without a sign of life before the sweep queues it again (longer than the limit: a live job is never run twice).
JOBS_TIME_LIMIT = env.int("JOBS_TIME_LIMIT", default=900)
JOBS_STALE_AFTER = env.int("JOBS_STALE_AFTER", default=JOBS_TIME_LIMIT + 60)

# Celery: with no broker configured, tasks run in-process; make run configures a broker that needs no server
# (settings/local.py), production and CI name Redis.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
# With JSON logs a worker's lines must be JSON too: Celery then leaves the root logger to LOGGING below.
CELERY_WORKER_HIJACK_ROOT_LOGGER = env("LOG_FORMAT", default="plain").strip().lower() != "json"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None)
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# Redis hands a late-acknowledged message that was not acknowledged within visibility_timeout to another worker
# (kombu's default is an hour: a killed worker's document stayed "rendering" that long). It must exceed the
# longest a message may legitimately stay unacknowledged: waiting prefetched behind one running task (prefetch 1)
# and then running, each at most the longest time limit, or waiting for a retry's countdown. Anything shorter
# runs tasks twice (harmless, they are idempotent, but wasteful); anything longer delays recovery.
_LONGEST_UNACKNOWLEDGED = max(
    2 * max(CELERY_TASK_TIME_LIMIT, FEEDBACK_RENDER_TIME_LIMIT, NOTICE_DRAIN_TIME_LIMIT),
    FEEDBACK_RETRY_BACKOFF_MAX,
    NOTICE_RETRY_BACKOFF_MAX,
)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=int(_LONGEST_UNACKNOWLEDGED) + 60),
    # How often a worker looks for messages to give back (every interval × throttle seconds).
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=3),
}

# Imports: files above this size are refused before they are read.
IMPORT_MAX_UPLOAD_BYTES = env.int("IMPORT_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
# ... and files with more data rows than this are refused at upload, before any row is read: twice the 100,000
# rows the import benchmark holds to its time and memory bounds (docs/import-formats.md, docs/benchmarks.md).
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=200_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

MESSAGE_TAGS = {40: "danger"}

# Logs and error reports (docs/operations.md, "Logs and error reports"): LOG_FORMAT=json writes one JSON object a
# line (lawfirm_kpi/logs.py); ADMINS="Name <address>, …" also e-mails every ERROR (a failed request with its
# traceback, a failed task) to those addresses, from SERVER_EMAIL.
LOG_FORMAT = env("LOG_FORMAT", default="plain").strip().lower()
if LOG_FORMAT not in ("plain", "json"):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(f"LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}.")
ADMINS = [(name, address) for name, address in getaddresses([env("ADMINS", default="")]) if "@" in address]
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"require_debug_false": {"()": "django.utils.log.RequireDebugFalse"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "lawfirm_kpi.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT},
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console", *(["mail_admins"] if ADMINS else [])], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own default handlers (a second console, a second mail_admins) are replaced: its records reach
        # the root's handlers above, once.
        "django": {"level": "INFO"},
        # Scanners sending other Host headers are logged, not e-mailed to ADMINS at every probe.
        "django.security.DisallowedHost": {"handlers": ["console"], "propagate": False},
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint reports every layout step of every PDF at INFO ("Step 2 - Fetching and parsing CSS"): noise
        # in a worker's log and in `make run` while the demo renders its feedback; its warnings still show.
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# ------------------------------------------------------------------------------------------------------------------
# Security (README.md, "Security model"). Additive: the block below extends the lists above rather than rewriting them.
# ------------------------------------------------------------------------------------------------------------------
from datetime import timedelta  # noqa: E402

# "security_events" wires the security log to the login, lockout and quarter signals (lawfirm_kpi/security.py);
# "axes" throttles repeated failed logins; "accounts" adds the per-address, per-username and password-reset limits.
INSTALLED_APPS += ["axes", "accounts", "lawfirm_kpi.security.SecurityEventsConfig"]
# The security headers go on every response; responses of the application are never stored by browsers or
# proxies (static files, served by whitenoise above, keep their caching); refused access (403, hidden 404) is
# logged; axes stays last.
MIDDLEWARE += [
    "lawfirm_kpi.security.SecurityHeadersMiddleware",
    "lawfirm_kpi.security.NoStoreMiddleware",
    "lawfirm_kpi.security.RefusedAccessLogMiddleware",
    "axes.middleware.AxesMiddleware",
]
# Axes must come first: it refuses a locked-out login before the password is even checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]

# Sign-in limits (docs/operations.md, "Sign-in and password-reset limits"); each failed sign-in counts in all three.
# 1. One username from one address: 5 failures pause that pair for 15 minutes (axes).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Attempts during the pause do not restart it: the page can truthfully say how long it lasts.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# 2. One address, any usernames (password spraying): at most 20 failures in any 15 minutes, then the address waits.
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
LOGIN_ADDRESS_WINDOW = timedelta(minutes=env.int("LOGIN_ADDRESS_WINDOW_MINUTES", default=15))
# 3. One username, any addresses (guessing from many machines): at most 10 failures in any 10 minutes. The pause
# spares addresses from which the username signed in successfully in the last 90 days, so nobody can lock a
# colleague (or the partner) out of their usual computer by typing wrong passwords for them.
LOGIN_USERNAME_FAILURE_LIMIT = env.int("LOGIN_USERNAME_FAILURE_LIMIT", default=10)
LOGIN_USERNAME_WINDOW = timedelta(minutes=env.int("LOGIN_USERNAME_WINDOW_MINUTES", default=10))
LOGIN_KNOWN_ADDRESS_DAYS = env.int("LOGIN_KNOWN_ADDRESS_DAYS", default=90)
AXES_HANDLER = "accounts.signin.SignInThrottleHandler"
# The lockout page (templates/registration/lockout.html) in the user's language, with HTTP status 429.
AXES_LOCKOUT_CALLABLE = "lawfirm_kpi.security.lockout_response"
# The client's address: REMOTE_ADDR, or with TRUSTED_PROXY_COUNT > 0 the address those proxies saw. Set it to the
# number of reverse proxies in front of the site (deploy.env.example: 1); docs/operations.md says what a wrong
# count does.
AXES_CLIENT_IP_CALLABLE = "accounts.addresses.client_ip"
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Password-reset e-mails: at most 5 requests an hour from one address and 5 for one e-mail address.
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.int("PASSWORD_RESET_LIMIT_PER_ADDRESS", default=5)
PASSWORD_RESET_LIMIT_PER_ACCOUNT = env.int("PASSWORD_RESET_LIMIT_PER_ACCOUNT", default=5)
PASSWORD_RESET_WINDOW = timedelta(minutes=env.int("PASSWORD_RESET_WINDOW_MINUTES", default=60))
# The security log says it; axes' own lines would repeat it.
AXES_VERBOSE = False

# Content-Security-Policy: only this site's own files. Inline <script> and on…= handlers are refused.
# style-src keeps 'unsafe-inline' because a few templates size bars and swatches with style="…" attributes
# (e.g. indicators/scheme_whatif.html, rating_round_detail.html); styles cannot run code. The SVG charts are inline
# <svg> elements, which need no exception; Bootstrap's CSS draws its form icons from data: URIs.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Sessions last a working day at most and end with the browser; scripts cannot read the cookies' session.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Requests: at most this many form fields and files (no form of the product comes near either); bodies other than
# files are capped by DATA_UPLOAD_MAX_MEMORY_SIZE above, files by each upload form (imports, appeal attachments).
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000
DATA_UPLOAD_MAX_NUMBER_FILES = 20

# The "security" logger: login failures, lockouts, refused access, approvals, publications, appeal decisions.
LOGGING["loggers"]["security"] = {"level": "INFO"}

# Signing in with the firm's directory (docs/operations.md, "Signing in with LDAP"): off unless LDAP_SERVER_URI is
# set; then the directory is asked after the local accounts, and axes (first) still throttles every attempt.
from lawfirm_kpi.settings import directory as _directory  # noqa: E402

_DIRECTORY = _directory.from_environment(env)
globals().update(_DIRECTORY)
AUTHENTICATION_BACKENDS = _directory.backends(AUTHENTICATION_BACKENDS, _DIRECTORY)
