"""Every write about dialogues: drafts, publishing, and loading the scripts OneStop ships."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from onestop.catalogue.models import Service
from onestop.core.versioning import lock_document
from onestop.dialogues.models import Dialogue, DialogueStateError, DialogueVersion
from onestop.dialogues.validation import DialogueInvalid, parse
from onestop.staff.authoring import check_author, check_keeper, give_unkept

CONTENT = Path(__file__).with_name("content")
SHIPPED_REVIEW_DAYS = 365

__all__ = ["DialogueInvalid", "DialogueStateError", "do_give_unowned_dialogues_to",
           "do_load_shipped_dialogues", "do_publish", "do_save_draft"]


def _may_edit(by) -> None:
    check_author(by, what="dialogues", error=DialogueStateError)


@transaction.atomic
def do_save_draft(service: Service, document: dict | str, *, by, change_note: str = ""
                  ) -> DialogueVersion:
    """Save a service's draft script: the open draft is updated, or a new one started.

    Refused with DialogueInvalid (every problem listed) unless the document would run."""
    _may_edit(by)
    parsed = parse(document)
    if isinstance(document, str):
        document = json.loads(document)
    if parsed.lgsl != service.lgsl:
        raise DialogueInvalid([f"lgsl: the document is for LGSL {parsed.lgsl}, "
                               f"not {service.lgsl} ({service.label})"])
    dialogue = lock_document(Dialogue, service, by=by)
    _may_edit_this(dialogue, by)
    return DialogueVersion.save_draft(dialogue, document, by=by, change_note=change_note)


def _may_edit_this(dialogue: Dialogue, by) -> None:
    check_keeper(dialogue, by, what=f"the {dialogue.service.label} script",
                 error=DialogueStateError)


@transaction.atomic
def do_publish(version: DialogueVersion, *, by, review_by: dt.date) -> DialogueVersion:
    _may_edit(by)
    # Locked, so two owners publishing a script nobody keeps take turns.
    _may_edit_this(lock_document(Dialogue, version.dialogue.service, by=by), by)
    parse(version.document)  # a draft saved before a schema change may no longer run
    version.publish(by=by, review_by=review_by)
    return version


@dataclass(frozen=True)
class LoadReport:
    published: list[str]
    unchanged: list[str]


@transaction.atomic
def do_load_shipped_dialogues(directory: Path = CONTENT) -> LoadReport:
    """Publish each shipped script whose text differs from the service's published version.

    All or nothing: one file that does not validate, or names an LGSL number not in the
    catalogue, stops the load with the file named and nothing written."""
    published, unchanged, problems = [], [], []
    files = sorted(directory.glob("*.json"))
    documents = {}
    for path in files:
        try:
            documents[path] = (json.loads(path.read_text()), parse(path.read_text()))
        except DialogueInvalid as error:
            problems.extend(f"{path.name}: {message}" for message in error.errors)
    services = Service.objects.in_bulk([d.lgsl for _, d in documents.values()],
                                       field_name="lgsl")
    problems += [f"{path.name}: LGSL {d.lgsl} is not in the service catalogue "
                 f"(run `onestop load_reference` first)"
                 for path, (_, d) in documents.items() if d.lgsl not in services]
    if problems:
        raise DialogueInvalid(problems)
    review_by = timezone.localdate() + dt.timedelta(days=SHIPPED_REVIEW_DAYS)
    current = {d.service_id: d for d in Dialogue.objects.select_related("published")}
    for path, (document, parsed) in documents.items():
        service = services[parsed.lgsl]
        dialogue = current.get(service.pk)
        if dialogue and dialogue.published and dialogue.published.document == document:
            unchanged.append(path.name)
            continue
        version = do_save_draft(service, document, by=None,
                                change_note=f"shipped with OneStop ({path.name})")
        version.publish(by=None, review_by=review_by)
        published.append(path.name)
    return LoadReport(published, unchanged)


@transaction.atomic
def do_give_unowned_dialogues_to(owner) -> int:
    """Make `owner` keep every script nobody owns (the shipped ones after a first load)."""
    return give_unkept(Dialogue, owner, error=DialogueStateError)
