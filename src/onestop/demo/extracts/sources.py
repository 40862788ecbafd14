"""The seven back-office extracts, each with its own columns, coverage and habits.

Rates are per record (or per eligible record: a maiden name needs a previous name, a
swapped date needs a day of 12 or less). The README states each rate and the count made.
"""

from __future__ import annotations

import datetime as dt

from onestop.demo.extracts.base import (
    Context,
    Entry,
    Extract,
    address_for,
    birthday,
    date_text,
    finish,
    mother_or_head,
    phone_as_typed,
    start_extract,
)
from onestop.demo.places import MID_SUFFOLK, PLACES, PLACES_BY_DISTRICT
from onestop.demo.specs import Address, HouseholdSpec
from onestop.people.models import BenefitAward, Property

DISTRICT_NAMES = {MID_SUFFOLK: "Mid Suffolk District Council",
                  "babergh": "Babergh District Council"}
PLACES_BY_NAME = {place.name: place for place in PLACES}
# Citizens of these countries are not qualifying electors in England.
NOT_ON_REGISTER = {"Ukrainian", "Arabic", "Turkish"}
EU_LANGUAGES = {"Polish", "Romanian", "Portuguese", "Hungarian"}


def _households(context: Context) -> list[HouseholdSpec]:
    return context.population.households


def council_tax(context: Context) -> Extract:
    extract = start_extract(
        context, "council_tax", title="Council tax accounts", id_column="ACCOUNT_REF",
        covers="One account per household, in the name of its lead liable adult (the "
               "household's head), billed by the district the property lies in.",
        columns=(
            ("ACCOUNT_REF", "Account number: 31 then 8 digits (Mid Suffolk), 32 (Babergh)"),
            ("BILLING_AUTHORITY", "MID SUFFOLK DC or BABERGH DC"),
            ("LEAD_LIABLE_NAME", "SURNAME, Forename and middle initial (\"SMITH, John A\")"),
            ("LEAD_LIABLE_DOB", "Date of birth, dd/mm/yyyy; blank for some accounts"),
            ("UPRN", "The property's UPRN"),
            ("ADDR1", "First address line"), ("ADDR2", "Locality (village), may be blank"),
            ("ADDR3", "Post town"), ("POSTCODE", "Postcode"),
            ("BAND", "Council tax band A-H"),
            ("LIABLE_FROM", "Start of liability, dd/mm/yyyy"),
            ("SPD", "Single person discount, Y or N"),
            ("CTR", "Council Tax Reduction in payment, Y or N"),
            ("PREV_ADDRESS", "Previous address from the move-in form, comma-separated, for "
                             "accounts opened in the last two years; blank if not given"),
            ("PREV_POSTCODE", "Previous address's postcode; blank if not given"),
        ),
        rates={"nickname": 0.03, "typo": 0.02, "swapped_day_month": 0.01, "missing_dob": 0.08,
               "postcode_format": 0.05, "duplicate": 0.01, "no_previous_address": 0.1},
    )
    noise, today = extract.noise, context.today

    def render(entry: Entry) -> dict:
        person, household = entry.person, entry.household
        prop, address = household.property, household.property.address
        given = noise.given_name(person.given_name)
        initial = f" {person.middle_initial}" if person.middle_initial else ""
        surname = noise.family_name(person.family_name).upper()
        previous = household.previous_address
        if previous is not None and noise.roll("no_previous_address"):
            noise.count("no_previous_address")  # the form's box left empty
            previous = None
        return {
            "BILLING_AUTHORITY": "MID SUFFOLK DC" if prop.district == MID_SUFFOLK
            else "BABERGH DC",
            "LEAD_LIABLE_NAME": f"{surname}, {given}{initial}",
            "LEAD_LIABLE_DOB": date_text(noise.date_of_birth(person.date_of_birth), "%d/%m/%Y"),
            "UPRN": prop.uprn, "ADDR1": address.line_1, "ADDR2": address.line_2,
            "ADDR3": address.town, "POSTCODE": noise.postcode(address.postcode),
            "BAND": prop.council_tax_band, "LIABLE_FROM": date_text(household.moved_in,
                                                                    "%d/%m/%Y"),
            "SPD": "Y" if len(household.adults(today)) == 1 else "N",
            "CTR": "Y" if any(BenefitAward.Benefit.COUNCIL_TAX_REDUCTION in p.benefits
                              for p in household.members) else "N",
            "PREV_ADDRESS": ", ".join(previous.lines()) if previous else "",
            "PREV_POSTCODE": previous.postcode if previous else "",
        }

    entries = [Entry(h.head, h) for h in _households(context) if h.head.age_on(today) >= 18]
    return finish(extract, entries, render, lambda n, e: (
        f"{31 if e.household.property.district == MID_SUFFOLK else 32}{n:08d}"))


def benefits(context: Context) -> Extract:
    extract = start_extract(
        context, "benefits", title="Benefits and awards", id_column="claim_id",
        covers="Everyone receiving at least one benefit (a child's DLA is recorded on the "
               "child), one row per recipient.",
        columns=(
            ("claim_id", "BEN then 7 digits"),
            ("forename", "Given name"), ("surname", "Family name"),
            ("nino", "National Insurance number, no spaces; blank for children or unknown"),
            ("date_of_birth", "ISO date yyyy-mm-dd"),
            ("address_line_1", "First address line"), ("address_line_2", "Locality"),
            ("town", "Post town"), ("postcode", "Postcode"),
            ("benefits", "Benefits in payment, semicolon-separated codes "
                         f"({', '.join(BenefitAward.Benefit.values)})"),
            ("award_start", "ISO date the earliest of them started"),
        ),
        rates={"nickname": 0.01, "typo": 0.01, "maiden_name": 0.25, "swapped_day_month": 0.005,
               "missing_dob": 0.005, "missing_nino": 0.03, "postcode_format": 0.03,
               "stale_address": 0.4, "duplicate": 0.015},
    )
    noise = extract.noise

    def render(entry: Entry) -> dict:
        person = entry.person
        address = address_for(noise, entry.household)
        nino = person.ni_number
        if nino and noise.roll("missing_nino"):
            noise.count("missing_nino")
            nino = ""
        return {
            "forename": noise.given_name(person.given_name),
            "surname": noise.family_name(person.family_name, person.previous_family_name),
            "nino": nino,
            "date_of_birth": date_text(noise.date_of_birth(person.date_of_birth), "%Y-%m-%d"),
            "address_line_1": address.line_1, "address_line_2": address.line_2,
            "town": address.town, "postcode": noise.postcode(address.postcode),
            "benefits": ";".join(sorted(person.benefits)),
            "award_start": min(person.benefits.values()).isoformat(),
        }

    entries = [Entry(person, household) for household in _households(context)
               for person in household.members if person.benefits]
    return finish(extract, entries, render, lambda n, e: f"BEN{n:07d}")


def _polling_district(address: Address) -> str:
    place = PLACES_BY_NAME[address.place]
    # Bigger places are split into up to three polling districts by postcode sector.
    part = 1 + int(address.postcode.split(" ")[1][0]) % 3 if place.weight >= 3 else 1
    return f"{'M' if place.district == MID_SUFFOLK else 'B'}{place.polling}{part}"


def electoral_register(context: Context) -> Extract:
    extract = start_extract(
        context, "electoral_register", title="Electoral register",
        id_column="Elector Number",
        covers="About 92% of qualifying adults 18+ and of 17-year-old attainers; not "
               "Ukrainian, Arabic- or Turkish-speaking households (not qualifying citizens). "
               "Half of those who moved in from outside the two districts in the last year "
               "have not registered yet; those who moved within them may still be listed at "
               "the old address (stale_address) or at both (registered_twice). No dates of "
               "birth.",
        columns=(
            ("Elector Number", "Polling district, a hyphen and the elector's number"),
            ("Polling District", "M or B, two letters for the place, a digit"),
            ("Title", "Mr, Mrs, Ms, Miss, Dr or blank"), ("Surname", "Family name"),
            ("Forenames", "Given name and middle names"),
            ("Attainer Date", "For 17-year-olds, the date they turn 18, dd/mm/yyyy"),
            ("Franchise", "Full, or Local only for EU citizens"),
            ("Address 1", "First address line"), ("Address 2", "Locality"),
            ("Address 3", "Post town"), ("Postcode", "Postcode"),
            ("Open Register", "Y if on the open (edited) register"),
        ),
        rates={"nickname": 0.02, "typo": 0.015, "maiden_name": 0.15, "postcode_format": 0.02,
               "stale_address": 0.5, "registered_twice": 0.2, "duplicate": 0.005},
    )
    noise, today, rng = extract.noise, context.today, extract.noise.rng

    def render(entry: Entry) -> dict:
        person, address = entry.person, entry.extra["address"]
        middle = f" {person.middle_names}" if person.middle_names else ""
        attainer = birthday(person.date_of_birth, 18) if person.age_on(today) == 17 else None
        return {
            "Polling District": _polling_district(address), "Title": person.title,
            "Surname": noise.family_name(person.family_name, person.previous_family_name),
            "Forenames": noise.given_name(person.given_name) + middle,
            "Attainer Date": date_text(attainer, "%d/%m/%Y"),
            "Franchise": "Local only" if entry.household.language in EU_LANGUAGES else "Full",
            "Address 1": address.line_1, "Address 2": address.line_2,
            "Address 3": address.town, "Postcode": noise.postcode(address.postcode),
            "Open Register": "Y" if rng.random() < 0.4 else "N",
        }

    entries = []
    for household in _households(context):
        if household.language in NOT_ON_REGISTER:
            continue
        previous, current = household.previous_address, household.property.address
        for person in household.members:
            if person.age_on(today) < 17 or rng.random() >= 0.92:
                continue
            addresses = [current]
            if previous is not None and previous.district:
                roll = rng.random()
                if roll < noise.rates["stale_address"]:
                    noise.count("stale_address")  # still registered at the old address only
                    addresses = [previous]
                elif roll < noise.rates["stale_address"] + noise.rates["registered_twice"]:
                    noise.count("registered_twice")  # the old entry not yet deleted
                    addresses = [current, previous]
            elif previous is not None and rng.random() < 0.5:
                continue  # moved in from elsewhere, not registered here yet
            entries += [Entry(person, household, {"address": a}) for a in addresses]

    def elector_number(number: int, entry: Entry) -> str:
        return f"{_polling_district(entry.extra['address'])}-{number}"

    return finish(extract, entries, render, elector_number)


def housing_tenancies(context: Context) -> Extract:
    extract = start_extract(
        context, "housing_tenancies", title="Council housing tenancies", id_column="TenantRef",
        covers="Council tenancies only (not housing associations): the head of the household "
               "and, for a joint tenancy, their partner; one row per tenant.",
        columns=(
            ("TenantRef", "Tenancy reference, a slash and the tenant's number"),
            ("TenancyRef", "T then 6 digits"),
            ("Landlord", "The district council that owns the home"),
            ("Title", "Title"), ("Forename", "Given name"), ("Surname", "Family name"),
            ("DateOfBirth", "dd-Mon-yyyy, e.g. 14-Mar-1958"),
            ("UPRN", "The property's UPRN"),
            ("PropertyAddress", "Address lines and town, comma-separated"),
            ("Postcode", "Postcode"), ("TenancyStart", "dd-Mon-yyyy"),
            ("TenancyType", "Introductory (first year) or Secure"),
            ("JointTenancy", "Y or N"),
        ),
        rates={"nickname": 0.01, "typo": 0.01, "maiden_name": 0.1, "swapped_day_month": 0.01,
               "missing_dob": 0.01, "postcode_format": 0.02, "duplicate": 0.005},
    )
    noise, today = extract.noise, context.today
    tenancies = [h for h in _households(context)
                 if h.property.tenure == Property.Tenure.COUNCIL_RENTED]
    references = noise.rng.sample(range(100_000, 1_000_000), len(tenancies))

    def render(entry: Entry) -> dict:
        person, household = entry.person, entry.household
        prop = household.property
        return {
            "TenancyRef": entry.extra["tenancy"], "Landlord": DISTRICT_NAMES[prop.district],
            "Title": person.title, "Forename": noise.given_name(person.given_name),
            "Surname": noise.family_name(person.family_name, person.previous_family_name),
            "DateOfBirth": date_text(noise.date_of_birth(person.date_of_birth), "%d-%b-%Y"),
            "UPRN": prop.uprn, "PropertyAddress": ", ".join(prop.address.lines()),
            "Postcode": noise.postcode(prop.address.postcode),
            "TenancyStart": date_text(household.moved_in, "%d-%b-%Y"),
            "TenancyType": "Introductory" if (today - household.moved_in).days < 365
            else "Secure",
            "JointTenancy": "Y" if entry.extra["joint"] else "N",
        }

    entries = []
    for household, reference in zip(tenancies, references, strict=True):
        tenants = [p for p in household.members if p.relationship in ("head", "partner")
                   and p.age_on(today) >= 18]
        entries += [Entry(p, household, {"tenancy": f"T{reference}", "joint": len(tenants) > 1})
                    for p in tenants]
    numbers: dict[str, int] = {}

    def tenant_ref(_: int, entry: Entry) -> str:
        tenancy = entry.extra["tenancy"]
        numbers[tenancy] = numbers.get(tenancy, 0) + 1
        return f"{tenancy}/{numbers[tenancy]}"

    return finish(extract, entries, render, tenant_ref)


def year_group(born: dt.date, today: dt.date) -> int:
    """England's national curriculum year (0 = Reception) this academic year."""
    academic_year = today.year if today.month >= 9 else today.year - 1
    cohort = born.year + (1 if born.month >= 9 else 0)
    return academic_year - (cohort + 4)


def school_admissions(context: Context) -> Extract:
    extract = start_extract(
        context, "school_admissions", title="School admissions (Suffolk County Council)",
        id_column="ApplicationNo",
        covers="Children in Reception to Year 11 (about 4 to 16), one application each, with "
               "the mother (or the household's head) as parent or carer.",
        columns=(
            ("ApplicationNo", "SCC-<year>- then 6 digits"),
            ("ChildForename", "Child's given name"), ("ChildSurname", "Child's family name"),
            ("ChildDOB", "yyyy-mm-dd 00:00:00 (a datetime from the admissions system)"),
            ("NCYear", "R or 1-11"), ("School", "School offered"),
            ("ParentCarerName", "Title, given name and family name of the parent or carer"),
            ("ParentCarerEmail", "Email as the parent typed it; may be blank"),
            ("ParentCarerPhone", "Phone as the parent typed it; may be blank"),
            ("HomeAddress", "Address lines and town, comma-separated"),
            ("Postcode", "Postcode"),
        ),
        rates={"nickname": 0.03, "typo": 0.015, "swapped_day_month": 0.015,
               "missing_dob": 0.005, "postcode_format": 0.05, "stale_address": 0.3,
               "duplicate": 0.02},
    )
    noise, today = extract.noise, context.today

    def render(entry: Entry) -> dict:
        child, household, parent = entry.person, entry.household, entry.extra["parent"]
        place = household.property.place
        year = entry.extra["year"]
        address = address_for(noise, household)
        born = noise.date_of_birth(child.date_of_birth)
        parent_name = " ".join(part for part in (parent.title, noise.given_name(
            parent.given_name), parent.family_name) if part)
        return {
            "ChildForename": child.given_name,
            "ChildSurname": noise.family_name(child.family_name),
            "ChildDOB": date_text(born, "%Y-%m-%d 00:00:00"),
            "NCYear": "R" if year == 0 else year,
            "School": place.primary_school if year <= 6 else place.secondary_school,
            "ParentCarerName": parent_name,
            "ParentCarerEmail": parent.emails[0].value if parent.emails else "",
            "ParentCarerPhone": phone_as_typed(parent),
            "HomeAddress": ", ".join(address.lines()),
            "Postcode": noise.postcode(address.postcode),
        }

    entries = []
    for household in _households(context):
        for person in household.members:
            year = year_group(person.date_of_birth, today)
            if person.relationship == "child" and 0 <= year <= 11:
                entries.append(Entry(person, household, {
                    "year": year, "parent": mother_or_head(household, today)}))
    return finish(extract, entries, render, lambda n, e: f"SCC-{today.year}-{n:06d}")


def garden_waste(context: Context) -> Extract:
    extract = start_extract(
        context, "garden_waste", title="Garden waste subscriptions", id_column="customer_ref",
        covers="About 40% of homes with a garden (never a flat above the ground floor); the "
               "subscriber is the head of the household, sometimes their partner.",
        columns=(
            ("customer_ref", "GW-MS- or GW-BB- then 6 digits"),
            ("customer_name", "As entered: \"Mr John Smith\", \"John Smith\", \"J Smith\" or "
                              "\"Smith J\""),
            ("email", "As typed; may be blank"), ("phone", "As typed; may be blank"),
            ("address", "Address lines, comma-separated (no town)"), ("town", "Post town"),
            ("postcode", "Postcode"), ("bins", "Number of bins, 1-3"),
            ("start_date", "Subscription start, dd.mm.yyyy"),
        ),
        rates={"nickname": 0.05, "typo": 0.02, "postcode_format": 0.1, "duplicate": 0.01},
    )
    noise, today, rng = extract.noise, context.today, extract.noise.rng

    def render(entry: Entry) -> dict:
        person, household = entry.person, entry.household
        address = household.property.address
        given = noise.given_name(person.given_name)
        family = noise.family_name(person.family_name)
        style = entry.extra["style"]
        name = {"title": f"{person.title} {given} {family}".strip(),
                "plain": f"{given} {family}", "initial": f"{given[:1]} {family}",
                "reversed": f"{family} {given[:1]}"}[style]
        return {
            "customer_name": name,
            "email": person.emails[0].value if person.emails else "",
            "phone": phone_as_typed(person),
            "address": ", ".join(p for p in (address.line_1, address.line_2) if p),
            "town": address.town, "postcode": noise.postcode(address.postcode),
            "bins": entry.extra["bins"], "start_date": date_text(entry.extra["start"],
                                                                 "%d.%m.%Y"),
        }

    entries = []
    for household in _households(context):
        prop = household.property
        if not prop.has_garden or rng.random() >= 0.4:
            continue
        adults = [p for p in household.members if p.relationship in ("head", "partner")
                  and p.age_on(today) >= 18]
        if not adults:
            continue
        subscriber = adults[1] if len(adults) > 1 and rng.random() < 0.3 else adults[0]
        start = max(household.moved_in, today - dt.timedelta(days=365 * 6))
        start += dt.timedelta(days=rng.randint(0, max(0, (today - start).days - 1)))
        entries.append(Entry(subscriber, household, {
            "bins": rng.choices((1, 2, 3), (85, 13, 2))[0], "start": start,
            "style": rng.choices(("title", "plain", "initial", "reversed"),
                                 (40, 35, 20, 5))[0]}))

    def customer_ref(number: int, entry: Entry) -> str:
        code = "MS" if entry.household.property.district == MID_SUFFOLK else "BB"
        return f"GW-{code}-{number:06d}"

    return finish(extract, entries, render, customer_ref)


# DVLA memory tags of East Anglia (Norwich AO-AU, Ipswich AV-AY) and Chelmsford (EA-EY).
MEMORY_TAGS = ("AO", "AP", "AR", "AS", "AT", "AU", "AV", "AW", "AX", "AY", "EA", "EF", "EG",
               "EK", "EN", "EO", "ET", "EU", "EX")
PLATE_LETTERS = "ABCDEFGHJKLMNOPRSTUVWXY"


def parking_permits(context: Context) -> Extract:
    extract = start_extract(
        context, "parking_permits", title="Residents' parking permits",
        id_column="Permit No",
        covers="About a quarter of households in towns with residents' parking zones (one "
               "or two permits), and a few villagers with a station car-park permit.",
        columns=(
            ("Permit No", "PP then 6 digits"),
            ("Holder Name", "Given name and family name, or initial and family name"),
            ("Vehicle Reg", "Current-format registration (\"AV19 KLM\")"),
            ("Zone", "Parking zone or car park"),
            ("Address", "Address lines, comma-separated"), ("Town", "Post town"),
            ("Postcode", "Postcode"),
            ("Valid From", "yyyy-mm-dd"), ("Valid To", "yyyy-mm-dd, a year later"),
        ),
        rates={"nickname": 0.03, "typo": 0.02, "postcode_format": 0.08, "stale_address": 0.3,
               "registration_format": 0.05, "duplicate": 0.01},
    )
    noise, today, rng = extract.noise, context.today, extract.noise.rng
    plates: set[str] = set()

    def plate() -> str:
        while True:
            year = rng.randint(2, 25) + rng.choice((0, 50))
            letters = "".join(rng.choices(PLATE_LETTERS, k=3))
            registration = f"{rng.choice(MEMORY_TAGS)}{year:02d} {letters}"
            if registration not in plates:
                plates.add(registration)
                return registration

    def render(entry: Entry) -> dict:
        person, household = entry.person, entry.household
        address = address_for(noise, household)
        given = noise.given_name(person.given_name)
        holder = given if rng.random() < 0.75 else f"{given[:1]}."
        registration = noise.maybe("registration_format", entry.extra["plate"],
                                   lambda r: r.replace(" ", "") if rng.random() < 0.5
                                   else r.lower())
        valid_from = entry.extra["from"]
        return {
            "Holder Name": f"{holder} {noise.family_name(person.family_name)}",
            "Vehicle Reg": registration, "Zone": entry.extra["zone"],
            "Address": ", ".join(p for p in (address.line_1, address.line_2) if p),
            "Town": address.town, "Postcode": noise.postcode(address.postcode),
            "Valid From": valid_from.isoformat(),
            "Valid To": (valid_from + dt.timedelta(days=364)).isoformat(),
        }

    entries = []
    for household in _households(context):
        place = household.property.place
        drivers = [p for p in household.members if 17 <= p.age_on(today) <= 88]
        if not drivers:
            continue
        if place.is_town:
            if rng.random() >= 0.25:
                continue
            zone = rng.choice(place.parking_zones)
        elif rng.random() < 0.015:
            zone = f"{PLACES_BY_DISTRICT[place.district][0].name} Station Car Park"
        else:
            continue
        holders = drivers[:2] if len(drivers) > 1 and rng.random() < 0.2 else drivers[:1]
        for holder in holders:
            valid_from = today - dt.timedelta(days=rng.randint(0, 360))
            entries.append(Entry(holder, household, {"zone": zone, "plate": plate(),
                                                     "from": valid_from}))
    return finish(extract, entries, render, lambda n, e: f"PP{n:06d}")


BUILDERS = (council_tax, benefits, electoral_register, housing_tenancies, school_admissions,
            garden_waste, parking_permits)
