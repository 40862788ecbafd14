from __future__ import annotations

import re

from django import forms

from onestop.authorities.models import Authority
from onestop.staff import powers
from onestop.staff.models import Role, Team, User


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


ID = re.compile(r"[1-9][0-9]{0,17}")


class _Councils(forms.ModelMultipleChoiceField):
    """Any council or team id parses, so that one beyond the administrator's powers reaches
    the action, which refuses it and audits the refusal; the page offers only theirs."""

    def __init__(self, queryset, noun: str, **kwargs):
        super().__init__(queryset=queryset, required=False, error_messages={
            "invalid_choice": f"%(value)s is not a {noun} OneStop knows",
            "invalid_pk_value": f"“%(pk)s” is not a {noun} OneStop knows",
            "invalid_list": f"Choose {noun}s from the list",
        }, **kwargs)

    def _check_values(self, value):
        # Ids are checked as ids before the database sees them: a 20-digit number would
        # overflow SQLite's integers and fail the request instead of the field.
        for pk in value:
            if not ID.fullmatch(str(pk)):
                raise forms.ValidationError(self.error_messages["invalid_pk_value"],
                                            code="invalid_pk_value", params={"pk": pk})
        return super()._check_values(value)


class StaffForm(forms.Form):
    """A member of staff's names, email, roles, councils, teams and whether active."""

    first_name = forms.CharField(label="First name", max_length=150,
                                 error_messages={"required": "Enter their first name"})
    last_name = forms.CharField(label="Last name", max_length=150,
                                error_messages={"required": "Enter their last name"})
    email = forms.EmailField(label="Email address (optional)", required=False, max_length=254,
                             error_messages={"invalid": "Enter an email address like "
                                                        "name@council.gov.uk"})
    roles = forms.MultipleChoiceField(label="Roles", choices=Role.choices, error_messages={
        "required": "Choose at least one role",
        "invalid_choice": "%(value)s is not a role",
        "invalid_list": "Choose roles from the list"})
    authorities = _Councils(Authority.objects.all(), "council", label="Councils they act for")
    teams = _Councils(Team.objects.select_related("authority"), "team", label="Teams")
    is_active = forms.BooleanField(label="Active: may sign in", required=False)

    def __init__(self, *args, actor: User, member: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor, self.member = actor, member
        if member is None:
            del self.fields["is_active"]

    def offered(self, name: str) -> list[tuple[str, str, bool]]:
        """(value, label, checked) of each box the page shows for `name`: what the actor
        may give, and whatever the member already has."""
        chosen = {str(value.pk if hasattr(value, "pk") else value)
                  for value in (self[name].value() or [])}
        held = {"roles": [], "authorities": [], "teams": []}
        if self.member is not None:
            held = {"roles": sorted(self.member.role_names),
                    "authorities": list(self.member.authorities.all()),
                    "teams": list(self.member.teams.select_related("authority"))}
        if name == "roles":
            values = [*powers.grantable_roles(self.actor),
                      *(r for r in held["roles"] if r not in powers.grantable_roles(self.actor))]
            return [(role, Role(role).label, role in chosen) for role in values]
        mine = (powers.grantable_authorities(self.actor) if name == "authorities"
                else powers.grantable_teams(self.actor))
        items = {item.pk: item for item in [*mine, *held[name]]}.values()
        label = (lambda a: a.name) if name == "authorities" else (
            lambda t: f"{t.name} ({t.authority.name})")
        return sorted(((str(item.pk), label(item), str(item.pk) in chosen) for item in items),
                      key=lambda option: option[1])

    def boxes(self):
        return {name: self.offered(name) for name in ("roles", "authorities", "teams")}


class NewStaffForm(StaffForm):
    username = forms.CharField(label="Username", max_length=150,
                               error_messages={"required": "Enter a username"})
    password = forms.CharField(label="Password (optional)", required=False, strip=False,
                               max_length=128, widget=forms.PasswordInput)

    field_order = ["username", "first_name", "last_name", "email", "password"]


class PinForm(forms.Form):
    new_pin = forms.CharField(label="New PIN", max_length=8, strip=False,
                              widget=forms.PasswordInput,
                              error_messages={"required": "Enter a new PIN of 4 to 8 digits",
                                              "max_length": "A PIN is 4 to 8 digits"})


class NewCardForm(PinForm):
    number = forms.CharField(label="Card number", max_length=20,
                             error_messages={"required": "Enter the number on the card",
                                             "max_length": "A card number is 6 to 20 digits"})

    field_order = ["number", "new_pin"]
