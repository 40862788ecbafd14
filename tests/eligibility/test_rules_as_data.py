"""Rules are data: drafts saved by service owners, refused unless they parse and name only
known facts, published with a review date; the shipped rules load like the dialogues."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from onestop.catalogue.models import Service
from onestop.eligibility.actions import (
    SHIPPED_RULES,
    RuleInvalid,
    RuleStateError,
    do_give_unowned_rules_to,
    do_load_shipped_rules,
    do_publish_rule,
    do_save_rule_draft,
)
from onestop.eligibility.models import Rule, RuleVersion
from onestop.eligibility.queries import overdue_rule_reviews
from onestop.staff.models import Role
from tests.personas import a_staff_member, an_adviser

pytestmark = pytest.mark.django_db
NEXT_YEAR = timezone.localdate() + dt.timedelta(days=365)


def blue_badge(**changes) -> dict:
    shipped = next(d for d in json.loads(SHIPPED_RULES.read_text()) if d["lgsl"] == 279)
    return {**shipped, **changes}


def test_the_shipped_rules_load_once_and_a_second_load_changes_nothing():
    first = do_load_shipped_rules()
    assert sorted(first.published) == [4, 58, 69, 279, 474, 530]
    again = do_load_shipped_rules()
    assert again.published == [] and len(again.unchanged) == 6
    version = Rule.objects.get(service__lgsl=4).published
    assert version.status == RuleVersion.Status.PUBLISHED and version.review_by > \
        timezone.localdate()


def test_the_load_rules_command_reports_what_it_published(capsys):
    call_command("load_rules")
    assert "Eligibility rules: 6 published, 0 unchanged" in capsys.readouterr().out


def test_a_shipped_file_with_a_broken_rule_loads_nothing(tmp_path):
    rules = json.loads(SHIPPED_RULES.read_text())
    rules[1]["applies"] = "property.storeys > 1"
    broken = tmp_path / "rules.json"
    broken.write_text(json.dumps(rules))
    with pytest.raises(RuleInvalid) as refused:
        do_load_shipped_rules(broken)
    assert refused.value.errors == ["rule 2 (LGSL 530): applies: unknown fact "
                                    "'property.storeys' at character 1"]
    assert not Rule.objects.exists()


def test_a_service_owner_saves_a_draft_and_publishes_it_with_a_review_date():
    owner = a_staff_member(Role.SERVICE_OWNER)
    badge = Service.objects.get(lgsl=279)
    draft = do_save_rule_draft(badge, blue_badge(likely_eligible="person.receives(\"pip\")"),
                               by=owner, change_note="PIP only")
    assert draft.status == RuleVersion.Status.DRAFT and draft.rule.owner == owner
    do_publish_rule(draft, by=owner, review_by=NEXT_YEAR)
    second = do_save_rule_draft(badge, blue_badge(), by=owner)
    assert second.number == 2
    do_publish_rule(second, by=owner, review_by=NEXT_YEAR)
    draft.refresh_from_db()
    assert draft.status == RuleVersion.Status.RETIRED
    assert Rule.objects.get(service=badge).published == second
    with pytest.raises(RuleStateError, match="only a draft can be published"):
        do_publish_rule(second, by=owner, review_by=NEXT_YEAR)


@pytest.mark.parametrize(("changes", "error"), [
    ({"applies": "person.age >= 18 and person.shoe_size > 9"},
     "applies: unknown fact 'person.shoe_size' at character 22"),
    ({"likely_eligible": "person.age >="},
     "likely_eligible: expected a fact, a number, \"text\", true or false, found the end of "
     "the rule at character 14"),
    ({"likely_eligible": "receives_service(530)"},
     "likely_eligible: unknown fact 'receives_service' at character 1"),
    ({"applies": "person.receives_service(999999)"},
     "receives_service(999999): LGSL 999999 is not in the service catalogue"),
    ({"scope": "street"}, "scope: must be person or household, not 'street'"),
    ({"eligible_reason": " "}, "eligible_reason: write the reason in plain English"),
    ({"lgsl": 530}, "lgsl: the rule is for LGSL 530, not 279"),
])
def test_a_rule_that_does_not_parse_or_names_an_unknown_fact_is_refused_on_save(changes,
                                                                                error):
    owner = a_staff_member(Role.SERVICE_OWNER)
    with pytest.raises(RuleInvalid) as refused:
        do_save_rule_draft(Service.objects.get(lgsl=279), blue_badge(**changes), by=owner)
    assert error in str(refused.value)
    assert not RuleVersion.objects.exists()


def test_only_service_owners_edit_rules_and_each_keeps_their_own():
    badge = Service.objects.get(lgsl=279)
    with pytest.raises(RuleStateError, match="only service owners and administrators"):
        do_save_rule_draft(badge, blue_badge(), by=an_adviser())
    keeper = a_staff_member(Role.SERVICE_OWNER)
    do_save_rule_draft(badge, blue_badge(), by=keeper)
    with pytest.raises(RuleStateError, match="is kept by"):
        do_save_rule_draft(badge, blue_badge(), by=a_staff_member(Role.SERVICE_OWNER))


def test_an_overdue_review_is_flagged_and_listed_for_the_rules_owner():
    do_load_shipped_rules()
    version = Rule.objects.get(service__lgsl=58).published
    assert not version.is_review_overdue(timezone.localdate())
    late = version.review_by + dt.timedelta(days=1)
    assert version.is_review_overdue(late)
    assert len(overdue_rule_reviews(late)) == 6
    assert overdue_rule_reviews(timezone.localdate()) == []
    owner = a_staff_member(Role.SERVICE_OWNER)
    assert overdue_rule_reviews(late, owner=owner) == []


def test_load_rules_stops_with_a_clear_message_when_the_catalogue_lacks_a_service(tmp_path):
    path = tmp_path / "rules.json"
    path.write_text(json.dumps([blue_badge(lgsl=999999)]))
    with pytest.raises(RuleInvalid, match="LGSL 999999 is not in the service catalogue"):
        do_load_shipped_rules(path)
    with pytest.raises(CommandError):
        call_command("screen")


def test_the_shipped_rules_are_given_to_a_service_owner_who_then_keeps_them(rules):
    owner = a_staff_member(Role.SERVICE_OWNER)
    assert do_give_unowned_rules_to(owner) == 6
    assert set(Rule.objects.values_list("owner", flat=True)) == {owner.pk}
    assert do_give_unowned_rules_to(owner) == 0  # nobody else's rules are taken
    with pytest.raises(RuleStateError, match="is not a service owner"):
        do_give_unowned_rules_to(an_adviser())
