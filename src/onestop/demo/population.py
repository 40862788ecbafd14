"""The seeded generator of the demo population: properties, households and people.

`generate_population(people, seed, today)` is a pure function of its arguments: the same
seed on the same day gives the same residents, addresses and UPRNs, whatever the database
holds. Every random choice comes from one `random.Random(seed)` and one seeded Faker per
locale, called in a fixed order.
"""

from __future__ import annotations

import datetime as dt
import random

from faker import Faker

from onestop.demo.addresses import AddressBook
from onestop.demo.benefits import award_benefits
from onestop.demo.places import DISTRICT_WEIGHTS, DISTRICTS, PLACES_BY_DISTRICT
from onestop.demo.reach import Reach
from onestop.demo.specs import HouseholdSpec, PersonSpec, Population, PropertySpec
from onestop.people.models import Property

PT, TENURE = Property.Type, Property.Tenure

# Share of households of each kind (roughly England's mix, a little older, as Suffolk is).
KINDS = (("single_working", 16), ("single_pensioner", 14), ("couple", 16),
         ("pensioner_couple", 10), ("family", 19), ("lone_parent", 7),
         ("adult_children", 8), ("sharers", 4), ("multigenerational", 2))

PROPERTY_TYPES = {  # house, bungalow, flat, maisonette, park home
    "single_working": (45, 5, 40, 7, 3), "single_pensioner": (40, 35, 17, 2, 6),
    "couple": (70, 8, 17, 3, 2), "pensioner_couple": (52, 38, 4, 1, 5),
    "family": (92, 3, 3, 2, 0), "lone_parent": (70, 0, 22, 8, 0),
    "adult_children": (92, 5, 1, 2, 0), "sharers": (60, 0, 35, 5, 0),
    "multigenerational": (88, 10, 0, 2, 0),
}
TYPES = (PT.HOUSE, PT.BUNGALOW, PT.FLAT, PT.MAISONETTE, PT.PARK_HOME)
TENURES = {  # owner-occupied, private rented, council tenancy, housing association
    "single_working": (50, 28, 12, 10), "single_pensioner": (68, 7, 15, 10),
    "couple": (72, 18, 5, 5), "pensioner_couple": (86, 4, 6, 4), "family": (70, 16, 8, 6),
    "lone_parent": (28, 30, 24, 18), "adult_children": (82, 8, 6, 4),
    "sharers": (15, 80, 3, 2), "multigenerational": (75, 10, 10, 5),
}
TENURE_VALUES = (TENURE.OWNER_OCCUPIED, TENURE.PRIVATE_RENTED, TENURE.COUNCIL_RENTED,
                 TENURE.HOUSING_ASSOCIATION)
BANDS = {
    PT.FLAT: "AAAAAAAAABBBBBBBBCCCD", PT.MAISONETTE: "AAAAAAABBBBBBBBBCCCC",
    PT.BUNGALOW: "BBBBBCCCCCCCDDDDDDEEF", PT.PARK_HOME: "AAAAAAAAAB",
    PT.HOUSE: "ABBBBCCCCCDDDDDEEEFFGH",
}
SOCIAL_HOUSE_BANDS = "ABBBBBCCCCD"
GARDEN = {PT.HOUSE: 0.96, PT.BUNGALOW: 0.97, PT.PARK_HOME: 0.85}

# Households that need an interpreter, by language; the locale their names come from.
LANGUAGES = (("Polish", "pl_PL", 30), ("Romanian", "ro_RO", 15), ("Ukrainian", "", 15),
             ("Portuguese", "pt_PT", 12), ("Arabic", "", 10), ("Turkish", "tr_TR", 6),
             ("Hungarian", "hu_HU", 6))
INTERPRETER_HOUSEHOLDS = 0.03
# Faker has no Latin-script Ukrainian or Arabic names; these are common transliterations.
NAME_LISTS = {
    "Ukrainian": (("Oleksandr", "Andriy", "Dmytro", "Serhiy", "Mykola", "Vasyl", "Yuriy", "Ivan"),
                  ("Olena", "Iryna", "Oksana", "Nataliya", "Tetiana", "Yuliia", "Kateryna",
                   "Svitlana"),
                  ("Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko", "Kravchuk", "Melnyk",
                   "Boyko", "Polishchuk", "Savchenko", "Marchenko", "Lysenko", "Rudenko")),
    "Arabic": (("Mohammed", "Ahmad", "Khaled", "Omar", "Yusuf", "Ali", "Hassan", "Mahmoud"),
               ("Fatima", "Amina", "Rania", "Huda", "Lina", "Noor", "Salma", "Maryam"),
               ("Al-Hassan", "Haddad", "Khalil", "Mansour", "Nasser", "Saleh", "Darwish",
                "Hamdan", "Al-Ahmad", "Othman")),
}
RECENT_MOVERS = 0.09

# National Insurance number prefixes HMRC never issues.
NI_BAD_FIRST, NI_BAD_SECOND = set("DFIQUV"), set("DFIQUVO")
NI_BAD_PAIRS = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}
NI_LETTERS = "ABCDEFGHJKLMNPRSTWXYZ"


class _Names:
    """Names for one household's locale, drawn from seeded Faker instances."""

    def __init__(self, seed: int):
        self.fakers: dict[str, Faker] = {}
        self.seed = seed

    def faker(self, locale: str) -> Faker:
        if locale not in self.fakers:
            fake = Faker(locale)
            # Each locale its own stream, so adding a language does not shift the others.
            fake.seed_instance(f"{self.seed}:{locale}")
            self.fakers[locale] = fake
        return self.fakers[locale]

    def given(self, language: str, locale: str, sex: str, rng: random.Random) -> str:
        if language in NAME_LISTS:
            return rng.choice(NAME_LISTS[language][0 if sex == "M" else 1])
        fake = self.faker(locale)
        return fake.first_name_male() if sex == "M" else fake.first_name_female()

    def family(self, language: str, locale: str, rng: random.Random) -> str:
        if language in NAME_LISTS:
            return rng.choice(NAME_LISTS[language][2])
        fake = self.faker(locale)
        return fake.last_name_male() if locale == "pl_PL" else fake.last_name()


def for_sex(family_name: str, sex: str, language: str) -> str:
    """Polish surnames in -ski/-cki take -ska/-cka for women."""
    if language == "Polish" and sex == "F" and family_name.endswith("ki"):
        return family_name[:-1] + "a"
    return family_name


class PopulationGenerator:
    def __init__(self, seed: int, today: dt.date):
        self.seed, self.today = seed, today
        self.rng = random.Random(seed)
        self.names = _Names(seed)
        self.addresses = AddressBook(self.rng)
        self.reach = Reach(self.rng, today)
        self.ni_numbers: set[str] = set()
        self.next_index = 0

    # -- people ---------------------------------------------------------------------------

    def born(self, age: int) -> dt.date:
        """A date of birth of someone `age` years old today."""
        birthday = self.today.replace(year=self.today.year - age, day=min(self.today.day, 28))
        return birthday - dt.timedelta(days=self.rng.randint(0, 364))

    def ni_number(self) -> str:
        rng = self.rng
        while True:
            first, second = rng.choice(NI_LETTERS), rng.choice(NI_LETTERS)
            if first in NI_BAD_FIRST or second in NI_BAD_SECOND or first + second in NI_BAD_PAIRS:
                continue
            number = f"{first}{second}{rng.randint(0, 999_999):06d}{rng.choice('ABCD')}"
            if number not in self.ni_numbers:
                self.ni_numbers.add(number)
                return number

    def _age(self, low: float, high: float, mode: float) -> int:
        return int(self.rng.triangular(low, high, mode))

    def compose(self, kind: str) -> list[tuple[str, int, str]]:
        """(relationship, age, sex) of each member, adults first."""
        rng, age = self.rng, self._age
        other = {"F": "M", "M": "F"}

        def couple(low, high, mode, partner_min=18):
            head_sex = "M" if rng.random() < 0.6 else "F"
            head_age = age(low, high, mode)
            partner_age = max(partner_min, min(99, head_age + int(rng.gauss(-1, 4))))
            partner_sex = other[head_sex] if rng.random() < 0.97 else head_sex
            return [("head", head_age, head_sex), ("partner", partner_age, partner_sex)]

        def children(parent_age, count):
            eldest = rng.randint(0, max(0, min(17, parent_age - 19)))
            ages, current = [], eldest
            for _ in range(count):
                if current < 0:
                    break
                ages.append(current)
                current -= rng.randint(1, 4)
            return [("child", a, rng.choice("FM")) for a in ages]

        if kind == "single_working":
            return [("head", age(19, 66, 40), rng.choice("FM"))]
        if kind == "single_pensioner":
            return [("head", age(66, 99, 78), "F" if rng.random() < 0.65 else "M")]
        if kind == "couple":
            return couple(20, 66, 34)
        if kind == "pensioner_couple":
            return couple(66, 96, 72, partner_min=60)
        if kind == "family":
            adults = couple(23, 56, 38, partner_min=20)
            count = rng.choices((1, 2, 3, 4), (38, 42, 15, 5))[0]
            return adults + children(min(a for _, a, _ in adults), count)
        if kind == "lone_parent":
            parent = ("head", age(19, 56, 35), "F" if rng.random() < 0.88 else "M")
            return [parent, *children(parent[1], rng.choices((1, 2, 3), (50, 35, 15))[0])]
        if kind == "adult_children":
            adults = couple(44, 75, 56, partner_min=40)
            youngest = min(a for _, a, _ in adults)
            grown = [("adult_child", rng.randint(18, max(18, min(34, youngest - 20))),
                      rng.choice("FM")) for _ in range(rng.choice((1, 1, 2)))]
            teen = [("child", rng.randint(13, 17), rng.choice("FM"))] if rng.random() < 0.3 else []
            return adults + grown + teen
        if kind == "sharers":
            count = rng.choices((2, 3, 4), (55, 35, 10))[0]
            return [("head" if i == 0 else "sharer", age(19, 41, 26), rng.choice("FM"))
                    for i in range(count)]
        adults = couple(30, 52, 40, partner_min=25)
        kids = children(min(a for _, a, _ in adults),
                        rng.choices((1, 2, 3), (40, 45, 15))[0])
        return [*adults, *kids, ("grandparent", age(66, 95, 76), rng.choice("FFM"))]

    def _title(self, sex: str, age: int, relationship: str, shares_name: bool) -> str:
        rng = self.rng
        if age < 18:
            return ""
        if age >= 28 and rng.random() < 0.015:
            return "Dr"
        if sex == "M":
            return "Mr"
        if relationship in ("head", "partner") and shares_name:
            return "Mrs" if rng.random() < 0.85 else "Ms"
        if age < 30:
            return "Miss" if rng.random() < 0.6 else "Ms"
        return rng.choices(("Ms", "Mrs", "Miss"), (50, 30, 20))[0]

    def person(self, relationship: str, age: int, sex: str, family_name: str,
               language: str, locale: str, *, shares_name: bool = True,
               maiden_name: str = "") -> PersonSpec:
        rng = self.rng
        given = self.names.given(language, locale, sex, rng)
        middle = ""
        roll = rng.random()
        if roll < 0.51:
            count = 2 if roll < 0.06 else 1
            middle = " ".join(self.names.given(language, locale, sex, rng)
                              for _ in range(count))
        disability = rng.random() < (0.04 if age < 16 else 0.09 if age < 45 else
                                     0.18 if age < 66 else 0.3 if age < 80 else 0.5)
        spec = PersonSpec(
            index=self.next_index, relationship=relationship, sex=sex,
            title=self._title(sex, age, relationship, shares_name), given_name=given,
            middle_names=middle, family_name=for_sex(family_name, sex, language),
            date_of_birth=self.born(age), previous_family_name=maiden_name,
            ni_number=self.ni_number() if age >= 16 else "", has_disability=disability)
        self.next_index += 1
        return spec

    def people(self, kind: str, language: str, locale: str) -> list[PersonSpec]:
        rng = self.rng
        members = self.compose(kind)
        family = self.names.family(language, locale, rng)
        head_rel, head_age, head_sex = members[0]
        people = [self.person(head_rel, head_age, head_sex, family, language, locale)]
        partner_family = family
        for relationship, age, sex in members[1:]:
            if relationship == "partner":
                shares = rng.random() < 0.75
                maiden = ""
                if not shares:
                    partner_family = self.names.family(language, locale, rng)
                elif sex == "F" and age < 60 and rng.random() < 0.3:
                    maiden = self.names.family(language, locale, rng)
                people.append(self.person(relationship, age, sex, partner_family, language,
                                          locale, shares_name=shares, maiden_name=maiden))
            elif relationship == "sharer":
                people.append(self.person(relationship, age, sex,
                                          self.names.family(language, locale, rng),
                                          language, locale, shares_name=False))
            elif relationship == "grandparent":
                name = family if rng.random() < 0.5 else self.names.family(language, locale, rng)
                people.append(self.person(relationship, age, sex, name, language, locale,
                                          shares_name=False))
            else:
                # Children mostly take the head's name; sometimes the other parent's.
                name = family if rng.random() < 0.9 else partner_family
                people.append(self.person(relationship, age, sex, name, language, locale))
        return people

    # -- properties -----------------------------------------------------------------------

    def property_for(self, kind: str, district: str | None = None,
                     property_type: str | None = None) -> PropertySpec:
        rng = self.rng
        district = district or rng.choices(list(DISTRICT_WEIGHTS),
                                           list(DISTRICT_WEIGHTS.values()))[0]
        places = PLACES_BY_DISTRICT[district]
        place = rng.choices(places, [p.weight for p in places])[0]
        property_type = property_type or rng.choices(TYPES, PROPERTY_TYPES[kind])[0]
        if property_type == PT.FLAT:
            address, floor = self.addresses.flat(place)
        else:
            address, floor = self.addresses.street_address(
                place, park_home=property_type == PT.PARK_HOME,
                maisonette=property_type == PT.MAISONETTE)
        tenure = rng.choices(TENURE_VALUES, TENURES[kind])[0]
        if property_type == PT.PARK_HOME and rng.random() < 0.9:
            tenure = TENURE.OWNER_OCCUPIED  # residents own the home and rent the pitch
        social = tenure in (TENURE.COUNCIL_RENTED, TENURE.HOUSING_ASSOCIATION)
        bands = SOCIAL_HOUSE_BANDS if social and property_type == PT.HOUSE else \
            BANDS[property_type]
        if floor is None:
            has_garden = rng.random() < GARDEN[property_type]
        else:
            has_garden = floor == 0 and rng.random() < 0.4
        return PropertySpec(uprn=self.addresses.uprn(district), place=place, address=address,
                            property_type=property_type, floor=floor,
                            council_tax_band=rng.choice(bands), tenure=tenure,
                            has_garden=has_garden)

    # -- households -----------------------------------------------------------------------

    def household(self, kind: str | None = None,
                  prop: PropertySpec | None = None) -> HouseholdSpec:
        rng = self.rng
        kind = kind or rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
        language, locale = "", "en_GB"
        if kind != "sharers" and rng.random() < INTERPRETER_HOUSEHOLDS:
            language, locale, _ = rng.choices(LANGUAGES, [w for *_, w in LANGUAGES])[0]
        members = self.people(kind, language, locale)
        prop = prop or self.property_for(kind)
        head_age = members[0].age_on(self.today)
        previous = None
        if rng.random() < RECENT_MOVERS:
            moved_in = self.today - dt.timedelta(days=rng.randint(14, 365))
            previous = self.addresses.previous_address(prop.district)
        else:
            years = rng.randint(1, max(1, min(40, head_age - 18)))
            moved_in = self.today - dt.timedelta(days=365 * years + rng.randint(0, 364))
        return HouseholdSpec(kind=kind, property=prop, moved_in=moved_in,
                             previous_address=previous, language=language, members=members)

    def showcase_property(self, district: str) -> PropertySpec:
        """A house with a garden: the district's sample, where every service applies."""
        prop = self.property_for("family", district, PT.HOUSE)
        prop.has_garden = True
        return prop

    def generate(self, people: int) -> Population:
        households: list[HouseholdSpec] = []
        showcase = {district: self.showcase_property(district) for district in DISTRICTS}
        vacant = []
        count = 0
        for prop in showcase.values():
            if count < people:
                count += self._add(households, self.household("family", prop), people - count)
            else:
                vacant.append(prop)  # too few people to fill it: it stands empty
        while count < people:
            count += self._add(households, self.household(), people - count)
        return Population(seed=self.seed, today=self.today, households=households,
                          vacant=vacant, showcase=showcase)

    def _add(self, households: list[HouseholdSpec], household: HouseholdSpec,
             room: int) -> int:
        # The last household is cut to size; adults come first, so it keeps its head.
        household.members = household.members[:room]
        self.reach.equip(household)
        award_benefits(household, self.rng, self.today)
        households.append(household)
        return len(household.members)


def generate_population(people: int, seed: int, today: dt.date) -> Population:
    if people < 1:
        raise ValueError("the demo needs at least one person")
    return PopulationGenerator(seed, today).generate(people)
