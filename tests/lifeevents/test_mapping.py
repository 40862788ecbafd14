"""The reviewed map of life events to affected services: read, checked, refused when wrong."""

from __future__ import annotations

import pytest

from onestop.lifeevents.mapping import (
    EventKind,
    MappingError,
    check_against_catalogue,
    event_services,
    parse,
    services_for,
)

HEADER = "event,lgsl,tell,why\n"
EVERY_KIND = "".join(f"{kind},58,always,Council tax changes\n" for kind in EventKind.values)


def test_the_shipped_map_lists_services_for_every_kind_of_event():
    mapping = event_services()
    assert set(mapping) == set(EventKind.values)
    assert all(mapping[kind] for kind in EventKind.values)
    death = {row.lgsl for row in mapping["death"]}
    assert {58, 69, 364, 279, 530, 437, 474, 209} <= death


@pytest.mark.django_db
def test_every_service_in_the_shipped_map_is_in_the_catalogue():
    check_against_catalogue()
    [(row, service)] = [pair for pair in services_for("death") if pair[0].lgsl == 530]
    assert service.label == "Household garden waste" and row.tell == "service"


def test_a_well_formed_file_reads_in_file_order_with_its_line_numbers():
    mapping = parse(HEADER + EVERY_KIND + "death,364,benefit:housing_benefit,Register\n")
    assert [row.lgsl for row in mapping["death"]] == [58, 364]
    assert mapping["death"][1].benefit == "housing_benefit"
    assert mapping["death"][1].line == 11


@pytest.mark.parametrize(("row", "message"), [
    ("burial,58,always,Why", "line 11: event 'burial' is not one of birth"),
    ("death,fifty,always,Why", "line 11: lgsl 'fifty' is not an LGSL number"),
    ("death,58,always,Again", "line 11: death lists LGSL 58 twice"),
    ("death,364,sometimes,Why", "line 11: tell 'sometimes' must be always, service or benefit"),
    ("death,364,benefit:lottery,Why", "line 11: tell 'benefit:lottery'"),
    ("death,364,always,", "line 11: why is empty"),
    ("death,364,always", "line 11: expected 4 columns"),
])
def test_a_bad_row_is_refused_naming_its_line(row, message):
    with pytest.raises(MappingError, match=message):
        parse(HEADER + EVERY_KIND + row + "\n")


def test_a_wrong_header_or_an_event_with_no_service_is_refused():
    with pytest.raises(MappingError, match="the header must be event,lgsl,tell,why"):
        parse("event,service,why\n")
    with pytest.raises(MappingError, match="no service is listed for turning_18"):
        parse(HEADER + EVERY_KIND.replace("turning_18,58,always,Council tax changes\n", ""))


@pytest.mark.django_db
def test_an_lgsl_missing_from_the_catalogue_is_refused_naming_its_row():
    mapping = parse(HEADER + EVERY_KIND + "death,99999,always,No such service\n")
    with pytest.raises(MappingError, match="line 11: death lists LGSL 99999, which is not in "
                                           "the service catalogue"):
        services_for("death", mapping)
