"""Who may write the documents service owners keep: service scripts and eligibility rules.

Service owners and administrators author. Each document is kept by one service owner;
administrators may step in, and a document nobody keeps yet (a shipped one) goes to the
first service owner who edits it. `by=None` is OneStop itself loading what it ships.
"""

from __future__ import annotations

from onestop.staff.models import Role


def check_author(by, *, what: str, error: type[Exception]) -> None:
    if by is not None and not by.has_role(Role.SERVICE_OWNER, Role.ADMINISTRATOR):
        raise error(f"only service owners and administrators edit {what}")


def check_keeper(document, by, *, what: str, error: type[Exception]) -> None:
    """Refuse `by` unless they may edit `document` (a Dialogue or Rule, row-locked), and
    make them its keeper when nobody keeps it yet."""
    if by is None or by.has_role(Role.ADMINISTRATOR):
        return
    if document.owner_id not in (None, by.pk):
        raise error(f"{what} is kept by {document.owner.get_full_name() or document.owner}")
    if document.owner_id is None and by.has_role(Role.SERVICE_OWNER):
        document.owner = by
        document.save(update_fields=["owner"])


def give_unkept(document_model, owner, *, error: type[Exception]) -> int:
    """Make `owner` keep every document of `document_model` nobody keeps (the shipped ones
    after a first load); how many."""
    if not owner.has_role(Role.SERVICE_OWNER):
        raise error(f"{owner.username} is not a service owner")
    return document_model.objects.filter(owner__isnull=True).update(owner=owner)


def own_first(user, overdue) -> list:
    """Overdue reviews as a viewer sees them: a service owner their own (`overdue(owner)`);
    an administrator everyone's (`overdue(None)`), their own first."""
    if not user.has_role(Role.ADMINISTRATOR):
        return overdue(user)
    return sorted(overdue(None), key=lambda version: version.parent.owner_id != user.pk)
