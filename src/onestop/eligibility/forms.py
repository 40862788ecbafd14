"""The rule editor's form: one field per part of a rule definition (see definitions.py)."""

from __future__ import annotations

from django import forms

from onestop.eligibility.definitions import RuleInvalid

CONDITION_CHARS = 4000  # far more than any shipped rule, small enough to read on one screen
REASON_CHARS = 500


def _condition(label: str) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=CONDITION_CHARS, strip=True, widget=forms.Textarea,
        error_messages={"required": f"Enter when {label[0].lower()}{label[1:]}",
                        "max_length": f"{label} must be {CONDITION_CHARS:,} characters "
                                      f"or fewer"})


def _reason(label: str) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=REASON_CHARS,
        error_messages={"required": f"Enter {label[0].lower()}{label[1:]}",
                        "max_length": f"{label} must be {REASON_CHARS} characters or fewer"})


class RuleDraftForm(forms.Form):
    scope = forms.ChoiceField(
        label="Who already having the service means it is not offered",
        choices=[("person", "Only the resident themselves (for example a blue badge)"),
                 ("household", "Anyone they live with (for example one garden-waste "
                               "subscription per home)")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose who already having the service counts"})
    applies = _condition("The service applies")
    not_applicable_reason = _reason("Reason when it does not apply")
    likely_eligible = _condition("The resident is likely eligible")
    eligible_reason = _reason("Reason when likely eligible")
    not_eligible_reason = _reason("Reason when not likely eligible")
    change_note = forms.CharField(
        label="What changed", required=False, max_length=300,
        error_messages={"max_length": "What changed must be 300 characters or fewer"})

    @classmethod
    def from_definition(cls, definition: dict, change_note: str = "") -> RuleDraftForm:
        return cls(initial={**{name: definition.get(name, "") for name in cls.base_fields},
                            "change_note": change_note})

    def definition(self, lgsl: int) -> dict:
        """The rule definition the form describes, for the service numbered `lgsl`."""
        data = self.cleaned_data
        return {"lgsl": lgsl, **{name: data[name] for name in self.fields
                                 if name != "change_note"}}

    def show(self, error: RuleInvalid) -> None:
        """Put each of the definition's problems on the field it names."""
        for message in error.errors:
            field, _, text = message.partition(": ")
            if field in self.fields and text:
                self.add_error(field, f"{self.fields[field].label}: {text}")
            else:
                self.add_error(None, message)
