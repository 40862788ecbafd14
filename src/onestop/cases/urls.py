from __future__ import annotations

from django.urls import path, re_path

from onestop.cases import views

app_name = "cases"
REFERENCE = r"(?P<reference>C-\d{1,12})"
urlpatterns = [
    path("", views.my_worklists, name="worklists"),
    path("teams/<slug:slug>/", views.team_worklist, name="team-worklist"),
    path("escalated/", views.escalated, name="escalated"),
    path("enquiries/", views.my_enquiries, name="my-enquiries"),
    path("enquiries/new/", views.raise_enquiry, name="raise-enquiry"),
    path("enquiries/performance/", views.enquiry_performance_page,
         name="enquiry-performance"),
    re_path(rf"^{REFERENCE}/$", views.case_detail, name="case"),
    re_path(rf"^{REFERENCE}/(?P<move>acknowledge|start|resolve|close|reopen)/$",
            views.move_case, name="move"),
    re_path(rf"^{REFERENCE}/feedback/$", views.send_feedback, name="feedback"),
    re_path(rf"^{REFERENCE}/rating/$", views.rate_enquiry, name="rate"),
]
