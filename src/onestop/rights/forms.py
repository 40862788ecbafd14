from __future__ import annotations

from django import forms

from onestop.rights.actions import FORMATS


class SubjectAccessForm(forms.Form):
    format = forms.ChoiceField(
        choices=[(f, f) for f in FORMATS],
        error_messages={"required": "Choose a readable page or a JSON file",
                        "invalid_choice": "Choose a readable page or a JSON file"})
