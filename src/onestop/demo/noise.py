"""The mistakes back-office systems make, injected at a known rate and counted.

Each extract has its own `Noise` with its own rates and random stream. An error is counted
only when it changed the value (a nickname for a name that has none is no error), so the
README can state exactly how many of each there are.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

# Formal name → the short forms people give instead.
NICKNAMES = {
    "William": ("Bill", "Will", "Billy"), "Robert": ("Bob", "Rob", "Bobby"),
    "Margaret": ("Maggie", "Peggy", "Maggy"), "Elizabeth": ("Liz", "Beth", "Lizzie"),
    "James": ("Jim", "Jamie", "Jimmy"), "Richard": ("Rich", "Dick", "Richie"),
    "Catherine": ("Kate", "Cathy"), "Katherine": ("Kate", "Kathy"), "Thomas": ("Tom", "Tommy"),
    "Michael": ("Mike", "Mick"), "Christopher": ("Chris",), "Jonathan": ("Jon", "Jonny"),
    "Anthony": ("Tony",), "Edward": ("Ed", "Ted", "Eddie"), "Susan": ("Sue", "Susie"),
    "Jennifer": ("Jenny", "Jen"), "Patricia": ("Pat", "Trish"), "Alexander": ("Alex",),
    "Samuel": ("Sam",), "Benjamin": ("Ben",), "Daniel": ("Dan", "Danny"), "Joseph": ("Joe",),
    "Matthew": ("Matt",), "Andrew": ("Andy", "Drew"), "Stephen": ("Steve",),
    "Steven": ("Steve",), "Nicholas": ("Nick",), "Peter": ("Pete",), "David": ("Dave",),
    "Charles": ("Charlie", "Chas"), "Frederick": ("Fred", "Freddie"), "Henry": ("Harry",),
    "Deborah": ("Debbie", "Deb"), "Rebecca": ("Becky", "Becca"), "Victoria": ("Vicky",),
    "Samantha": ("Sam",), "Jessica": ("Jess",), "Abigail": ("Abbie", "Abi"),
    "Josephine": ("Jo", "Josie"), "Alexandra": ("Alex", "Lexi"), "Christine": ("Chris",),
    "Kathleen": ("Kath",), "Barbara": ("Babs",), "Dorothy": ("Dot", "Dottie"),
    "Gregory": ("Greg",), "Timothy": ("Tim",), "Philip": ("Phil",), "Kenneth": ("Ken",),
    "Gerald": ("Gerry",), "Leonard": ("Len", "Lenny"), "Raymond": ("Ray",), "Ronald": ("Ron",),
    "Donald": ("Don",), "Douglas": ("Doug",), "Terence": ("Terry",), "Anne": ("Annie",),
    "Eleanor": ("Ellie", "Nell"), "Gillian": ("Gill",), "Jacqueline": ("Jackie",),
    "Pamela": ("Pam",), "Sandra": ("Sandy",), "Valerie": ("Val",), "Frances": ("Fran",),
    "Bernard": ("Bernie",), "Clifford": ("Cliff",), "Geoffrey": ("Geoff",),
    "Lawrence": ("Larry", "Laurie"), "Nathan": ("Nate",), "Oliver": ("Ollie",),
    "Joshua": ("Josh",), "Zachary": ("Zach",), "Gemma": ("Gem",), "Natalie": ("Nat",),
    "Danielle": ("Dani",), "Stephanie": ("Steph",), "Charlotte": ("Charlie", "Lottie"),
    "Amelia": ("Millie",), "Isabella": ("Bella", "Izzy"), "Nathaniel": ("Nat",),
}
# Neighbouring keys on a UK keyboard, for substitution typos.
KEYS = "qwertyuiop asdfghjkl zxcvbnm"


def nickname(given: str, rng: random.Random) -> str | None:
    options = NICKNAMES.get(given)
    return rng.choice(options) if options else None


def typo(text: str, rng: random.Random) -> str | None:
    """One slip of the keyboard: swap, drop, double or hit the key next door."""
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    if len(letters) < 3:
        return None
    i = rng.choice(letters[1:])  # first letters are usually right
    kind = rng.choice(("swap", "drop", "double", "neighbour"))
    if kind == "swap" and i + 1 < len(text) and text[i + 1].isalpha() and text[i] != text[i + 1]:
        changed = text[:i] + text[i + 1] + text[i] + text[i + 2:]
    elif kind == "drop":
        changed = text[:i] + text[i + 1:]
    elif kind == "double":
        changed = text[:i] + text[i] + text[i:]
    else:
        lower = text[i].lower()
        spot = KEYS.find(lower)
        if spot < 0:
            return None
        near = [KEYS[j] for j in (spot - 1, spot + 1) if 0 <= j < len(KEYS) and KEYS[j] != " "]
        swap = rng.choice(near)
        changed = text[:i] + (swap.upper() if text[i].isupper() else swap) + text[i + 1:]
    return changed if changed != text else None


def swap_day_month(day: dt.date) -> dt.date | None:
    """The date with day and month swapped, when that is still a date and a different one."""
    if day.day > 12 or day.day == day.month:
        return None
    return day.replace(month=day.day, day=day.month)


def untidy_postcode(postcode: str, rng: random.Random) -> str:
    """Without its space, in lower case, or both."""
    style = rng.choice(("nospace", "lower", "both"))
    if style == "nospace":
        return postcode.replace(" ", "")
    if style == "lower":
        return postcode.lower()
    return postcode.replace(" ", "").lower()


class Noise:
    """One extract's error rates, its random stream and its tally of errors made."""

    def __init__(self, rng: random.Random, rates: dict[str, float]):
        self.rng = rng
        self.rates = rates
        self.made: Counter[str] = Counter()

    def roll(self, kind: str) -> bool:
        return self.rng.random() < self.rates.get(kind, 0.0)

    def maybe(self, kind: str, value, change):
        """`change(value)` at the rate for `kind`; counted when it really changed it."""
        if value in (None, "") or not self.roll(kind):
            return value
        changed = change(value)
        if changed is None or changed == value:
            return value
        self.made[kind] += 1
        return changed

    def given_name(self, given: str) -> str:
        given = self.maybe("nickname", given, lambda name: nickname(name, self.rng))
        return self.maybe("typo", given, lambda name: typo(name, self.rng))

    def family_name(self, family: str, previous: str = "") -> str:
        if previous:
            family = self.maybe("maiden_name", family, lambda _: previous)
        return self.maybe("typo", family, lambda name: typo(name, self.rng))

    def date_of_birth(self, born: dt.date | None) -> dt.date | None:
        born = self.maybe("swapped_day_month", born, swap_day_month)
        if born is not None and self.roll("missing_dob"):
            self.made["missing_dob"] += 1
            return None
        return born

    def postcode(self, postcode: str) -> str:
        return self.maybe("postcode_format", postcode, lambda pc: untidy_postcode(pc, self.rng))

    def count(self, kind: str, n: int = 1) -> None:
        self.made[kind] += n
