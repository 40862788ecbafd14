"""Residents, the properties they live at, and what we need to know to serve them well."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from onestop.core.models import TimeStampedModel

# State pension age for people reaching it now; eligibility rules read it from here.
STATE_PENSION_AGE = 66


class Property(TimeStampedModel):
    class Type(models.TextChoices):
        HOUSE = "house", "House"
        BUNGALOW = "bungalow", "Bungalow"
        FLAT = "flat", "Flat"
        MAISONETTE = "maisonette", "Maisonette"
        PARK_HOME = "park_home", "Park home"

    class Tenure(models.TextChoices):
        OWNER_OCCUPIED = "owner_occupied", "Owner-occupied"
        PRIVATE_RENTED = "private_rented", "Private rented"
        COUNCIL_RENTED = "council_rented", "Council tenancy"
        HOUSING_ASSOCIATION = "housing_association", "Housing association"

    class Band(models.TextChoices):
        A = "A"
        B = "B"
        C = "C"
        D = "D"
        E = "E"
        F = "F"
        G = "G"
        H = "H"

    FLAT_TYPES = (Type.FLAT, Type.MAISONETTE)

    uprn = models.PositiveBigIntegerField("UPRN", unique=True)
    address_line_1 = models.CharField(max_length=120)
    address_line_2 = models.CharField(max_length=120, blank=True)
    town = models.CharField(max_length=80)
    postcode = models.CharField(max_length=8, db_index=True)
    property_type = models.CharField(max_length=12, choices=Type.choices)
    # Storey of a flat's front door: 0 is the ground floor. Only flats have one.
    floor = models.SmallIntegerField(null=True, blank=True)
    council_tax_band = models.CharField(max_length=1, choices=Band.choices, blank=True)
    tenure = models.CharField(max_length=20, choices=Tenure.choices, blank=True)
    authorities = models.ManyToManyField("authorities.Authority", related_name="properties")

    class Meta:
        verbose_name_plural = "properties"
        constraints = [
            models.CheckConstraint(
                name="floor_only_for_flats",
                condition=models.Q(floor__isnull=True)
                | models.Q(property_type__in=["flat", "maisonette"]),
            ),
        ]

    def __str__(self) -> str:
        return self.one_line_address

    @property
    def one_line_address(self) -> str:
        parts = [self.address_line_1, self.address_line_2, self.town, self.postcode]
        return ", ".join(part for part in parts if part)


class Household(TimeStampedModel):
    """The people living together at a property."""

    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="households")

    def __str__(self) -> str:
        return f"Household at {self.property}"


class Person(TimeStampedModel):
    """The master (golden) record of a resident."""

    class Channel(models.TextChoices):
        PHONE = "phone", "Phone"
        EMAIL = "email", "Email"
        SMS = "sms", "Text message"
        LETTER = "letter", "Letter"

    title = models.CharField(max_length=20, blank=True)
    given_name = models.CharField(max_length=80)
    middle_names = models.CharField(max_length=120, blank=True)
    family_name = models.CharField(max_length=80, db_index=True)
    date_of_birth = models.DateField(null=True, blank=True, db_index=True)
    national_insurance_number = models.CharField(max_length=9, blank=True)
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    has_disability = models.BooleanField(default=False)
    # Set when a death is reported (onestop.lifeevents); the record is kept, not deleted.
    date_of_death = models.DateField(null=True, blank=True)
    preferred_channel = models.CharField(max_length=8, choices=Channel.choices, blank=True)

    class Meta:
        verbose_name_plural = "people"
        indexes = [models.Index(fields=["family_name", "given_name"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.given_name, self.family_name) if part)

    def age_on(self, day: dt.date) -> int | None:
        if self.date_of_birth is None:
            return None
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def is_of_pension_age(self, day: dt.date) -> bool:
        age = self.age_on(day)
        return age is not None and age >= STATE_PENSION_AGE


class ContactDetail(TimeStampedModel):
    class Kind(models.TextChoices):
        PHONE = "phone", "Phone"
        EMAIL = "email", "Email"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="contact_details")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    # As the resident gave it; `normalised` is E.164 for phones, lower case for email.
    value = models.CharField(max_length=254)
    normalised = models.CharField(max_length=254, db_index=True)
    is_mobile = models.BooleanField(default=False)
    is_preferred = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.value


class Need(models.Model):
    """Something a resident needs from us to be served well; advisers see it first."""

    class Kind(models.TextChoices):
        INTERPRETER = "interpreter", "Interpreter"
        BSL = "bsl", "British Sign Language"
        TEXT_ONLY = "text_only", "Text phone or SMS only"
        LARGE_PRINT = "large_print", "Large print"
        FAST_TRACK = "fast_track", "Fast-track reception"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="needs")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # The interpreter's language; empty for other needs.
    language = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["person", "kind"], name="one_need_per_kind")]

    def __str__(self) -> str:
        label = self.get_kind_display()
        return f"{label} ({self.language})" if self.language else label


class Consent(models.Model):
    """A resident's answer to one consent question; the latest answer counts."""

    class Purpose(models.TextChoices):
        SHARE_ACROSS_SERVICES = "share_across_services", "Share details across council services"
        PROACTIVE_OFFERS = "proactive_offers", "Be told about services they may be eligible for"
        CONTACT_BY_SMS = "contact_by_sms", "Be contacted by text message"
        CONTACT_BY_EMAIL = "contact_by_email", "Be contacted by email"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=24, choices=Purpose.choices)
    given = models.BooleanField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()}: {'yes' if self.given else 'no'}"


class BenefitAward(models.Model):
    """A benefit a resident receives; eligibility rules read these."""

    class Benefit(models.TextChoices):
        UNIVERSAL_CREDIT = "universal_credit", "Universal Credit"
        HOUSING_BENEFIT = "housing_benefit", "Housing Benefit"
        COUNCIL_TAX_REDUCTION = "council_tax_reduction", "Council Tax Reduction"
        PENSION_CREDIT = "pension_credit", "Pension Credit"
        PIP = "pip", "Personal Independence Payment"
        DLA = "dla", "Disability Living Allowance"
        ATTENDANCE_ALLOWANCE = "attendance_allowance", "Attendance Allowance"
        CARERS_ALLOWANCE = "carers_allowance", "Carer's Allowance"
        CHILD_BENEFIT = "child_benefit", "Child Benefit"
        ESA = "esa", "Employment and Support Allowance"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="benefits")
    benefit = models.CharField(max_length=24, choices=Benefit.choices)
    since = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "benefit"], name="one_award_per_benefit")
        ]

    def __str__(self) -> str:
        return self.get_benefit_display()


class ServiceReceived(models.Model):
    """A council service a resident already has (a garden-waste subscription, a permit).

    Eligibility rules read these: a service already received is not offered again."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="services_received")
    service = models.ForeignKey("catalogue.Service", on_delete=models.PROTECT,
                                related_name="+")
    since = models.DateField(null=True, blank=True)
    # Where we learnt it: the extract it came from ("garden_waste"), or "contact".
    source = models.CharField(max_length=40)

    class Meta:
        verbose_name_plural = "services received"
        constraints = [models.UniqueConstraint(fields=["person", "service"],
                                               name="one_row_per_service_received")]

    def __str__(self) -> str:
        return f"{self.person} receives {self.service}"


class FormerHome(models.Model):
    """A property a resident lived at and left (a move, a death, a re-linked record).

    Kept because the councils of an earlier home still hold the resident's data from
    then (their cases, contacts, accounts), so they may still see the record
    (`onestop.people.access`); and because "where did they live before" is part of the
    record itself."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="former_homes")
    property = models.ForeignKey(Property, on_delete=models.PROTECT, related_name="+")
    left_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-left_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["person", "property"],
                                               name="one_former_home_per_property")]

    def __str__(self) -> str:
        return f"{self.person} formerly at {self.property}"
