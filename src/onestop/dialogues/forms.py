"""The draft editor's form. Publishing and starting a script use core.forms' ReviewDateForm
and ServiceNumberForm, shared with the eligibility rules' pages."""

from __future__ import annotations

from django import forms

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
