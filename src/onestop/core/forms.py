"""Forms more than one app's pages share."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone


class AccessLogSearchForm(forms.Form):
    GRANTED = [("", "Any"), ("yes", "Granted"), ("no", "Refused")]

    username = forms.CharField(label="Staff username", required=False, max_length=150)
    person_id = forms.IntegerField(label="Person number", required=False, min_value=1,
                                   max_value=2**63 - 1)
    granted = forms.ChoiceField(label="Access", choices=GRANTED, required=False)
    since = forms.DateField(label="From (YYYY-MM-DD)", required=False)
    until = forms.DateField(label="To (YYYY-MM-DD)", required=False)

    def clean_granted(self):
        return {"yes": True, "no": False}.get(self.cleaned_data["granted"])


class ServiceNumberForm(forms.Form):
    """A service named by its LGSL number, to start its script or rule."""

    lgsl = forms.IntegerField(
        label="LGSL number of the service", min_value=1, max_value=99_999,
        error_messages={"required": "Enter the LGSL number of the service",
                        "invalid": "The LGSL number must be a whole number, like 524",
                        "min_value": "The LGSL number must be 1 or more",
                        "max_value": "The LGSL number must be 99999 or less"})


class ReviewDateForm(forms.Form):
    """A review date as a GOV.UK date input: `review_by-day`, `-month`, `-year`."""

    day = forms.CharField(label="Day", required=False, max_length=2)
    month = forms.CharField(label="Month", required=False, max_length=2)
    year = forms.CharField(label="Year", required=False, max_length=4)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "review_by")
        super().__init__(*args, **kwargs)

    @classmethod
    def a_year_ahead(cls) -> ReviewDateForm:
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
