"""The life-event form shared by the adviser desktop and residents' self-service."""

from __future__ import annotations

import datetime as dt

from django import forms

from onestop.lifeevents.actions import Informant
from onestop.lifeevents.mapping import EventKind
from onestop.people.postcodes import normalise_postcode


def _date(form: forms.Form, data: dict, prefix: str, label: str) -> dt.date | None:
    parts = [data.get(f"{prefix}_day"), data.get(f"{prefix}_month"), data.get(f"{prefix}_year")]
    if all(part is None for part in parts):
        return None
    if any(part is None for part in parts):
        form.add_error(f"{prefix}_day", f"{label} must include a day, month and year")
        return None
    try:
        return dt.date(parts[2], parts[1], parts[0])
    except ValueError:
        form.add_error(f"{prefix}_day", f"{label} must be a real date")
        return None


class LifeEventForm(forms.Form):
    kind = forms.ChoiceField(label="What happened?", choices=EventKind.choices,
                             widget=forms.RadioSelect,
                             error_messages={"required": "Select what happened"})
    on_day = forms.IntegerField(label="Day", required=False, min_value=1, max_value=31)
    on_month = forms.IntegerField(label="Month", required=False, min_value=1, max_value=12)
    on_year = forms.IntegerField(label="Year", required=False, min_value=1900, max_value=2100)
    child_given_name = forms.CharField(label="Baby's first name", required=False,
                                       max_length=80)
    child_family_name = forms.CharField(label="Baby's last name", required=False,
                                        max_length=80)
    new_postcode = forms.CharField(label="Postcode of the new address", required=False,
                                   max_length=10)
    uprn = forms.CharField(label="New address", required=False, max_length=12)
    new_address = forms.CharField(label="New address outside the area (if known)",
                                  required=False, max_length=300)
    new_given_name = forms.CharField(label="New first name", required=False, max_length=80)
    new_family_name = forms.CharField(label="New last name", required=False, max_length=80)
    cared_for = forms.CharField(label="Who do they care for?", required=False, max_length=300)
    informant_name = forms.CharField(label="Name of the person telling us", required=False,
                                     max_length=160)
    informant_email = forms.CharField(label="Their email address", required=False,
                                      max_length=254)
    informant_phone = forms.CharField(label="Their mobile phone number", required=False,
                                      max_length=32)

    def clean(self):
        data = super().clean()
        data["occurred_on"] = _date(self, data, "on", "The date")
        if data["occurred_on"] is None and not self.has_error("on_day"):
            self.add_error("on_day", "Enter the date it happened")
        return data

    def details(self) -> dict:
        data = self.cleaned_data
        kind = data.get("kind")
        if kind == EventKind.BIRTH:
            return {"child_given_name": data["child_given_name"],
                    "child_family_name": data["child_family_name"]}
        if kind in (EventKind.MOVING_IN, EventKind.MOVING_WITHIN):
            return {"uprn": data["uprn"]}
        if kind == EventKind.MOVING_OUT:
            return {"new_address": data["new_address"]}
        if kind == EventKind.CHANGE_OF_NAME:
            return {"given_name": data["new_given_name"], "family_name": data["new_family_name"]}
        if kind == EventKind.BECOMING_CARER:
            return {"cared_for": data["cared_for"]}
        return {}

    def informant(self) -> Informant | None:
        data = self.cleaned_data
        if not any(data.get(f"informant_{part}") for part in ("name", "email", "phone")):
            return None
        return Informant(name=data["informant_name"], email=data["informant_email"],
                         phone=data["informant_phone"])

    def postcode(self) -> str | None:
        raw = self.data.get("new_postcode", "")
        return normalise_postcode(raw) if raw.strip() else None


class ResidentForm(LifeEventForm):
    """Self-service: the resident says who they are; only an exact match is reported."""

    given_name = forms.CharField(label="First name", max_length=80,
                                 error_messages={"required": "Enter the first name"})
    family_name = forms.CharField(label="Last name", max_length=80,
                                  error_messages={"required": "Enter the last name"})
    born_day = forms.IntegerField(label="Day", required=False, min_value=1, max_value=31)
    born_month = forms.IntegerField(label="Month", required=False, min_value=1, max_value=12)
    born_year = forms.IntegerField(label="Year", required=False, min_value=1900,
                                   max_value=2100)
    postcode = forms.CharField(label="Postcode of the home address", max_length=10,
                               error_messages={"required": "Enter the postcode"})

    def clean(self):
        data = super().clean()
        data["date_of_birth"] = _date(self, data, "born", "Date of birth")
        if data["date_of_birth"] is None and not self.has_error("born_day"):
            self.add_error("born_day", "Enter the date of birth")
        if data.get("postcode"):
            data["home_postcode"] = normalise_postcode(data["postcode"])
            if data["home_postcode"] is None:
                self.add_error("postcode", "Enter a full UK postcode, like IP14 1AB")
        return data
