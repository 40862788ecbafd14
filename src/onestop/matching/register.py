"""Finding the UPRN of an address as a back-office system wrote it.

Many systems hold no UPRN. Their records are matched to the property register by postcode
and standardised address: the whole address first, then the house number when it is the
only one of its kind in the postcode, then the first line. A record that matches nothing
keeps no UPRN rather than a guess.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from onestop.matching.standardise import house_number, standard_address
from onestop.people.models import Property


class PropertyRegister:
    """UPRN lookups for a batch of records, with one query per batch of postcodes."""

    def __init__(self) -> None:
        self._by_postcode: dict[str, list[tuple[str, str, str, int]]] = {}

    def load(self, postcodes: Iterable[str]) -> None:
        wanted = {p for p in postcodes if p and p not in self._by_postcode}
        if not wanted:
            return
        found: dict[str, list[tuple[str, str, str, int]]] = defaultdict(list)
        rows = Property.objects.filter(postcode__in=wanted).values_list(
            "postcode", "address_line_1", "address_line_2", "uprn")
        for postcode, line_1, line_2, uprn in rows:
            whole = standard_address([line_1, line_2])
            first = standard_address([line_1])
            found[postcode].append((whole, first, house_number(first), uprn))
        for postcode in wanted:
            self._by_postcode[postcode] = found.get(postcode, [])

    def uprn_for(self, postcode: str, address: str) -> int | None:
        candidates = self._by_postcode.get(postcode) or []
        for whole, _first, _number, uprn in candidates:
            if whole == address:
                return uprn
        number = house_number(address)
        if number:
            same_number = [uprn for _w, _f, n, uprn in candidates if n == number]
            if len(same_number) == 1:
                return same_number[0]
        starts = [uprn for _w, first, _n, uprn in candidates
                  if first and address.startswith(first)]
        return starts[0] if len(starts) == 1 else None

    def forget(self) -> None:
        """Drop cached postcodes, so memory stays flat over a million-row import."""
        self._by_postcode.clear()
