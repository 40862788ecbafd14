"""Which responses a browser may keep: decided here, for every page and API answer.

OneStop runs on shared terminals (a contact centre's hot desks, a one-stop shop's kiosk, a
library PC). A page kept in the browser's cache or back-forward cache can be brought back
by the next person with the Back button or from the disk, long after sign-out or "Finish
and clear". So every response carries `Cache-Control: no-store` unless it is one of the
few public catalogue answers below, asked for by someone not signed in: a page is
uncacheable by default, and nothing new needs remembering to be safe.

Static files never reach this middleware: WhiteNoise, above it, answers them with its own
long-lived caching headers.
"""

from __future__ import annotations

from django.utils.cache import add_never_cache_headers

# URL names whose answers hold nothing about any resident or member of staff: the service
# catalogue, who provides a service where, and the API's schema.
CACHEABLE = frozenset({
    "api:services",
    "api:responsibility",
    "api-schema",
    "portal:web-index",
    "portal:kiosk-index",
})


def may_be_cached(request, response) -> bool:
    """True only for a public catalogue answer to someone not signed in (neither a member
    of staff's session nor a partner's API token), that has not failed."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.view_name not in CACHEABLE or response.status_code >= 400:
        return False
    # Read last, and only here: reading the user touches the session.
    user = getattr(request, "user", None)
    return not (user is not None and user.is_authenticated)


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not may_be_cached(request, response):
            # no-store keeps it out of the browser's caches (browsers also keep such pages
            # out of their back-forward cache); Django adds no-cache, must-revalidate,
            # private, max-age=0 and an Expires of now for older caches.
            add_never_cache_headers(response)
        return response
