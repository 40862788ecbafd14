"""The clerical review form: a verdict on two source records and an optional note."""

from __future__ import annotations

from django import forms

from onestop.matching.models import ReviewDecision


class ReviewDecisionForm(forms.Form):
    verdict = forms.ChoiceField(
        label="Are these records the same person?", choices=ReviewDecision.Verdict.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether these records are the same person"})
    note = forms.CharField(label="Note (optional)", required=False, max_length=2000,
                           widget=forms.Textarea,
                           error_messages={"max_length": "Note must be 2,000 characters "
                                                         "or fewer"})
