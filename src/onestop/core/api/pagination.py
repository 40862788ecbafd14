"""Paging of the API's lists: `limit` and `offset`, checked like any other field.

DRF's LimitOffsetPagination ignores a limit or offset it cannot read and passes any
integer through to the database, so `limit=99999999999999999999` was a server error and
`offset=null` quietly the first page. Here a bad value is a 400 naming it.
"""

from __future__ import annotations

from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination

from onestop.core.api.fields import INTEGER_MAX, BoundedIntegerField

MAX_LIMIT = 200


class PageQuery(serializers.Serializer):
    limit = BoundedIntegerField(min_value=1, max_value=MAX_LIMIT, required=False)
    offset = BoundedIntegerField(min_value=0, max_value=INTEGER_MAX, required=False)


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    max_limit = MAX_LIMIT

    def paginate_queryset(self, queryset, request, view=None):
        query = PageQuery(data={name: request.query_params[name]
                                for name in ("limit", "offset")
                                if name in request.query_params})
        if not query.is_valid():
            raise ValidationError(query.errors)
        self._checked = query.validated_data
        return super().paginate_queryset(queryset, request, view)

    def get_limit(self, request) -> int:
        return self._checked.get("limit", self.default_limit)

    def get_offset(self, request) -> int:
        return self._checked.get("offset", 0)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        bounds = {"limit": {"minimum": 1, "maximum": MAX_LIMIT, "default": self.default_limit},
                  "offset": {"minimum": 0, "maximum": INTEGER_MAX, "default": 0}}
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters
