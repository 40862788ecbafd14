"""The rule preview tells its author nothing about any one resident: it counts only the
residents of the councils they act for, suppresses counts below 10 and rounds every other
count to the nearest 5 (so two previews that differ by one resident read the same), and
every preview is in the audit log with the conditions previewed."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.utils import timezone

from onestop.core.disclosure import ShownCount, protect
from onestop.core.models import AuditEvent
from onestop.eligibility.actions import do_preview_rule, do_save_rule_draft
from onestop.eligibility.models import Rule
from onestop.people.models import BenefitAward
from onestop.staff.models import Role
from tests.eligibility.test_rule_authoring import impact_row, shipped
from tests.personas import BABERGH, MID_SUFFOLK, a_property, a_resident, a_staff_member

pytestmark = pytest.mark.django_db

FREE_SCHOOL_MEALS = 4
ON_HOUSING_BENEFIT = 'person.receives("housing_benefit")'


def text(html: bytes) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.decode())))


def a_family_on_housing_benefit(district: str = MID_SUFFOLK, *, band: str = "D"):
    """A mother on housing benefit and her nine-year-old: she is likely eligible for free
    school meals; the child is not applicable (meals are asked for by a parent)."""
    home = a_property(district, council_tax_band=band)
    mother = a_resident(district, property=home, given_name="Amara",
                        date_of_birth=dt.date(1988, 5, 2))
    a_resident(district, property=home, given_name="Zuri",
               date_of_birth=timezone.localdate().replace(year=timezone.localdate().year - 9))
    BenefitAward.objects.create(person=mother, benefit="housing_benefit")
    return mother


def a_service_owner(*acts_for: str):
    if acts_for:
        return a_staff_member(Role.SERVICE_OWNER, acts_for=acts_for)
    return a_staff_member(Role.SERVICE_OWNER)


def draft_of(owner, **changes):
    meals = Rule.objects.get(service__lgsl=FREE_SCHOOL_MEALS).service
    return do_save_rule_draft(meals, shipped(FREE_SCHOOL_MEALS) | changes, by=owner)


def shown_counts(html: str) -> dict:
    """Everything the preview page says in numbers: the total, the change and each row."""
    page = text(html.encode())
    return {"residents": re.search(r"today, [^:]+: (.+?) in all", page).group(1),
            "change": re.search(r"Against the rule in use[^:]*: (.+?it)\.", page).group(1),
            **{v: impact_row(html, v)[2:] for v in ("likely_eligible", "not_eligible",
                                                     "receiving", "not_applicable")}}


# --- the method ------------------------------------------------------------------------------

@pytest.mark.parametrize(("count", "shown"), [
    (0, None), (1, None), (9, None), (10, 10), (12, 10), (13, 15), (17, 15), (18, 20),
    (22, 20), (1234, 1235), (1232, 1230)])
def test_counts_below_ten_are_suppressed_and_the_rest_rounded_to_the_nearest_five(count,
                                                                                 shown):
    assert protect(count) == ShownCount(shown)
    assert str(protect(count)) == ("fewer than 10" if shown is None else f"{shown:,}")


@pytest.mark.parametrize("bad", [-1, 2.5, True, "7"])
def test_only_a_whole_number_of_residents_is_a_count(bad):
    with pytest.raises(ValueError, match="whole number of residents"):
        protect(bad)


# --- differencing ----------------------------------------------------------------------------

def test_two_previews_whose_conditions_differ_by_one_resident_read_the_same(client, rules):
    """The attack that "fewer than 10" alone let through: preview a rule, then the same rule
    with one resident's facts excluded (here: the only home in band H); the difference of
    the two previews would say whether she receives housing benefit."""
    for _ in range(11):
        a_family_on_housing_benefit()
    a_family_on_housing_benefit(band="H")
    owner = a_service_owner()
    client.force_login(owner)
    url = f"/eligibility/rules/{FREE_SCHOOL_MEALS}/versions/2/preview/"
    draft_of(owner, likely_eligible=ON_HOUSING_BENEFIT)
    everyone = client.get(url)
    draft_of(owner, likely_eligible=f'{ON_HOUSING_BENEFIT} and '
                                    f'property.council_tax_band != "H"')
    all_but_one = client.get(url)
    assert everyone.status_code == all_but_one.status_code == 200
    first, second = shown_counts(everyone.content.decode()), \
        shown_counts(all_but_one.content.decode())
    assert first == second
    # Exactly 12 and 11 likely eligible, 24 residents: shown rounded, the change suppressed.
    assert first["likely_eligible"] == ["10", "10"]
    assert first["residents"] == "25"
    assert first["change"] == ("fewer than 10 would start being offered Free school meals, "
                               "and fewer than 10 would no longer be offered it")
    assert "counts are rounded to the nearest 5; counts below 10 are not shown" in \
        text(everyone.content)


def test_the_changes_are_rounded_from_their_own_exact_numbers(rules):
    """Twelve residents stop being offered meals: the change reads 10 (from 12), not the
    difference of the two rounded columns."""
    for _ in range(12):
        a_family_on_housing_benefit()
    owner = a_service_owner()
    seen = do_preview_rule(draft_of(owner, likely_eligible='person.receives("pip")'),
                           by=owner).impact
    assert (str(seen.newly_offered), str(seen.no_longer_offered)) == ("fewer than 10", "10")
    assert (str(seen.counts["likely_eligible"]), str(seen.in_use["likely_eligible"])) == \
        ("fewer than 10", "10")
    assert str(seen.counts["not_eligible"]) == "10"
    assert str(seen.residents) == "25"  # 24 exactly


# --- whose residents -------------------------------------------------------------------------

def test_a_babergh_service_owner_counts_only_babergh_residents(client, rules):
    for _ in range(10):
        a_family_on_housing_benefit(BABERGH)
    owner = a_service_owner(BABERGH)
    client.force_login(owner)
    url = f"/eligibility/rules/{FREE_SCHOOL_MEALS}/versions/1/preview/"
    before = client.get(url)
    for _ in range(5):  # Mid Suffolk (and Suffolk): not a council this owner acts for
        a_family_on_housing_benefit(MID_SUFFOLK)
    after = client.get(url)
    assert before.status_code == after.status_code == 200
    assert "Babergh District Council" in text(after.content)
    assert impact_row(after.content.decode(), "likely_eligible")[2:] == ["10"]
    assert re.sub(r"csrfmiddlewaretoken\" value=\"[^\"]+", "", before.content.decode()) == \
        re.sub(r"csrfmiddlewaretoken\" value=\"[^\"]+", "", after.content.decode())
    # An owner who acts for Mid Suffolk too counts all fifteen families.
    everywhere = do_preview_rule(Rule.objects.get(service__lgsl=FREE_SCHOOL_MEALS).published,
                                 by=a_service_owner()).impact
    assert str(everywhere.counts["likely_eligible"]) == "15"


def test_a_service_owner_who_acts_for_no_council_has_no_one_to_count(client, rules):
    for _ in range(10):
        a_family_on_housing_benefit()
    owner = a_staff_member(Role.SERVICE_OWNER, acts_for=())
    client.force_login(owner)
    response = client.get(f"/eligibility/rules/{FREE_SCHOOL_MEALS}/versions/1/preview/")
    assert response.status_code == 200
    page = text(response.content)
    assert "You do not act for any council, so there are no residents to count" in page
    assert 'id="impact"' not in response.content.decode()
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.RULE_PREVIEWED)
    assert event.after["shown"] == "nothing: acts for no council"


# --- the audit log ---------------------------------------------------------------------------

def test_every_preview_is_audited_with_its_conditions_rule_version_and_author(client, rules):
    owner = a_service_owner(BABERGH)
    client.force_login(owner)
    condition = f'{ON_HOUSING_BENEFIT} and property.council_tax_band != "H"'
    draft = draft_of(owner, likely_eligible=condition)
    for _ in range(2):
        assert client.get(f"/eligibility/rules/{FREE_SCHOOL_MEALS}/versions/"
                          f"{draft.number}/preview/").status_code == 200
    events = list(AuditEvent.objects.filter(kind=AuditEvent.Kind.RULE_PREVIEWED))
    assert len(events) == 2  # each preview, not each rule
    event = events[0]
    assert event.user == owner
    assert event.detail == ("Free school meals (LGSL 4) rule version 2, against version 1")
    assert event.after["likely_eligible"] == condition
    assert event.after["applies"] == shipped(FREE_SCHOOL_MEALS)["applies"]
    assert (event.after["lgsl"], event.after["version"], event.after["status"]) == \
        (4, 2, "draft")
    assert event.after["compared_with"] == {
        "version": 1, "applies": shipped(FREE_SCHOOL_MEALS)["applies"],
        "likely_eligible": shipped(FREE_SCHOOL_MEALS)["likely_eligible"]}
    assert event.after["authorities"] == ["Babergh District Council"]
    assert event.after["shown"]["by_verdict"]["likely_eligible"] == "fewer than 10"


def test_a_version_that_no_longer_checks_is_not_counted_nor_audited(client, rules):
    owner = a_service_owner()
    client.force_login(owner)
    draft = draft_of(owner)
    type(draft).objects.filter(pk=draft.pk).update(
        definition=shipped(FREE_SCHOOL_MEALS) | {"applies": "household.pets > 0"})
    response = client.get(f"/eligibility/rules/{FREE_SCHOOL_MEALS}/versions/"
                          f"{draft.number}/preview/")
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.RULE_PREVIEWED).exists()
