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
    # Null when a resident served themselves on the web or at a kiosk.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="contacts_recorded"
    )
    channel = models.CharField(max_length=12, choices=Channel.choices)
    # Blank while the contact is open; rolled up from its services when it closes.
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    # Nothing was referred to the back office and something was done: set on closing.
    resolved_at_first_contact = models.BooleanField(null=True, blank=True)
    services = models.ManyToManyField("catalogue.Service", related_name="contacts")
    notes = models.TextField(blank=True)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)  # null while open
    # Which partner system sent it, for contacts that came in through the API.
    source_reference = models.CharField(max_length=100, blank=True)
    # Who is asking when no resident record is attached (self-service, anonymous calls):
    # where referrals route to and where feedback goes.
    requester_name = models.CharField(max_length=160, blank=True)
    requester_email = models.EmailField(blank=True)
    requester_phone = models.CharField(max_length=32, blank=True)
    requester_property = models.ForeignKey("people.Property", null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["person", "-started_at"])]

    def __str__(self) -> str:
        state = self.get_outcome_display() if self.outcome else "open"
        return f"{self.get_channel_display()} contact {self.pk} ({state})"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class ContactService(models.Model):
    """One service in a contact's basket, with the run of its dialogue.

    `run` is the engine's RunState as JSON, written on every step: the answers given so
    far, the pages passed and where the run is now."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="basket")
    service = models.ForeignKey("catalogue.Service", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    # The script version this run started with; a newer version published meanwhile does
    # not change a run under way.
    dialogue_version = models.ForeignKey("dialogues.DialogueVersion", on_delete=models.PROTECT,
                                         related_name="runs")
    run = models.JSONField(default=dict)
    outcome_type = models.CharField(max_length=16, blank=True)
    outcome_key = models.CharField(max_length=48, blank=True)  # the dialogue's outcome id
    outcome_title = models.CharField(max_length=200, blank=True)
    amount_pence = models.PositiveIntegerField(null=True, blank=True)
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    # The life event a script ending in `life_event` reported (told once to every service).
    life_event = models.ForeignKey("lifeevents.LifeEvent", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["contact", "position"]
        constraints = [models.UniqueConstraint(fields=["contact", "service"],
                                               name="a_service_once_per_contact")]

    def __str__(self) -> str:
        return f"{self.service.label} in contact {self.contact_id}"

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None

    @property
    def refers(self) -> bool:
        return self.outcome_type in ("referral", "service_request")


class WorkSession(models.Model):
    """The unfinished state of a contact, live on one terminal at a time.

    An adviser's work session follows their ID card: signing in on another terminal
    claims it there, and the old terminal then shows that the contact moved. A resident's
    self-service session (no owner) lives in their browser session."""

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE,
                                   related_name="work_session")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.PROTECT, related_name="work_sessions")
    terminal = models.CharField(max_length=64)  # the live terminal's key
    claimed_at = models.DateTimeField()
    current = models.ForeignKey(ContactService, null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    notes = models.TextField(blank=True)
    last_step_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    moves = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            # One open contact per adviser: the one their card carries between terminals.
            models.UniqueConstraint(fields=["owner"], condition=models.Q(closed_at__isnull=True),
                                    name="one_open_work_session_per_owner"),
        ]

    def __str__(self) -> str:
        return f"Work session of contact {self.contact_id}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None
