from __future__ import annotations

from django import forms


class CardSignInForm(forms.Form):
    card_number = forms.CharField(label="ID card number", max_length=20,
                                  error_messages={"required": "Enter your ID card number"})
    pin = forms.CharField(label="PIN", max_length=8, strip=False, widget=forms.PasswordInput,
                          error_messages={"required": "Enter your PIN"})


class PasswordSignInForm(forms.Form):
    username = forms.CharField(label="Username", max_length=150,
                               error_messages={"required": "Enter your username"})
    password = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput,
                               error_messages={"required": "Enter your password"})
