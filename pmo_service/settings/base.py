"""Settings shared by every environment. All values are read from the environment."""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# An optional .env file beside manage.py, for people who prefer it to exported variables.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "simple_history",
    "import_export",
    "axes",
    # Domain apps, lowest first (see docs/architecture.md).
    "stakeholders",
    "catalog",
    "portfolio",
    "engagements",
    "improvement",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "pmo_service.middleware.RejectNullBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Sign-in form posts per address (the token endpoint's budget); needs the request's user.
    "pmo_service.middleware.SignInRateLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: turns a sign-in refused for lockout into its 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pmo_service.urls"
WSGI_APPLICATION = "pmo_service.wsgi.application"

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
                "stakeholders.context_processors.current_organization",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
# Behind pgbouncer in transaction pooling, server-side cursors (QuerySet.iterator()) would
# outlive the transaction that pgbouncer ties to a server connection: turn them off there.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env.bool(
    "DISABLE_SERVER_SIDE_CURSORS", default=False
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "stakeholders.User"

REDIS_SCHEMES = ("redis://", "rediss://", "rediscache://")


def cache_config(url: str) -> dict:
    """A cache from its URL, always on Django's own Redis backend for Redis URLs.

    django-environ picks django-redis for ``redis://`` whenever that package happens to be
    installed; this project depends on Django's built-in backend (and redis-py) only.
    """
    config = env.cache_url_config(url)
    if url.startswith(REDIS_SCHEMES):
        config["BACKEND"] = "django.core.cache.backends.redis.RedisCache"
    return config


CACHES = {"default": cache_config(env.str("CACHE_URL", default="locmemcache://"))}
# The admin import keeps the uploaded file between its preview and its confirm in the default
# cache, not in the local /tmp: the confirm may reach another web replica.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.CacheStorage"

# API rate limits are counted in the "throttle" cache. It must be shared by every web process
# (Redis) or each process would grant the full rate: THROTTLE_CACHE_URL, else the first Redis
# among CACHE_URL, REDIS_URL and CELERY_BROKER_URL; only without any Redis a per-process
# memory cache (development). Short socket timeouts: when Redis is down the throttles let
# requests through (pmo_service.api.throttles) and must not wait long to find out.
THROTTLE_CACHE_URL = env.str("THROTTLE_CACHE_URL", default="") or next(
    (
        url
        for url in (
            env.str("CACHE_URL", default=""),
            env.str("REDIS_URL", default=""),
            env.str("CELERY_BROKER_URL", default=""),
        )
        if url.startswith(REDIS_SCHEMES)
    ),
    "locmemcache://throttle",
)
CACHES["throttle"] = {**cache_config(THROTTLE_CACHE_URL), "KEY_PREFIX": "pmo"}
if THROTTLE_CACHE_URL.startswith(REDIS_SCHEMES):
    CACHES["throttle"]["OPTIONS"] = {
        "socket_connect_timeout": env.float("THROTTLE_CACHE_TIMEOUT", default=0.5),
        "socket_timeout": env.float("THROTTLE_CACHE_TIMEOUT", default=0.5),
        **CACHES["throttle"].get("OPTIONS", {}),
    }

# Proxies we run in front of the application (load balancer, ingress) that append the
# client's address to X-Forwarded-For. 0: clients connect directly and REMOTE_ADDR is theirs.
# Login lockout and API throttles count clients by this address, so it must be right: too
# high and clients can forge their address, too low and every client looks like the proxy.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# --- Passwords, sign-in lockout, sessions -------------------------------------------------------
# NIST SP 800-63B rev. 4: at least 15 characters for a password used alone, at least 64
# accepted, no composition rules (so no NumericPasswordValidator), refuse common passwords.
PASSWORD_MIN_LENGTH = env.int("PASSWORD_MIN_LENGTH", default=15)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {
        "NAME": "pmo_service.passwords.MaximumLengthValidator",
        "OPTIONS": {"max_length": 128},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# django-axes refuses sign-in (pages, admin and the API token endpoint alike) for a username
# from an address after AXES_FAILURE_LIMIT failures in a row, for AXES_COOLOFF_MINUTES after
# the last failure; a success resets the count. Attempts are kept in the database, so every
# process sees them, and staff see and delete them in the admin ("Access attempts").
# Per username *and* address, so an attacker cannot lock a user out from elsewhere, and one
# office behind one address is not locked out by one person's typos. Axes has a single
# limit for every parameter set, so spraying many usernames from one address is bounded by
# the API throttles rather than by an address-wide lockout (docs/security.md).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "pmo_service.api.throttles.client_address"
AXES_HTTP_RESPONSE_CODE = 429
# One start-up banner per process is noise in every management command and worker log.
AXES_VERBOSE = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Madrid")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Mail transport as one URL: smtp+tls://user:password@host:587, or consolemail:// (default,
# prints mails to the log). Sets EMAIL_BACKEND, EMAIL_HOST, EMAIL_PORT, ... in one go.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="PMO Service <pmo@localhost>")
# Absolute address of the portal, used in links sent by e-mail (invitations).
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")

# --- Classification thresholds ----------------------------------------------------------------
# Where a published method classifies by "high" vs "low" (Mendelow's grid, Gartner TIME) or
# rates a score, the boundaries are the provider's to set. Each value is the first score that
# counts as high (or reaches the rating). Checked at startup by the apps' system checks.
PMO_THRESHOLDS = {
    # Power/interest grid, scores 1-5: from this value on, power or interest is "high".
    "POWER_HIGH_FROM": env.int("PMO_POWER_HIGH_FROM", default=3),
    "INTEREST_HIGH_FROM": env.int("PMO_INTEREST_HIGH_FROM", default=3),
    # Risk score = probability x impact (1-25); the first score of each rating above "low".
    "RISK_MEDIUM_FROM": env.int("PMO_RISK_MEDIUM_FROM", default=5),
    "RISK_HIGH_FROM": env.int("PMO_RISK_HIGH_FROM", default=10),
    "RISK_CRITICAL_FROM": env.int("PMO_RISK_CRITICAL_FROM", default=15),
    # Gartner TIME, fits 1-4: from this value on, functional or technical fit is "high".
    "FUNCTIONAL_FIT_HIGH_FROM": env.int("PMO_FUNCTIONAL_FIT_HIGH_FROM", default=3),
    "TECHNICAL_FIT_HIGH_FROM": env.int("PMO_TECHNICAL_FIT_HIGH_FROM", default=3),
}

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first so anonymous API calls get 401 with a WWW-Authenticate header.
        "stakeholders.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "pmo_service.api.pagination.StandardPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_FILTER_BACKENDS": [
        "pmo_service.api.filters.FilterSetBackend",
        "rest_framework.filters.SearchFilter",
        "pmo_service.api.filters.StrictOrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "pmo_service.api.exceptions.api_exception_handler",
    # Every API view is rate limited, per user when signed in and per address otherwise,
    # counted in the shared "throttle" cache; 429 answers carry Retry-After.
    "DEFAULT_THROTTLE_CLASSES": [
        "pmo_service.api.throttles.AnonRateThrottle",
        "pmo_service.api.throttles.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON_RATE", default="60/min"),
        "user": env.str("THROTTLE_USER_RATE", default="1200/min"),
        "auth": env.str("THROTTLE_AUTH_RATE", default="30/min"),
    },
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "PMO Service API",
    "DESCRIPTION": (
        "REST API of PMO Service. Authenticate with a session or with a token from "
        "`POST /api/v1/auth/token/` sent as `Authorization: Token <key>`. Client users see "
        "only their own organization's data; PMO staff see every organization."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    # The API has grown past what Swagger UI renders expanded in one go (it stops part way
    # through the operations): list the tags collapsed, open one to see its operations.
    "SWAGGER_UI_SETTINGS": {"docExpansion": "none", "filter": True},
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Fields called "status" or "kind" mean different things on different resources: name
    # each enum after its meaning so the schema has no naming collisions.
    "ENUM_NAME_OVERRIDES": {
        "ServiceStatusEnum": "catalog.choices.ServiceStatus",
        "RequestStatusEnum": "catalog.choices.RequestStatus",
        "CriterionKindEnum": "catalog.choices.CriterionKind",
        "OrganizationKindEnum": "stakeholders.choices.OrganizationKind",
        "EngagementLevelEnum": "stakeholders.choices.EngagementLevel",
        "FitEnum": "portfolio.choices.Fit",
        "TimeClassEnum": "portfolio.choices.TimeClass",
        "DependencyKindEnum": "portfolio.choices.DependencyKind",
        "RelativeSizeEnum": "portfolio.choices.RelativeSize",
        "DemandStatusEnum": "portfolio.choices.DemandStatus",
        "ObjectiveStatusEnum": "portfolio.choices.ObjectiveStatus",
        "EngagementStatusEnum": "engagements.choices.EngagementStatus",
        "ActionStatusEnum": "improvement.choices.ActionStatus",
        "NeedStatusEnum": "engagements.choices.NeedStatus",
        "ProposalStatusEnum": "engagements.choices.ProposalStatus",
        "LanguageEnum": "engagements.choices.Language",
        "CultureTypeEnum": "engagements.choices.CULTURE_TYPES",
        "IterationStatusEnum": "engagements.choices.IterationStatus",
        "DeliverableKindEnum": "engagements.choices.DeliverableKind",
        "DeliverableStatusEnum": "engagements.choices.DeliverableStatus",
        "ExpenseCategoryEnum": "engagements.choices.ExpenseCategory",
        "HealthEnum": "engagements.choices.Health",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "pmo_service.api.schema.add_error_responses",
    ],
}

# --- Celery -----------------------------------------------------------------------------------
# The broker is Redis in every real deployment. Without one (the embedded default) local and
# test settings run tasks in-process; production refuses to start without a broker.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or env.str("REDIS_URL", default="")
CELERY_RESULT_BACKEND = None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_EAGER_PROPAGATES = True
# Hard and soft limits in seconds; the longest task must finish inside the hard limit and the
# Redis visibility timeout stays above it.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
# Redis redelivers a task whose worker died without acknowledging it after this many seconds.
# It must outlast the hard limit, or a task still running would be delivered a second time.
CELERY_VISIBILITY_TIMEOUT = env.int(
    "CELERY_VISIBILITY_TIMEOUT", default=CELERY_TASK_TIME_LIMIT + 300
)
if CELERY_VISIBILITY_TIMEOUT <= CELERY_TASK_TIME_LIMIT:
    raise ImproperlyConfigured(
        f"CELERY_VISIBILITY_TIMEOUT ({CELERY_VISIBILITY_TIMEOUT}) must be above "
        f"CELERY_TASK_TIME_LIMIT ({CELERY_TASK_TIME_LIMIT})."
    )
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}

# --- Content Security Policy (django-csp) ---------------------------------------------------
# No CDNs: every script, style and font is served from our own origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "pmo_service.errors.csrf_failure"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Request limits (issue 8) ---
# The largest request body read (bytes); a larger one is answered 413 before it is read
# (pmo_service.middleware.RequestBodyLimitMiddleware). 2.5 MiB admits a 1,000-row bulk push
# of time entries even with every description at its 300 characters written as \uXXXX
# escapes (about 2.1 MB; tests/platform/test_hostile_input.py measures it).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024 // 2)
# Multipart bodies (file uploads: the admin's CSV/XLSX imports) may be larger.
MAX_UPLOAD_SIZE = env.int("MAX_UPLOAD_SIZE", default=20 * 1024 * 1024)
# JSON bodies: depth, NaN/Infinity, huge floats, NUL and lone surrogates are 400s.
REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] = [
    "pmo_service.api.parsers.StrictJSONParser",
    "rest_framework.parsers.FormParser",
    "rest_framework.parsers.MultiPartParser",
]
# The body limit first, before anything reads the body; a database outage as a clear 503.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "pmo_service.middleware.RequestBodyLimitMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("pmo_service.middleware.RequestBodyLimitMiddleware") + 1,
    "pmo_service.middleware.DatabaseUnavailableMiddleware",
)
