"""Service owners write eligibility rules in the browser: a draft part by part, refused
with each problem on its field, previewed as counts over the author's councils, published
with a review date."""

from __future__ import annotations

import datetime as dt
import json
import re
from html import unescape

import pytest
from django.utils import timezone

from onestop.eligibility.actions import SHIPPED_RULES, do_publish_rule, do_save_rule_draft
from onestop.eligibility.models import Rule, RuleVersion
from onestop.people.models import BenefitAward
from onestop.staff.models import Role
from tests.personas import a_property, a_resident, a_staff_member, an_adviser

pytestmark = pytest.mark.django_db

FREE_SCHOOL_MEALS, GARDEN_WASTE, BLUE_BADGE = 4, 530, 279
A_YEAR_ON = timezone.localdate() + dt.timedelta(days=365)


def a_service_owner():
    return a_staff_member(Role.SERVICE_OWNER)


def shipped(lgsl: int) -> dict:
    return next(d for d in json.loads(SHIPPED_RULES.read_text()) if d["lgsl"] == lgsl)


def form_of(definition: dict, **changes) -> dict:
    """The editor's fields for a definition, as a browser posts them."""
    fields = {k: v for k, v in definition.items() if k != "lgsl"}
    return {**fields, "change_note": "", "action": "save", **changes}


def date_fields(day: dt.date) -> dict:
    return {"review_by-day": str(day.day), "review_by-month": str(day.month),
            "review_by-year": str(day.year)}


def text(html: bytes) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.decode())))


# --- the editor ----------------------------------------------------------------------------

def test_a_service_owner_writes_a_new_rule_and_it_is_saved_as_a_draft(client):
    owner = a_service_owner()
    client.force_login(owner)
    page = client.get(f"/eligibility/rules/{BLUE_BADGE}/draft/")
    assert page.status_code == 200
    assert b"A new eligibility rule" in page.content
    assert b"household.school_age_children" in page.content  # the facts guide
    response = client.post(f"/eligibility/rules/{BLUE_BADGE}/draft/",
                           form_of(shipped(BLUE_BADGE), change_note="First rule"))
    assert response.status_code == 302
    assert response["Location"] == f"/eligibility/rules/{BLUE_BADGE}/"
    draft = RuleVersion.objects.get(rule__service__lgsl=BLUE_BADGE)
    assert (draft.number, draft.status, draft.change_note) == (1, "draft", "First rule")
    assert draft.definition == shipped(BLUE_BADGE)
    assert draft.rule.owner == owner
    detail = text(client.get(response["Location"]).content)
    assert "Draft version 1 of the" in detail and "Edit draft version 1" in detail


def test_a_condition_that_does_not_parse_is_refused_on_its_field_and_nothing_is_saved(client):
    client.force_login(a_service_owner())
    response = client.post(f"/eligibility/rules/{GARDEN_WASTE}/draft/", form_of(
        shipped(GARDEN_WASTE), applies="property.storeys > 1",
        likely_eligible='person.receives("housing_benfit")'))
    assert response.status_code == 400
    page = text(response.content)
    assert "The service applies: unknown fact 'property.storeys' at character 1" in page
    assert "The resident is likely eligible:" in page and "housing_benfit" in page
    # The author's text is kept in the form to correct, and nothing was written.
    assert "property.storeys &gt; 1" in response.content.decode()
    assert not RuleVersion.objects.exists() and not Rule.objects.exists()


@pytest.mark.parametrize(("condition", "message"), [
    ("(" * 50_000 + "true" + ")" * 50_000,
     "The service applies must be 4,000 characters or fewer"),
    ("(" * 1_100 + "true" + ")" * 1_100,
     "The service applies: a rule is at most 2000 characters"),
    ("(" * 60 + "true" + ")" * 60, "The service applies: the rule is nested too deeply"),
    ("not " * 60 + "true", "The service applies: the rule is nested too deeply"),
])
def test_a_condition_of_nested_brackets_is_refused_on_its_field(client, condition, message):
    client.force_login(a_service_owner())
    response = client.post(f"/eligibility/rules/{GARDEN_WASTE}/draft/", form_of(
        shipped(GARDEN_WASTE), applies=condition))
    assert response.status_code == 400
    assert message in text(response.content)
    assert not RuleVersion.objects.exists()


def test_a_missing_reason_or_scope_is_named(client):
    client.force_login(a_service_owner())
    fields = form_of(shipped(BLUE_BADGE), eligible_reason=" ")
    del fields["scope"]
    response = client.post(f"/eligibility/rules/{BLUE_BADGE}/draft/", fields)
    assert response.status_code == 400
    page = text(response.content)
    assert "Enter reason when likely eligible" in page
    assert "Choose who already having the service counts" in page
    assert not RuleVersion.objects.exists()


def test_asking_about_a_service_not_in_the_catalogue_is_refused(client):
    client.force_login(a_service_owner())
    response = client.post(f"/eligibility/rules/{BLUE_BADGE}/draft/", form_of(
        shipped(BLUE_BADGE), likely_eligible="person.receives_service(99999)"))
    assert response.status_code == 400
    assert "LGSL 99999 is not in the service catalogue" in text(response.content)
    assert not RuleVersion.objects.exists()


def test_the_editor_starts_from_the_published_rule_and_saving_twice_keeps_one_draft(
        client, rules):
    client.force_login(a_service_owner())
    url = f"/eligibility/rules/{FREE_SCHOOL_MEALS}/draft/"
    editor = client.get(url).content.decode()
    assert "New draft from version 1" in editor
    assert "person.receives(&quot;universal_credit&quot;)" in editor
    for note in ("one", "two"):
        client.post(url, form_of(shipped(FREE_SCHOOL_MEALS), change_note=note))
    drafts = RuleVersion.objects.filter(rule__service__lgsl=FREE_SCHOOL_MEALS, status="draft")
    assert [(d.number, d.change_note) for d in drafts] == [(2, "two")]
    assert "Edit draft version 2" in client.get(url).content.decode()


def test_a_rule_kept_by_another_service_owner_is_refused(client, rules):
    keeper = a_service_owner()
    do_save_rule_draft(Rule.objects.get(service__lgsl=BLUE_BADGE).service,
                       shipped(BLUE_BADGE), by=keeper)
    client.force_login(a_service_owner())
    response = client.post(f"/eligibility/rules/{BLUE_BADGE}/draft/",
                           form_of(shipped(BLUE_BADGE), change_note="mine now"))
    assert response.status_code == 400
    label = Rule.objects.get(service__lgsl=BLUE_BADGE).service.label
    assert f"The {label} rule is kept by Service Owner Tester" in text(response.content)
    assert not RuleVersion.objects.filter(change_note="mine now").exists()


@pytest.mark.parametrize("path", ["/eligibility/rules/", f"/eligibility/rules/{BLUE_BADGE}/",
                                  f"/eligibility/rules/{BLUE_BADGE}/draft/",
                                  "/eligibility/rules/new/?lgsl=279",
                                  f"/eligibility/rules/{BLUE_BADGE}/versions/1/preview/",
                                  f"/eligibility/rules/{BLUE_BADGE}/versions/1/publish/"])
def test_advisers_may_not_open_the_rule_pages(client, path):
    client.force_login(an_adviser())
    assert client.get(path).status_code == 403


def test_starting_a_rule_for_an_unknown_service_says_so(client):
    client.force_login(a_service_owner())
    response = client.get("/eligibility/rules/new/", {"lgsl": "99999"})
    assert response.status_code == 400
    assert "LGSL 99999 is not in the service catalogue" in text(response.content)
    assert client.get("/eligibility/rules/new/", {"lgsl": "279"})["Location"] == \
        "/eligibility/rules/279/draft/"


# --- the list and the service page -----------------------------------------------------------

def test_the_list_shows_each_rule_its_owner_review_date_and_overdue_reviews(client, rules):
    owner = a_service_owner()
    client.force_login(owner)
    meals = Rule.objects.get(service__lgsl=FREE_SCHOOL_MEALS)
    do_save_rule_draft(meals.service, shipped(FREE_SCHOOL_MEALS), by=owner)
    RuleVersion.objects.filter(pk=meals.published_id).update(
        review_by=timezone.localdate() - dt.timedelta(days=1))
    page = text(client.get("/eligibility/rules/").content)
    assert "6 rules, by service name" in page
    overdue = page.split("Reviews overdue")[1].split("All rules")[0]
    assert "Free school meals" in overdue and "You" in overdue
    mine = text(client.get("/eligibility/rules/", {"mine": "1"}).content)
    assert "1 rule you own" in mine


def test_the_service_page_shows_the_rule_in_use_and_every_version(client, rules):
    client.force_login(a_service_owner())
    page = text(client.get(f"/eligibility/rules/{GARDEN_WASTE}/").content)
    assert "The rule in use (version 1)" in page
    assert shipped(GARDEN_WASTE)["not_applicable_reason"] in page
    assert "OneStop (shipped rule)" in page


# --- preview -------------------------------------------------------------------------------

def a_family_on_housing_benefit():
    home = a_property(property_type="house")
    mother = a_resident(property=home, given_name="Amara", date_of_birth=dt.date(1988, 5, 2))
    a_resident(property=home, given_name="Zuri",
               date_of_birth=timezone.localdate().replace(year=timezone.localdate().year - 9))
    BenefitAward.objects.create(person=mother, benefit="housing_benefit")
    return mother


def impact_row(html: str, verdict: str) -> list[str]:
    row = re.search(rf'data-verdict="{verdict}">(.*?)</tr>', html, re.S).group(1)
    return [text(cell.encode()).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>",
                                                                row, re.S)]


def test_the_preview_counts_residents_by_verdict_against_the_rule_in_use(client, rules):
    families = [a_family_on_housing_benefit() for _ in range(10)]
    for name in ("Ola", "Tom"):  # two adults on their own, no children: not applicable
        a_resident(given_name=name)
    owner = a_service_owner()
    client.force_login(owner)
    meals = Rule.objects.get(service__lgsl=FREE_SCHOOL_MEALS).service
    # The draft stops housing benefit qualifying: the ten mothers are no longer offered meals.
    narrower = shipped(FREE_SCHOOL_MEALS) | {"likely_eligible": 'person.receives("pip")'}
    draft = do_save_rule_draft(meals, narrower, by=owner)
    response = client.get(f"/eligibility/rules/{FREE_SCHOOL_MEALS}/versions/"
                          f"{draft.number}/preview/")
    assert response.status_code == 200
    html = response.content.decode()
    page = text(response.content)
    # Under disclosure control: 22 reads 20, 12 reads 10, 0 reads "fewer than 10".
    assert ": 20 in all" in page
    assert "fewer than 10 would start being offered Free school meals, and 10 would no " \
           "longer be offered it" in page
    assert impact_row(html, "likely_eligible")[2:] == ["fewer than 10", "10"]
    assert impact_row(html, "not_eligible")[2:] == ["10", "fewer than 10"]
    # The children (not adults) and the two single adults: not applicable under both.
    assert impact_row(html, "not_applicable")[1:] == [
        shipped(FREE_SCHOOL_MEALS)["not_applicable_reason"], "10", "10"]
    assert families[0].given_name not in html  # counts, never a resident
    # The preview wrote nothing.
    assert RuleVersion.objects.get(pk=draft.pk).status == "draft"


def test_a_count_under_ten_zero_included_is_shown_as_fewer_than_ten(client, rules):
    a_family_on_housing_benefit()
    client.force_login(a_service_owner())
    response = client.get(f"/eligibility/rules/{FREE_SCHOOL_MEALS}/versions/1/preview/")
    html = response.content.decode()
    assert impact_row(html, "likely_eligible")[2:] == ["fewer than 10"]
    assert impact_row(html, "receiving")[2:] == ["fewer than 10"]
    assert ": fewer than 10 in all" in text(response.content)
    assert "would start being offered" not in html  # the published rule: nothing to compare


def test_the_preview_of_a_draft_still_works_when_the_rule_in_use_no_longer_checks(
        client, rules):
    owner = a_service_owner()
    client.force_login(owner)
    meals = Rule.objects.get(service__lgsl=FREE_SCHOOL_MEALS)
    draft = do_save_rule_draft(meals.service, shipped(FREE_SCHOOL_MEALS), by=owner)
    RuleVersion.objects.filter(pk=meals.published_id).update(
        definition=shipped(FREE_SCHOOL_MEALS) | {"applies": "household.pets > 0"})
    response = client.get(f"/eligibility/rules/{FREE_SCHOOL_MEALS}/versions/"
                          f"{draft.number}/preview/")
    assert response.status_code == 200
    assert "would start being offered" not in response.content.decode()


def test_a_draft_that_no_longer_checks_is_neither_previewed_nor_published(client, rules):
    owner = a_service_owner()
    client.force_login(owner)
    meals = Rule.objects.get(service__lgsl=FREE_SCHOOL_MEALS)
    draft = do_save_rule_draft(meals.service, shipped(FREE_SCHOOL_MEALS), by=owner)
    # As if a fact were withdrawn after the draft was saved.
    RuleVersion.objects.filter(pk=draft.pk).update(
        definition=shipped(FREE_SCHOOL_MEALS) | {"applies": "household.pets > 0"})
    base = f"/eligibility/rules/{FREE_SCHOOL_MEALS}/versions/{draft.number}"
    preview = client.get(f"{base}/preview/")
    assert preview.status_code == 400
    assert "unknown fact 'household.pets'" in text(preview.content)
    publish = client.post(f"{base}/publish/", date_fields(A_YEAR_ON))
    assert publish.status_code == 400
    assert Rule.objects.get(pk=meals.pk).published.number == 1


# --- publishing ----------------------------------------------------------------------------

def test_publishing_a_draft_puts_it_in_use_and_retires_the_old_version(client, rules):
    owner = a_service_owner()
    client.force_login(owner)
    meals = Rule.objects.get(service__lgsl=FREE_SCHOOL_MEALS)
    draft = do_save_rule_draft(meals.service, shipped(FREE_SCHOOL_MEALS) | {
        "eligible_reason": "Likely eligible for free school meals"}, by=owner)
    url = f"/eligibility/rules/{FREE_SCHOOL_MEALS}/versions/{draft.number}/publish/"
    form = client.get(url).content.decode()
    assert f'value="{A_YEAR_ON.year}"' in form  # a year ahead is offered
    response = client.post(url, date_fields(A_YEAR_ON))
    assert response.status_code == 302
    meals.refresh_from_db()
    assert meals.published == draft
    assert RuleVersion.objects.get(rule=meals, number=1).status == "retired"
    draft.refresh_from_db()
    assert (draft.published_by, draft.review_by) == (owner, A_YEAR_ON)


def test_a_review_date_in_the_past_or_a_version_already_published_is_refused(client, rules):
    owner = a_service_owner()
    client.force_login(owner)
    meals = Rule.objects.get(service__lgsl=FREE_SCHOOL_MEALS)
    draft = do_save_rule_draft(meals.service, shipped(FREE_SCHOOL_MEALS), by=owner)
    url = f"/eligibility/rules/{FREE_SCHOOL_MEALS}/versions/{draft.number}/publish/"
    past = client.post(url, date_fields(timezone.localdate() - dt.timedelta(days=1)))
    assert past.status_code == 400
    assert "The review date must be in the future" in text(past.content)
    do_publish_rule(draft, by=owner, review_by=A_YEAR_ON)
    again = client.post(url, date_fields(A_YEAR_ON))
    assert again.status_code == 400
    assert "Only a draft can be published" in text(again.content)


def test_a_draft_kept_by_another_service_owner_cannot_be_published_by_them(client, rules):
    keeper = a_service_owner()
    meals = Rule.objects.get(service__lgsl=FREE_SCHOOL_MEALS)
    draft = do_save_rule_draft(meals.service, shipped(FREE_SCHOOL_MEALS), by=keeper)
    client.force_login(a_service_owner())
    response = client.post(f"/eligibility/rules/{FREE_SCHOOL_MEALS}/versions/{draft.number}"
                           f"/publish/", date_fields(A_YEAR_ON))
    assert response.status_code == 400
    assert "rule is kept by Service Owner Tester" in text(response.content)
    meals.refresh_from_db()
    assert meals.published.number == 1 and meals.owner == keeper
