"""Dialogues and their versions: drafts edited by service owners, published with a review date."""

from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.db import models

from onestop.core.versioning import ReviewedVersion
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


class DialogueVersion(ReviewedVersion):
    """One version of a service's script; see core.versioning for its life."""

    parent_field = "dialogue"
    content_field = "document"
    state_error = DialogueStateError

    dialogue = models.ForeignKey(Dialogue, on_delete=models.PROTECT, related_name="versions")
    document = models.JSONField()

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

