"""Who may work a case, who may read it, and who sees its words: decided here.

A case is worked by the officers of its team and the team's leader, and by the
administrators of its authority; every one of them acts only within their authorities,
so an officer added to another council's team still cannot work its cases. The councillor
who raised a members' enquiry reads it (and rates it). Anyone else who may see the
resident sees that the case exists (its service, status and dates) but not its words:
the title, the description, the history and the feedback are for those who work it.
"""

from __future__ import annotations

from onestop.cases.models import Case
from onestop.core.refusals import AccessRefused
from onestop.staff.models import Role, Team


class CaseAccessDenied(AccessRefused):
    """The user may not read or work this case (views answer 403; the refusal is logged)."""

    def __init__(self, message: str, case: Case | None = None) -> None:
        super().__init__(message, person=case.person if case else None,
                         contact=case.contact if case else None,
                         subject=f"case {case.reference}" if case else "")


def _team_ids(user) -> frozenset[int]:
    """Teams the user is in or leads (cached on the request's user)."""
    if not hasattr(user, "_case_team_ids"):
        user._case_team_ids = frozenset(user.teams.values_list("id", flat=True)) | frozenset(
            Team.objects.filter(leader=user).values_list("id", flat=True))
    return user._case_team_ids


def can_work_case(user, case: Case) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if case.authority_id not in user.authority_ids():
        return False
    return user.has_role(Role.ADMINISTRATOR) or case.team_id in _team_ids(user)


def can_read_case(user, case: Case) -> bool:
    """The case page: those who work it, and the councillor who raised an enquiry."""
    return can_work_case(user, case) or (
        case.kind == Case.Kind.MEMBERS_ENQUIRY and case.councillor_id == user.pk)


def check_may_work(user, case: Case) -> None:
    if not can_work_case(user, case):
        raise CaseAccessDenied(f"only {case.team.name}, its leader or an administrator of "
                               f"{case.authority.name} can work case {case.reference}", case)


def check_may_read(user, case: Case) -> None:
    if not can_read_case(user, case):
        raise CaseAccessDenied(f"case {case.reference} is for {case.team.name}", case)
