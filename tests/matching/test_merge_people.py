"""Merging many persons at once (a relink's merges) does what merging them one by one does."""

from __future__ import annotations

import datetime as dt

import pytest

from onestop.matching.linkage.persons import merge_people
from onestop.people.models import BenefitAward, ContactDetail, Person

pytestmark = pytest.mark.django_db


def a_person(name: str) -> Person:
    return Person.objects.create(given_name=name, family_name="Okafor")


def test_everything_moves_to_the_survivor_and_the_merged_persons_are_gone():
    survivor, first, second, bystander = (a_person(n) for n in ("Ada", "Ade", "Adaeze", "Bo"))
    for person, number in ((first, "07700900001"), (second, "07700900002"),
                           (bystander, "07700900003")):
        ContactDetail.objects.create(person=person, kind=ContactDetail.Kind.PHONE,
                                     value=number, normalised=number)

    merge_people([(first.pk, survivor.pk), (second.pk, survivor.pk)])

    assert set(Person.objects.values_list("pk", flat=True)) == {survivor.pk, bystander.pk}
    assert sorted(survivor.contact_details.values_list("value", flat=True)) == [
        "07700900001", "07700900002"]
    assert bystander.contact_details.count() == 1


def test_a_benefit_both_have_keeps_the_survivors_award_and_two_merged_do_not_clash():
    survivor, first, second = (a_person(n) for n in ("Ada", "Ade", "Adaeze"))
    pip, uc = BenefitAward.Benefit.values[:2]
    BenefitAward.objects.create(person=survivor, benefit=pip, since=dt.date(2020, 1, 1))
    BenefitAward.objects.create(person=first, benefit=pip, since=dt.date(2024, 1, 1))
    BenefitAward.objects.create(person=first, benefit=uc, since=dt.date(2023, 1, 1))
    BenefitAward.objects.create(person=second, benefit=uc, since=dt.date(2025, 1, 1))

    merge_people([(first.pk, survivor.pk), (second.pk, survivor.pk)])

    # As one merge after another: the survivor's own award stays, then the first merged
    # person's, and the second's clashing award gives way.
    assert dict(BenefitAward.objects.values_list("benefit", "since")) == {
        pip: dt.date(2020, 1, 1), uc: dt.date(2023, 1, 1)}
    assert set(BenefitAward.objects.values_list("person_id", flat=True)) == {survivor.pk}
