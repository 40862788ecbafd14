from __future__ import annotations

from django.urls import path

from onestop.staff import views

app_name = "staff"
urlpatterns = [
    path("sign-in/", views.sign_in_with_card, name="sign-in"),
    path("sign-in/password/", views.sign_in_with_password, name="sign-in-password"),
    path("sign-out/", views.sign_out, name="sign-out"),
]
