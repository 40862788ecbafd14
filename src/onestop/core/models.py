"""Base models and the audit trail every context writes to."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AuditEvent(models.Model):
    """A security-relevant event: every sign-in, failed sign-in and card lock-out."""

    class Kind(models.TextChoices):
        SIGNED_IN = "signed_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        CARD_LOCKED = "card_locked", "ID card locked"
        CARD_UNLOCKED = "card_unlocked", "ID card unlocked"
        SIGNED_OUT = "signed_out", "Signed out"

    kind = models.CharField(max_length=32, choices=Kind.choices)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # What the person at the terminal typed as their identity (card number or username),
    # kept even when it matched nobody.
    claimed_identity = models.CharField(max_length=150, blank=True)
    terminal = models.CharField(max_length=255, blank=True)
    detail = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.claimed_identity}"


class RecordAccess(models.Model):
    """One viewing (or refused attempt to view) of a person's record.

    Kept for every view so that administrators can answer "who looked at this resident,
    when, and in which contact" — the question a data-protection complaint asks.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT)
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL
    )
    granted = models.BooleanField()
    purpose = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "record accesses"

    def __str__(self) -> str:
        verb = "viewed" if self.granted else "was refused"
        return f"{self.user} {verb} person {self.person_id} at {self.at:%Y-%m-%d %H:%M}"
