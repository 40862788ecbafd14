"""Administrators' search of the record-access log."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render

from onestop.core.access import requires_role
from onestop.core.forms import AccessLogSearchForm
from onestop.core.queries import AccessSearch, search_record_access

PAGE_SIZE = 50


@requires_role("administrator")
def access_log(request):
    form = AccessLogSearchForm(request.GET or None)
    page = None
    if not form.is_bound or form.is_valid():
        search = AccessSearch(**form.cleaned_data) if form.is_bound else AccessSearch()
        accesses = search_record_access(search, request.user)
        page = Paginator(accesses, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "core/access_log.html",
                  {"form": form, "page": page, "query": query.urlencode()})
