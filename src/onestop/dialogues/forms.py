"""Forms of the authoring pages: the draft editor, publishing, starting a new script."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

# A generous bound on a pasted script: the largest shipped one is a few tens of kilobytes.
MAX_DOCUMENT_CHARS = 500_000


class DraftForm(forms.Form):
    document = forms.CharField(
        label="Script (JSON)", max_length=MAX_DOCUMENT_CHARS, strip=False,
        widget=forms.Textarea,
        error_messages={"required": "Enter the script as JSON",
                        "max_length": f"The script must be {MAX_DOCUMENT_CHARS:,} "
                                      f"characters or fewer"})
    change_note = forms.CharField(
        label="What changed", required=False, max_length=300,
        error_messages={"max_length": "What changed must be 300 characters or fewer"})


class StartScriptForm(forms.Form):
    lgsl = forms.IntegerField(
        label="LGSL number of the service", min_value=1, max_value=99_999,
        error_messages={"required": "Enter the LGSL number of the service",
                        "invalid": "The LGSL number must be a whole number, like 524",
                        "min_value": "The LGSL number must be 1 or more",
                        "max_value": "The LGSL number must be 99999 or less"})


class PublishForm(forms.Form):
    """A review date as a GOV.UK date input: `review_by-day`, `-month`, `-year`."""

    day = forms.CharField(label="Day", required=False, max_length=2)
    month = forms.CharField(label="Month", required=False, max_length=2)
    year = forms.CharField(label="Year", required=False, max_length=4)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "review_by")
        super().__init__(*args, **kwargs)

    @classmethod
    def a_year_ahead(cls) -> PublishForm:
        today = timezone.localdate()
        try:
            day = today.replace(year=today.year + 1)
        except ValueError:  # 29 February
            day = today.replace(year=today.year + 1, day=28)
        return cls(initial={"day": day.day, "month": day.month, "year": day.year})

    def clean(self):
        data = super().clean()
        parts = [(data.get(p) or "").strip() for p in ("day", "month", "year")]
        if not all(parts):
            missing = [name for name, part in zip(("day", "month", "year"), parts, strict=True)
                       if not part]
            self.add_error("day", "Enter the review date" if len(missing) == 3
                           else f"The review date must include a {' and '.join(missing)}")
            return data
        if not all(p.isdecimal() for p in parts) or len(parts[2]) != 4:
            self.add_error("day", "The review date must be a real date, like 1 12 2027")
            return data
        try:
            review_by = dt.date(int(parts[2]), int(parts[1]), int(parts[0]))
        except ValueError:
            self.add_error("day", "The review date must be a real date")
            return data
        if review_by <= timezone.localdate():
            self.add_error("day", "The review date must be in the future")
            return data
        data["review_by"] = review_by
        return data
