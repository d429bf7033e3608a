"""Django settings, derived from the environment through ``anbao.conf``."""

from __future__ import annotations

import secrets
from pathlib import Path

from anbao import conf
from anbao.oidc.keys import lazy_private_key

ENV = conf.from_environ()
BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = ENV.data_dir

_stored_key = conf.read_secret_key(DATA_DIR)
# Before `anbao init` there is no key on disk; a throwaway key lets `init`, `check` and
# `--help` run, while `serve` refuses to start without the stored one.
SECRET_KEY = _stored_key or secrets.token_urlsafe(50)
SECRET_KEY_IS_STORED = _stored_key is not None

DEBUG = False
ALLOWED_HOSTS = list(ENV.allowed_hosts)
SITE_URL = ENV.site_url

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "anbao.accounts",
    "anbao.audit",
    "anbao.jobs",
    "anbao.engagement",
    "anbao.reports",
    "anbao.sm",
    "anbao.pki",
    "anbao.enrolment",
    "anbao.notifications",
    "oauth2_provider",
    "anbao.oidc",
    "anbao.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "anbao.web.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "anbao.accounts.middleware.SessionIdleTimeoutMiddleware",
    "anbao.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "anbao.urls"
WSGI_APPLICATION = "anbao.wsgi.application"

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
                "anbao.web.context.navigation",
                "anbao.notifications.context.unread",
            ],
        },
    },
]

DATABASES = {"default": conf.database_config(ENV.database_url, DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "anbao.accounts.validators.ComplexityValidator"},
    {"NAME": "anbao.accounts.validators.HistoryValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
ANBAO_PASSWORD_MAX_AGE_DAYS = ENV.password_max_age_days
ANBAO_PASSWORD_HISTORY = 5
ANBAO_AUDIT_RETENTION_DAYS = ENV.audit_retention_days
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Failed-login handling: django-axes records every failure (its failure log); the windows,
# thresholds and locks are anbao's policy (anbao.accounts.login, docs/cert-login.md).
AXES_LOCK_OUT_AT_FAILURE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_COOLOFF_TIME = 0.5  # hours: how long axes keeps its per-client attempt rows
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "anbao.audit.services.client_address"
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False
# Accounts and addresses have separate limits in anbao's policy; axes's own lockout is off.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
ANBAO_CERT_LOGIN_ADMINS = ENV.cert_login_admins
ANBAO_CERT_LOGIN_HOLDERS = ENV.cert_login_holders

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 8 * 3600  # absolute lifetime
ANBAO_SESSION_IDLE_SECONDS = ENV.session_idle_seconds
SESSION_COOKIE_HTTPONLY = True
# Lax, not Strict: a person sent here by another system's OpenID Connect sign-in (a top-level
# GET) must arrive with their session; every state-changing request still needs the CSRF
# token, whose cookie stays Strict.
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Strict"
SESSION_COOKIE_SECURE = ENV.secure_cookies
CSRF_COOKIE_SECURE = ENV.secure_cookies
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if ENV.secure_cookies:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
CSRF_TRUSTED_ORIGINS = [ENV.site_url]

LANGUAGE_CODE = ENV.language
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "files"
REPORTS_DIR = DATA_DIR / "reports"
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "anbao.accounts.api_auth.APITokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "anbao.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "anbao API",
    "DESCRIPTION": "安保：网络安全等级保护第三级安全运营与合规平台",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "UserRoleEnum": "anbao.accounts.models.ROLE_CHOICES",
        "PartyRoleEnum": "anbao.engagement.models.Party.Role",
        "EngagementStatusEnum": "anbao.engagement.models.Engagement.Status",
        "DeliverableStatusEnum": "anbao.engagement.models.Deliverable.Status",
        "CertificateStatusEnum": "anbao.pki.models.Certificate.STATUS_CHOICES",
    },
}

# OpenID Connect provider (anbao.oidc, docs/oidc.md): authorization code + PKCE only.
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_ISS_ENDPOINT": SITE_URL,
    "OIDC_RSA_PRIVATE_KEY": lazy_private_key(DATA_DIR),
    "OAUTH2_VALIDATOR_CLASS": "anbao.oidc.validators.AnbaoOAuth2Validator",
    "SCOPES": {"openid": "OpenID Connect", "profile": "Profile", "email": "E-mail"},
    "DEFAULT_SCOPES": ["openid"],
    "PKCE_REQUIRED": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http"],  # http: loopback only (anbao.oidc.core)
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 60,
    "ACCESS_TOKEN_EXPIRE_SECONDS": 900,
    "ID_TOKEN_EXPIRE_SECONDS": 900,
    "REFRESH_TOKEN_EXPIRE_SECONDS": SESSION_COOKIE_AGE,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OAUTH2_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OAUTH2_GRANT_TYPES_SUPPORTED": ["authorization_code", "refresh_token"],
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
}
# DOT's models are swappable: anbao.oidc's foreign keys to them need the names spelled out.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER_GRANT_MODEL = "oauth2_provider.Grant"
OAUTH2_PROVIDER_ID_TOKEN_MODEL = "oauth2_provider.IDToken"

# Jobs: in-process unless a broker is configured.
CELERY_BROKER_URL = ENV.broker_url
ANBAO_JOB_BACKEND = "celery" if ENV.broker_url else "inprocess"

EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_FILE_PATH = str(DATA_DIR / "mail")
DEFAULT_FROM_EMAIL = "anbao@localhost"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
