"""Sign-in on shared terminals (card and PIN) and for other staff (password)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import login, logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from onestop.contacts.actions import do_carry_open_contact
from onestop.core.actions import terminal_of
from onestop.core.limits import client_address
from onestop.staff.actions import do_card_sign_in, do_password_sign_in, do_record_sign_out
from onestop.staff.forms import CardSignInForm, PasswordSignInForm

BACKEND = "django.contrib.auth.backends.ModelBackend"


def _next_url(request) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(wanted, {request.get_host()}, require_https=False):
        return wanted
    # The adviser's open contact, if any, claimed for this terminal (card moves).
    return reverse("contacts:resume")


def _limits() -> dict:
    return {"card_limit": settings.CARD_MAX_FAILED_PINS,
            "account_limit": settings.SIGN_IN_FAILURES_PER_ACCOUNT,
            "address_limit": settings.SIGN_IN_FAILURES_PER_ADDRESS,
            "lockout_minutes": settings.SIGN_IN_LOCKOUT_MINUTES}


def _sign_in(request, form_class, attempt, template: str):
    form = form_class(request.POST if request.method == "POST" else None)
    context = {"form": form, "next": _next_url(request), **_limits()}
    if request.method == "POST" and form.is_valid():
        result = attempt(form.cleaned_data)
        if result.user is not None:
            login(request, result.user, backend=BACKEND)
            do_carry_open_contact(result.user, terminal=request.terminal_key)
            return redirect(_next_url(request))
        form.add_error(None, result.error)
        if result.throttled:
            # Locked out for a while: 429, as for any client sending too many requests.
            return render(request, template, context, status=429)
    return render(request, template, context, status=400 if form.errors else 200)


def sign_in_with_card(request):
    return _sign_in(request, CardSignInForm, lambda data: do_card_sign_in(
        data["card_number"], data["pin"], terminal=terminal_of(request),
        address=client_address(request)),
        "staff/sign_in_card.html")


def sign_in_with_password(request):
    return _sign_in(request, PasswordSignInForm, lambda data: do_password_sign_in(
        request, data["username"], data["password"], terminal=terminal_of(request)),
        "staff/sign_in_password.html")


@require_POST
def sign_out(request):
    if request.user.is_authenticated:
        do_record_sign_out(request.user, terminal=terminal_of(request))
    logout(request)
    return redirect("staff:sign-in")
