"""Dead letters, for administrators: what could not be delivered and why; replay."""

from __future__ import annotations

from django.contrib import messages
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


@administrators_only
def dead_letters(request):
    page = Paginator(queries.dead_letters(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "integrations/dead_letters.html", {"page": page})


@administrators_only
def dead_letter(request, message_id: int):
    message = get_object_or_404(OutboxMessage.objects.select_related("endpoint"),
                                pk=message_id)
    return render(request, "integrations/dead_letter.html", {
        "message": message, "attempts": queries.attempts_of(message)})


@administrators_only
@require_POST
def replay(request, message_id: int):
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
    count = do_replay_all_dead()
    messages.success(request, f"{count} message{'s' if count != 1 else ''} will be delivered "
                              "again")
    return redirect("integrations:dead-letters")
