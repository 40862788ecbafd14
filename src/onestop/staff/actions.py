"""Every write about staff: accounts, ID cards and sign-ins."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from django.contrib.auth import authenticate
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from onestop.core.actions import do_record_audit_event
from onestop.core.limits import client_address, normalised_address, setting_count
from onestop.core.models import AuditEvent
from onestop.staff import powers
from onestop.staff.models import IdCard, Role, SignInThrottle, Team, User

PIN_PATTERN = re.compile(r"^\d{4,8}$")
CARD_PATTERN = re.compile(r"^\d{6,20}$")


class StaffError(ValueError):
    """A staff account, card or token cannot be set up as asked; the message says why."""


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    # What to tell the person at the terminal; deliberately vague about which part was wrong.
    error: str = ""
    # Refused for too many failures (the account or terminal is locked out for a while).
    throttled: bool = False


def staff_snapshot(user: User) -> dict:
    """What an audit event records of a member of staff, before and after a change (never
    a password, PIN or hash)."""
    return {
        "username": user.username, "first_name": user.first_name,
        "last_name": user.last_name, "email": user.email, "is_active": user.is_active,
        "roles": sorted(user.groups.values_list("name", flat=True)),
        "authorities": sorted(user.authorities.values_list("slug", flat=True)),
        "teams": sorted(user.teams.values_list("slug", flat=True)),
    }


def _forget_cached_powers(user: User) -> None:
    for cached in ("_role_names", "_authority_ids"):
        user.__dict__.pop(cached, None)


def _check_account(*, roles, authorities, teams, email: str) -> None:
    """What a page may not set whoever sets it: unknown roles, a bad email, a team of a
    council the member of staff does not act for."""
    if unknown := sorted(set(roles) - set(Role.values)):
        raise StaffError(f"unknown role(s): {', '.join(unknown)}")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise StaffError(f"{email!r} is not an email address") from None
    acting = {authority.pk for authority in authorities}
    if stray := sorted(team.name for team in teams if team.authority_id not in acting):
        raise StaffError(f"{', '.join(stray)} belongs to a council this member of staff does "
                         "not act for: give them that council too, or leave the team out")


def _refused(refusal: powers.Refused, *, actor: User, user: User | None, tried: dict,
             what: str) -> powers.Refused:
    """Record a refusal; called after the refused change's transaction has rolled back."""
    do_record_audit_event(AuditEvent.Kind.CHANGE_REFUSED, user=user, actor=actor,
                          claimed_identity=tried.get("username", ""), after=tried,
                          detail=f"{what}: {refusal}")
    return refusal


def do_create_staff_user(*, username: str, first_name: str, last_name: str,
                         roles: list[str], authorities=(), teams=(), password: str | None = None,
                         email: str = "", actor: User | None = None) -> User:
    """Create a member of staff. `actor` is the administrator doing it on a page, held to
    their powers (onestop.staff.powers; a refusal is audited and raised as Refused); None is
    the command line or the demo. `password` None leaves them none (card or token only)."""
    authorities, teams = list(authorities), list(teams)
    tried = {"username": username, "first_name": first_name, "last_name": last_name,
             "email": email, "roles": sorted(roles),
             "authorities": sorted(a.slug for a in authorities),
             "teams": sorted(t.slug for t in teams)}
    try:
        with transaction.atomic():
            user = _create_staff_user(username=username, first_name=first_name,
                                      last_name=last_name, roles=roles, email=email,
                                      authorities=authorities, teams=teams, password=password,
                                      actor=actor)
    except powers.Refused as refusal:
        raise _refused(refusal, actor=actor, user=None, tried=tried,
                       what="create staff") from None
    return user


def _create_staff_user(*, username, first_name, last_name, roles, email, authorities, teams,
                       password, actor) -> User:
    unknown = sorted(set(roles) - set(Role.values))
    if unknown:
        raise StaffError(f"unknown role(s): {', '.join(unknown)}")
    if actor is not None:
        if not powers.is_administrator(actor):
            raise powers.Refused("only administrators create staff")
        powers.check_may_grant(actor, roles=set(roles), authorities=set(authorities),
                               teams=set(teams))
        _check_account(roles=roles, authorities=authorities, teams=teams, email=email)
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError:
        raise StaffError(f"{username!r} is not a username: use letters, digits and "
                         "@ . + - _ only") from None
    if User.objects.filter(username__iexact=username).exists():
        raise StaffError(f"the username {username} is taken")
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    if password:
        if actor is not None:
            try:
                validate_password(password, user)
            except ValidationError as error:
                raise StaffError(" ".join(error.messages)) from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.is_staff = Role.ADMINISTRATOR in roles  # administrators read the Django admin
    user.save()
    user.groups.set(Group.objects.filter(name__in=roles))
    user.authorities.set(authorities)
    user.teams.set(teams)
    do_record_audit_event(AuditEvent.Kind.STAFF_CREATED, user=user, actor=actor,
                          claimed_identity=username, after=staff_snapshot(user))
    return user


def do_change_staff_user(user: User, *, actor: User, first_name: str, last_name: str,
                         email: str, roles: list[str], authorities, teams,
                         is_active: bool) -> User:
    """Change a member of staff on an administrator's page, within the administrator's
    powers (onestop.staff.powers): a refusal is audited and raised as Refused, and nothing
    changes. Audited with the values before and after, if anything changed."""
    authorities, teams = list(authorities), list(teams)
    tried = {"first_name": first_name, "last_name": last_name, "email": email,
             "roles": sorted(roles), "authorities": sorted(a.slug for a in authorities),
             "teams": sorted(t.slug for t in teams), "is_active": is_active}
    try:
        with transaction.atomic():
            user = User.objects.select_for_update().get(pk=user.pk)
            powers.check_may_manage(actor, user)
            if user.pk == actor.pk and is_active != user.is_active:
                raise powers.Refused("you cannot make yourself inactive: ask another "
                                     "administrator")
            powers.check_may_grant(actor, roles=set(roles), authorities=set(authorities),
                                   teams=set(teams), user=user)
            _check_account(roles=roles, authorities=authorities, teams=teams, email=email)
            before = staff_snapshot(user)
            user.first_name, user.last_name, user.email = first_name, last_name, email
            user.is_active = is_active
            user.is_staff = Role.ADMINISTRATOR in roles
            user.save(update_fields=["first_name", "last_name", "email", "is_active",
                                     "is_staff"])
            user.groups.set(Group.objects.filter(name__in=roles))
            user.authorities.set(authorities)
            user.teams.set(teams)
            _forget_cached_powers(user)
            after = staff_snapshot(user)
            if after != before:
                do_record_audit_event(AuditEvent.Kind.STAFF_CHANGED, user=user, actor=actor,
                                      claimed_identity=user.username, before=before,
                                      after=after)
    except powers.Refused as refusal:
        raise _refused(refusal, actor=actor, user=user, tried=tried,
                       what="change staff") from None
    return user


def do_record_refusal(*, actor: User, user: User | None, what: str, reason: str) -> None:
    """A page refused to show or do something to a member of staff (a 403)."""
    do_record_audit_event(AuditEvent.Kind.CHANGE_REFUSED, user=user, actor=actor,
                          claimed_identity=user.username if user else "",
                          after={"tried": what}, detail=f"{what}: {reason}")


def _team_snapshot(team: Team | None) -> dict:
    if team is None:
        return {}
    return {"slug": team.slug, "name": team.name, "authority": team.authority.slug,
            "leader": team.leader.username if team.leader_id else None,
            "services": sorted(team.services.values_list("lgsl", flat=True))}


@transaction.atomic
def do_create_team(*, slug: str, name: str, authority, services=(), leader=None) -> Team:
    """Create or update a team; `services` and `leader`, when given, replace the team's.
    Audited (team_changed, before and after) when anything changed."""
    existing = Team.objects.select_related("authority", "leader").filter(slug=slug).first()
    before = _team_snapshot(existing)
    defaults = {"name": name, "authority": authority}
    if leader is not None:
        defaults["leader"] = leader
    team, _ = Team.objects.update_or_create(slug=slug, defaults=defaults)
    if services:
        team.services.set(services)
    after = _team_snapshot(team)
    if after != before:
        do_record_audit_event(AuditEvent.Kind.TEAM_CHANGED, claimed_identity=slug,
                              before=before, after=after)
    return team


def _card_snapshot(card: IdCard) -> dict:
    return {"card": card.number, "locked": card.is_locked, "revoked": card.revoked_at is not None,
            "failed_attempts": card.failed_attempts}


def _guarded(action, *, actor: User | None, user: User, what: str, tried: dict):
    """Run `action` in a transaction; if it is refused, audit the refusal once it has
    rolled back, and raise it."""
    try:
        with transaction.atomic():
            return action()
    except powers.Refused as refusal:
        raise _refused(refusal, actor=actor, user=user, tried=tried, what=what) from None


def do_issue_id_card(user: User, *, number: str, pin: str, actor: User | None = None) -> IdCard:
    """Issue a card; `actor` is the administrator on a page (None: command line, demo)."""
    def issue() -> IdCard:
        if actor is not None:
            powers.check_may_manage(actor, user)
        if not CARD_PATTERN.match(number):
            raise StaffError("card number must be 6 to 20 digits")
        if not PIN_PATTERN.match(pin):
            raise StaffError("PIN must be 4 to 8 digits")
        if IdCard.objects.filter(number=number).exists():
            raise StaffError(f"card {number} has already been issued: use the next number")
        card = IdCard(user=user, number=number)
        card.set_pin(pin)
        card.save()
        do_record_audit_event(AuditEvent.Kind.CARD_ISSUED, user=user, actor=actor,
                              claimed_identity=number, after=_card_snapshot(card))
        return card

    return _guarded(issue, actor=actor, user=user, what="issue card",
                    tried={"card": number[:20]})


def do_revoke_id_card(card: IdCard, *, actor: User) -> IdCard:
    """Stop a card working for good (lost, or its holder left); a new one is issued anew."""
    def revoke() -> IdCard:
        locked = IdCard.objects.select_for_update().select_related("user").get(pk=card.pk)
        powers.check_may_manage(actor, locked.user)
        if locked.revoked_at is not None:
            raise StaffError(f"card {locked.number} is already revoked")
        before = _card_snapshot(locked)
        locked.revoke()
        do_record_audit_event(AuditEvent.Kind.CARD_REVOKED, user=locked.user, actor=actor,
                              claimed_identity=locked.number, before=before,
                              after=_card_snapshot(locked))
        return locked

    return _guarded(revoke, actor=actor, user=card.user, what="revoke card",
                    tried={"card": card.number})


def do_reset_pin(card: IdCard, *, actor: User, new_pin: str) -> IdCard:
    """Give a card a new PIN (an administrator's; team leaders do it as they unlock)."""
    def reset() -> IdCard:
        locked = IdCard.objects.select_for_update().select_related("user").get(pk=card.pk)
        powers.check_may_manage(actor, locked.user)
        if locked.user_id == actor.pk:
            raise powers.Refused("you cannot reset your own card's PIN here: ask another "
                                 "administrator")
        if not PIN_PATTERN.match(new_pin):
            raise StaffError("PIN must be 4 to 8 digits")
        if locked.revoked_at is not None:
            raise StaffError(f"card {locked.number} is revoked: issue a new card")
        before = _card_snapshot(locked)
        locked.reset_pin(new_pin)
        do_record_audit_event(AuditEvent.Kind.PIN_RESET, user=locked.user, actor=actor,
                              claimed_identity=locked.number, before=before,
                              after=_card_snapshot(locked))
        return locked

    return _guarded(reset, actor=actor, user=card.user, what="reset PIN",
                    tried={"card": card.number})


@functools.cache
def _decoy_pin_hash() -> str:
    return make_password("decoy-pin")


def _throttle_settings() -> tuple[int, int, dt.timedelta]:
    return (setting_count("SIGN_IN_FAILURES_PER_ACCOUNT", 1),
            setting_count("SIGN_IN_FAILURES_PER_ADDRESS", 1),
            dt.timedelta(minutes=setting_count("SIGN_IN_LOCKOUT_MINUTES", 1)))


def _throttle_keys(account: str | None, address: str) -> list[tuple[str, str]]:
    """Account first, then address: every sign-in locks its rows in this order, so two
    sign-ins in parallel cannot deadlock."""
    keys = [] if account is None else [(SignInThrottle.Scope.ACCOUNT, account)]
    # The /64 of an IPv6 address, as the self-service limit counts it: its holder can
    # choose any address in it.
    keys.append((SignInThrottle.Scope.ADDRESS, normalised_address(address)))
    return keys


def _held_throttles(keys) -> list[SignInThrottle]:
    """The rows for `keys`, made if need be and row-locked till the sign-in's transaction
    ends. Each is made or locked before the next, in the keys' order, so every sign-in
    takes its locks in the same order (a row being inserted is as good as locked)."""
    held = []
    for scope, key in keys:
        row = None
        while row is None:  # a stale row may be cleared away between making and locking
            made, _ = SignInThrottle.objects.get_or_create(scope=scope, key=key)
            row = SignInThrottle.objects.select_for_update().filter(pk=made.pk).first()
        held.append(row)
    return held


def _until(moment) -> str:
    return f"{timezone.localtime(moment):%H:%M}"


def _lockout_message(row: SignInThrottle) -> str:
    what = ("this account" if row.scope == SignInThrottle.Scope.ACCOUNT
            else "this terminal")
    tries = "wrong passwords" if row.scope == SignInThrottle.Scope.ACCOUNT else "failed sign-ins"
    return (f"Too many {tries}: {what} is locked until {_until(row.locked_until)}. Try again "
            "then, or ask your team leader to lift the lock-out")


def _refuse_locked_out(rows, now, *, user, claimed: str, terminal: str) -> SignInResult | None:
    for row in rows:
        if row.is_locked(now):
            do_record_audit_event(AuditEvent.Kind.SIGN_IN_FAILED, user=user,
                                  claimed_identity=claimed, terminal=terminal,
                                  detail=f"refused: {row.get_scope_display().lower()} "
                                         f"locked out until {_until(row.locked_until)}")
            return SignInResult(None, _lockout_message(row), throttled=True)
    return None


def _count_failure(rows, now, *, user, claimed: str, terminal: str) -> SignInThrottle | None:
    """Count a failed sign-in against each held row; audit each lock-out it causes. The
    row that locked, if any (the account's first)."""
    per_account, per_address, lockout = _throttle_settings()
    # Rows nobody has failed on for a lock-out's length say nothing any more.
    (SignInThrottle.objects.filter(Q(last_failure_at__isnull=True)
                                   | Q(last_failure_at__lte=now - lockout))
     .exclude(locked_until__gt=now).exclude(pk__in=[row.pk for row in rows]).delete())
    locked = None
    for row in rows:
        account = row.scope == SignInThrottle.Scope.ACCOUNT
        if row.record_failure(now, limit=per_account if account else per_address,
                              lockout=lockout):
            do_record_audit_event(
                AuditEvent.Kind.SIGN_IN_THROTTLED, user=user if account else None,
                claimed_identity=claimed, terminal=terminal,
                detail=f"{row.failures} failed sign-ins for {row.get_scope_display().lower()} "
                       f"{row.key}; locked until {_until(row.locked_until)}",
                after=_lockout_snapshot(row))
            locked = locked or row
    return locked


@transaction.atomic
def do_card_sign_in(card_number: str, pin: str, *, terminal: str,
                    address: str = "") -> SignInResult:
    """Check a card and PIN; count wrong PINs and lock the card at the limit.

    Every attempt is audited, whether it names a real card or not; a failed attempt still
    commits its audit event and count. The card's row is locked for the whole check, so
    tries sent in parallel are counted one after another and cannot beat the limit.
    `address` is the client's (core.limits.client_address): failures from it are
    counted across every card, and past SIGN_IN_FAILURES_PER_ADDRESS it may try no card
    for SIGN_IN_LOCKOUT_MINUTES, so nobody can try PINs on every card or lock them all.
    """
    card_number = card_number.strip()
    rows = _held_throttles(_throttle_keys(None, address))
    now = timezone.now()
    refused = _refuse_locked_out(rows, now, user=None, claimed=card_number, terminal=terminal)
    if refused is not None:
        return refused
    result = _check_card(card_number, pin, terminal=terminal)
    if result.user is None:
        locked = _count_failure(rows, now, user=None, claimed=card_number, terminal=terminal)
        if locked is not None:
            return SignInResult(None, _lockout_message(locked), throttled=True)
    return result


def _check_card(card_number: str, pin: str, *, terminal: str) -> SignInResult:
    failure = SignInResult(None, "The card number or PIN is not right")
    card = (IdCard.objects.select_for_update(of=("self",)).select_related("user")
            .filter(number=card_number).first())
    if card is None:
        check_password(pin, _decoy_pin_hash())  # take as long as a real card would
        do_record_audit_event(AuditEvent.Kind.SIGN_IN_FAILED, claimed_identity=card_number,
                              terminal=terminal, detail="unknown card")
        return failure
    if not card.is_usable:
        reason = "card locked" if card.is_locked else "card revoked or user inactive"
        do_record_audit_event(AuditEvent.Kind.SIGN_IN_FAILED, user=card.user,
                              claimed_identity=card_number, terminal=terminal, detail=reason)
        return SignInResult(None, "This card cannot be used. Ask your team leader to unlock it")
    if not card.pin_matches(pin):
        locked_now = card.record_wrong_pin()
        do_record_audit_event(AuditEvent.Kind.SIGN_IN_FAILED, user=card.user,
                              claimed_identity=card_number, terminal=terminal,
                              detail=f"wrong PIN ({card.failed_attempts} in a row)")
        if not locked_now:
            return failure
        do_record_audit_event(AuditEvent.Kind.CARD_LOCKED, user=card.user,
                              claimed_identity=card_number, terminal=terminal,
                              detail=f"after {card.failed_attempts} wrong PINs")
        return SignInResult(None, "Too many wrong PINs: this card is now locked. "
                                  "Ask your team leader to unlock it")
    card.record_right_pin()
    do_record_audit_event(AuditEvent.Kind.SIGNED_IN, user=card.user,
                          claimed_identity=card_number, terminal=terminal, detail="card and PIN")
    return SignInResult(card.user)


@transaction.atomic
def do_password_sign_in(request, username: str, password: str, *,
                        terminal: str) -> SignInResult:
    """Check a username and password, counting failures per account and per client
    address (core.limits.client_address); past SIGN_IN_FAILURES_PER_ACCOUNT or
    SIGN_IN_FAILURES_PER_ADDRESS the password is not even checked for
    SIGN_IN_LOCKOUT_MINUTES, unless a team leader lifts the lock-out. Every try is audited,
    and every lock-out (sign_in_throttled)."""
    rows = _held_throttles(_throttle_keys(username.strip().casefold()[:150],
                                          client_address(request)))
    now = timezone.now()
    known = User.objects.filter(username=username).first()
    refused = _refuse_locked_out(rows, now, user=known, claimed=username, terminal=terminal)
    if refused is not None:
        return refused
    user = authenticate(request, username=username, password=password)
    if user is None:
        do_record_audit_event(AuditEvent.Kind.SIGN_IN_FAILED, user=known,
                              claimed_identity=username, terminal=terminal, detail="password")
        locked = _count_failure(rows, now, user=known, claimed=username, terminal=terminal)
        if locked is not None:
            return SignInResult(None, _lockout_message(locked), throttled=True)
        return SignInResult(None, "The username or password is not right")
    do_record_audit_event(AuditEvent.Kind.SIGNED_IN, user=user, claimed_identity=username,
                          terminal=terminal, detail="password")
    # The account's count starts again; the address's does not, or one known password
    # would let its holder try others' without end.
    if rows[0].failures:
        rows[0].clear()
    return SignInResult(user)


def do_record_sign_out(user: User, *, terminal: str) -> None:
    do_record_audit_event(AuditEvent.Kind.SIGNED_OUT, user=user, claimed_identity=user.username,
                          terminal=terminal)


def do_unlock_id_card(card: IdCard, *, actor: User, new_pin: str | None = None,
                      terminal: str = "") -> IdCard:
    """Unlock a locked card, with a new PIN if given, for a team leader or administrator
    within their powers (onestop.staff.powers). Audited: card_unlocked, and pin_reset when
    the PIN changed, each naming the actor."""
    def unlock() -> IdCard:
        locked = IdCard.objects.select_for_update().select_related("user").get(pk=card.pk)
        powers.check_may_unlock(actor, locked.user)
        if new_pin is not None and not PIN_PATTERN.match(new_pin):
            raise StaffError("PIN must be 4 to 8 digits")
        if not locked.is_locked:
            raise StaffError(f"card {locked.number} is not locked")
        if locked.revoked_at is not None:
            raise StaffError(f"card {locked.number} is revoked: issue a new card")
        before = _card_snapshot(locked)
        locked.unlock(new_pin)
        do_record_audit_event(AuditEvent.Kind.CARD_UNLOCKED, user=locked.user, actor=actor,
                              claimed_identity=locked.number, terminal=terminal,
                              before=before, after=_card_snapshot(locked))
        if new_pin is not None:
            do_record_audit_event(AuditEvent.Kind.PIN_RESET, user=locked.user, actor=actor,
                                  claimed_identity=locked.number, terminal=terminal,
                                  detail="while unlocking")
        return locked

    return _guarded(unlock, actor=actor, user=card.user, what="unlock card",
                    tried={"card": card.number})


@transaction.atomic
def _lockout_snapshot(row: SignInThrottle) -> dict:
    return {"scope": row.scope, "key": row.key, "failures": row.failures,
            "locked_until": row.locked_until.isoformat() if row.locked_until else None}


def do_lift_sign_in_lockout(throttle_id: int, *, actor: User) -> SignInThrottle:
    """Lift a current lock-out (and forget its failures) for a team leader or
    administrator within their powers; audited as sign_in_unthrottled."""
    def lift() -> SignInThrottle:
        row = SignInThrottle.objects.select_for_update().filter(pk=throttle_id).first()
        if row is None or not row.is_locked(timezone.now()):
            raise StaffError("that lock-out has already ended or been lifted")
        user = (User.objects.filter(username__iexact=row.key).first()
                if row.scope == SignInThrottle.Scope.ACCOUNT else None)
        powers.check_may_unlock(actor, user)
        before = _lockout_snapshot(row)
        row.clear()
        do_record_audit_event(AuditEvent.Kind.SIGN_IN_UNTHROTTLED, user=user, actor=actor,
                              claimed_identity=row.key, before=before,
                              after=_lockout_snapshot(row),
                              detail=f"{row.get_scope_display().lower()} {row.key}")
        return row

    return _guarded(lift, actor=actor, user=None, what="lift sign-in lock-out",
                    tried={"lock-out": throttle_id})


@transaction.atomic
def do_lift_every_sign_in_lockout() -> int:
    """From the command line (when every team leader is locked out, or for a test run's
    fresh start): lift every lock-out and forget every failure; each lift is audited."""
    locked = list(SignInThrottle.objects.select_for_update()
                  .filter(locked_until__gt=timezone.now()))
    for row in locked:
        do_record_audit_event(AuditEvent.Kind.SIGN_IN_UNTHROTTLED, claimed_identity=row.key,
                              before=_lockout_snapshot(row), detail="from the command line")
    SignInThrottle.objects.all().delete()
    return len(locked)


def do_issue_api_token(user: User, *, key: str | None = None) -> str:
    """Give a partner system's user an API token (a fixed key only for the demo)."""
    from rest_framework.authtoken.models import Token

    if not user.has_role(Role.PARTNER_SYSTEM):
        raise StaffError("API tokens are for partner-system users")
    if key is not None and not 20 <= len(key) <= 40:
        raise StaffError(f"an API token key is 20 to 40 characters; {key!r} has {len(key)}")
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user, key=key) if key else Token.objects.create(user=user)
    return token.key
