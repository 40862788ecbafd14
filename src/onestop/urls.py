from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView

from onestop.core import views as core_views

admin.site.site_header = "OneStop administration"
admin.site.site_title = "OneStop"

urlpatterns = [
    path("", include("onestop.contacts.urls")),
    path("", include("onestop.staff.urls")),
    path("access-log/", core_views.access_log, name="access-log"),
    path("identity-review/", include("onestop.matching.urls")),
    path("cases/", include("onestop.cases.urls")),
    path("dialogues/", include("onestop.dialogues.urls")),
    path("eligibility/", include("onestop.eligibility.urls")),
    path("integrations/", include("onestop.integrations.urls")),
    path("", include("onestop.lifeevents.urls")),
    path("", include("onestop.rights.urls")),
    path("", include("onestop.portal.urls")),
    path("api/v1/", include("onestop.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The admin's own login form would check passwords outside the sign-in lock-out
    # (onestop.staff.actions): staff sign in on OneStop's page, then open /admin/.
    path("admin/login/", RedirectView.as_view(pattern_name="staff:sign-in-password"),
         name="admin-sign-in"),
    path("admin/", admin.site.urls),
]
