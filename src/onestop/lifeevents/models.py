"""Tell us once: a life event reported once, and the notice each affected service got."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from onestop.lifeevents.mapping import EventKind


class LifeEvent(models.Model):
    """Something that happened to a resident, as reported, with what OneStop changed.

    `dedupe_key` makes the same event for the same person on the same day one row however
    often, and by whomever, it is reported (a birth also keys on the child's name: twins
    are two events).
    """

    class Channel(models.TextChoices):
        PHONE = "phone", "Phone"
        FACE_TO_FACE = "face_to_face", "Face to face"
        HOME_VISIT = "home_visit", "Home visit"
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"
        WEB = "web", "Web self-service"
        PARTNER = "partner", "Partner system"

    kind = models.CharField(max_length=16, choices=EventKind.choices)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT,
                               related_name="life_events")
    # Who told us: the person themself, a resident on our records, or someone named here
    # (the family, a funeral director); for a death, the informant gets the confirmation.
    informant_person = models.ForeignKey("people.Person", null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+")
    informant_name = models.CharField(max_length=160, blank=True)
    informant_email = models.CharField(max_length=254, blank=True)
    informant_phone = models.CharField(max_length=32, blank=True)
    occurred_on = models.DateField()
    reported_at = models.DateTimeField()
    # An adviser, or a partner system's user; empty for a resident's own report.
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    details = models.JSONField(default=dict, blank=True)
    # What OneStop's own records changed, in plain words, in order.
    changes = models.JSONField(default=list, blank=True)
    dedupe_key = models.CharField(max_length=200, unique=True)
    confirmation = models.ForeignKey("integrations.OutboxMessage", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    # Why no confirmation went, when none could (no email or mobile number known).
    confirmation_note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-reported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.occurred_on:%d %b %Y}: {self.person}"


class LifeEventNotice(models.Model):
    """What one affected service was told, and how it reaches its back office."""

    class Delivery(models.TextChoices):
        WEBHOOK = "webhook", "Sent to the team's system"
        WORKLIST = "worklist", "On the team's worklist"
        NOT_ROUTED = "not_routed", "No team to tell"

    event = models.ForeignKey(LifeEvent, on_delete=models.CASCADE, related_name="notices")
    service = models.ForeignKey("catalogue.Service", on_delete=models.PROTECT,
                                related_name="+")
    authority = models.ForeignKey("authorities.Authority", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey("staff.Team", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    delivery = models.CharField(max_length=12, choices=Delivery.choices)
    outbox_message = models.ForeignKey("integrations.OutboxMessage", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    why = models.CharField(max_length=300)
    # What changed, as the back office receives it (the webhook payload's "changed").
    changed = models.JSONField(default=list)
    # Why the notice could not be routed, for delivery "not_routed".
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["event", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "service"],
                                               name="one_notice_per_service")]

    def __str__(self) -> str:
        return f"{self.event}: {self.service} ({self.get_delivery_display()})"


class SelfServiceReport(models.Model):
    """A resident's report from the self-service page, held until an adviser checks it.

    Anyone can fill in the page without signing in, so nothing on our records changes and
    nothing is sent until an adviser confirms the report (which then reports the life event
    as usual) or drops it.
    """

    class Status(models.TextChoices):
        REPORTED = "reported", "Reported, to check"
        CONFIRMED = "confirmed", "Confirmed"
        DROPPED = "dropped", "Dropped"

    # Only a claim until decided: it goes with the person, or the event it became, when
    # they are deleted (the demo's rebuild), rather than stand in the way.
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE,
                               related_name="+")
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    occurred_on = models.DateField()
    details = models.JSONField(default=dict, blank=True)
    # As the reporter typed them: for the adviser to check against, never to send to.
    informant_name = models.CharField(max_length=160, blank=True)
    informant_email = models.CharField(max_length=254, blank=True)
    informant_phone = models.CharField(max_length=32, blank=True)
    reported_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=Status.choices,
                              default=Status.REPORTED)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    event = models.ForeignKey(LifeEvent, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="+")

    class Meta:
        ordering = ["reported_at", "id"]

    def __str__(self) -> str:
        return (f"{self.get_kind_display()} on {self.occurred_on:%d %b %Y}: {self.person} "
                f"({self.get_status_display()})")

    def confirm(self, adviser, event: LifeEvent) -> None:
        self._decide(self.Status.CONFIRMED, adviser)
        self.event = event
        self.save(update_fields=["status", "decided_by", "decided_at", "event"])

    def drop(self, adviser) -> None:
        self._decide(self.Status.DROPPED, adviser)
        self.save(update_fields=["status", "decided_by", "decided_at"])

    def _decide(self, status: str, adviser) -> None:
        if self.status != self.Status.REPORTED:
            raise ValueError(f"this report is already {self.get_status_display().lower()}")
        self.status, self.decided_by, self.decided_at = status, adviser, timezone.now()
