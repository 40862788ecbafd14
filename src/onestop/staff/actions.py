"""Every write about staff: accounts, ID cards and sign-ins."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from django.contrib.auth import authenticate
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from onestop.core.actions import do_record_audit_event
from onestop.core.models import AuditEvent
from onestop.staff.models import IdCard, Role, Team, User

PIN_PATTERN = re.compile(r"^\d{4,8}$")
CARD_PATTERN = re.compile(r"^\d{6,20}$")


class StaffError(ValueError):
    """A staff account, card or token cannot be set up as asked; the message says why."""


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    # What to tell the person at the terminal; deliberately vague about which part was wrong.
    error: str = ""


@transaction.atomic
def do_create_staff_user(*, username: str, first_name: str, last_name: str,
                         roles: list[str], authorities=(), teams=(), password: str | None = None,
                         email: str = "") -> User:
    unknown = sorted(set(roles) - set(Role.values))
    if unknown:
        raise StaffError(f"unknown role(s): {', '.join(unknown)}")
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.is_staff = Role.ADMINISTRATOR in roles  # administrators may use the Django admin
    user.save()
    user.groups.set(Group.objects.filter(name__in=roles))
    user.authorities.set(authorities)
    user.teams.set(teams)
    return user


@transaction.atomic
def do_create_team(*, slug: str, name: str, authority, services=(), leader=None) -> Team:
    """Create or update a team; `services` and `leader`, when given, replace the team's."""
    defaults = {"name": name, "authority": authority}
    if leader is not None:
        defaults["leader"] = leader
    team, _ = Team.objects.update_or_create(slug=slug, defaults=defaults)
    if services:
        team.services.set(services)
    return team


@transaction.atomic
def do_issue_id_card(user: User, *, number: str, pin: str) -> IdCard:
    if not CARD_PATTERN.match(number):
        raise StaffError("card number must be 6 to 20 digits")
    if not PIN_PATTERN.match(pin):
        raise StaffError("PIN must be 4 to 8 digits")
    card = IdCard(user=user, number=number)
    card.set_pin(pin)
    card.save()
    return card


@functools.cache
def _decoy_pin_hash() -> str:
    return make_password("decoy-pin")


@transaction.atomic
def do_card_sign_in(card_number: str, pin: str, *, terminal: str) -> SignInResult:
    """Check a card and PIN; count wrong PINs and lock the card at the limit.

    Every attempt is audited, whether it names a real card or not; a failed attempt still
    commits its audit event and count. The card's row is locked for the whole check, so
    tries sent in parallel are counted one after another and cannot beat the limit.
    """
    card_number = card_number.strip()
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


def do_password_sign_in(request, username: str, password: str, *, terminal: str) -> SignInResult:
    user = authenticate(request, username=username, password=password)
    if user is None:
        known = User.objects.filter(username=username).first()
        do_record_audit_event(AuditEvent.Kind.SIGN_IN_FAILED, user=known,
                              claimed_identity=username, terminal=terminal, detail="password")
        return SignInResult(None, "The username or password is not right")
    do_record_audit_event(AuditEvent.Kind.SIGNED_IN, user=user, claimed_identity=username,
                          terminal=terminal, detail="password")
    return SignInResult(user)


def do_record_sign_out(user: User, *, terminal: str) -> None:
    do_record_audit_event(AuditEvent.Kind.SIGNED_OUT, user=user, claimed_identity=user.username,
                          terminal=terminal)


@transaction.atomic
def do_unlock_id_card(card: IdCard, *, by: User, new_pin: str | None = None,
                      terminal: str = "") -> IdCard:
    if not by.has_role(Role.TEAM_LEADER, Role.ADMINISTRATOR):
        raise StaffError("only a team leader or administrator can unlock a card")
    if new_pin is not None and not PIN_PATTERN.match(new_pin):
        raise StaffError("PIN must be 4 to 8 digits")
    card.unlock(new_pin)
    do_record_audit_event(AuditEvent.Kind.CARD_UNLOCKED, user=card.user,
                          claimed_identity=card.number, terminal=terminal,
                          detail=f"by {by.username} at {timezone.now():%Y-%m-%d %H:%M}")
    return card


@transaction.atomic
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
