"""Settings shared by every environment. All values are read from the environment."""

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
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
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
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "stakeholders.User"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
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
        "rest_framework.authentication.TokenAuthentication",
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
    "DEFAULT_THROTTLE_RATES": {
        "auth": env.str("THROTTLE_AUTH_RATE", default="30/min"),
    },
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

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
