from __future__ import annotations

from django import forms


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
