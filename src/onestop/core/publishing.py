"""The publish page of a versioned document (a service script, an eligibility rule): a
review date a year ahead to accept or change, then the app's publish action."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.text import capfirst

from onestop.core.forms import ReviewDateForm


def publish_page(request, version, *, publish, invalid: type[Exception],
                 refused: type[Exception], template: str, done_url: str, what: str,
                 context: dict | None = None):
    """GET shows the form; POST calls `publish(version, by=, review_by=)`.

    `invalid` (carrying `.errors`) means the document no longer checks: its problems are
    listed with a way back to the draft. `refused` (a state or permission error) is shown
    on the form. `what` names the document in the message, e.g. "Missed bins script"."""
    problems: list[str] = []
    if request.method == "POST":
        form = ReviewDateForm(request.POST)
        if form.is_valid():
            review_by = form.cleaned_data["review_by"]
            try:
                publish(version, by=request.user, review_by=review_by)
            except invalid as error:
                problems = error.errors
            except refused as error:
                form.add_error(None, capfirst(str(error)))
            else:
                messages.success(request, f"Version {version.number} of the {what} "
                                          f"published; review it by {review_by:%-d %B %Y}")
                return redirect(done_url)
    else:
        form = ReviewDateForm.a_year_ahead()
    return render(request, template, {
        "version": version, "form": form, "problems": problems, **(context or {}),
    }, status=400 if form.errors or problems else 200)
