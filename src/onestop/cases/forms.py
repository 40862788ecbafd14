from __future__ import annotations

import datetime as dt

from django import forms

from onestop.catalogue.models import Service

TEXT_MAX = 10_000


class ResolveForm(forms.Form):
    response = forms.CharField(
        label="Response to the requester", widget=forms.Textarea, max_length=TEXT_MAX,
        error_messages={"required": "Enter the response to give the requester"})


class ReopenForm(forms.Form):
    reason = forms.CharField(label="Why reopen the case?", widget=forms.Textarea,
                             max_length=TEXT_MAX,
                             error_messages={"required": "Enter why the case is reopened"})


class FeedbackForm(forms.Form):
    message = forms.CharField(label="Feedback to the requester", widget=forms.Textarea,
                              max_length=TEXT_MAX,
                              error_messages={"required": "Enter the feedback to send"})


class FindConstituentForm(forms.Form):
    name = forms.CharField(label="Constituent's name", required=False, max_length=120)
    postcode = forms.CharField(label="Postcode", required=False, max_length=10)


class RaiseEnquiryForm(forms.Form):
    service = forms.ModelChoiceField(
        label="Service", to_field_name="lgsl", empty_label="Choose a service",
        queryset=Service.objects.none(),
        error_messages={"required": "Choose the service the enquiry is about",
                        "invalid_choice": "Choose a service from the list"})
    # The resident chosen from the search results; empty when typed in below.
    person = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    constituent_name = forms.CharField(label="Constituent's full name", required=False,
                                       max_length=160)
    constituent_address = forms.CharField(label="Constituent's address", required=False,
                                          max_length=300, widget=forms.Textarea)
    question = forms.CharField(
        label="The constituent's question", widget=forms.Textarea, max_length=TEXT_MAX,
        error_messages={"required": "Enter the constituent's question"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only services some team handles can be routed.
        self.fields["service"].queryset = (Service.objects.filter(teams__isnull=False)
                                           .distinct().order_by("label"))

    def clean(self):
        data = super().clean()
        if not data.get("person") and not (data.get("constituent_name", "").strip()
                                           and data.get("constituent_address", "").strip()):
            self.add_error("constituent_name", "Choose a resident found above, or enter the "
                                               "constituent's name and address")
        return data


class RateEnquiryForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="How good was the answer?", coerce=int, widget=forms.RadioSelect,
        choices=[(5, "5 (very good)"), (4, "4 (good)"), (3, "3 (adequate)"), (2, "2 (poor)"),
                 (1, "1 (very poor)")],
        error_messages={"required": "Choose a rating from 1 to 5"})
    comment = forms.CharField(label="Comment (optional)", required=False, max_length=TEXT_MAX,
                              widget=forms.Textarea)


class PeriodForm(forms.Form):
    start = forms.DateField(label="From", required=False,
                            widget=forms.DateInput(attrs={"type": "date"}),
                            error_messages={"invalid": "Enter the start as a date"})
    end = forms.DateField(label="To", required=False,
                          widget=forms.DateInput(attrs={"type": "date"}),
                          error_messages={"invalid": "Enter the end as a date"})

    def period(self, default: tuple[dt.date, dt.date]) -> tuple[dt.date, dt.date]:
        start = self.cleaned_data.get("start") or default[0]
        end = self.cleaned_data.get("end") or default[1]
        return start, end

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "The end date must be on or after the start date")
        return data
