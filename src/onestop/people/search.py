"""Fuzzy search for residents: one free-text query, one ranking for the desktop and the API.

An adviser types what the caller says, in any order: ``bob smith IP14 14/03/1958``.
`parse_query` splits it into

- name words (cleaned by `clean_name`; leading titles dropped; one letter is an initial),
- a postcode, whole or partial: ``IP14 1AB``, ``ip141ab``, ``IP14 1`` (a sector), ``IP14``
  (an outward code),
- a date of birth: ``14/03/1958``, ``14-03-1958``, ``14.03.58``, ``1958-03-14``,
  ``14 Mar 1958``, ``14th March 1958``, ``March 14, 1958``, ``14 3 1958``, ``14031958``,
- a phone number (ten digits or more, in any format).

Anything else with a digit in it is refused (`BadSearch` on ``q``) rather than ignored, so
a mistyped date never silently widens the search.

Scoring (`score_person`)
------------------------
A person matches only if every name word agrees with one of their names (given, middle or
family, in any order, so "Smith John" finds John Smith). A word takes its best agreement:

====================  =====================================================  =======
agreement             rule                                                   value
====================  =====================================================  =======
exact                 same cleaned word (apostrophes ignored)                1.0
nickname              same nickname group (`name_variants`), not a surname   0.85
prefix                the name starts with the word (2 letters or more)      0.7
typo                  ≤1 edit (≤2 for words of 7+ letters), 3+ letters;      ≤0.65
                      0.65 * (1 - edits / longer length); an edit is an
                      insertion, deletion, substitution or swap of two
                      neighbouring letters
initial               one letter, the first of a given or middle name        0.5
====================  =====================================================  =======

A word that agrees only with a middle name counts 0.9 times as much.

    name       = 60 * the mean of the words' values          (0 when no name words given)
    birth      = 25 same date of birth; 10 day and month swapped or one digit slip
                 (one wrong or two neighbouring digits swapped in DDMMYYYY)
    postcode   = 15 same postcode; 10 same sector (IP14 1); 6 same outward code (IP14),
                 never more than the typed postcode's own precision
    phone      = 20 one of their phone numbers
    score      = name + birth + postcode + phone, rounded to one decimal place

So an exact name beats a nickname, which beats a typo, and agreement on date of birth,
postcode or phone lifts a person above namesakes. Without name words the terms given are
filters (as the old form's fields were): every one must agree. Ties are broken by family
name, given name, date of birth and id, so the desktop and the API give the same order.

Candidates
----------
Only a bounded set of candidates (CANDIDATE_LIMIT) is scored, and the database finds them
through indexes, never by reading every person. All of it stays inside the caller's
queryset (`visible_people`: the authorities the user acts for).

Without name words, the terms given are one query, each through its own index (date of
birth; postcode, whole or as a prefix; phone). With name words:

1. everyone with the phone number, the date of birth or the whole postcode (each a few
   dozen people at most) — so a namesake who agrees on something is never crowded out,
   whatever their name's spelling; scoring then drops those whose names do not agree;
2. tiers, each run only while fewer people match than its bound: every word exactly (a
   nickname counts) while fewer than CANDIDATE_LIMIT; exactly or as a prefix while fewer
   than the page (50); exactly, as a prefix or one edit away only while nobody matches;
   and last, still nobody, long words (LONG_WORD letters) by trigrams, which finds two
   edits. So "Clare Smith" lists the Clare Smiths but not Claire Smith, unless a date of
   birth, postcode or phone typed with it finds her in step 1: typo lookups cost the
   most, and a name that exists as typed rarely needs them.

Each tier takes up to POOL ids from people_person alone by its name indexes, then keeps
those in the caller's scope. A partial postcode (IP14, IP14 1) covers thousands, so it
only orders each tier's pool (those within it first) instead of finding people itself:
with a very common name ("smith IP14") the list shows the pool's people in IP14, not
necessarily every Smith there.

PostgreSQL
    Each person's *name keys* (``onestop_name_keys()``, migration 0003, under a GIN index):
    every word of their names, lower case, and each word of 3+ letters with one letter
    deleted, marked "~". Exact words and nicknames are the words themselves; a typo is one
    of a dozen keys (`typo_keys`: two words one edit apart share a deletion). Prefixes use
    btree indexes on ``lower(given_name)`` and ``lower(family_name)`` with
    ``text_pattern_ops``; trigrams a GIN ``gin_trgm_ops`` index on the full name through
    ``word <% full_name`` at ``pg_trgm.word_similarity_threshold`` = 0.5. Name queries
    run as ``MATERIALIZED`` CTEs with JIT and parallel workers off for the transaction
    (see `_pool`, `_tune_postgresql`).
SQLite
    ``people_person_search``, an FTS5 table with the ``trigram`` tokenizer holding each
    person's names, every word padded with spaces, kept in step with ``people_person``
    by triggers (so ``bulk_create`` and ``queryset.update`` keep it right). A whole word is
    the phrase ``" word "``, a prefix ``" wor"``, a typo any of the words one edit away
    (`one_edit_away`); trigrams are counted one FTS lookup each.

Both indexes live in the database, not in Python signals: see migration 0003.
"""

from __future__ import annotations

import datetime as dt
import re
from contextlib import nullcontext
from dataclasses import dataclass
from functools import cache, lru_cache

from django.db import connections, transaction
from django.db.models import BooleanField, Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower

from onestop.matching.names import TITLES, clean_name, name_variants
from onestop.people.models import ContactDetail, Household, Person
from onestop.people.phones import BadPhoneNumber, normalise_phone
from onestop.people.postcodes import normalise_postcode

CANDIDATE_LIMIT = 150
POOL = 300  # ids taken from the name indexes per query, before scoping
MIN_QUERY_LENGTH = 2
# Words this long may be two edits off (see word_agreement); only they are looked up by
# trigrams, which shorter words share too widely to narrow anything.
LONG_WORD = 7
# Share of a long word's trigrams a name must hold to be a candidate (pg_trgm's
# word_similarity threshold; SQLite counts the same trigrams).
TRIGRAM_THRESHOLD_TENTHS = 5
TRIGRAM_THRESHOLD = TRIGRAM_THRESHOLD_TENTHS / 10

EXACT, NICKNAME, PREFIX, TYPO, INITIAL = 1.0, 0.85, 0.7, 0.65, 0.5
MIDDLE = 0.9  # a word found only among the middle names counts a little less
NAME_POINTS, BIRTH_POINTS, NEAR_BIRTH_POINTS, PHONE_POINTS = 60, 25, 10, 20
POSTCODE_POINTS = {3: 15, 2: 10, 1: 6}  # by the precision both postcodes share

FTS_TABLE = "people_person_search"
FULL_NAME_SQL = ('("people_person"."given_name" || \' \' || "people_person"."middle_names"'
                 ' || \' \' || "people_person"."family_name")')
# The name's keys: every word, lower case, hyphens splitting words, and every word of 3+
# letters with one letter deleted, marked "~" (see typo_keys). onestop_name_keys() is
# created by migration 0003 with a GIN index on this very expression.
NAME_KEYS_SQL = f"onestop_name_keys({FULL_NAME_SQL})"


class BadSearch(ValueError):
    """A search term that cannot match anything as typed; the message says which."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


# --- Parsing --------------------------------------------------------------------------------

@dataclass(frozen=True)
class PostcodeTerm:
    """A whole or partial postcode: the outward code, and none, one or all of the inward."""

    outward: str
    inward: str = ""

    @property
    def level(self) -> int:
        """1 outward code only, 2 with the sector digit, 3 whole."""
        return 1 + min(len(self.inward), 2)

    @property
    def text(self) -> str:
        return f"{self.outward} {self.inward}".strip()

    @property
    def prefix(self) -> str:
        """What every matching canonical postcode starts with ("IP14 " stops at IP14)."""
        return f"{self.outward} {self.inward}"

    def agreement(self, postcode: str) -> int:
        """How precisely `postcode` (canonical) agrees: 0 not at all, up to `level`."""
        outward, _, inward = postcode.partition(" ")
        if outward != self.outward:
            return 0
        if self.level == 1 or inward[:1] != self.inward[:1]:
            return 1
        return 3 if self.level == 3 and inward == self.inward else 2


@dataclass(frozen=True)
class Terms:
    words: tuple[str, ...] = ()     # cleaned name words of 2+ letters, in the order typed
    initials: tuple[str, ...] = ()  # one-letter name words
    date_of_birth: dt.date | None = None
    postcode: PostcodeTerm | None = None
    phone: str = ""                 # E.164

    def is_empty(self) -> bool:
        return not (self.words or self.date_of_birth or self.postcode or self.phone)

    def merged(self, other: Terms) -> Terms:
        """These terms with `other`'s added; where both give one, `other`'s wins."""
        return Terms(words=self.words + other.words, initials=self.initials + other.initials,
                     date_of_birth=other.date_of_birth or self.date_of_birth,
                     postcode=other.postcode or self.postcode, phone=other.phone or self.phone)


_MONTH = (r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?"
          r"|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)")
_ORD = r"(?:st|nd|rd|th)?"
_DATES = [re.compile(pattern, re.IGNORECASE) for pattern in (
    r"(?<![\w])(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?![\w])",
    r"(?<![\w])(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})[-/.](?P<y>\d{4}|\d{2})(?![\w])",
    rf"(?<![\w])(?P<d>\d{{1,2}}){_ORD}[\s\-/.]*{_MONTH}\.?[\s\-/.,]*(?P<y>\d{{4}})(?![\w])",
    rf"(?<![\w]){_MONTH}\.?\s*(?P<d>\d{{1,2}}){_ORD},?\s+(?P<y>\d{{4}})(?![\w])",
    r"(?<![\w])(?P<d>\d{1,2})\s+(?P<m>\d{1,2})\s+(?P<y>\d{4})(?![\w])",
    r"(?<![\w])(?P<compact>\d{8})(?![\w])",
)]
_OUTWARD = r"[A-Z]{1,2}[0-9][A-Z0-9]?"
_FULL_POSTCODE = re.compile(rf"(?<![\w])({_OUTWARD})\s*([0-9][A-Z]{{2}})(?![\w])", re.I)
_SPACED_SECTOR = re.compile(rf"(?<![\w])({_OUTWARD})\s+([0-9])(?![\w])", re.I)
_COMPACT_PARTIAL = re.compile(rf"(?<![\w])({_OUTWARD}[0-9]?)(?![\w])", re.I)
_PHONE = re.compile(r"(?<![\w+])\+?[0-9][0-9\s()\-]{8,}[0-9](?![\w])")


def parse_query(text: str, *, field: str = "q") -> Terms:
    """The terms of one free-text search; BadSearch (on `field`) if it holds none."""
    if len(text.strip()) < MIN_QUERY_LENGTH:
        raise BadSearch(field, f"Enter at least {MIN_QUERY_LENGTH} characters to search for")
    rest, dates = _take_dates(text, field)
    rest, postcodes = _take_postcodes(rest)
    rest, phones = _take_phones(rest, field)
    for kind, found in (("date of birth", dates), ("postcode", postcodes),
                        ("phone number", phones)):
        if len(found) > 1:
            raise BadSearch(field, f"Enter one {kind} at most, not {len(found)}")
    leftovers = [token for token in rest.split() if any(ch.isdigit() for ch in token)]
    if leftovers:
        raise BadSearch(field, f"{leftovers[0]!r} is not a name, postcode, date of birth or "
                               "phone number")
    words, initials = _name_words(rest)
    terms = Terms(words=words, initials=initials, date_of_birth=next(iter(dates), None),
                  postcode=next(iter(postcodes), None), phone=next(iter(phones), ""))
    if terms.is_empty():
        raise BadSearch(field, "Enter a name, postcode, date of birth or phone number")
    return terms


def name_terms(text: str) -> Terms:
    """Only names (the desktop's separate name field)."""
    words, initials = _name_words(text)
    return Terms(words=words, initials=initials)


def postcode_term(text: str, *, field: str = "postcode") -> PostcodeTerm:
    """A whole or partial postcode typed on its own; BadSearch if it is neither."""
    whole = normalise_postcode(text)
    if whole:
        return PostcodeTerm(*whole.split(" "))
    compact = re.sub(r"\s+", " ", text.strip()).upper()
    spaced = _SPACED_SECTOR.fullmatch(compact)
    if spaced:
        return PostcodeTerm(spaced.group(1).upper(), spaced.group(2))
    term = _partial_postcode(compact) if _COMPACT_PARTIAL.fullmatch(compact) else None
    if term is None:
        raise BadSearch(field, f"{text!r} is not a UK postcode")
    return term


def phone_term(text: str, *, field: str = "phone") -> str:
    try:
        return normalise_phone(text)[0]
    except BadPhoneNumber as error:
        raise BadSearch(field, str(error)) from None


def _take_dates(text: str, field: str) -> tuple[str, list[dt.date]]:
    found: list[dt.date] = []

    def take(match: re.Match) -> str:
        found.append(_date_of(match, field))
        return " "

    for pattern in _DATES:
        text = pattern.sub(take, text)
    return text, found


def _date_of(match: re.Match, field: str) -> dt.date:
    parts = match.groupdict()
    try:
        if parts.get("compact"):
            digits = parts["compact"]
            if digits[:2] in ("19", "20"):
                try:  # 19580314 reads as year first when that is a real date
                    return dt.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
                except ValueError:
                    pass
            return dt.date(int(digits[4:]), int(digits[2:4]), int(digits[:2]))
        month = (_month_number(parts["mon"]) if parts.get("mon") else int(parts["m"]))
        year = int(parts["y"])
        if len(parts["y"]) == 2:  # a two-digit year is the latest one not in the future
            this_year = dt.date.today().year
            year += this_year - this_year % 100
            if year > this_year:
                year -= 100
        return dt.date(year, month, int(parts["d"]))
    except ValueError:
        raise BadSearch(field, f"{match.group(0).strip()!r} is not a real date") from None


def _month_number(name: str) -> int:
    return ("jan feb mar apr may jun jul aug sep oct nov dec".split()
            .index(name[:3].lower()) + 1)


def _take_postcodes(text: str) -> tuple[str, list[PostcodeTerm]]:
    found: list[PostcodeTerm] = []

    def whole(match: re.Match) -> str:
        found.append(PostcodeTerm(match.group(1).upper(), match.group(2).upper()))
        return " "

    def sector(match: re.Match) -> str:
        found.append(PostcodeTerm(match.group(1).upper(), match.group(2)))
        return " "

    def partial(match: re.Match) -> str:
        term = _partial_postcode(match.group(1).upper())
        if term is None:
            return match.group(0)
        found.append(term)
        return " "

    text = _FULL_POSTCODE.sub(whole, text)
    text = _SPACED_SECTOR.sub(sector, text)
    return _COMPACT_PARTIAL.sub(partial, text), found


def _partial_postcode(compact: str) -> PostcodeTerm | None:
    # An outward code alone wins where both readings fit: "B11" is B11, not B1 1.
    if re.fullmatch(_OUTWARD, compact):
        return PostcodeTerm(compact)
    if re.fullmatch(rf"{_OUTWARD}[0-9]", compact):
        return PostcodeTerm(compact[:-1], compact[-1])
    return None


def _take_phones(text: str, field: str) -> tuple[str, list[str]]:
    found: list[str] = []

    def take(match: re.Match) -> str:
        if sum(ch.isdigit() for ch in match.group(0)) < 10:
            return match.group(0)
        found.append(phone_term(match.group(0).strip(), field=field))
        return " "

    return _PHONE.sub(take, text), found


def _name_words(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    all_words = [w.strip("'") for w in clean_name(text).replace("-", " ").split()]
    all_words = [w for w in all_words if w]
    # Leading titles go ("Mr J Smith"), but not a name that only looks like one ("Lord").
    while len(all_words) > 1 and all_words[0] in TITLES:
        all_words.pop(0)
    words = tuple(w for w in all_words if len(w) > 1)
    return words, tuple(w for w in all_words if len(w) == 1)


# --- Scoring --------------------------------------------------------------------------------

@dataclass(frozen=True)
class PersonMatch:
    person: Person
    score: float


@dataclass(frozen=True)
class _Names:
    given: tuple[str, ...]
    middle: tuple[str, ...]
    family: tuple[str, ...]

    @property
    def initials(self) -> frozenset[str]:
        return frozenset(name[0] for name in self.given + self.middle)


def _plain(word: str) -> str:
    return word.replace("'", "")


def _names_of(person: Candidate) -> _Names:
    return _Names(given=_words(person.given_name), middle=_words(person.middle_names),
                  family=_words(person.family_name))


@lru_cache(maxsize=100_000)
def _words(text: str) -> tuple[str, ...]:
    return tuple(_plain(w) for w in clean_name(text).replace("-", " ").split() if w)


@cache
def _variants(word: str) -> frozenset[str]:
    return frozenset(_plain(v) for v in name_variants(word))


def word_agreement(word: str, names: _Names) -> float:
    """How well one typed name word agrees with the person's best-fitting name (0 to 1)."""
    typed = _plain(word)
    best = 0.0
    for name in names.given:
        best = max(best, _agreement(typed, name, False))
    for name in names.middle:
        best = max(best, MIDDLE * _agreement(typed, name, False))
    for name in names.family:
        best = max(best, _agreement(typed, name, True))
    return best


@lru_cache(maxsize=100_000)
def _agreement(typed: str, name: str, is_family: bool) -> float:
    # Cached: candidates share names (a page of Smiths), and the edit distance is not free.
    if typed == name:
        return EXACT
    if not is_family and name in _variants(typed):
        return NICKNAME
    if len(typed) >= 2 and name.startswith(typed):
        return PREFIX
    if len(typed) >= 3:
        edits = edit_distance(typed, name)
        if edits <= (2 if len(typed) >= LONG_WORD else 1):
            return TYPO * (1 - edits / max(len(typed), len(name)))
    return 0.0


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insert, delete, substitute, swap neighbours."""
    if abs(len(a) - len(b)) > 2:
        return 3  # more than any tolerance we use; skip the table
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1,
                             previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def birth_agreement(typed: dt.date, recorded: dt.date | None) -> int:
    if recorded is None:
        return 0
    if typed == recorded:
        return BIRTH_POINTS
    if (typed.day, typed.month, typed.year) == (recorded.month, recorded.day, recorded.year):
        return NEAR_BIRTH_POINTS  # day and month swapped
    a, b = f"{typed:%d%m%Y}", f"{recorded:%d%m%Y}"
    differ = [i for i in range(8) if a[i] != b[i]]
    one_slip = len(differ) == 1 or (
        len(differ) == 2 and differ[1] == differ[0] + 1
        and (a[differ[0]], a[differ[1]]) == (b[differ[1]], b[differ[0]]))
    return NEAR_BIRTH_POINTS if one_slip else 0


@dataclass(frozen=True)
class Candidate:
    """What scoring reads of one person."""

    pk: int
    given_name: str
    middle_names: str
    family_name: str
    date_of_birth: dt.date | None
    postcode: str | None  # of their home; None if not known
    phone_agrees: bool = False


def score_person(terms: Terms, person: Candidate) -> float | None:
    """The person's score for these terms (see the module docstring); None: no match."""
    name_score = 0.0
    typed = terms.words + terms.initials
    if typed:
        names = _names_of(person)
        values = [word_agreement(word, names) for word in terms.words]
        values += [INITIAL if initial in names.initials else 0.0 for initial in terms.initials]
        if not all(values):
            return None
        name_score = NAME_POINTS * sum(values) / len(values)
    score = name_score
    if terms.date_of_birth:
        score += birth_agreement(terms.date_of_birth, person.date_of_birth)
    if terms.postcode and person.postcode:
        score += POSTCODE_POINTS.get(terms.postcode.agreement(person.postcode), 0)
    if person.phone_agrees:
        score += PHONE_POINTS
    return round(score, 1)


def rank_people(people: QuerySet[Person], terms: Terms, *, limit: int) -> list[PersonMatch]:
    """The best `limit` matches among `people`, best first (see the module docstring)."""
    found, scores = _collect(people, terms, enough=limit, limit=CANDIDATE_LIMIT)
    scored = [(scores[pk], candidate) for pk, candidate in found.items()
              if scores[pk] is not None]
    scored.sort(key=lambda pair: (-pair[0], pair[1].family_name.lower(),
                                  pair[1].given_name.lower(),
                                  pair[1].date_of_birth or dt.date.max, pair[1].pk))
    best = scored[:limit]
    # Whole records only for the people shown; they were in `people` a moment ago.
    records = (Person.objects.using(people.db).select_related("household__property")
               .only(*SHOWN_FIELDS).in_bulk([candidate.pk for _, candidate in best]))
    return [PersonMatch(records[candidate.pk], score) for score, candidate in best
            if candidate.pk in records]


# --- Candidates -----------------------------------------------------------------------------

# What the desktop and the API show of a match; other fields load if asked for.
SHOWN_FIELDS = ("given_name", "middle_names", "family_name", "date_of_birth", "household",
                "household__property__address_line_1", "household__property__address_line_2",
                "household__property__town", "household__property__postcode")
CANDIDATE_FIELDS = ("pk", "given_name", "middle_names", "family_name", "date_of_birth",
                    "household__property__postcode")


def candidates(people: QuerySet[Person], terms: Terms, *, enough: int,
               limit: int = CANDIDATE_LIMIT) -> list[Candidate]:
    """At most `limit` of `people` worth scoring, found through indexes (see the docstring).

    Name tiers stop once `enough` people match (see `_collect`).
    """
    return list(_collect(people, terms, enough=enough, limit=limit)[0].values())


def _collect(people: QuerySet[Person], terms: Terms, *, enough: int,
             limit: int) -> tuple[dict[int, Candidate], dict[int, float | None]]:
    """The candidates by id, and their scores (None: their names do not agree).

    Everyone agreeing on a phone number, date of birth or whole postcode is taken (few
    people do, and scoring decides whether their names agree). Name tiers then take up to
    POOL ids each from people_person alone by its name indexes and keep those in `people`
    (the caller's scope), people within a partial postcode first.
    """
    vendor = connections[people.db].vendor
    found: dict[int, Candidate] = {}
    fields = CANDIDATE_FIELDS
    if terms.phone:
        people = people.annotate(_phone_agrees=Exists(
            _phone_owners(terms.phone).filter(person_id=OuterRef("pk"))))
        fields = (*fields, "_phone_agrees")
    agreement = _agreement_order(terms, vendor)

    scores: dict[int, float | None] = {}

    def keep(queryset: QuerySet[Person]) -> None:
        for row in queryset.values_list(*fields)[:limit - len(found)]:
            if row[0] not in found:
                found[row[0]] = Candidate(*row)
                scores[row[0]] = score_person(terms, found[row[0]])

    def matching() -> int:
        return sum(score is not None for score in scores.values())

    if not terms.words:
        # Date of birth, postcode and phone narrow by themselves: their own indexes.
        keep(people.filter(_all(_strong_filters(terms, vendor))))
        return found, scores
    # PostgreSQL's settings below hold for one transaction; SQLite needs none, and there a
    # transaction would take the write lock (Django opens them IMMEDIATE here).
    with transaction.atomic(using=people.db) if vendor == "postgresql" else nullcontext():
        if vendor == "postgresql":
            _tune_postgresql(people.db)
        exact_strong = _strong_filters(terms, vendor, exact_only=True)
        for condition in exact_strong:
            keep(people.exclude(_one_of(found, vendor)).filter(condition))
        # A tier runs while fewer people match than its bound. Typo lookups cost the most,
        # and a name that exists as typed rarely needs them: they run only while nobody
        # matches, trigrams (two edits in a long word) last of all.
        tiers = [(_exact, limit), (_prefix_or_better, enough), (_typo, 1)]
        if any(len(word) >= LONG_WORD for word in terms.words):
            tiers.append((_far, 1))
        for level, below in tiers:
            if len(found) >= limit or matching() >= below:
                break
            ids = _pool(_all_words(terms.words, level, vendor), people.db, vendor,
                        exclude=found, size=POOL)
            if ids:
                kept = people.filter(_one_of(ids, vendor))
                keep(kept.order_by(*agreement) if agreement else kept)
    return found, scores


def _one_of(ids, vendor: str) -> Q:
    """The person's id is in `ids`: one array parameter on PostgreSQL, not thousands."""
    if not ids:
        return Q(pk__in=[])
    if vendor == "postgresql":
        return Q(RawSQL('"people_person"."id" = ANY(%s)', [list(ids)],
                        output_field=BooleanField()))
    return Q(pk__in=list(ids))


def _tune_postgresql(db: str) -> None:
    """Settings for this transaction only: a few milliseconds of index lookups are slower
    with JIT compilation or parallel workers (both cost more to start than they save, and
    the name-key function's high COST would trigger them), and pg_trgm's threshold."""
    with connections[db].cursor() as cursor:
        cursor.execute("SELECT set_config('jit', 'off', true), "
                       "set_config('max_parallel_workers_per_gather', '0', true), "
                       "set_config('pg_trgm.word_similarity_threshold', %s, true)",
                       [str(TRIGRAM_THRESHOLD)])


def _pool(condition: Q, db: str, vendor: str, *, exclude, size: int) -> list[int]:
    """Up to `size` ids of people_person matching `condition`, unscoped, from its indexes."""
    query = Person.objects.using(db)
    if vendor == "postgresql":
        query = query.alias(_given=Lower("given_name"), _family=Lower("family_name"))
    query = query.filter(condition)
    if exclude:
        query = query.exclude(_one_of(exclude, vendor))
    if vendor != "postgresql":
        return list(query.values_list("pk", flat=True)[:size])
    sql, params = query.values_list("pk", flat=True).query.sql_with_params()
    # A MATERIALIZED CTE is planned as if every row were wanted, so PostgreSQL builds its
    # bitmaps from the indexes instead of gambling on a LIMIT-driven walk of another index
    # (which scanned the whole table for rare names); it still stops after `size` rows.
    with connections[db].cursor() as cursor:
        cursor.execute(f"WITH pool AS MATERIALIZED ({sql}) SELECT * FROM pool LIMIT %s",
                       [*params, size])
        return [row[0] for row in cursor.fetchall()]


def _agreement_order(terms: Terms, vendor: str) -> list:
    """How to order a pool: people within a partial postcode first.

    Date of birth, phone and whole postcode have queries of their own (see `candidates`);
    a partial postcode is too wide for that, so it only decides who of a large pool is
    kept. Without one the pool is not ordered, so the query can stop at the first rows.
    """
    if not terms.postcode or terms.postcode.level == 3:
        return []
    within = _starts_with("household__property__postcode", terms.postcode.prefix, vendor)
    return [Case(When(within, then=Value(0)), default=Value(1)), "pk"]


def _all(conditions: list[Q]) -> Q:
    combined = Q()
    for condition in conditions:
        combined &= condition
    return combined


def _strong_filters(terms: Terms, vendor: str, *, exact_only: bool = False) -> list[Q]:
    """One filter per term other than names, the most selective first.

    `exact_only` leaves out a partial postcode: thousands live in IP14, so it orders the
    name matches (`_agreement_order`) instead of finding people by itself. A whole postcode
    is looked up through the households at its properties, so the people query needs no
    join (see `_pool`).
    """
    filters = []
    if terms.phone:
        filters.append(Q(pk__in=_phone_owners(terms.phone).values("person_id")))
    if terms.date_of_birth:
        filters.append(Q(date_of_birth=terms.date_of_birth))
    if terms.postcode and terms.postcode.level == 3:
        filters.append(Q(household_id__in=Household.objects.filter(
            property__postcode=terms.postcode.text).values("pk")))
    elif terms.postcode and not exact_only:
        filters.append(_starts_with("household__property__postcode", terms.postcode.prefix,
                                    vendor))
    return filters


def _phone_owners(e164: str) -> QuerySet[ContactDetail]:
    return ContactDetail.objects.filter(kind=ContactDetail.Kind.PHONE, normalised=e164)


def _all_words(words: tuple[str, ...], level, vendor: str) -> Q:
    condition = Q()
    for word in words:
        condition &= level(word, vendor)
    return condition


def _exact(word: str, vendor: str) -> Q:
    """One of the person's names is the word or (for a given name) in its nickname group."""
    if vendor == "postgresql":
        return _has_name_key(sorted(name_variants(word) | {word}))
    if vendor == "sqlite":
        return _fts(" OR ".join(_phrase(v) for v in sorted(name_variants(word) | {word})))
    return Q(pk__in=[])


def _prefix_or_better(word: str, vendor: str) -> Q:
    if vendor == "sqlite":
        # FTS: a word of the names that starts with the word (middle names too).
        return _fts(_phrase(word, closed=False)) | _exact(word, vendor)
    # Cheap tests first: PostgreSQL evaluates OR from the left when it rechecks rows.
    return (_starts_with("_given", word, vendor) | _starts_with("_family", word, vendor)
            | _exact(word, vendor))


def _typo(word: str, vendor: str) -> Q:
    """Exact, nickname, prefix or one edit away."""
    if vendor == "sqlite":
        condition = _prefix_or_better(word, vendor)
        if len(word) >= 3:
            condition |= _fts(" OR ".join(_phrase(w) for w in sorted(one_edit_away(word))))
        return condition
    if vendor != "postgresql":
        return _prefix_or_better(word, vendor)
    keys = name_variants(word) | {word}
    if len(word) >= 3:
        keys |= typo_keys(word)
    # Cheap tests first: PostgreSQL evaluates OR from the left when it rechecks a row,
    # and onestop_name_keys() is the dearest.
    return (_starts_with("_given", word, vendor) | _starts_with("_family", word, vendor)
            | _has_name_key(sorted(keys)))


def _far(word: str, vendor: str) -> Q:
    """As `_typo`, or for a long word trigram-similar: it may be two edits away."""
    if len(word) < LONG_WORD:
        return _typo(word, vendor)
    if vendor == "postgresql":
        return (Q(RawSQL(f"%s <%% {FULL_NAME_SQL}", [word], output_field=BooleanField()))
                | _typo(word, vendor))
    if vendor == "sqlite":
        return _fts_trigram_share(word) | _typo(word, vendor)
    return _typo(word, vendor)


def _has_name_key(keys: list[str]) -> Q:
    """PostgreSQL: the person's name keys (see NAME_KEYS_SQL) include one of `keys`."""
    return Q(RawSQL(f"{NAME_KEYS_SQL} && %s::text[]", [keys], output_field=BooleanField()))


def typo_keys(word: str) -> frozenset[str]:
    """Name keys shared by exactly the names one edit from `word` (and a few two away).

    A name's keys are its words and, marked "~", each word with one letter deleted. A name
    one insertion away has "~" + word; one deletion away is one of the word's deletions; a
    substitution or a swap of neighbours shares a marked deletion.
    """
    deletions = {word[:i] + word[i + 1:] for i in range(len(word))}
    # The word itself is not needed: a name equal to it has all the marked deletions.
    return frozenset({f"~{word}"} | deletions | {f"~{d}" for d in deletions})


def _phrase(word: str, *, closed: bool = True) -> str:
    """An FTS5 phrase for a whole name word (or, not closed, a word's beginning).

    One space before is enough to anchor the word's start, and skips the trigram of two
    spaces and a letter, which a twentieth of all names share.
    """
    return f'" {word} "' if closed else f'" {word}"'


def _fts(match: str) -> Q:
    return Q(RawSQL(f'"people_person"."id" IN (SELECT rowid FROM {FTS_TABLE} '
                    f"WHERE {FTS_TABLE} MATCH %s)", [match], output_field=BooleanField()))


def _fts_trigram_share(word: str) -> Q:
    """SQLite: names holding at least TRIGRAM_THRESHOLD of the word's trigrams."""
    grams = sorted(trigrams(word))
    lookups = " UNION ALL ".join(
        [f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"] * len(grams))
    return Q(RawSQL(f'"people_person"."id" IN (SELECT rowid FROM ({lookups}) GROUP BY rowid '
                    f"HAVING count(*) >= %s)",
                    [*(f'"{gram}"' for gram in grams), trigrams_needed(word)],
                    output_field=BooleanField()))


def _starts_with(field_name: str, prefix: str, vendor: str) -> Q:
    if vendor == "sqlite":
        # SQLite's LIKE cannot use an index here (it is case-blind); a range can.
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        return Q(**{f"{field_name}__gte": prefix, f"{field_name}__lt": upper})
    # PostgreSQL: LIKE 'abc%' uses the text_pattern_ops / varchar_pattern_ops indexes,
    # which a range under a language collation could not.
    return Q(**{f"{field_name}__startswith": prefix})


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@cache
def one_edit_away(word: str) -> frozenset[str]:
    """Every lower-case word one insertion, deletion, substitution or swap from `word`."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    substitutions = {a + c + b[1:] for a, b in splits if b for c in _LETTERS}
    inserts = {a + c + b for a, b in splits for c in _LETTERS}
    return frozenset((deletes | swaps | substitutions | inserts) - {word, ""})


def trigrams(word: str) -> set[str]:
    """pg_trgm's trigrams of one word: padded with two spaces before and one after."""
    padded = f"  {word} "
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


def trigrams_needed(word: str) -> int:
    """How many of the word's trigrams a name must hold (the threshold, rounded up)."""
    return -(-len(trigrams(word)) * TRIGRAM_THRESHOLD_TENTHS // 10)
