from __future__ import annotations

from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "onestop.contacts"
    label = "contacts"
    verbose_name = "Contacts and adviser desktop"
