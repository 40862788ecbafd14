"""GOV.UK Notify's settings from the environment, each checked (see onestop.config).

An API key is `<key name>-<service id>-<secret key>`; in demo and test a fixed key and the
local fake server (`onestop fake_notify`, started by `onestop demo`) stand in for the real
service, and production must give every value. Secrets (the key, the callback token) are
described in errors, never quoted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

from onestop.config import env_int, env_list, env_str

_UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
DEMO_API_KEY = ("onestop_demo-4f7f1a9e-6a3b-4c2d-9e8f-1b2c3d4e5f60"
                "-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d")
# Template name (what OneStop code asks for) → the template's id in the council's Notify
# service. `NOTIFY_TEMPLATES=name=id,name=id` overrides; production must name every one.
DEMO_TEMPLATES = {
    "case_feedback_email": "8a0e4c1d-3b2f-4e5a-9c6d-7f8e9a0b1c2d",
    "case_feedback_sms": "9b1f5d2e-4c3a-4f6b-8d7e-0a9b8c7d6e5f",
    "life_event_confirmation_email": "1c2d3e4f-5a6b-4c7d-8e9f-a0b1c2d3e4f5",
    "life_event_confirmation_sms": "2d3e4f5a-6b7c-4d8e-9fa0-b1c2d3e4f5a6",
}


@dataclass(frozen=True)
class NotifySettings:
    api_key: str
    base_url: str
    timeout_seconds: int  # the worker's wait for Notify before counting a timeout (retried)
    templates: dict[str, str]
    # Notify posts delivery receipts to /api/v1/notify/receipts with this bearer token (the
    # one entered on the service's callbacks page in Notify; it wants 10 characters or more).
    callback_token: str


def read_notify_settings(*, production: bool, environment: str) -> NotifySettings:
    return NotifySettings(
        api_key=_api_key(production),
        base_url=_base_url(production),
        timeout_seconds=env_int("NOTIFY_TIMEOUT_SECONDS", 10, minimum=1),
        templates=_templates(production),
        callback_token=_callback_token(production, environment))


def _api_key(production: bool) -> str:
    key = env_str("NOTIFY_API_KEY") or ""
    if not key:
        if production:
            raise ImproperlyConfigured("NOTIFY_API_KEY (or NOTIFY_API_KEY_FILE) is required "
                                       "in production")
        key = DEMO_API_KEY
    if not re.fullmatch(rf".+-{_UUID}-{_UUID}", key):
        raise ImproperlyConfigured("NOTIFY_API_KEY is not a Notify API key: expected "
                                   "<key name>-<service id>-<secret key>, the last two UUIDs")
    return key


def _base_url(production: bool) -> str:
    url = env_str("NOTIFY_BASE_URL") or (
        "https://api.notifications.service.gov.uk" if production else "http://127.0.0.1:6011")
    if not re.fullmatch(r"https?://[^\s/]+/?", url):
        raise ImproperlyConfigured(f"NOTIFY_BASE_URL={url!r} must be http(s)://host[:port]")
    return url


def _templates(production: bool) -> dict[str, str]:
    given = {}
    for item in env_list("NOTIFY_TEMPLATES", []):
        name, _, template_id = (part.strip() for part in item.partition("="))
        if name not in DEMO_TEMPLATES:
            raise ImproperlyConfigured(f"NOTIFY_TEMPLATES: unknown template {name!r}; OneStop "
                                       f"uses {', '.join(DEMO_TEMPLATES)}")
        if not re.fullmatch(_UUID, template_id.lower()):
            raise ImproperlyConfigured(f"NOTIFY_TEMPLATES: {name}={template_id!r} is not a "
                                       "Notify template id (a UUID)")
        given[name] = template_id.lower()
    if production and set(given) != set(DEMO_TEMPLATES):
        missing = ", ".join(sorted(set(DEMO_TEMPLATES) - set(given)))
        raise ImproperlyConfigured("NOTIFY_TEMPLATES must give the Notify template id of "
                                   f"every template in production; missing: {missing}")
    return {**DEMO_TEMPLATES, **given}


def _callback_token(production: bool, environment: str) -> str:
    token = env_str("NOTIFY_CALLBACK_TOKEN") or ""
    if not token:
        if production:
            raise ImproperlyConfigured("NOTIFY_CALLBACK_TOKEN (or NOTIFY_CALLBACK_TOKEN_FILE) "
                                       "is required in production")
        token = f"onestop-{environment}-notify-callbacks-not-secret"
    if len(token) < 10 or any(char.isspace() for char in token):
        raise ImproperlyConfigured("NOTIFY_CALLBACK_TOKEN must be at least 10 characters with "
                                   "no spaces (Notify sends it as `Authorization: Bearer "
                                   "<token>`)")
    return token
