from __future__ import annotations

import datetime as dt

from django import forms

from onestop.catalogue.models import Service
from onestop.contacts.models import Contact


class FindPersonForm(forms.Form):
    # One box for whatever the caller says, in any order; the separate fields below still
    # work and combine with it.
    q = forms.CharField(label="Search", required=False, max_length=200)
    name = forms.CharField(label="Name", required=False, max_length=120)
    dob_day = forms.IntegerField(label="Day", required=False, min_value=1, max_value=31)
    dob_month = forms.IntegerField(label="Month", required=False, min_value=1, max_value=12)
    dob_year = forms.IntegerField(label="Year", required=False, min_value=1900, max_value=2100)
    postcode = forms.CharField(label="Postcode", required=False, max_length=10)
    phone = forms.CharField(label="Phone number", required=False, max_length=30)

    def clean(self):
        data = super().clean()
        parts = [data.get("dob_day"), data.get("dob_month"), data.get("dob_year")]
        data["date_of_birth"] = None
        if any(part is not None for part in parts):
            if any(part is None for part in parts):
                self.add_error("dob_day", "Date of birth must include a day, month and year")
            else:
                try:
                    data["date_of_birth"] = dt.date(parts[2], parts[1], parts[0])
                except ValueError:
                    self.add_error("dob_day", "Date of birth must be a real date")
        return data


class LogContactForm(forms.Form):
    channel = forms.ChoiceField(label="How did they contact us?", choices=Contact.Channel.choices,
                                widget=forms.RadioSelect,
                                error_messages={"required": "Select how they contacted us"})
    services = forms.ModelMultipleChoiceField(
        label="Services discussed", queryset=Service.objects.all(), required=True,
        to_field_name="lgsl", widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one service discussed"})
    outcome = forms.ChoiceField(label="Outcome", choices=Contact.Outcome.choices,
                                widget=forms.RadioSelect,
                                error_messages={"required": "Select the outcome of the contact"})
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea,
                            max_length=10_000)
    service_query = forms.CharField(label="Find a service", required=False, max_length=100)
