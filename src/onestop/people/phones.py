"""Phone numbers as residents give them, normalised so that screen-pop and search match."""

from __future__ import annotations

import phonenumbers

DEFAULT_REGION = "GB"


class BadPhoneNumber(ValueError):
    """The text is not a valid phone number; the message quotes it."""


def normalise_phone(raw: str) -> tuple[str, bool]:
    """E.164 form of a UK (or +international) number, and whether it is a mobile.

    Raises BadPhoneNumber with the reason when the text is not a valid number.
    """
    try:
        number = phonenumbers.parse(raw, DEFAULT_REGION)
    except phonenumbers.NumberParseException as error:
        raise BadPhoneNumber(f"{raw!r} is not a phone number: {error}") from None
    if not phonenumbers.is_valid_number(number):
        raise BadPhoneNumber(f"{raw!r} is not a valid phone number")
    kind = phonenumbers.number_type(number)
    is_mobile = kind in (phonenumbers.PhoneNumberType.MOBILE,
                         phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), is_mobile


def display_phone(e164: str) -> str:
    """The national format advisers read back to callers ("01449 724500")."""
    number = phonenumbers.parse(e164, DEFAULT_REGION)
    if number.country_code == 44:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
