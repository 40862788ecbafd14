"""Version 1 of the partner API."""

from __future__ import annotations

from django.urls import path

from onestop.cases.receipts import NotifyReceipts
from onestop.catalogue.api import Responsibility, ServiceSearch
from onestop.contacts.api import ContactCreate
from onestop.lifeevents.api import LifeEventCreate
from onestop.people.api import PeopleSearch

app_name = "api"
urlpatterns = [
    path("services", ServiceSearch.as_view(), name="services"),
    path("responsibility", Responsibility.as_view(), name="responsibility"),
    path("contacts", ContactCreate.as_view(), name="contacts"),
    path("people", PeopleSearch.as_view(), name="people"),
    path("life-events", LifeEventCreate.as_view(), name="life-events"),
    path("notify/receipts", NotifyReceipts.as_view(), name="notify-receipts"),
]
