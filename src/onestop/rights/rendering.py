"""The readable forms of a subject access record: the page in OneStop, and the file the
command writes (the same body, with its own styles inline, to open anywhere)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string


def standalone_html(record: dict[str, Any]) -> str:
    return render_to_string("rights/subject_access_document.html", {"record": record})
