"""The API's OpenAPI schema also documents the errors each operation can answer.

Every operation can answer 400 (its query or body names a field wrongly) and 401 (a token
that is not one of ours); one whose permissions can refuse a caller also 403; one that
takes a body also 413 (too large) and 415 (not JSON); one that is throttled also 429.
An operation documents its other answers (404, or a more precise 400) itself with
`extend_schema(responses=...)`, which wins over these.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import permissions, serializers

VALIDATION_ERRORS = {
    "type": "object",
    "description": (
        "What is wrong, by the name of the parameter or field: a list of messages, or for a "
        "nested field or list an object of the same shape by its part or position. A body "
        "that is not JSON, or nests too deep, is named by `detail`; a problem of the whole "
        "by `non_field_errors`."),
    "minProperties": 1,
    "additionalProperties": {
        "oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"},
                  {"type": "object"}],
    },
}


class ErrorDetail(serializers.Serializer):
    detail = serializers.CharField(help_text="Why the request was refused, in words")


ERRORS = {
    "400": "Bad request: the body names each field that is wrong",
    "401": "No credentials, or a token that is not one of ours",
    "403": "The caller may not do this",
    "404": "Not found",
    "413": "The request body is too large",
    "415": "The request body is not JSON (send Content-Type: application/json)",
    "429": "Too many requests: try again after the Retry-After header's seconds",
}


class OneStopAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code in responses:
                continue
            body = self._validation_errors() if code == "400" else ErrorDetail
            responses[code] = self._get_response_for_code(body, code, direction=direction)
            responses[code]["description"] = ERRORS[code]
        return dict(sorted(responses.items()))

    def _error_codes(self) -> list[str]:
        codes = ["400", "401"]
        if any(not getattr(permission, "only_authenticates", False)
               and not isinstance(permission, (permissions.AllowAny, permissions.IsAuthenticated))
               for permission in self.view.get_permissions()):
            codes.append("403")
        if self.method in ("POST", "PUT", "PATCH"):
            codes += ["413", "415"]
        if self.view.get_throttles():
            codes.append("429")
        return codes

    def _validation_errors(self) -> dict:
        component = ResolvedComponent(name="ValidationErrors", type=ResolvedComponent.SCHEMA,
                                      object="ValidationErrors", schema=VALIDATION_ERRORS)
        self.registry.register_on_missing(component)
        return component.ref
