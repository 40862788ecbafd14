"""View decorators for who may open which page."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

DESK_ROLES = ("adviser", "back_office_officer", "team_leader", "service_owner", "councillor",
              "administrator")


def requires_role(*roles: str):
    """Signed-in staff holding at least one of `roles`; others get 403."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_role(*roles):
                raise PermissionDenied(f"this page is for: {', '.join(roles)}")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


desk_staff_only = requires_role(*DESK_ROLES)
