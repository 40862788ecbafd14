"""Reads for the staff pages: whom someone may manage, locked cards and lock-outs."""

from __future__ import annotations

from django.db.models.functions import Lower
from django.utils import timezone

from onestop.staff import powers
from onestop.staff.models import IdCard, SignInThrottle, User


def staff_list(actor: User):
    """The staff `actor` manages, with their roles, councils and teams in one go."""
    return powers.manageable_staff(actor).prefetch_related("groups", "authorities",
                                                           "teams__authority")


def cards_of(user: User) -> list[IdCard]:
    return list(user.id_cards.order_by("-issued_at", "-id"))


def locked_cards(actor: User) -> list[IdCard]:
    """Locked, unrevoked cards whose holders `actor` may unlock, longest locked first."""
    return list(IdCard.objects.filter(user__in=powers.card_unlockable_staff(actor),
                                      locked_at__isnull=False, revoked_at__isnull=True)
                .select_related("user").order_by("locked_at", "id"))


def current_lockouts(actor: User) -> list[SignInThrottle]:
    """Lock-outs in force that `actor` may lift, soonest to end first; each account's row
    carries `.user` (None when the username typed is nobody's)."""
    if not powers.unlocks_cards(actor):
        return []
    rows = list(SignInThrottle.objects.filter(locked_until__gt=timezone.now())
                .order_by("locked_until", "id"))
    names = {row.key for row in rows if row.scope == SignInThrottle.Scope.ACCOUNT}
    # Keys are the usernames typed, case-folded: match them without a query per row.
    users = {user.username.casefold(): user for user in
             User.objects.annotate(folded=Lower("username")).filter(folded__in=names)}
    unlockable = set(powers.card_unlockable_staff(actor)
                     .filter(pk__in=[user.pk for user in users.values()])
                     .values_list("pk", flat=True))
    shown = []
    for row in rows:
        row.user = users.get(row.key) if row.scope == SignInThrottle.Scope.ACCOUNT else None
        if row.user is None or row.user.pk in unlockable:
            shown.append(row)
    return shown


def lockout_of(throttle_id: int) -> SignInThrottle | None:
    return SignInThrottle.objects.filter(pk=throttle_id).first()
