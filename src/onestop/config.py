"""Strict configuration from the environment.

Every setting OneStop reads from the environment goes through these helpers, so that a bad
value stops start-up with one message naming the variable and what was wrong with it,
instead of surfacing later as an odd failure. `<NAME>_FILE` reads a secret from a file
(as container orchestrators mount them).
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

ENVIRONMENTS = ("demo", "test", "production")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    """The variable's value, or the contents of the file named by `<name>_FILE`."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        path = Path(file_name)
        if not path.is_file():
            raise ImproperlyConfigured(f"{name}_FILE={file_name!r}: no such file")
        return path.read_text().strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean: use one of {sorted(_TRUE | _FALSE - {''})}"
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}")
    return value


def env_hourly_limits(name: str, default: int, everyone_default: int) -> tuple[int, int]:
    """An anonymous write's limits: `<name>` an hour from one address, `<name>_ALL` from
    everyone together, which cannot be the smaller."""
    per_address = env_int(name, default, minimum=1)
    everyone = env_int(f"{name}_ALL", everyone_default, minimum=1)
    if everyone < per_address:
        raise ImproperlyConfigured(f"{name}_ALL={everyone} must be at least {name}={per_address}")
    return per_address, everyone


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    value = os.environ.get(name, default)
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} must be one of {', '.join(choices)}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_config(url: str, base_dir: Path) -> dict:
    """Parse DATABASE_URL; only SQLite and PostgreSQL are supported."""
    import dj_database_url

    if not url.startswith(("sqlite:", "postgres:", "postgresql:")):
        scheme = url.split(":", 1)[0] if ":" in url else url
        raise ImproperlyConfigured(
            f"DATABASE_URL scheme {scheme!r} is not supported: use sqlite:///path or postgres://..."
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=60)
    except Exception as error:  # the parser's own errors do not name the variable
        raise ImproperlyConfigured(f"DATABASE_URL={url!r} cannot be parsed: {error}") from None
    if config["ENGINE"].endswith("sqlite3"):
        name = Path(config["NAME"])
        if not name.is_absolute():
            name = base_dir / name
        name.parent.mkdir(parents=True, exist_ok=True)
        config["NAME"] = str(name)
        # Writers wait for each other instead of failing at once with "database is locked".
        config["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
        config["CONN_MAX_AGE"] = 0
        # Tests get a file too (not Django's shared in-memory database, whose table locks
        # fail at once instead of waiting), so parallel-access tests behave as in use.
        config["TEST"] = {"NAME": str(name.with_name(f"test_{name.name}"))}
    return config


# Django's own deployment check (`check --deploy`, security.W009) calls a key weaker than
# this guessable; a guessable key forges sessions and password-reset links.
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_DISTINCT = 5


def check_production_secret_key(key: str) -> str:
    """Refuse a SECRET_KEY that is short, repetitive or Django's generated placeholder,
    naming the variable and how to make a good one, never printing the key."""
    make_one = "make one with: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
    if len(key) < SECRET_KEY_MIN_LENGTH:
        raise ImproperlyConfigured(
            f"SECRET_KEY (or SECRET_KEY_FILE) is {len(key)} characters long; production needs "
            f"at least {SECRET_KEY_MIN_LENGTH} random ones: {make_one}")
    if len(set(key)) < SECRET_KEY_MIN_DISTINCT:
        raise ImproperlyConfigured(
            f"SECRET_KEY (or SECRET_KEY_FILE) has only {len(set(key))} different characters; "
            f"production needs at least {SECRET_KEY_MIN_DISTINCT}: {make_one}")
    if key.startswith("django-insecure-"):
        raise ImproperlyConfigured(
            f"SECRET_KEY (or SECRET_KEY_FILE) is a key Django generated for development: "
            f"{make_one}")
    return key


def check_production_hosts(hosts: list[str]) -> list[str]:
    """Refuse a wildcard in ALLOWED_HOSTS: with it, a forged Host header makes OneStop
    write links (in emails, in redirects) to an attacker's site."""
    wild = [host for host in hosts if "*" in host]
    if wild:
        raise ImproperlyConfigured(
            f"ALLOWED_HOSTS={','.join(hosts)!r} contains {wild[0]!r}: production must name "
            "the host names OneStop is served at (a leading dot allows subdomains: "
            ".council.gov.uk)")
    return hosts
