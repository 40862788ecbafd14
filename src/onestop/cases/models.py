"""Cases: what a contact or a councillor asks a service to do, and its SLA clock.

A case is raised by an action (`onestop.cases.actions.do_raise_case`), routed to the team
of the providing authority that handles its service, and worked through its statuses by
the verb methods below. Every change of status is kept as a `CaseEvent`.
"""

from __future__ import annotations

import builtins
import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils import timezone

from onestop.core.workingdays import working_days_between


class CaseTransitionError(ValueError):
    """A case cannot move to the status asked from the one it is in."""


class Case(models.Model):
    class Kind(models.TextChoices):
        REFERRAL = "referral", "Referral"
        SERVICE_REQUEST = "service_request", "Service request"
        MEMBERS_ENQUIRY = "members_enquiry", "Members' enquiry"

    class Priority(models.TextChoices):
        EMERGENCY = "emergency", "Emergency"
        URGENT = "urgent", "Urgent"
        ROUTINE = "routine", "Routine"

    class Status(models.TextChoices):
        NEW = "new", "New"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        IN_PROGRESS = "in_progress", "In progress"
        RESOLVED = "resolved", "Resolved"
        CLOSED = "closed", "Closed"
        REOPENED = "reopened", "Reopened"

    # A case in one of these still needs work; the SLA clock runs.
    OPEN_STATUSES = (Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.REOPENED)
    # Each move and the statuses it may start from; pages offer only these.
    MOVES = {
        "acknowledge": (Status.NEW,),
        "start": (Status.NEW, Status.ACKNOWLEDGED, Status.REOPENED),
        "resolve": OPEN_STATUSES,
        "close": (Status.RESOLVED,),
        "reopen": (Status.RESOLVED, Status.CLOSED),
    }

    # Filled from the primary key just after the first save ("C-000123").
    reference = models.CharField(max_length=20, unique=True, null=True, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    service = models.ForeignKey("catalogue.Service", on_delete=models.PROTECT,
                                related_name="cases")
    authority = models.ForeignKey("authorities.Authority", on_delete=models.PROTECT,
                                  related_name="cases")
    team = models.ForeignKey("staff.Team", on_delete=models.PROTECT, related_name="cases")
    person = models.ForeignKey("people.Person", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="cases")
    property = models.ForeignKey("people.Property", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="cases")
    contact = models.ForeignKey("contacts.Contact", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="cases")
    title = models.CharField(max_length=200)
    # [[question, answer], ...] as the dialogue or the councillor gave them.
    details = models.JSONField(default=list, blank=True)
    priority = models.CharField(max_length=10, choices=Priority.choices,
                                default=Priority.ROUTINE)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)

    raised_at = models.DateTimeField()
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="cases_raised")
    sla_working_days = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    response = models.TextField(blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalated_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="cases_escalated")

    # Who asked, when there is no person record (a self-service resident not matched, or
    # a constituent a councillor typed in).
    requester_name = models.CharField(max_length=160, blank=True)
    requester_email = models.EmailField(max_length=254, blank=True)
    requester_phone = models.CharField(max_length=32, blank=True)
    requester_address = models.CharField(max_length=300, blank=True)

    # Members' enquiries only.
    councillor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="enquiries_raised")
    acknowledge_due_on = models.DateField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)])
    rating_comment = models.TextField(blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [
            # The team worklist: a team's open cases by due date.
            models.Index(fields=["team", "status", "due_on"], name="case_worklist"),
            models.Index(fields=["escalated_to", "status"], name="case_escalated"),
            models.Index(fields=["councillor", "-raised_at"], name="case_councillor"),
            models.Index(fields=["person", "-raised_at"], name="case_person"),
            models.Index(fields=["kind", "raised_at"], name="case_kind_raised"),
        ]
        constraints = [
            models.CheckConstraint(
                name="case_rating_1_to_5",
                condition=models.Q(rating__isnull=True)
                | models.Q(rating__gte=1, rating__lte=5)),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    # --- SLA ---------------------------------------------------------------------------

    @builtins.property  # `property` is a field name in this class body
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    def is_breached(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.is_open and today > self.due_on

    def working_days_overdue(self, today: dt.date | None = None) -> int:
        """Working days past the due date (0 when not overdue or no longer open)."""
        today = today or timezone.localdate()
        if not self.is_breached(today):
            return 0
        return working_days_between(self.due_on, today)

    # --- transitions -------------------------------------------------------------------

    def allowed_moves(self) -> list[str]:
        return [verb for verb, sources in self.MOVES.items() if self.status in sources]

    def _locked(self, verb: str) -> str:
        """Take the row lock, refresh the status, and check it allows `verb`."""
        current = (Case.objects.select_for_update().filter(pk=self.pk)
                   .values_list("status", flat=True).get())
        self.status = current
        if current not in self.MOVES[verb]:
            status = self.get_status_display().lower()
            raise CaseTransitionError(f"cannot {verb} a case that is {status}")
        return current

    def _record(self, kind: str, by, status_from: str, note: str = "",
                at: dt.datetime | None = None) -> CaseEvent:
        return CaseEvent.objects.create(case=self, at=at or timezone.now(), by=by, kind=kind,
                                        status_from=status_from, status_to=self.status,
                                        note=note)

    @transaction.atomic
    def acknowledge(self, by) -> None:
        before = self._locked("acknowledge")
        self.status = self.Status.ACKNOWLEDGED
        self.acknowledged_at = timezone.now()
        self.save(update_fields=["status", "acknowledged_at"])
        self._record(CaseEvent.Kind.ACKNOWLEDGED, by, before, at=self.acknowledged_at)

    @transaction.atomic
    def start(self, by) -> None:
        before = self._locked("start")
        now = timezone.now()
        self.status = self.Status.IN_PROGRESS
        fields = ["status"]
        if self.acknowledged_at is None:
            # Starting work tells the requester it has been seen.
            self.acknowledged_at = now
            fields.append("acknowledged_at")
        self.save(update_fields=fields)
        self._record(CaseEvent.Kind.STARTED, by, before, at=now)

    @transaction.atomic
    def resolve(self, by, response: str) -> None:
        response = (response or "").strip()
        before = self._locked("resolve")
        if not response:
            raise CaseTransitionError("a response is needed to resolve a case")
        now = timezone.now()
        self.status = self.Status.RESOLVED
        self.resolved_at = now
        self.response = response
        fields = ["status", "resolved_at", "response"]
        if self.acknowledged_at is None:
            self.acknowledged_at = now
            fields.append("acknowledged_at")
        self.save(update_fields=fields)
        self._record(CaseEvent.Kind.RESOLVED, by, before, note=response, at=now)

    @transaction.atomic
    def close(self, by) -> None:
        before = self._locked("close")
        self.status = self.Status.CLOSED
        self.closed_at = timezone.now()
        self.save(update_fields=["status", "closed_at"])
        self._record(CaseEvent.Kind.CLOSED, by, before, at=self.closed_at)

    @transaction.atomic
    def reopen(self, by, reason: str) -> None:
        reason = (reason or "").strip()
        before = self._locked("reopen")
        if not reason:
            raise CaseTransitionError("a reason is needed to reopen a case")
        self.status = self.Status.REOPENED
        # The answer given no longer stands; the clock's due date does not move.
        self.resolved_at = None
        self.closed_at = None
        self.save(update_fields=["status", "resolved_at", "closed_at"])
        self._record(CaseEvent.Kind.REOPENED, by, before, note=reason)


class CaseEvent(models.Model):
    """One thing that happened to a case: raised, a change of status, an escalation."""

    class Kind(models.TextChoices):
        RAISED = "raised", "Raised"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        STARTED = "started", "Work started"
        RESOLVED = "resolved", "Resolved"
        CLOSED = "closed", "Closed"
        REOPENED = "reopened", "Reopened"
        ESCALATED = "escalated", "Escalated"
        FEEDBACK = "feedback", "Feedback sent"
        FEEDBACK_FAILED = "feedback_failed", "Feedback not delivered"
        FEEDBACK_DELIVERED = "delivered_late", "Feedback delivered after all"
        RATED = "rated", "Rated"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status_from = models.CharField(max_length=12, choices=Case.Status.choices, blank=True)
    status_to = models.CharField(max_length=12, choices=Case.Status.choices, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"])]

    def __str__(self) -> str:
        return f"{self.case.reference} {self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"


class NotifyStatus(models.TextChoices):
    """The statuses of GOV.UK Notify's delivery receipts for emails and texts."""

    DELIVERED = "delivered", "Delivered"
    PERMANENT_FAILURE = "permanent-failure", "Permanent failure"
    TEMPORARY_FAILURE = "temporary-failure", "Temporary failure"
    TECHNICAL_FAILURE = "technical-failure", "Technical failure"


# Notify's last word on a message; a temporary failure may still become one of these.
FINAL_NOTIFY_STATUSES = frozenset({NotifyStatus.DELIVERED, NotifyStatus.PERMANENT_FAILURE,
                                   NotifyStatus.TECHNICAL_FAILURE})


class Feedback(models.Model):
    """A message back to the requester; delivered later through the outbox."""

    NotifyStatus = NotifyStatus

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "Text message"
        PHONE = "phone", "Phone"
        LETTER = "letter", "Letter"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="feedback")
    at = models.DateTimeField()
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                           on_delete=models.SET_NULL, related_name="+")
    message = models.TextField()
    channel = models.CharField(max_length=8, choices=Channel.choices)
    # The email address, phone number or postal address the message goes to.
    to = models.CharField(max_length=300, blank=True)
    # Why it goes by this channel when the resident's consent ruled out the one it would
    # have gone by ("the resident asked not to be contacted by email; ..."), else empty.
    consent_note = models.CharField(max_length=200, blank=True)
    # When GOV.UK Notify accepted the message (the worker's 2xx), not when it arrived.
    delivered_at = models.DateTimeField(null=True, blank=True)
    # What Notify's delivery receipt says happened next, when it says so, and its id there.
    notify_status = models.CharField(max_length=20, choices=NotifyStatus.choices, blank=True)
    notify_status_at = models.DateTimeField(null=True, blank=True)
    notify_id = models.CharField(max_length=36, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["case", "-at"])]

    def __str__(self) -> str:
        return f"Feedback on {self.case.reference} by {self.get_channel_display()}"

    def takes_receipt(self, status: str, at: dt.datetime) -> bool:
        """Whether a Notify receipt saying `status` at `at` changes what we hold.

        The same status again changes nothing (Notify may send a receipt twice). A final
        status is never replaced by a temporary failure, and a receipt older than the one
        held came late and is ignored. A later final status does replace an earlier one: an
        email Notify called delivered can bounce afterwards.
        """
        if not self.notify_status:
            return True
        if status == self.notify_status:
            return False
        if self.notify_status in FINAL_NOTIFY_STATUSES and status not in FINAL_NOTIFY_STATUSES:
            return False
        return self.notify_status_at is None or at >= self.notify_status_at
