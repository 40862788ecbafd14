from __future__ import annotations

from django.urls import path

from onestop.staff import pages, views

app_name = "staff"
urlpatterns = [
    path("sign-in/", views.sign_in_with_card, name="sign-in"),
    path("sign-in/password/", views.sign_in_with_password, name="sign-in-password"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("staff/", pages.staff_list, name="list"),
    path("staff/new/", pages.new_member, name="new"),
    path("staff/<int:user_id>/", pages.member, name="member"),
    path("staff/<int:user_id>/change/", pages.change_member, name="change"),
    path("staff/<int:user_id>/cards/new/", pages.issue_card, name="issue-card"),
    path("staff/cards/<int:card_id>/revoke/", pages.revoke_card, name="revoke-card"),
    path("staff/cards/<int:card_id>/pin/", pages.reset_pin, name="reset-pin"),
    path("staff/cards/<int:card_id>/unlock/", pages.unlock_card, name="unlock-card"),
    path("staff/locks/", pages.locks, name="locks"),
    path("staff/locks/<int:lockout_id>/lift/", pages.lift_lockout, name="lift-lockout"),
]
