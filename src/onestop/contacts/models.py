"""Contacts: one interaction with a resident, on any channel."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from onestop.core.models import TimeStampedModel


class Contact(TimeStampedModel):
    class Channel(models.TextChoices):
        PHONE = "phone", "Phone"
        FACE_TO_FACE = "face_to_face", "Face to face"
        HOME_VISIT = "home_visit", "Home visit"
        WEB = "web", "Web"
        KIOSK = "kiosk", "Kiosk"
        EMAIL = "email", "Email"
        SMS = "sms", "Text message"
        LETTER = "letter", "Letter"

    class Outcome(models.TextChoices):
        RESOLVED = "resolved", "Resolved at first contact"
        REFERRED = "referred", "Referred to the back office"
        SIGNPOSTED = "signposted", "Signposted elsewhere"
        ABANDONED = "abandoned", "Abandoned"

    # Null for an anonymous enquiry (a caller who would not give their name).
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="contacts"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contacts_recorded"
    )
    channel = models.CharField(max_length=12, choices=Channel.choices)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    services = models.ManyToManyField("catalogue.Service", related_name="contacts")
    notes = models.TextField(blank=True)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    # Which partner system sent it, for contacts that came in through the API.
    source_reference = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["person", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} contact {self.pk} ({self.get_outcome_display()})"
