"""Django settings for OneStop.

Everything that differs between a laptop demo, the test suite and a council's production
deployment comes from the environment through `onestop.config` (strict: a bad value stops
start-up with a message naming the variable). `ONESTOP_ENV` is one of demo, test or
production; only production insists on a real SECRET_KEY and host list.
"""

from __future__ import annotations

from pathlib import Path

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from onestop.config import (
    ENVIRONMENTS,
    check_production_hosts,
    check_production_secret_key,
    database_config,
    env_bool,
    env_choice,
    env_hourly_limits,
    env_int,
    env_list,
    env_str,
)
from onestop.notify_config import read_notify_settings

PACKAGE_DIR = Path(__file__).resolve().parent
# The checkout (or ONESTOP_HOME in a deployment): holds var/ and node_modules/.
BASE_DIR = Path(env_str("ONESTOP_HOME") or PACKAGE_DIR.parents[1]).resolve()
VAR_DIR = BASE_DIR / "var"

ONESTOP_ENV = env_choice("ONESTOP_ENV", ENVIRONMENTS, "demo")
PRODUCTION = ONESTOP_ENV == "production"

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) is required in production")
    SECRET_KEY = f"onestop-{ONESTOP_ENV}-only-not-secret"
elif PRODUCTION:
    check_production_secret_key(SECRET_KEY)

DEBUG = env_bool("DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG=true is not allowed in production: it shows residents' "
                               "data in error pages")
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required in production (comma-separated)")
if PRODUCTION:
    check_production_hosts(ALLOWED_HOSTS)

DATABASES = {
    "default": database_config(
        env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'onestop.sqlite3'}", BASE_DIR
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "csp",
    "onestop.core",
    "onestop.authorities",
    "onestop.catalogue",
    "onestop.people",
    "onestop.staff",
    "onestop.matching",
    "onestop.contacts",
    "onestop.dialogues",
    "onestop.cases",
    "onestop.portal",
    "onestop.eligibility",
    "onestop.integrations",
    "onestop.lifeevents",
    "onestop.rights",
    "onestop.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise, so that static files keep their caching: everything else is no-store
    # unless onestop.core.caching says otherwise; every page gets the CSP.
    "onestop.core.caching.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "onestop.core.terminals.TerminalMiddleware",
    # Writes every 403 answered to a signed-in user to the access log.
    "onestop.core.refusals.RefusalLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "onestop.urls"
WSGI_APPLICATION = "onestop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
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

AUTH_USER_MODEL = "staff.User"
# Card-and-PIN sign-in is checked by staff.actions (it counts wrong PINs and locks cards);
# the session then holds the user through the ordinary model backend.
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "staff:sign-in"
LOGIN_REDIRECT_URL = "contacts:find-person"
PASSWORD_HASHERS = (
    # Tests hash many PINs and passwords; a fast hasher there only.
    ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if ONESTOP_ENV == "test"
    else [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    ]
)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Wrong PINs in a row before an ID card is locked.
CARD_MAX_FAILED_PINS = env_int("CARD_MAX_FAILED_PINS", 5, minimum=1)
# Failed sign-ins before sign-in is refused for SIGN_IN_LOCKOUT_MINUTES (or until a team
# leader lifts it): per account (the username typed) and per client address (password and
# card tries together, so nobody can try a PIN on every card or lock them all).
SIGN_IN_FAILURES_PER_ACCOUNT = env_int("SIGN_IN_FAILURES_PER_ACCOUNT", 5, minimum=1)
SIGN_IN_FAILURES_PER_ADDRESS = env_int("SIGN_IN_FAILURES_PER_ADDRESS", 20, minimum=1)
SIGN_IN_LOCKOUT_MINUTES = env_int("SIGN_IN_LOCKOUT_MINUTES", 15, minimum=1)
if SIGN_IN_FAILURES_PER_ADDRESS < SIGN_IN_FAILURES_PER_ACCOUNT:
    # A terminal shared by a whole office would lock before any one account could.
    raise ImproperlyConfigured(
        f"SIGN_IN_FAILURES_PER_ADDRESS={SIGN_IN_FAILURES_PER_ADDRESS} must be at least "
        f"SIGN_IN_FAILURES_PER_ACCOUNT={SIGN_IN_FAILURES_PER_ACCOUNT}")
# A kiosk left alone this long is cleared for the next person (warned 30 s before).
KIOSK_IDLE_SECONDS = env_int("KIOSK_IDLE_SECONDS", 120, minimum=20)
# Members' enquiries: working days to acknowledge, and to answer, a councillor's enquiry.
MEMBERS_ENQUIRY_ACKNOWLEDGE_WORKING_DAYS = env_int("MEMBERS_ENQUIRY_ACKNOWLEDGE_WORKING_DAYS", 2,
                                                   minimum=0)
MEMBERS_ENQUIRY_RESPONSE_WORKING_DAYS = env_int("MEMBERS_ENQUIRY_RESPONSE_WORKING_DAYS", 10,
                                                minimum=1)
# An extract import may retire at most this share of its source's active records (at least
# one, never the last); more is refused as a file likely cut short (import_extract
# --allow-retire lets a genuine large change through).
IMPORT_MAX_RETIRE_PERCENT = env_int("IMPORT_MAX_RETIRE_PERCENT", 10, minimum=0)
if IMPORT_MAX_RETIRE_PERCENT > 100:
    raise ImproperlyConfigured(
        f"IMPORT_MAX_RETIRE_PERCENT='{IMPORT_MAX_RETIRE_PERCENT}' must be at most 100")

# GOV.UK Notify sends residents' emails and texts (onestop.integrations.notify): the API
# key, where Notify is, how long to wait, the council's template ids and the token Notify's
# delivery receipts carry, each checked by onestop.notify_config.
_notify = read_notify_settings(production=PRODUCTION, environment=ONESTOP_ENV)
NOTIFY_API_KEY = _notify.api_key
NOTIFY_BASE_URL = _notify.base_url
NOTIFY_TIMEOUT_SECONDS = _notify.timeout_seconds
NOTIFY_TEMPLATES = _notify.templates
NOTIFY_CALLBACK_TOKEN = _notify.callback_token

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
# Terminals are shared: a sign-in lasts one shift at most and ends with the browser.
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 9, minimum=1) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    # OneStop's host has no subdomains of its own to serve over plain HTTP; "preload" only
    # consents to the browsers' list, which the council must still apply for.
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
    if env_bool("BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp; docs/adr/0010-django-csp-for-the-content-security-
# policy.md): scripts, styles, fonts and images from OneStop itself only, never inline, so
# text a resident or partner typed can never run as script even if a template forgot to
# escape it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    },
}

# What people who are not signed in may write, an hour, from one address and from everyone
# together, before the page asks them to try later or ring (onestop.core.limits).
# Life events: enough for a family, too few to bury the advisers' list of reports to check.
SELF_SERVICE_REPORTS_PER_HOUR, SELF_SERVICE_REPORTS_PER_HOUR_ALL = env_hourly_limits(
    "SELF_SERVICE_REPORTS_PER_HOUR", 5, 200)
# Services started on the web (each one a contact in the records), and pages saved in them
# (a script is a handful of pages; going back and correcting costs a few more).
SELF_SERVICE_STARTS_PER_HOUR, SELF_SERVICE_STARTS_PER_HOUR_ALL = env_hourly_limits(
    "SELF_SERVICE_STARTS_PER_HOUR", 20, 2000)
SELF_SERVICE_PAGES_PER_HOUR, SELF_SERVICE_PAGES_PER_HOUR_ALL = env_hourly_limits(
    "SELF_SERVICE_PAGES_PER_HOUR", 300, 30000)
# A kiosk is one address serving everyone who walks into the one-stop shop: a resident every
# few minutes, each with two or three services, so one address gets six times the web's
# allowance; the total for all kiosks is what the offices' kiosks together could need.
KIOSK_STARTS_PER_HOUR, KIOSK_STARTS_PER_HOUR_ALL = env_hourly_limits(
    "KIOSK_STARTS_PER_HOUR", 120, 1200)
KIOSK_PAGES_PER_HOUR, KIOSK_PAGES_PER_HOUR_ALL = env_hourly_limits(
    "KIOSK_PAGES_PER_HOUR", 1800, 18000)
# Proxies (load balancers) in front of OneStop that each append the address they were sent
# from to X-Forwarded-For. 0: the header is ignored, anyone could write it; the sender is
# REMOTE_ADDR. Self-service limits and sign-in lock-outs both count by this address.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
if PRODUCTION and TRUSTED_PROXY_COUNT == 0 and env_bool("BEHIND_TLS_PROXY", default=False):
    # Behind a proxy every request comes from the proxy's address: counted by REMOTE_ADDR,
    # the whole county would share one resident's allowance.
    raise ImproperlyConfigured("BEHIND_TLS_PROXY=true needs TRUSTED_PROXY_COUNT (the number of "
                               "proxies that append to X-Forwarded-For, usually 1) so the "
                               "self-service limits count each resident, not the proxy")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# GOV.UK Frontend comes from the npm registry at set-up (package-lock.json), never copied in.
GOVUK_FRONTEND_DIR = BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [("govuk", GOVUK_FRONTEND_DIR)] if GOVUK_FRONTEND_DIR.is_dir() else []
# The compiled GOV.UK stylesheet asks for its fonts and images at /assets/.
WHITENOISE_ROOT = GOVUK_FRONTEND_DIR if GOVUK_FRONTEND_DIR.is_dir() else None
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only, bounded in size and depth; paging bounded; errors in the schema
    # (onestop.core.api).
    "DEFAULT_PARSER_CLASSES": ["onestop.core.api.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "onestop.core.api.schema.OneStopAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "onestop.core.api.pagination.BoundedLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "onestop.core.refusals.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "OneStop API",
    "DESCRIPTION": "Partner-system API of OneStop: catalogue, responsibility and contacts.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
