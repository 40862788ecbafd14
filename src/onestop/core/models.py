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
    """A security-relevant event: every sign-in and failed sign-in, every change of staff,
    roles, teams, authorities, cards, PINs and settings (with the values before and after),
    and every use of a resident's rights (subject access, retention)."""

    class Kind(models.TextChoices):
        SIGNED_IN = "signed_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        SIGN_IN_THROTTLED = "sign_in_throttled", "Sign-in refused: too many failures"
        SIGN_IN_UNTHROTTLED = "sign_in_unthrottled", "Sign-in lock-out lifted"
        CARD_LOCKED = "card_locked", "ID card locked"
        CARD_UNLOCKED = "card_unlocked", "ID card unlocked"
        CARD_ISSUED = "card_issued", "ID card issued"
        CARD_REVOKED = "card_revoked", "ID card revoked"
        PIN_RESET = "pin_reset", "PIN reset"
        SIGNED_OUT = "signed_out", "Signed out"
        STAFF_CREATED = "staff_created", "Staff member created"
        STAFF_CHANGED = "staff_changed", "Staff member changed"
        TEAM_CHANGED = "team_changed", "Team changed"
        SETTING_CHANGED = "setting_changed", "Setting changed"
        CHANGE_REFUSED = "change_refused", "Change refused"
        RULE_PREVIEWED = "rule_previewed", "Eligibility rule previewed"
        SUBJECT_ACCESS = "subject_access", "Subject access export"
        RETENTION_APPLIED = "retention_applied", "Retention applied"

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
    # Who made a change, when it is not the user it is about (an administrator changing a
    # member of staff); null for sign-ins, where the actor is `user`.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    # The values a change replaced and the values it set, field by field.
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.claimed_identity}"


class RecordAccess(models.Model):
    """One viewing (or refused attempt to view) of a resident's record, case or contact.

    Kept for every view so that administrators can answer "who looked at this resident,
    when, and in which contact" — the question a data-protection complaint asks — and for
    every refusal of a page or API endpoint that names a person, case, contact, pair or
    life event, whether or not it led to a person (`subject` says what was asked for).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Null when what was refused names no resident (an anonymous contact, an unknown id).
    person = models.ForeignKey("people.Person", null=True, blank=True, on_delete=models.PROTECT)
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL
    )
    granted = models.BooleanField()
    purpose = models.CharField(max_length=64, blank=True)
    # What the request named: "person 12", "case MS-2026-000031", "contact 7", "pair 3-4".
    subject = models.CharField(max_length=80, blank=True)
    # The page or endpoint asked for, so a refusal can be traced to what was tried.
    path = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "record accesses"

    def __str__(self) -> str:
        verb = "viewed" if self.granted else "was refused"
        return f"{self.user} {verb} {self.subject or f'person {self.person_id}'} at " \
               f"{self.at:%Y-%m-%d %H:%M}"


class AnonymousWrite(models.Model):
    """One write taken from someone not signed in, counted against its kind's hourly limits
    (`onestop.core.limits`).

    A row per write the page accepted to try, kept only for the counting window.
    `client_key` is a keyed hash of the sender's address, never the address itself: enough
    to count one sender's writes, not to find who sent them. A life-event report counts
    whether or not it matched anyone, so the limit, like the page, tells a stranger nothing
    about who is on our records.
    """

    class Kind(models.TextChoices):
        LIFE_EVENT_REPORT = "life_event_report", "Life event reported on the web"
        WEB_SERVICE_STARTED = "web_service_started", "Service started on the web"
        WEB_PAGE_SAVED = "web_page_saved", "Self-service page saved on the web"
        KIOSK_SERVICE_STARTED = "kiosk_service_started", "Service started at a kiosk"
        KIOSK_PAGE_SAVED = "kiosk_page_saved", "Self-service page saved at a kiosk"

    kind = models.CharField(max_length=32, choices=Kind.choices)
    client_key = models.CharField(max_length=64)
    made_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["kind", "client_key", "made_at"], name="write_kind_client_time"),
            models.Index(fields=["kind", "made_at"], name="write_kind_time"),
            models.Index(fields=["made_at"], name="write_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.client_key[:12]}… at " \
               f"{self.made_at:%d %b %Y %H:%M}"
