"""Managing staff on OneStop's own pages: administrators list, create and change staff and
their ID cards; team leaders (and administrators) unlock cards and lift sign-in lock-outs.

What anyone may do is decided by onestop.staff.powers, through the actions; these views
parse, call one action and render. A refusal is shown on the page with its reason, with
403, and audited (by the action, or here for a page refused outright).
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from onestop.core.actions import terminal_of
from onestop.staff import powers, queries
from onestop.staff.actions import (
    StaffError,
    do_change_staff_user,
    do_create_staff_user,
    do_issue_id_card,
    do_lift_sign_in_lockout,
    do_record_refusal,
    do_reset_pin,
    do_revoke_id_card,
    do_unlock_id_card,
)
from onestop.staff.forms import NewCardForm, NewStaffForm, PinForm, StaffForm
from onestop.staff.models import IdCard, User


def _refused(request, reason: str, *, what: str, user: User | None = None,
             audited: bool = False):
    if not audited:
        do_record_refusal(actor=request.user, user=user, what=what, reason=reason)
    return render(request, "staff/refused.html", {"reason": reason}, status=403)


def _for(allowed, what: str):
    """Signed-in staff for whom `allowed(user)` holds; others get a 403 page, audited."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not allowed(request.user):
                return _refused(request, f"this page is for {what}", what=request.path)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


administrators = _for(powers.is_administrator, "administrators")
unlockers = _for(powers.unlocks_cards, "team leaders and administrators")


def _member(request, user_id: int):
    """The member of staff named in the path, if the administrator may manage them."""
    member = get_object_or_404(User, pk=user_id)
    try:
        powers.check_may_manage(request.user, member)
    except powers.Refused as refusal:
        return member, _refused(request, str(refusal), what=f"manage {member.username}",
                                user=member)
    return member, None


def _posted(request):
    """The form's data on a POST, even an empty one (an empty POST is still a try)."""
    return request.POST if request.method == "POST" else None


def _submit(form, action):
    """Run `action()`: (what it returned, False); a refusal or a StaffError becomes the
    form's error, (None, whether it was a refusal)."""
    try:
        return action(), False
    except powers.Refused as refusal:
        form.add_error(None, str(refusal))
        return None, True
    except StaffError as error:
        form.add_error(None, str(error))
        return None, False


def _form_page(request, template: str, form, context: dict, *, refused: bool = False):
    status = 403 if refused else 400 if form.errors else 200
    return render(request, template, {"form": form, **context}, status=status)


@administrators
def staff_list(request):
    return render(request, "staff/staff_list.html", {"staff": queries.staff_list(request.user)})


@administrators
def new_member(request):
    form = NewStaffForm(_posted(request), actor=request.user)
    refused = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        member, refused = _submit(form, lambda: do_create_staff_user(
            username=data["username"], first_name=data["first_name"],
            last_name=data["last_name"], email=data["email"], roles=data["roles"],
            authorities=data["authorities"], teams=data["teams"],
            password=data["password"] or None, actor=request.user))
        if member is not None:
            messages.success(request, f"{member.get_full_name()} ({member.username}) can now "
                                      "be given an ID card")
            return redirect("staff:member", member.pk)
    return _form_page(request, "staff/member_form.html", form, {"member": None},
                      refused=refused)


@administrators
def member(request, user_id: int):
    member, refusal = _member(request, user_id)
    if refusal:
        return refusal
    return render(request, "staff/member.html", {
        "member": member, "cards": queries.cards_of(member), "roles": sorted(member.role_names),
        "is_self": member.pk == request.user.pk})


@administrators
def change_member(request, user_id: int):
    member, refusal = _member(request, user_id)
    if refusal:
        return refusal
    initial = {"first_name": member.first_name, "last_name": member.last_name,
               "email": member.email, "roles": sorted(member.role_names),
               "authorities": list(member.authorities.all()), "teams": list(member.teams.all()),
               "is_active": member.is_active}
    form = StaffForm(_posted(request), initial=initial, actor=request.user, member=member)
    refused = False
    if request.method == "POST" and form.is_valid():
        changed, refused = _submit(form, lambda: do_change_staff_user(
            member, actor=request.user, **form.cleaned_data))
        if changed is not None:
            messages.success(request, f"{member.get_full_name() or member.username} changed")
            return redirect("staff:member", member.pk)
    return _form_page(request, "staff/member_form.html", form, {"member": member},
                      refused=refused)


@administrators
def issue_card(request, user_id: int):
    member, refusal = _member(request, user_id)
    if refusal:
        return refusal
    form = NewCardForm(_posted(request))
    refused = False
    if request.method == "POST" and form.is_valid():
        card, refused = _submit(form, lambda: do_issue_id_card(
            member, number=form.cleaned_data["number"], pin=form.cleaned_data["new_pin"],
            actor=request.user))
        if card is not None:
            messages.success(request, f"Card {card.number} issued to "
                                      f"{member.get_full_name() or member.username}")
            return redirect("staff:member", member.pk)
    return _form_page(request, "staff/card_form.html", form,
                      {"member": member, "heading": "Issue an ID card", "button": "Issue card"},
                      refused=refused)


@administrators
@require_POST
def revoke_card(request, card_id: int):
    card = get_object_or_404(IdCard.objects.select_related("user"), pk=card_id)
    try:
        do_revoke_id_card(card, actor=request.user)
    except powers.Refused as refusal:
        return _refused(request, str(refusal), what="revoke card", audited=True)
    except StaffError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Card {card.number} revoked: it no longer signs anyone in")
    return redirect("staff:member", card.user_id)


@administrators
def reset_pin(request, card_id: int):
    card = get_object_or_404(IdCard.objects.select_related("user"), pk=card_id)
    return _pin_page(request, card, lambda pin: do_reset_pin(card, actor=request.user,
                                                             new_pin=pin),
                     heading=f"Reset the PIN of card {card.number}", button="Reset PIN",
                     done=f"Card {card.number} has a new PIN",
                     back=("staff:member", card.user_id))


@unlockers
def unlock_card(request, card_id: int):
    card = get_object_or_404(IdCard.objects.select_related("user"), pk=card_id)
    return _pin_page(request, card, lambda pin: do_unlock_id_card(
        card, actor=request.user, new_pin=pin, terminal=terminal_of(request)),
        heading=f"Unlock card {card.number}", button="Unlock card",
        done=f"Card {card.number} unlocked with a new PIN", back=("staff:locks",))


def _pin_page(request, card: IdCard, action, *, heading: str, button: str, done: str,
              back: tuple):
    form = PinForm(_posted(request))
    refused = False
    if request.method == "POST" and form.is_valid():
        done_with, refused = _submit(form, lambda: action(form.cleaned_data["new_pin"]))
        if done_with is not None:
            messages.success(request, done)
            return redirect(*back)
    return _form_page(request, "staff/card_form.html", form, {
        "member": card.user, "card": card, "heading": heading, "button": button},
        refused=refused)


@unlockers
def locks(request):
    return render(request, "staff/locks.html", {
        "cards": queries.locked_cards(request.user),
        "lockouts": queries.current_lockouts(request.user)})


@unlockers
@require_POST
def lift_lockout(request, lockout_id: int):
    try:
        lockout = do_lift_sign_in_lockout(lockout_id, actor=request.user)
    except powers.Refused as refusal:
        return _refused(request, str(refusal), what="lift sign-in lock-out", audited=True)
    except StaffError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Sign-in lock-out of {lockout.get_scope_display().lower()} "
                                  f"{lockout.key} lifted")
    return redirect("staff:locks")
