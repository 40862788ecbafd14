"""Django settings for OneStop.

Everything that differs between a laptop demo, the test suite and a council's production
deployment comes from the environment through `onestop.config` (strict: a bad value stops
start-up with a message naming the variable). `ONESTOP_ENV` is one of demo, test or
production; only production insists on a real SECRET_KEY and host list.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from onestop.config import (
    ENVIRONMENTS,
    database_config,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_str,
)

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

DEBUG = env_bool("DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG=true is not allowed in production: it shows residents' "
                               "data in error pages")
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is required in production (comma-separated)")

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
    "onestop.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "onestop.core.terminals.TerminalMiddleware",
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
# A kiosk left alone this long is cleared for the next person (warned 30 s before).
KIOSK_IDLE_SECONDS = env_int("KIOSK_IDLE_SECONDS", 120, minimum=20)
# Members' enquiries: working days to acknowledge, and to answer, a councillor's enquiry.
MEMBERS_ENQUIRY_ACKNOWLEDGE_WORKING_DAYS = env_int("MEMBERS_ENQUIRY_ACKNOWLEDGE_WORKING_DAYS", 2,
                                                   minimum=0)
MEMBERS_ENQUIRY_RESPONSE_WORKING_DAYS = env_int("MEMBERS_ENQUIRY_RESPONSE_WORKING_DAYS", 10,
                                                minimum=1)

# GOV.UK Notify sends residents' emails and texts (onestop.integrations.notify). An API key
# is `<key name>-<service id>-<secret key>`; in demo and test a fixed key and the local fake
# server (`onestop fake_notify`, started by `onestop demo`) stand in for the real service.
_UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
NOTIFY_API_KEY = env_str("NOTIFY_API_KEY") or ""
if not NOTIFY_API_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("NOTIFY_API_KEY (or NOTIFY_API_KEY_FILE) is required in "
                                   "production")
    NOTIFY_API_KEY = ("onestop_demo-4f7f1a9e-6a3b-4c2d-9e8f-1b2c3d4e5f60"
                      "-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")
if not re.fullmatch(rf".+-{_UUID}-{_UUID}", NOTIFY_API_KEY):
    # The key is a secret: the message describes it without quoting it.
    raise ImproperlyConfigured("NOTIFY_API_KEY is not a Notify API key: expected "
                               "<key name>-<service id>-<secret key>, the last two UUIDs")
NOTIFY_BASE_URL = env_str("NOTIFY_BASE_URL") or (
    "https://api.notifications.service.gov.uk" if PRODUCTION else "http://127.0.0.1:6011")
if not re.fullmatch(r"https?://[^\s/]+/?", NOTIFY_BASE_URL):
    raise ImproperlyConfigured(f"NOTIFY_BASE_URL={NOTIFY_BASE_URL!r} must be http(s)://host[:port]")
# Seconds the worker waits for Notify to answer before counting a timeout (retried).
NOTIFY_TIMEOUT_SECONDS = env_int("NOTIFY_TIMEOUT_SECONDS", 10, minimum=1)
# Template name (what OneStop code asks for) → the template's id in the council's Notify
# service. `NOTIFY_TEMPLATES=name=id,name=id` overrides; production must name every one.
NOTIFY_TEMPLATES = {
    "case_feedback_email": "8a0e4c1d-3b2f-4e5a-9c6d-7f8e9a0b1c2d",
    "case_feedback_sms": "9b1f5d2e-4c3a-4f6b-8d7e-0a9b8c7d6e5f",
    "life_event_confirmation_email": "1c2d3e4f-5a6b-4c7d-8e9f-a0b1c2d3e4f5",
    "life_event_confirmation_sms": "2d3e4f5a-6b7c-4d8e-9fa0-b1c2d3e4f5a6",
}
_notify_templates_given = {}
for _item in env_list("NOTIFY_TEMPLATES", []):
    _name, _, _template_id = (part.strip() for part in _item.partition("="))
    if _name not in NOTIFY_TEMPLATES:
        raise ImproperlyConfigured(f"NOTIFY_TEMPLATES: unknown template {_name!r}; OneStop uses "
                                   f"{', '.join(NOTIFY_TEMPLATES)}")
    if not re.fullmatch(_UUID, _template_id.lower()):
        raise ImproperlyConfigured(f"NOTIFY_TEMPLATES: {_name}={_template_id!r} is not a "
                                   "Notify template id (a UUID)")
    _notify_templates_given[_name] = _template_id.lower()
if PRODUCTION and set(_notify_templates_given) != set(NOTIFY_TEMPLATES):
    raise ImproperlyConfigured("NOTIFY_TEMPLATES must give the Notify template id of every "
                               "template in production; missing: " + ", ".join(
                                   sorted(set(NOTIFY_TEMPLATES) - set(_notify_templates_given))))
NOTIFY_TEMPLATES.update(_notify_templates_given)
# Notify posts delivery receipts to /api/v1/notify/receipts with this bearer token (the
# one entered on the service's callbacks page in Notify; Notify wants 10 characters or more).
NOTIFY_CALLBACK_TOKEN = env_str("NOTIFY_CALLBACK_TOKEN") or ""
if not NOTIFY_CALLBACK_TOKEN:
    if PRODUCTION:
        raise ImproperlyConfigured("NOTIFY_CALLBACK_TOKEN (or NOTIFY_CALLBACK_TOKEN_FILE) is "
                                   "required in production")
    NOTIFY_CALLBACK_TOKEN = f"onestop-{ONESTOP_ENV}-notify-callbacks-not-secret"
if len(NOTIFY_CALLBACK_TOKEN) < 10 or any(char.isspace() for char in NOTIFY_CALLBACK_TOKEN):
    # A secret: described, not quoted.
    raise ImproperlyConfigured("NOTIFY_CALLBACK_TOKEN must be at least 10 characters with no "
                               "spaces (Notify sends it as `Authorization: Bearer <token>`)")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
# Terminals are shared: a sign-in lasts one shift at most and ends with the browser.
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 9, minimum=1) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    if env_bool("BEHIND_TLS_PROXY", default=False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Residents' self-service life-event page needs no sign-in, so it takes at most this many
# reports an hour from one address, and this many from everyone together, before it asks
# people to try later (or ring): enough for a family, too few to bury the advisers' list.
SELF_SERVICE_REPORTS_PER_HOUR = env_int("SELF_SERVICE_REPORTS_PER_HOUR", 5, minimum=1)
SELF_SERVICE_REPORTS_PER_HOUR_ALL = env_int("SELF_SERVICE_REPORTS_PER_HOUR_ALL", 200, minimum=1)
if SELF_SERVICE_REPORTS_PER_HOUR_ALL < SELF_SERVICE_REPORTS_PER_HOUR:
    raise ImproperlyConfigured(
        f"SELF_SERVICE_REPORTS_PER_HOUR_ALL={SELF_SERVICE_REPORTS_PER_HOUR_ALL} must be at least "
        f"SELF_SERVICE_REPORTS_PER_HOUR={SELF_SERVICE_REPORTS_PER_HOUR}")
# Proxies (load balancers) in front of OneStop that each append the address they were sent
# from to X-Forwarded-For. 0: the header is ignored, anyone could write it; the sender is
# REMOTE_ADDR.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)

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
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
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
