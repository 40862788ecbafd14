"""Eligibility rules (versioned like dialogues) and the offers advisers make from them."""

from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from onestop.core.versioning import ReviewedVersion


class RuleStateError(ValueError):
    """A rule version or an offer cannot move to the state asked for; the message says why."""


class Rule(models.Model):
    """The eligibility rule of one service. Its versions hold the definitions."""

    service = models.OneToOneField("catalogue.Service", on_delete=models.PROTECT,
                                   related_name="eligibility_rule")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="rules_owned",
                              help_text="The service owner who keeps the rule up to date.")
    published = models.ForeignKey("RuleVersion", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["service__label"]

    def __str__(self) -> str:
        return f"Eligibility rule for {self.service}"


class RuleVersion(ReviewedVersion):
    """One version of a rule. `definition` is checked on save (see definitions.py):
    {"lgsl", "scope", "applies", "not_applicable_reason", "likely_eligible",
    "eligible_reason", "not_eligible_reason"}."""

    parent_field = "rule"
    content_field = "definition"
    state_error = RuleStateError

    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="versions")
    definition = models.JSONField()

    class Meta:
        ordering = ["rule", "-number"]
        constraints = [models.UniqueConstraint(fields=["rule", "number"],
                                               name="one_number_per_rule_version")]

    def __str__(self) -> str:
        return f"{self.rule.service.label} rule v{self.number} ({self.status})"

    @cached_property
    def parsed(self):
        """The checked definition. Published versions were checked when saved."""
        from onestop.eligibility.definitions import RuleDefinition

        return RuleDefinition.from_json(self.definition)


class Offer(models.Model):
    """A service an adviser offered a resident because its rule said likely eligible, and
    what the resident said."""

    class Status(models.TextChoices):
        OFFERED = "offered", "Offered"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="offers")
    service = models.ForeignKey("catalogue.Service", on_delete=models.PROTECT, related_name="+")
    rule_version = models.ForeignKey(RuleVersion, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    # The contact it was offered in: cross-service take-up counts offers taken per contact.
    contact = models.ForeignKey("contacts.Contact", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="offers")
    reason = models.TextField(blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OFFERED)
    offered_at = models.DateTimeField(default=timezone.now)
    offered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-offered_at"]
        indexes = [models.Index(fields=["person", "service"])]

    def __str__(self) -> str:
        return f"{self.service.label} offered to {self.person} ({self.status})"

    @transaction.atomic
    def _decide(self, status: str) -> None:
        offer = Offer.objects.select_for_update().get(pk=self.pk)
        if offer.status != self.Status.OFFERED:
            raise RuleStateError(f"{self.service.label} was already "
                                 f"{offer.get_status_display().lower()}")
        self.status, self.decided_at = status, timezone.now()
        self.save(update_fields=["status", "decided_at"])

    def accept(self) -> None:
        self._decide(self.Status.ACCEPTED)

    def decline(self) -> None:
        self._decide(self.Status.DECLINED)
