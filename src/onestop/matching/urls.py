from __future__ import annotations

from django.urls import path

from onestop.matching import views

app_name = "matching"
urlpatterns = [
    path("", views.review_queue, name="review-queue"),
    path("<int:left_id>-<int:right_id>/", views.review_pair, name="review-pair"),
]
