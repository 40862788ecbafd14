"""Who may manage which staff, and what they may give them: decided here and nowhere else.

Actions check these rules before they write, pages use them to 403 and to offer only what
may be given, and queries use them to list only the staff someone may manage.

- **Administrators manage staff within their own authorities.** A member of staff is
  within them when every authority they act for, and the authority of every team they are
  in, is one the administrator acts for. A superuser is never managed on a page.
- **They give only what they hold.** Only authorities they act for themselves, only teams
  of those authorities, and of the roles: the desk roles (adviser, back-office officer,
  team leader, service owner, councillor) any administrator may give or take away; the
  privileged roles (administrator, partner system) only someone who holds that role.
- **No self-elevation.** Nobody changes their own roles, authorities, teams or active flag;
  their own names and email they may.
- **ID cards.** Administrators issue, revoke and unlock cards and reset PINs of the staff
  they manage. Team leaders unlock cards (resetting the PIN) of staff within their
  authorities who hold no privileged role. Nobody unlocks their own card: it locked because
  someone tried too many PINs on it. Sign-in lock-outs are lifted by the same rule (one
  naming an address or an unknown username by any team leader or administrator).
- **Superusers** exist only from the command line (`onestop createsuperuser`). As far as
  these rules go a superuser is an administrator acting for every authority and holding
  every role: a new installation's first administrators are made by one at /staff/.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from onestop.authorities.models import Authority
from onestop.staff.models import Role, Team, User

DESK_ROLES = (Role.ADVISER, Role.BACK_OFFICE_OFFICER, Role.TEAM_LEADER, Role.SERVICE_OWNER,
              Role.COUNCILLOR)
PRIVILEGED_ROLES = (Role.ADMINISTRATOR, Role.PARTNER_SYSTEM)


class Refused(Exception):
    """What someone tried is beyond their powers; the message says why, in plain words."""


def _acts_for(actor: User) -> frozenset[int] | None:
    """The authority ids `actor` acts for; None for a superuser, who acts for every one."""
    return None if actor.is_superuser else actor.authority_ids()


def _within(actor: User) -> Q:
    """Users every one of whose authorities and teams' authorities `actor` acts for."""
    mine = _acts_for(actor)
    if mine is None:
        return Q()
    outside_authority = User.authorities.through.objects.filter(
        user_id=OuterRef("pk")).exclude(authority_id__in=mine)
    outside_team = User.teams.through.objects.filter(
        user_id=OuterRef("pk")).exclude(team__authority_id__in=mine)
    return ~Q(Exists(outside_authority)) & ~Q(Exists(outside_team))


def is_administrator(actor: User) -> bool:
    return actor.is_active and (actor.is_superuser or actor.has_role(Role.ADMINISTRATOR))


def unlocks_cards(actor: User) -> bool:
    return is_administrator(actor) or (actor.is_active and actor.has_role(Role.TEAM_LEADER))


def manageable_staff(actor: User) -> QuerySet[User]:
    """The staff `actor` may manage (themselves included, for their names), by name."""
    if not is_administrator(actor):
        return User.objects.none()
    return (User.objects.filter(_within(actor), is_superuser=False)
            .order_by("last_name", "first_name", "username"))


def card_unlockable_staff(actor: User) -> QuerySet[User]:
    """The staff whose ID cards `actor` may unlock: never their own."""
    if is_administrator(actor):
        return manageable_staff(actor).exclude(pk=actor.pk)
    if not unlocks_cards(actor):
        return User.objects.none()
    return (User.objects.filter(_within(actor), is_superuser=False)
            .exclude(groups__name__in=PRIVILEGED_ROLES).exclude(pk=actor.pk)
            .order_by("last_name", "first_name", "username"))


def grantable_roles(actor: User) -> list[str]:
    if not is_administrator(actor):
        return []
    return [*DESK_ROLES, *(role for role in PRIVILEGED_ROLES
                           if actor.is_superuser or actor.has_role(role))]


def grantable_authorities(actor: User) -> QuerySet[Authority]:
    if not is_administrator(actor):
        return Authority.objects.none()
    mine = _acts_for(actor)
    return Authority.objects.all() if mine is None else Authority.objects.filter(pk__in=mine)


def grantable_teams(actor: User) -> QuerySet[Team]:
    return (Team.objects.filter(authority__in=grantable_authorities(actor))
            .select_related("authority"))


def check_may_manage(actor: User, user: User) -> None:
    if not is_administrator(actor):
        raise Refused("only administrators manage staff")
    if user.is_superuser:
        raise Refused(f"{user.username} is a superuser: superusers are managed only from "
                      "the command line")
    if not manageable_staff(actor).filter(pk=user.pk).exists():
        raise Refused(f"{user.username} acts for a council you do not act for")


def check_may_unlock(actor: User, user: User | None) -> None:
    """Refuse unless `actor` may unlock `user`'s card or lift a lock-out of their account
    (None: a lock-out naming nobody, an address or an unknown username, which any team
    leader or administrator may lift)."""
    if not unlocks_cards(actor):
        raise Refused("only team leaders and administrators unlock cards and sign-ins")
    if user is None:
        return
    if user.pk == actor.pk:
        raise Refused("you cannot unlock your own card or sign-in: ask your team leader")
    if not card_unlockable_staff(actor).filter(pk=user.pk).exists():
        if not is_administrator(actor) and user.has_role(*PRIVILEGED_ROLES):
            raise Refused(f"{user.username} is an administrator or partner system: an "
                          "administrator unlocks them")
        raise Refused(f"{user.username} acts for a council you do not act for")


def check_may_grant(actor: User, *, roles: set[str], authorities: set[Authority],
                    teams: set[Team], user: User | None = None) -> None:
    """Refuse unless `actor` may give `user` (None: someone new) exactly these roles,
    authorities and teams. Only what changes is checked against the actor's roles, so
    an administrator may rename someone who holds a role they could not give."""
    held = set(user.role_names) if user is not None else set()
    if user is not None and user.pk == actor.pk:
        same = (held == roles and set(user.authorities.all()) == authorities
                and set(user.teams.all()) == teams)
        if not same:
            raise Refused("you cannot change your own roles, councils or teams: ask another "
                          "administrator")
    changed_roles = roles ^ held
    if not_theirs := sorted(changed_roles - set(grantable_roles(actor))):
        labels = ", ".join(Role(role).label.lower() for role in not_theirs)
        raise Refused(f"you cannot give or take away the role of {labels}: only someone "
                      "who holds it may")
    mine = _acts_for(actor)
    if mine is not None:
        if outside := sorted(a.name for a in authorities if a.pk not in mine):
            raise Refused(f"you do not act for {', '.join(outside)}, so you cannot give it")
        if outside := sorted(t.name for t in teams if t.authority_id not in mine):
            raise Refused(f"{', '.join(outside)} belongs to a council you do not act for")
