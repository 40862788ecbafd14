"""Reads about cases that pages share: worklists, a person's cases, enquiry performance."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Avg, Count, F, Prefetch, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from onestop.cases.access import can_read_case
from onestop.cases.models import Case, CaseEvent, Feedback
from onestop.people.access import sections_for
from onestop.staff.models import Role, Team

PERFORMANCE_DAYS = 90


def _listed(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.select_related("service", "person", "team", "authority")


def teams_worked_by(user) -> QuerySet[Team]:
    """The teams whose worklists the user sees, each with its open cases counted: those
    they are in or lead, and an administrator every team of the authorities they act for
    (as `onestop.cases.access.can_work_case` lets them work those teams' cases)."""
    mine = Q(members=user) | Q(leader=user)
    if user.has_role(Role.ADMINISTRATOR):
        mine |= Q(authority__in=user.authority_ids())
    ids = Team.objects.filter(mine, authority__in=user.authority_ids()).values("pk")
    return (Team.objects.filter(pk__in=ids).select_related("authority")
            .annotate(open_cases=Count("cases", filter=Q(cases__status__in=Case.OPEN_STATUSES),
                                       distinct=True)))


def team_worklist(team: Team) -> QuerySet[Case]:
    """The team's open cases, oldest breach first: the most overdue lead, then the ones
    due soonest (both are the earliest due date)."""
    return _listed(Case.objects.filter(team=team, status__in=Case.OPEN_STATUSES)
                   ).order_by("due_on", "raised_at", "id")


def escalated_to(user) -> QuerySet[Case]:
    """Open cases escalated to `user` as their team's leader, most overdue first."""
    return _listed(Case.objects.filter(escalated_to=user, status__in=Case.OPEN_STATUSES)
                   ).order_by("due_on", "raised_at", "id")


def case_page(reference: str) -> QuerySet[Case]:
    """The case with everything its page shows, in a fixed number of queries."""
    return (Case.objects.filter(reference=reference)
            .select_related("service", "authority", "team__leader", "person__household__property",
                            "property", "raised_by", "escalated_to", "councillor", "contact")
            .prefetch_related(Prefetch("events", CaseEvent.objects.select_related("by")),
                              Prefetch("feedback", Feedback.objects.select_related("by"))))


def cases_for_person(person, viewer) -> list[Case]:
    """A person's cases as `viewer` may see them, newest first.

    Each case has `readable`: whether the viewer may read its words (title, feedback), as
    `onestop.cases.access.can_read_case` decides; other cases show only their service,
    status and dates. A councillor is shown only the enquiries they raised."""
    cases = Case.objects.filter(person=person)
    if not sections_for(viewer).all_cases:
        cases = cases.filter(kind=Case.Kind.MEMBERS_ENQUIRY, councillor=viewer)
    listed = list(cases.select_related("service", "team", "authority")
                  .prefetch_related(Prefetch("feedback", Feedback.objects.order_by("-at", "-id")))
                  .order_by("-raised_at", "-id"))
    for case in listed:
        case.readable = can_read_case(viewer, case)
    return listed


def enquiries_of(councillor) -> QuerySet[Case]:
    """The members' enquiries a councillor raised, newest first."""
    return _listed(Case.objects.filter(kind=Case.Kind.MEMBERS_ENQUIRY, councillor=councillor)
                   ).order_by("-raised_at", "-id")


# --- members' enquiries performance --------------------------------------------------------


@dataclass(frozen=True)
class PerformanceRow:
    label: str
    raised: int
    acknowledged_on_time: int
    answered_on_time: int
    open_overdue: int
    mean_rating: float | None

    @property
    def acknowledged_on_time_percent(self) -> float | None:
        return round(100 * self.acknowledged_on_time / self.raised, 1) if self.raised else None

    @property
    def answered_on_time_percent(self) -> float | None:
        return round(100 * self.answered_on_time / self.raised, 1) if self.raised else None


@dataclass(frozen=True)
class Performance:
    start: dt.date
    end: dt.date
    by_service: list[PerformanceRow]
    by_team: list[PerformanceRow]
    total: PerformanceRow


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    today = today or timezone.localdate()
    return today - dt.timedelta(days=PERFORMANCE_DAYS - 1), today


def _figures(today: dt.date) -> dict:
    # Dates are compared where the council is (the current time zone, Europe/London), the
    # same way the due dates were worked out.
    acknowledged_on = TruncDate("acknowledged_at")
    resolved_on = TruncDate("resolved_at")
    return {
        "raised": Count("id"),
        "acknowledged_on_time": Count("id", filter=Q(acknowledged_at__isnull=False,
                                                     acknowledge_due_on__gte=acknowledged_on)),
        "answered_on_time": Count("id", filter=Q(resolved_at__isnull=False,
                                                 due_on__gte=resolved_on)),
        "open_overdue": Count("id", filter=Q(status__in=Case.OPEN_STATUSES,
                                             due_on__lt=today)),
        "mean_rating": Avg("rating"),
    }


def _row(label: str, values: dict) -> PerformanceRow:
    mean = values["mean_rating"]
    return PerformanceRow(label=label, raised=values["raised"],
                          acknowledged_on_time=values["acknowledged_on_time"],
                          answered_on_time=values["answered_on_time"],
                          open_overdue=values["open_overdue"],
                          mean_rating=round(float(mean), 2) if mean is not None else None)


def enquiry_performance(start: dt.date, end: dt.date, today: dt.date | None = None, *,
                        viewer=None) -> Performance:
    """Members' enquiries raised from `start` to `end` (inclusive, local dates): how many,
    how many acknowledged and answered by their due dates, how many are still open past
    the due date on `today`, and the mean rating; per service, per team and overall.
    Three aggregate queries, whatever the number of enquiries. A `viewer` (administrators
    too) sees the enquiries of the authorities they act for; a superuser, every one."""
    today = today or timezone.localdate()
    enquiries = Case.objects.filter(kind=Case.Kind.MEMBERS_ENQUIRY)
    if viewer is not None and not viewer.is_superuser:
        enquiries = enquiries.filter(authority_id__in=viewer.authority_ids())
    enquiries = (enquiries
                 .annotate(raised_on=TruncDate("raised_at"))
                 .filter(raised_on__gte=start, raised_on__lte=end))
    figures = _figures(today)
    by_service = (enquiries.values("service__lgsl", "service__label").order_by()
                  .annotate(**figures).order_by("service__label"))
    by_team = (enquiries.values("team__name", authority_name=F("authority__name")).order_by()
               .annotate(**figures).order_by("team__name"))
    total = enquiries.aggregate(**figures)
    return Performance(
        start=start, end=end,
        by_service=[_row(f"{v['service__label']} (LGSL {v['service__lgsl']})", v)
                    for v in by_service],
        by_team=[_row(v["team__name"], v) for v in by_team],
        total=_row("All services", total))
