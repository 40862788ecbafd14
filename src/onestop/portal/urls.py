from __future__ import annotations

from django.urls import path

from onestop.portal import views

app_name = "portal"


def _pages(prefix: str, mode: str) -> list:
    """The same pages on the public web and on one-stop-shop kiosks (large targets, wiped
    after idle); `mode` tells the views which."""
    kwargs = {"mode": mode}
    return [
        path(prefix, views.index, kwargs, name=f"{mode}-index"),
        path(f"{prefix}start/", views.start, kwargs, name=f"{mode}-start"),
        path(f"{prefix}runs/<int:item_id>/about-you/", views.about_you, kwargs,
             name=f"{mode}-about-you"),
        path(f"{prefix}runs/<int:item_id>/", views.run, kwargs, name=f"{mode}-run"),
        path(f"{prefix}end/", views.end, kwargs, name=f"{mode}-end"),
        path(f"{prefix}still-here/", views.still_here, kwargs, name=f"{mode}-still-here"),
    ]


urlpatterns = _pages("services/", "web") + _pages("kiosk/", "kiosk")
