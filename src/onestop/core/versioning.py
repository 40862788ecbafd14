"""Documents kept in versions: a draft edited, published with a review date, retired when
the next is published. Service scripts (dialogues) and eligibility rules are both kept so.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone


class ReviewedVersion(models.Model):
    """One version of a document owned by a parent (a Dialogue, a Rule) that points at its
    published version. Subclasses name the parent foreign key in `parent_field`, the
    document's field in `content_field` and the error to raise in `state_error`."""

    parent_field: str
    content_field: str  # the JSON field holding the document itself
    state_error: type[Exception] = ValueError

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        RETIRED = "retired", "Retired"

    number = models.PositiveIntegerField()
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
        abstract = True

    @property
    def parent(self):
        """The document this is a version of (the Dialogue, the Rule)."""
        return getattr(self, self.parent_field)

    def is_review_overdue(self, today: dt.date) -> bool:
        return self.status == self.Status.PUBLISHED and self.review_by is not None \
            and self.review_by < today

    @transaction.atomic
    def publish(self, *, by, review_by: dt.date) -> None:
        """Make this draft the version in use; the one it replaces is retired. Work already
        under way with the old version (a run of a script) keeps the version it began with."""
        versions = type(self).objects
        version = versions.select_for_update().get(pk=self.pk)
        if version.status != self.Status.DRAFT:
            raise self.state_error(f"only a draft can be published; v{self.number} is "
                                   f"{version.get_status_display().lower()}")
        if review_by <= timezone.localdate():
            raise self.state_error("the review date must be in the future")
        parents = self._meta.get_field(self.parent_field).related_model.objects
        parent = parents.select_for_update().get(pk=getattr(self, f"{self.parent_field}_id"))
        if parent.published_id:
            versions.filter(pk=parent.published_id).update(status=self.Status.RETIRED)
        self.status, self.published_at = self.Status.PUBLISHED, timezone.now()
        self.published_by, self.review_by = by, review_by
        self.save(update_fields=["status", "published_at", "published_by", "review_by"])
        parent.published = self
        parent.save(update_fields=["published"])
        getattr(self, self.parent_field).published = self

    @classmethod
    def save_draft(cls, parent, content, *, by, change_note: str = ""):
        """The open draft of `parent` (locked by the caller) updated with `content`, or a
        new draft numbered after its last version. One draft at a time: an author who
        saves twice edits the same draft rather than starting a queue of them."""
        versions = cls.objects.filter(**{cls.parent_field: parent})
        draft = versions.filter(status=cls.Status.DRAFT).first()
        if draft is not None:
            setattr(draft, cls.content_field, content)
            draft.change_note = change_note[:300]
            draft.save(update_fields=[cls.content_field, "change_note"])
            return draft
        number = (versions.aggregate(n=models.Max("number"))["n"] or 0) + 1
        return cls.objects.create(**{cls.parent_field: parent, cls.content_field: content},
                                  number=number, created_by=by, change_note=change_note[:300])


def lock_document(parent_model, service, *, by):
    """The service's document (a Dialogue, a Rule), created for `by` if it has none, with
    its row locked so two authors saving at once take turns."""
    parent, _ = parent_model.objects.get_or_create(service=service, defaults={"owner": by})
    return (parent_model.objects.select_for_update(of=("self",))
            .select_related("owner", "service").get(pk=parent.pk))
