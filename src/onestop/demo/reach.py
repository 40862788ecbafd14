"""How to reach a demo resident: phones, emails, preferred channel, needs and consents.

Phone numbers are random numbers in real, valid UK ranges (local dialling codes for
landlines): Ofcom's drama ranges (07700 900xxx, 01632 960xxx) fail `phonenumbers`
validation, so they cannot be used. Nothing in the demo dials or texts them; nobody should.
Email addresses use the reserved example.com/.org/.net domains, so no real mailbox is named.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata

from onestop.demo.places import Place
from onestop.demo.specs import Email, HouseholdSpec, PersonSpec, Phone
from onestop.people.models import Consent, Need, Person
from onestop.people.phones import BadPhoneNumber, normalise_phone

# Mobile prefixes in ranges that are allocated and that `phonenumbers` accepts.
MOBILE_PREFIXES = (
    "7400", "7411", "7424", "7432", "7449", "7455", "7480", "7496", "7507", "7515", "7533",
    "7552", "7584", "7706", "7712", "7725", "7738", "7747", "7766", "7775", "7789", "7801",
    "7812", "7824", "7837", "7846", "7852", "7877", "7891", "7904", "7912", "7920", "7939",
    "7946", "7956", "7967", "7971", "7983", "7999",
)
EMAIL_DOMAINS = ("example.com", "example.org", "example.net")


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isascii() and ch.isalnum())


class Reach:
    """Allocates unique phone numbers and email addresses and records how to reach people."""

    def __init__(self, rng: random.Random, today: dt.date):
        self.rng = rng
        self.today = today
        self.numbers: set[str] = set()
        self.emails: set[str] = set()

    # -- phones ---------------------------------------------------------------------------

    def _as_typed(self, national: str, e164: str) -> str:
        """The same number the way different people write it down."""
        # Mobiles and the demo's landlines all have five-digit codes (07xxx, 01449, ...).
        head, tail = national[:5], national[5:]
        style = self.rng.random()
        if style < 0.45:
            return f"{head} {tail}"
        if style < 0.70:
            return national
        if style < 0.80:
            return f"+44 {head[1:]} {tail}"
        if style < 0.88:
            return f"({head}) {tail[:3]} {tail[3:]}"
        if style < 0.95:
            return e164
        return f"+44 (0){head[1:]} {tail}"

    def _unique_number(self, make) -> Phone:
        while True:
            national = make()
            if national in self.numbers:
                continue
            try:
                e164, is_mobile = normalise_phone(national)
            except BadPhoneNumber:
                continue
            self.numbers.add(national)
            return Phone(self._as_typed(national, e164), e164, is_mobile)

    def mobile(self) -> Phone:
        return self._unique_number(
            lambda: f"0{self.rng.choice(MOBILE_PREFIXES)}{self.rng.randint(0, 999_999):06d}")

    def landline(self, place: Place) -> Phone:
        return self._unique_number(
            lambda: f"{place.dialling_code}{self.rng.choice(place.exchanges)}"
                    f"{self.rng.randint(0, 9999):04d}")

    # -- email ----------------------------------------------------------------------------

    def email(self, person: PersonSpec) -> Email:
        given, family = _ascii(person.given_name).lower(), _ascii(person.family_name).lower()
        year = f"{person.date_of_birth.year % 100:02d}"
        styles = (f"{given}.{family}", f"{given}{family}{year}", f"{given[:1]}.{family}",
                  f"{given}_{family}", f"{family}{given[:1]}", f"{given}{self.rng.randint(1, 99)}")
        local = self.rng.choice(styles) or "resident"
        domain = self.rng.choice(EMAIL_DOMAINS)
        address = f"{local}@{domain}"
        while address in self.emails:
            address = f"{local}{self.rng.randint(1, 999)}@{domain}"
        self.emails.add(address)
        # Some people type capitals; the normalised form is lower case.
        if self.rng.random() < 0.12:
            address = address.replace(local, local.title(), 1)
        return Email(address)

    # -- a household ------------------------------------------------------------------------

    def equip(self, household: HouseholdSpec) -> None:
        today, rng = self.today, self.rng
        landline = None
        owner_pensioners = (household.property.tenure == "owner_occupied"
                            and household.head.age_on(today) >= 66)
        if rng.random() < (0.7 if owner_pensioners else 0.28):
            landline = self.landline(household.property.place)
        for person in household.members:
            age = person.age_on(today)
            if age < 16:
                continue
            mobile_chance = 0.92 if age < 65 else 0.75 if age < 80 else 0.4
            if rng.random() < mobile_chance:
                person.phones.append(self.mobile())
            if landline and (person.relationship == "head" or
                             (person.relationship == "partner" and rng.random() < 0.5)):
                # A shared landline: the same number on two records, as in life.
                person.phones.append(Phone(landline.value, landline.e164, landline.is_mobile))
            email_chance = 0.8 if age < 65 else 0.55 if age < 80 else 0.2
            if age >= 18 and rng.random() < email_chance:
                person.emails.append(self.email(person))
            self._choose_channel(person, age)
            self._record_needs(person, age, household.language)
            self._record_consents(person, household.moved_in)

    def _choose_channel(self, person: PersonSpec, age: int) -> None:
        rng, channels = self.rng, Person.Channel
        mobile = next((p for p in person.phones if p.is_mobile), None)
        landline = next((p for p in person.phones if not p.is_mobile), None)
        options: list[tuple[str, float]] = [(channels.LETTER, 0.1 if age < 66 else 0.35)]
        if mobile or landline:
            options.append((channels.PHONE, 0.3 if age < 66 else 0.5))
        if mobile:
            options.append((channels.SMS, 0.2 if age < 66 else 0.05))
        if person.emails:
            options.append((channels.EMAIL, 0.4 if age < 66 else 0.15))
        if age < 18 or rng.random() < 0.15:
            return  # never asked
        choice = rng.choices([c for c, _ in options], [w for _, w in options])[0]
        person.preferred_channel = choice
        if choice == channels.EMAIL:
            person.emails[0].is_preferred = True
        elif choice == channels.SMS:
            mobile.is_preferred = True
        elif choice == channels.PHONE:
            (landline if landline and age >= 66 else mobile or landline).is_preferred = True

    def _record_needs(self, person: PersonSpec, age: int, language: str) -> None:
        rng, kinds = self.rng, Need.Kind
        if language and age >= 18 and rng.random() < 0.75:
            person.needs.append((kinds.INTERPRETER, language))
        if rng.random() < 0.0025:
            person.needs.append((kinds.BSL, ""))
            person.has_disability = True
        elif rng.random() < (0.012 if age >= 60 else 0.003):
            person.needs.append((kinds.TEXT_ONLY, ""))
            person.has_disability = True
        large_print = 0.1 if age >= 80 else 0.04 if age >= 66 else 0.02 * person.has_disability
        if rng.random() < large_print:
            person.needs.append((kinds.LARGE_PRINT, ""))
        if person.has_disability and rng.random() < 0.06:
            person.needs.append((kinds.FAST_TRACK, ""))

    def _record_consents(self, person: PersonSpec, moved_in: dt.date) -> None:
        rng, purposes = self.rng, Consent.Purpose
        start = max(moved_in, self.today - dt.timedelta(days=3 * 365))
        span = max((self.today - start).days, 1)

        def when() -> dt.datetime:
            day = start + dt.timedelta(days=rng.randint(0, span - 1))
            return dt.datetime.combine(day, dt.time(rng.randint(8, 18), rng.randint(0, 59)),
                                       tzinfo=dt.UTC)

        answers = [(purposes.SHARE_ACROSS_SERVICES, 0.8, 0.88),
                   (purposes.PROACTIVE_OFFERS, 0.6, 0.62)]
        if any(p.is_mobile for p in person.phones):
            answers.append((purposes.CONTACT_BY_SMS, 0.5, 0.7))
        if person.emails:
            answers.append((purposes.CONTACT_BY_EMAIL, 0.5, 0.75))
        for purpose, asked, yes in answers:
            if rng.random() < asked:
                person.consents.append((purpose, rng.random() < yes, when()))
