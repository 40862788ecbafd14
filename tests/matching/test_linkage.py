"""`onestop link`: records of one resident become one person, decisions bind every rerun."""

from __future__ import annotations

import csv
import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from onestop.demo.actions import do_build_demo_area
from onestop.demo.extracts import read_ground_truth
from onestop.matching.actions import LinkageError, do_decide_pair, do_import_extract, do_link
from onestop.matching.linkage.golden import refresh_people
from onestop.matching.models import LinkageRun, PersonChange, RecordPair, SourceRecord
from onestop.matching.profiles import load_profile
from onestop.people.models import Person
from tests.personas import a_team_leader

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def index(tmp_path):
    """A demo area of 400 residents: its seven extracts imported and linked."""
    return do_build_demo_area(people=400, seed=5, today=TODAY, extracts_dir=tmp_path / "x")


def person_of(record: SourceRecord) -> int:
    return SourceRecord.objects.get(pk=record.pk).person_id


def a_person_with_records(count: int) -> list[SourceRecord]:
    person = (Person.objects.annotate(n=Count("source_records")).filter(n__gte=count)
              .order_by("pk").first())
    return list(person.source_records.order_by("pk")[:count])


def test_a_resident_is_one_person_holding_records_of_three_systems(index):
    sources = (Person.objects.annotate(n=Count("source_records__source", distinct=True))
               .filter(n__gte=3))
    assert sources.exists()
    assert index.linkage.links > 0 and index.linkage.mode == LinkageRun.Mode.FULL
    pair = RecordPair.objects.filter(band=RecordPair.Band.LINK).first()
    assert {step["comparison"] for step in pair.explanation} >= {"Given name", "Date of birth"}
    assert abs(sum(step["weight"] for step in pair.explanation) - pair.match_weight) < 20


def test_a_full_rerun_keeps_every_person_id(index):
    before = dict(SourceRecord.objects.values_list("pk", "person_id"))
    run = do_link(full=True)
    assert dict(SourceRecord.objects.values_list("pk", "person_id")) == before
    assert (run.persons_created, run.merges, run.splits) == (0, 0, 0)


def test_a_pair_marked_different_stays_apart_after_full_reruns(index):
    first, second = a_person_with_records(2)
    do_decide_pair(left_id=first.pk, right_id=second.pk, verdict="different",
                   user=a_team_leader())
    run = do_link(full=True)
    assert person_of(first) != person_of(second)
    assert run.splits >= 1
    assert PersonChange.objects.filter(kind=PersonChange.Kind.SPLIT, run=run).exists()
    do_link(full=True)
    assert person_of(first) != person_of(second)


def test_a_pair_marked_same_stays_together_after_full_reruns(index):
    first = a_person_with_records(1)[0]
    second = (SourceRecord.objects.exclude(person_id=first.person_id)
              .exclude(family_name=first.family_name).order_by("pk").first())
    absorbed = max(first.person_id, second.person_id)
    do_decide_pair(left_id=first.pk, right_id=second.pk, verdict="same", user=a_team_leader())
    assert person_of(first) == person_of(second)
    assert not Person.objects.filter(pk=absorbed).exists()
    assert PersonChange.objects.filter(kind=PersonChange.Kind.MERGED,
                                       other_person_id=absorbed).exists()
    do_link(full=True)
    do_link(full=True)
    assert person_of(first) == person_of(second)


def test_a_new_extract_links_incrementally_to_the_people_already_indexed(index, tmp_path):
    known = list(SourceRecord.objects.filter(source="council_tax", date_of_birth__isnull=False,
                                             uprn__isnull=False).order_by("pk")[:5])
    path = tmp_path / "benefits-new.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["claim_id", "forename", "surname", "nino", "date_of_birth",
                         "address_line_1", "address_line_2", "town", "postcode", "benefits",
                         "award_start"])
        for number, record in enumerate(known):
            raw = record.raw
            writer.writerow([f"NEW{number:07d}", record.given_name.title(),
                             record.family_name.title(), "", record.date_of_birth.isoformat(),
                             raw["ADDR1"], raw["ADDR2"], raw["ADDR3"], raw["POSTCODE"],
                             "pension_credit", "2025-01-01"])
    # Five new claims in place of the whole benefits source: retiring the rest is meant.
    do_import_extract(load_profile("benefits"), path, today=TODAY, allow_retire=True)
    people_before = Person.objects.count()
    out = StringIO()
    call_command("link", "--quiet", stdout=out)
    run = LinkageRun.objects.first()
    assert run.mode == LinkageRun.Mode.INCREMENTAL and run.records == 5
    assert out.getvalue().startswith("Incremental linkage of 5 records")
    for number, record in enumerate(known):
        new = SourceRecord.objects.get(source="benefits", reference=f"NEW{number:07d}")
        assert new.person_id == record.person_id
    assert Person.objects.count() == people_before
    assert Person.objects.get(pk=known[0].person_id).benefits.filter(
        benefit="pension_credit").exists()


def test_a_mover_still_registered_at_their_old_address_is_one_person_with_their_new_home(
        index):
    """The council-tax move-in form gives the household's previous address; the electoral
    register entry left there (no date of birth, another postcode) links through it."""
    truth = read_ground_truth(index.extracts_dir)
    movers = {truth[("council_tax", r.reference)]: r for r in
              SourceRecord.objects.filter(source="council_tax").exclude(previous_postcode="")}
    left_behind = [(movers[truth[("electoral_register", r.reference)]], r) for r in
                   SourceRecord.objects.filter(source="electoral_register")
                   if truth[("electoral_register", r.reference)] in movers
                   and r.postcode == movers[truth[("electoral_register", r.reference)]]
                   .previous_postcode]
    assert left_behind, "the demo area should hold a mover registered at the old address"
    for account, elector in left_behind:
        assert elector.date_of_birth is None and elector.postcode != account.postcode
        assert elector.person_id == account.person_id
        pair = RecordPair.objects.get(left_id=min(account.pk, elector.pk),
                                      right_id=max(account.pk, elector.pk))
        home = next(step for step in pair.explanation if step["comparison"] == "Home")
        assert home["level"] == "One lives where the other's household lived before"
        assert home["weight"] > 0


def test_an_incremental_run_refuses_a_model_trained_with_other_comparisons(index):
    run = LinkageRun.objects.filter(mode=LinkageRun.Mode.FULL).first()
    model = dict(run.model)
    model["comparisons"] = model["comparisons"][:-1]
    LinkageRun.objects.filter(pk=run.pk).update(model=model)
    with pytest.raises(LinkageError, match="run `onestop link --full` to retrain"):
        do_link(full=False)


BENEFITS_HEADER = ["claim_id", "forename", "surname", "nino", "date_of_birth", "address_line_1",
                   "address_line_2", "town", "postcode", "benefits", "award_start"]


def newer_benefits_extract(index, tmp_path, change=lambda row: row, extra=()) -> object:
    """The demo's benefits extract with `change(row)` applied to each row and `extra` rows
    added; imported."""
    with (index.extracts_dir / "benefits.csv").open(newline="", encoding="utf-8") as handle:
        rows = [change(row) for row in csv.DictReader(handle)]
    path = tmp_path / "benefits-newer.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=BENEFITS_HEADER)
        writer.writeheader()
        writer.writerows([*rows, *extra])
    return do_import_extract(load_profile("benefits"), path, today=TODAY)


def test_an_incremental_run_relinks_a_record_whose_name_a_newer_extract_corrected(
        index, tmp_path):
    claim = (SourceRecord.objects.filter(source="benefits", date_of_birth__isnull=False)
             .exclude(national_insurance_number="").order_by("pk").first())
    resident = claim.person_id
    # A second claim by the same resident, keyed in with a garbled name and no NI number.
    second_claim = {**claim.raw, "claim_id": "BEN9999999", "nino": "",
                    "forename": "Xqzvbn", "surname": "Wkjhgf"}
    newer_benefits_extract(index, tmp_path, extra=[second_claim])
    first = do_link(full=False)
    assert first.records == 1 and first.persons_created == 1
    record = SourceRecord.objects.get(source="benefits", reference="BEN9999999")
    alone = record.person_id
    assert alone != resident  # nothing of the name agrees

    corrected = newer_benefits_extract(index, tmp_path, extra=[
        {**second_claim, "forename": claim.raw["forename"], "surname": claim.raw["surname"]}])
    assert (corrected.updated, corrected.imported) == (1, 0)
    second = do_link(full=False)
    assert second.records == 1 and second.merges == 1
    assert person_of(record) == resident
    assert not Person.objects.filter(pk=alone).exists()
    assert PersonChange.objects.filter(kind=PersonChange.Kind.MERGED, person_id=resident,
                                       other_person_id=alone, run=second).exists()


def test_an_incremental_run_refreshes_the_golden_record_of_a_changed_record(index, tmp_path):
    claim = SourceRecord.objects.filter(source="benefits").order_by("pk").first()
    person = Person.objects.get(pk=claim.person_id)
    assert not person.benefits.filter(benefit="attendance_allowance").exists()

    def add_attendance_allowance(row):
        if row["claim_id"] == claim.reference:
            row["benefits"] = ";".join([row["benefits"], "attendance_allowance"])
        return row
    newer_benefits_extract(index, tmp_path, add_attendance_allowance)
    run = do_link(full=False)
    assert run.records == 1 and (run.merges, run.splits) == (0, 0)
    assert person.benefits.filter(benefit="attendance_allowance").exists()
    assert not SourceRecord.objects.filter(needs_linking=True).exists()


def test_an_incremental_run_with_nothing_new_changes_nothing(index):
    before = dict(SourceRecord.objects.values_list("pk", "person_id"))
    run = do_link(full=False)
    assert (run.records, run.pairs_scored, run.persons_created) == (0, 0, 0)
    assert dict(SourceRecord.objects.values_list("pk", "person_id")) == before


def test_a_changed_record_that_scores_against_nothing_leaves_its_persons_golden_record(
        index, tmp_path):
    """Its person's golden record is made from all their records, not from it alone."""
    person = (Person.objects.annotate(n=Count("source_records")).filter(n__gte=3)
              .order_by("pk").first())
    record = person.source_records.order_by("pk").first()
    SourceRecord.objects.filter(pk=record.pk).update(
        given_name="xqzvbn", name_group="xqzvbn", family_name="wkjhgf",
        national_insurance_number="", address="1 nowhere lane", postcode="ZZ9 9ZZ", uprn=None,
        needs_linking=True)
    do_link(full=False)
    person.refresh_from_db()
    assert person_of(record) == person.pk  # an incremental run joins, never splits
    after_run = (person.given_name, person.family_name, person.date_of_birth)
    assert "Xqzvbn" not in after_run  # the other records outvote the garbled one
    refresh_people([person.pk])  # the golden record from every record of the person
    person.refresh_from_db()
    assert (person.given_name, person.family_name, person.date_of_birth) == after_run


def test_an_incremental_run_replaces_the_stored_pairs_of_the_records_it_rescored(
        index, tmp_path):
    claim = (SourceRecord.objects.filter(source="benefits", date_of_birth__isnull=False)
             .exclude(national_insurance_number="").order_by("pk").first())
    second_claim = {**claim.raw, "claim_id": "BEN9999999", "nino": "", "forename": "Xqzvbn"}
    newer_benefits_extract(index, tmp_path, extra=[second_claim])
    first = do_link(full=False)
    record = SourceRecord.objects.get(reference="BEN9999999")
    newer_benefits_extract(index, tmp_path, extra=[{**second_claim,
                                                    "forename": claim.raw["forename"]}])
    second = do_link(full=False)
    pair = RecordPair.objects.get(left_id=min(claim.pk, record.pk),
                                  right_id=max(claim.pk, record.pk))
    assert pair.run_id == second.pk != first.pk
    assert pair.band == RecordPair.Band.LINK and person_of(record) == claim.person_id
    assert not RecordPair.objects.filter(run=first).filter(
        Q(left_id=record.pk) | Q(right_id=record.pk)).exists()


def test_a_record_whose_person_was_deleted_is_linked_again(index):
    record = a_person_with_records(2)[0]
    SourceRecord.objects.filter(pk=record.pk).update(person=None, needs_linking=False)
    run = do_link(full=False)
    assert run.records == 1
    assert person_of(record) is not None


def test_a_different_decision_splits_a_person_at_the_next_incremental_run(index):
    first, second = a_person_with_records(2)
    do_decide_pair(left_id=first.pk, right_id=second.pk, verdict="different",
                   user=a_team_leader())
    run = do_link(full=False)
    assert run.mode == LinkageRun.Mode.INCREMENTAL
    assert person_of(first) != person_of(second)
    assert run.splits >= 1
