"""The master index's state: source records, their imports, scored pairs, review decisions.

A source record is one row of a back-office extract, kept in its standardised form (what
linkage compares) beside the row as it came (what the single citizen view shows). Records
are never deleted: a record that vanishes from a newer extract is retired, so the history
of who the council knew, where and when, survives.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ExtractImport(models.Model):
    """One run of `import_extract`: which file, and what it did."""

    source = models.CharField(max_length=40, db_index=True)
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    read = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    retired = models.PositiveIntegerField(default=0)
    quarantined = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source} import of {self.file_name} at {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def changed_anything(self) -> bool:
        return bool(self.imported or self.updated or self.retired)


class SourceRecord(models.Model):
    """One resident as one back-office system knows them."""

    source = models.CharField(max_length=40)
    reference = models.CharField(max_length=80)
    person = models.ForeignKey("people.Person", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="source_records")
    # Standardised for comparison: lower case, nicknames grouped, postcode canonical.
    title = models.CharField(max_length=20, blank=True)
    given_name = models.CharField(max_length=80, blank=True)
    middle_names = models.CharField(max_length=120, blank=True)
    family_name = models.CharField(max_length=80, blank=True)
    name_group = models.CharField(max_length=80, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    national_insurance_number = models.CharField(max_length=9, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    email = models.CharField(max_length=254, blank=True)
    address = models.CharField(max_length=255, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    uprn = models.PositiveBigIntegerField("UPRN", null=True, blank=True)
    # Where the resident lived before, when the system asks (a council-tax move-in form):
    # it links a record at the new home to the records other systems still hold at the old.
    previous_address = models.CharField(max_length=255, blank=True)
    previous_postcode = models.CharField(max_length=8, blank=True)
    # What the system contributes beyond identity (benefits, band, tenure, children, ...).
    attributes = models.JSONField(default=dict, blank=True)
    # The row exactly as it came, for the single citizen view and for audit.
    raw = models.JSONField(default=dict)
    row_hash = models.CharField(max_length=64)
    first_seen = models.ForeignKey(ExtractImport, on_delete=models.PROTECT,
                                   related_name="records_first_seen")
    last_seen = models.ForeignKey(ExtractImport, on_delete=models.PROTECT,
                                  related_name="records_seen")
    retired_at = models.DateTimeField(null=True, blank=True)
    # The council whose system holds this record (its profile's `held_by`; of several, the
    # one the record's address lies in), set on import. Its staff may see the resident
    # (onestop.people.access); null gives no council that right.
    held_by = models.ForeignKey("authorities.Authority", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    # New, changed or revived by an import since the last linkage run: the next run, full
    # or incremental, scores it again (so a corrected name or a move can join it to someone
    # else) and refreshes its person's golden record.
    needs_linking = models.BooleanField(default=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "reference"],
                                               name="one_record_per_source_reference")]
        indexes = [models.Index(fields=["source", "last_seen"])]

    def __str__(self) -> str:
        return f"{self.source} {self.reference}"

    @property
    def is_active(self) -> bool:
        return self.retired_at is None


class QuarantinedRow(models.Model):
    """A row an import could not take, with the reason, so nothing is silently dropped."""

    extract_import = models.ForeignKey(ExtractImport, on_delete=models.CASCADE,
                                       related_name="quarantined_rows")
    row_number = models.PositiveIntegerField()
    line_number = models.PositiveIntegerField()
    field = models.CharField(max_length=80, blank=True)
    reason = models.TextField()
    raw = models.TextField()

    class Meta:
        ordering = ["extract_import", "row_number"]

    def __str__(self) -> str:
        return f"row {self.row_number}: {self.reason}"


class LinkageRun(models.Model):
    """One run of `onestop link`, with the trained model it scored pairs with."""

    class Mode(models.TextChoices):
        FULL = "full", "Full"
        INCREMENTAL = "incremental", "Incremental"

    mode = models.CharField(max_length=12, choices=Mode.choices)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    records = models.PositiveIntegerField(default=0)
    pairs_scored = models.PositiveIntegerField(default=0)
    links = models.PositiveIntegerField(default=0)
    for_review = models.PositiveIntegerField(default=0)
    persons_created = models.PositiveIntegerField(default=0)
    merges = models.PositiveIntegerField(default=0)
    splits = models.PositiveIntegerField(default=0)
    link_threshold = models.FloatField()
    review_threshold = models.FloatField()
    # Splink's settings with the trained m and u values: an incremental run reuses them.
    model = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} linkage at {self.started_at:%Y-%m-%d %H:%M}"


class RecordPair(models.Model):
    """Two source records scored as possibly one resident, with why.

    `left_id < right_id` always, so a pair has one row. The explanation lists each
    comparison, the level it reached and the match weight (log2 Bayes factor) it added.
    """

    class Band(models.TextChoices):
        LINK = "link", "Linked"
        REVIEW = "review", "Needs review"

    left = models.ForeignKey(SourceRecord, on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey(SourceRecord, on_delete=models.CASCADE, related_name="+")
    match_probability = models.FloatField()
    match_weight = models.FloatField()
    band = models.CharField(max_length=8, choices=Band.choices, db_index=True)
    explanation = models.JSONField(default=list)
    run = models.ForeignKey(LinkageRun, on_delete=models.CASCADE, related_name="pairs")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["left", "right"], name="one_pair_per_records"),
            models.CheckConstraint(condition=models.Q(left__lt=models.F("right")),
                                   name="pair_left_before_right"),
        ]

    def __str__(self) -> str:
        return f"{self.left_id}~{self.right_id} ({self.match_probability:.3f})"


class ReviewDecision(models.Model):
    """A team leader's verdict on a pair; every later linkage run obeys it."""

    class Verdict(models.TextChoices):
        SAME = "same", "Same person"
        DIFFERENT = "different", "Different people"

    left = models.ForeignKey(SourceRecord, on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey(SourceRecord, on_delete=models.CASCADE, related_name="+")
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["left", "right"], name="one_decision_per_pair"),
            models.CheckConstraint(condition=models.Q(left__lt=models.F("right")),
                                   name="decision_left_before_right"),
        ]

    def __str__(self) -> str:
        return f"{self.left_id}~{self.right_id}: {self.verdict}"


class PersonChange(models.Model):
    """How the index changed a person: created, merged into another, split off, retired."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        MERGED = "merged", "Merged"
        SPLIT = "split", "Split"
        RETIRED = "retired", "Retired"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    person = models.ForeignKey("people.Person", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="index_changes")
    # The other person involved: for a merge the one absorbed (deleted, so only its id),
    # for a split the person the records came from.
    other_person_id = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    records = models.PositiveIntegerField(default=0)
    reason = models.TextField()
    run = models.ForeignKey(LinkageRun, null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="person_changes")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: person {self.person_id}"
