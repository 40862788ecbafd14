"""Dialogues and their versions: drafts edited by service owners, published with a review date."""

from __future__ import annotations

import datetime as dt
from functools import cached_property

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from onestop.dialogues.document import Dialogue as Document


class DialogueStateError(ValueError):
    """A version cannot move to the state asked for; the message says why."""


class Dialogue(models.Model):
    """The script of one service. Its versions hold the documents; one is published."""

    service = models.OneToOneField("catalogue.Service", on_delete=models.PROTECT,
                                   related_name="dialogue")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="dialogues_owned",
                              help_text="The service owner who keeps the script up to date.")
    published = models.ForeignKey("DialogueVersion", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["service__label"]

    def __str__(self) -> str:
        return f"Dialogue for {self.service}"


class DialogueVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    dialogue = models.ForeignKey(Dialogue, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    document = models.JSONField()
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    review_by = models.DateField(null=True, blank=True)
    change_note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["dialogue", "-number"]
        constraints = [models.UniqueConstraint(fields=["dialogue", "number"],
                                               name="one_number_per_dialogue_version")]

    def __str__(self) -> str:
        return f"{self.dialogue.service.label} v{self.number} ({self.status})"

    @cached_property
    def parsed(self) -> Document:
        """The runnable document. Published versions were validated when saved."""
        return Document.from_json(self.document)

    def is_review_overdue(self, today: dt.date) -> bool:
        return self.status == self.Status.PUBLISHED and self.review_by is not None \
            and self.review_by < today

    @transaction.atomic
    def publish(self, *, by, review_by: dt.date) -> None:
        """Make this draft the version new runs use; the one it replaces is retired.

        Runs already under way keep the version they started with."""
        version = DialogueVersion.objects.select_for_update().get(pk=self.pk)
        if version.status != self.Status.DRAFT:
            raise DialogueStateError(f"only a draft can be published; v{self.number} is "
                                     f"{version.get_status_display().lower()}")
        if review_by <= timezone.localdate():
            raise DialogueStateError("the review date must be in the future")
        dialogue = Dialogue.objects.select_for_update().get(pk=self.dialogue_id)
        if dialogue.published_id:
            DialogueVersion.objects.filter(pk=dialogue.published_id).update(
                status=self.Status.RETIRED)
        self.status, self.published_at = self.Status.PUBLISHED, timezone.now()
        self.published_by, self.review_by = by, review_by
        self.save(update_fields=["status", "published_at", "published_by", "review_by"])
        dialogue.published = self
        dialogue.save(update_fields=["published"])
        self.dialogue.published = self
