"""Dead letters, for administrators: what could not be delivered and why; replay."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from onestop.core.access import requires_role
from onestop.integrations import queries
from onestop.integrations.models import OutboxError, OutboxMessage
from onestop.integrations.outbox import do_replay, do_replay_all_dead
from onestop.staff.models import Role

PAGE_SIZE = 50
administrators_only = requires_role(Role.ADMINISTRATOR.value)


def _message(request, message_id: int) -> OutboxMessage:
    """The message, if it was sent for an authority the administrator acts for (its
    payload is a resident's data); 403, logged, for another council's."""
    message = get_object_or_404(OutboxMessage.objects.select_related("endpoint"),
                                pk=message_id)
    if not queries.messages_for(request.user).filter(pk=message.pk).exists():
        raise PermissionDenied(f"message {message.pk} was sent for another council")
    return message


@administrators_only
def dead_letters(request):
    messages_ = queries.dead_letters(request.user)
    page = Paginator(messages_, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "integrations/dead_letters.html", {"page": page})


@administrators_only
def dead_letter(request, message_id: int):
    message = _message(request, message_id)
    return render(request, "integrations/dead_letter.html", {
        "message": message, "attempts": queries.attempts_of(message)})


@administrators_only
@require_POST
def replay(request, message_id: int):
    _message(request, message_id)
    try:
        message = do_replay(message_id)
    except OutboxError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Message {message.key} will be delivered again")
    return redirect("integrations:dead-letters")


@administrators_only
@require_POST
def replay_all(request):
    count = do_replay_all_dead(queries.dead_letters(request.user))
    messages.success(request, f"{count} message{'s' if count != 1 else ''} will be delivered "
                              "again")
    return redirect("integrations:dead-letters")
