"""A bad setting stops OneStop at start-up with a message naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ONESTOP = Path(sys.executable).with_name("onestop")


# Production also needs the council's own GOV.UK Notify key and template ids.
_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
PRODUCTION_NOTIFY = {
    "NOTIFY_API_KEY": f"council-{_ID}-{_ID}",
    "NOTIFY_TEMPLATES": ",".join(f"{name}={_ID}" for name in (
        "case_feedback_email", "case_feedback_sms", "life_event_confirmation_email",
        "life_event_confirmation_sms")),
    "NOTIFY_CALLBACK_TOKEN": "council-notify-callback-token",
}


# A key as `secrets.token_urlsafe(45)` makes one: 62 characters, 49 different.
GOOD_KEY = "Zq3v-Lr8Tn0xWc5Ke2Ym7Ub4Pa9Gs1Dh6Jf_Ri0Ow3Eu8Ty5Ik2Ol7Mn4Bv9Cx"


def run_check(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if k not in {"DATABASE_URL", "ONESTOP_ENV", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS",
                          "NOTIFY_API_KEY", "NOTIFY_TEMPLATES", "NOTIFY_CALLBACK_TOKEN"}}
    return subprocess.run([str(ONESTOP), "check", *args], env={**clean, **env}, capture_output=True,
                          text=True, timeout=60)


@pytest.mark.parametrize(("env", "message"), [
    ({"ONESTOP_ENV": "staging"}, "ONESTOP_ENV='staging' must be one of demo, test, production"),
    ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
    ({"DATABASE_URL": "mysql://localhost/onestop"}, "DATABASE_URL scheme 'mysql' is not supported"),
    ({"ONESTOP_ENV": "production", "ALLOWED_HOSTS": "onestop.example"},
     "SECRET_KEY (or SECRET_KEY_FILE) is required in production"),
    ({"ONESTOP_ENV": "production", "SECRET_KEY": GOOD_KEY},
     "ALLOWED_HOSTS is required in production"),
    ({"SECRET_KEY_FILE": "/nonexistent/secret"},
     "SECRET_KEY_FILE='/nonexistent/secret': no such file"),
    ({"CARD_MAX_FAILED_PINS": "0"}, "CARD_MAX_FAILED_PINS='0' must be at least 1"),
    ({"IMPORT_MAX_RETIRE_PERCENT": "150"}, "IMPORT_MAX_RETIRE_PERCENT='150' must be at most 100"),
    ({"ONESTOP_ENV": "production", "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "a.example",
      "DEBUG": "true"}, "DEBUG=true is not allowed in production"),
    ({"ONESTOP_ENV": "production", "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "a.example"},
     "NOTIFY_API_KEY (or NOTIFY_API_KEY_FILE) is required in production"),
    ({"NOTIFY_API_KEY": "not-a-key"}, "NOTIFY_API_KEY is not a Notify API key"),
    ({"NOTIFY_BASE_URL": "api.notifications.service.gov.uk"},
     "NOTIFY_BASE_URL='api.notifications.service.gov.uk' must be http(s)://host[:port]"),
    ({"NOTIFY_TEMPLATES": f"case_feedback_letter={_ID}"},
     "NOTIFY_TEMPLATES: unknown template 'case_feedback_letter'"),
    ({"NOTIFY_TEMPLATES": "case_feedback_email=12345"},
     "NOTIFY_TEMPLATES: case_feedback_email='12345' is not a Notify template id"),
    ({"ONESTOP_ENV": "production", "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "a.example",
      **PRODUCTION_NOTIFY, "NOTIFY_TEMPLATES": f"case_feedback_email={_ID}"},
     "missing: case_feedback_sms, life_event_confirmation_email, life_event_confirmation_sms"),
    ({"ONESTOP_ENV": "production", "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "a.example",
      **PRODUCTION_NOTIFY, "BEHIND_TLS_PROXY": "true"},
     "BEHIND_TLS_PROXY=true needs TRUSTED_PROXY_COUNT"),
    ({"ONESTOP_ENV": "production", "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "a.example",
      **{k: v for k, v in PRODUCTION_NOTIFY.items() if k != "NOTIFY_CALLBACK_TOKEN"}},
     "NOTIFY_CALLBACK_TOKEN (or NOTIFY_CALLBACK_TOKEN_FILE) is required in production"),
])
def test_a_bad_setting_is_named_in_one_clear_error(tmp_path, env, message):
    result = run_check(**{"DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3", **env})
    assert result.returncode != 0
    assert message in result.stderr


def test_a_secret_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text(GOOD_KEY + "\n")
    result = run_check(DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3", ONESTOP_ENV="production",
                       SECRET_KEY_FILE=str(secret), ALLOWED_HOSTS="onestop.example",
                       **PRODUCTION_NOTIFY)
    assert result.returncode == 0, result.stderr


def production(tmp_path, **env: str) -> dict[str, str]:
    """A production environment with every required variable set to a good value."""
    return {"DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3", "ONESTOP_ENV": "production",
            "SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": "onestop.midsuffolk.gov.uk",
            **PRODUCTION_NOTIFY, **env}


@pytest.mark.parametrize(("key", "message"), [
    ("change-me", "SECRET_KEY (or SECRET_KEY_FILE) is 9 characters long; production needs "
                  "at least 50"),
    ("ab" * 40, "SECRET_KEY (or SECRET_KEY_FILE) has only 2 different characters; production "
                "needs at least 5"),
    ("django-insecure-" + GOOD_KEY, "SECRET_KEY (or SECRET_KEY_FILE) is a key Django "
                                    "generated for development"),
])
def test_production_refuses_a_guessable_secret_key_without_printing_it(tmp_path, key, message):
    result = run_check(**production(tmp_path, SECRET_KEY=key))
    assert result.returncode != 0
    assert message in result.stderr
    assert "secrets.token_urlsafe(50)" in result.stderr
    assert key not in result.stderr


def test_production_refuses_a_weak_key_from_a_file_too(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("x" * 50 + "\n")
    env = production(tmp_path, SECRET_KEY_FILE=str(secret))
    del env["SECRET_KEY"]
    result = run_check(**env)
    assert result.returncode != 0
    assert "has only 1 different characters" in result.stderr


@pytest.mark.parametrize("hosts", ["*", "onestop.midsuffolk.gov.uk,*", "*.gov.uk"])
def test_production_refuses_any_host_wildcard(tmp_path, hosts):
    result = run_check(**production(tmp_path, ALLOWED_HOSTS=hosts))
    assert result.returncode != 0
    assert f"ALLOWED_HOSTS={hosts!r} contains" in result.stderr
    assert "production must name the host names" in result.stderr


def test_demo_and_test_keep_their_fixed_keys_and_hosts(tmp_path):
    result = run_check(DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3", ONESTOP_ENV="demo",
                       SECRET_KEY="short", ALLOWED_HOSTS="*")
    assert result.returncode == 0, result.stderr


def test_the_deployment_check_finds_nothing_in_production_settings(tmp_path):
    result = run_check("--deploy", "--fail-level", "WARNING", **production(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_the_deployment_check_still_speaks_when_a_council_turns_hsts_preload_off(tmp_path):
    # The defaults are what make the check clean: turning one off is seen, not hidden.
    result = run_check("--deploy", **production(tmp_path, SECURE_HSTS_PRELOAD="false"))
    assert "security.W021" in result.stderr + result.stdout


@pytest.mark.parametrize(("env", "message"), [
    ({"SELF_SERVICE_STARTS_PER_HOUR": "0"}, "SELF_SERVICE_STARTS_PER_HOUR='0' must be at least 1"),
    ({"SELF_SERVICE_PAGES_PER_HOUR_ALL": "many"},
     "SELF_SERVICE_PAGES_PER_HOUR_ALL='many' is not a whole number"),
    # A larger allowance for one kiosk than the default for all of them together.
    ({"KIOSK_STARTS_PER_HOUR": "2000"},
     "KIOSK_STARTS_PER_HOUR_ALL=1200 must be at least KIOSK_STARTS_PER_HOUR=2000"),
    ({"KIOSK_PAGES_PER_HOUR": "500", "KIOSK_PAGES_PER_HOUR_ALL": "400"},
     "KIOSK_PAGES_PER_HOUR_ALL=400 must be at least KIOSK_PAGES_PER_HOUR=500"),
])
def test_a_bad_anonymous_write_limit_is_named(tmp_path, env, message):
    result = run_check(DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3", **env)
    assert result.returncode != 0
    assert message in result.stderr
