"""The API's one body parser: JSON, at most MAX_BODY_BYTES, nested at most MAX_DEPTH deep.

DRF's own JSONParser reads the whole body whatever its size (Django's upload limit only
guards `request.body` and forms) and hands it to `json.load`, which recurses once per
bracket: 100,000 of them are a RecursionError and a server error. Here the size is checked
before anything is read past it (413), and the depth on the text before it is parsed (400).
"""

from __future__ import annotations

import json

from rest_framework import parsers, status
from rest_framework.exceptions import APIException, ParseError

from onestop.core.nesting import TooDeep, check_text_depth

# A contact's notes (10,000 characters) or a life event are a few kilobytes; a partner
# that sends more has a bug, and it should hear so.
MAX_BODY_BYTES = 256 * 1024
# The deepest request OneStop takes (a life event's informant) nests three levels.
MAX_DEPTH = 20


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = f"the request body is larger than {MAX_BODY_BYTES:,} bytes"
    default_code = "request_too_large"


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        request = parser_context.get("request")
        declared = request.META.get("CONTENT_LENGTH", "") if request is not None else ""
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            raise RequestTooLarge()
        raw = stream.read(MAX_BODY_BYTES + 1)  # a body without a length is cut off here
        if len(raw) > MAX_BODY_BYTES:
            raise RequestTooLarge()
        encoding = parser_context.get("encoding") or "utf-8"
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            raise ParseError(f"the request body is not valid {encoding} text") from None
        try:
            check_text_depth(text, MAX_DEPTH)
        except TooDeep as error:
            raise ParseError(f"JSON parse error - {error}") from None
        try:
            # NaN and Infinity are not JSON; Python would otherwise accept them.
            return json.loads(text, parse_constant=_refuse_constant)
        except ValueError as error:
            raise ParseError(f"JSON parse error - {error}") from None


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON value")
