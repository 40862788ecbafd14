"""The browser tier's fixtures (a demo server, Chromium), for the life-event browser test."""

from __future__ import annotations

from tests.e2e.conftest import browser, demo_server, page, server_database  # noqa: F401
