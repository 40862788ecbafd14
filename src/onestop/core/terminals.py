"""Which terminal a request comes from: a random key kept in a long-lived cookie.

A work session is live on one terminal at a time, so a terminal needs a name that
survives sign-out and sign-in (the Django session does not: it is replaced on every
sign-in). The key identifies a browser profile on a desk PC or kiosk; it carries no
authority of its own, so it needs no signing: a forged key can at most make a terminal
look like another one, and every work-session view also checks who is signed in.
"""

from __future__ import annotations

import re
import secrets

from django.conf import settings

COOKIE = "onestop_terminal"
_KEY = re.compile(r"^[0-9a-f]{32}$")
ONE_YEAR = 365 * 24 * 3600


def terminal_key(request) -> str:
    return request.terminal_key


class TerminalMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.COOKIES.get(COOKIE, "")
        fresh = not _KEY.match(key)
        request.terminal_key = secrets.token_hex(16) if fresh else key
        response = self.get_response(request)
        if fresh:
            response.set_cookie(COOKIE, request.terminal_key, max_age=ONE_YEAR, httponly=True,
                                samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
        return response
