"""Subject access for administrators: choose the form, get everything held as one file."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from onestop.core.actions import terminal_of
from onestop.people.models import Person
from onestop.rights.actions import do_check_subject_access, do_export_subject_access
from onestop.rights.forms import SubjectAccessForm


@login_required
@require_http_methods(["GET", "POST"])
def subject_access(request, person_id: int):
    # An id past the database's integer range names no one (and must not reach the query).
    person = Person.objects.filter(pk=person_id).first() if person_id < 2**63 else None
    # An id no resident has is refused like a resident out of authority (and logged the
    # same way), so that the answer tells no one which ids are residents.
    do_check_subject_access(request.user, person, person_id=person_id)
    form = SubjectAccessForm(request.POST if request.method == "POST" else None)
    if not form.is_valid():
        status = 400 if form.is_bound else 200
        return render(request, "rights/subject_access.html",
                      {"person": person, "form": form}, status=status)
    export = do_export_subject_access(request.user, person, form=form.cleaned_data["format"],
                                      path=request.path, terminal=terminal_of(request))
    name = f"subject-access-{person.pk}-{timezone.localdate():%Y-%m-%d}"
    if export.form == "json":
        response = HttpResponse(json.dumps(export.record, indent=2, ensure_ascii=False),
                                content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    else:
        response = render(request, "rights/subject_access_record.html",
                          {"record": export.record})
        response["Content-Disposition"] = f'inline; filename="{name}.html"'
    return response
