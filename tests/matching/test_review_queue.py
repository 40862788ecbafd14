"""Team leaders work the clerical review queue: uncertain pairs, most likely first, each
shown side by side with why linkage was unsure, and decided as same or different."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from onestop.core.models import RecordAccess
from onestop.matching.actions import do_decide_pair
from onestop.matching.models import RecordPair, ReviewDecision, SourceRecord
from onestop.matching.queries import (
    explanation_rows,
    review_queue,
    side_by_side,
    weight_in_words,
)
from onestop.people.models import Person
from onestop.staff.models import Role
from tests.matching.factories import a_linkage_run, a_pair, a_source_record
from tests.personas import (
    BABERGH,
    MID_SUFFOLK,
    a_resident,
    a_staff_member,
    a_team_leader,
    an_adviser,
)

pytestmark = pytest.mark.django_db


def a_review_pair(probability: float = 0.7, *, left: dict | None = None,
                  right: dict | None = None, district: str = MID_SUFFOLK) -> RecordPair:
    """Two records, each its own Mid Suffolk resident, scored into the review band."""
    first = a_source_record("council_tax", person=a_resident(district), **(left or {}))
    second = a_source_record("benefits", person=a_resident(district), **(right or {}))
    return a_pair(first, second, probability=probability)


def url(pair: RecordPair) -> str:
    return f"/identity-review/{pair.left_id}-{pair.right_id}/"


def table_rows(html: str) -> list[str]:
    return re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', html, re.S)


def table(html: str, caption: str) -> str:
    [found] = [t for t in re.findall(r"<table.*?</table>", html, re.S) if caption in t]
    return found


def row_for(html: str, label: str) -> str:
    """The one table row whose first cell starts with `label`."""
    [row] = [row for row in table_rows(html)
             if re.match(rf"\s*<t[hd][^>]*>{re.escape(label)}\b", row)]
    return row


# --- the queue ------------------------------------------------------------------------------


def test_the_queue_lists_only_undecided_review_pairs_most_probable_first():
    leader = a_team_leader()
    likely = a_review_pair(0.85)
    unlikely = a_review_pair(0.55)
    middling = a_review_pair(0.7)
    a_pair(a_source_record(), a_source_record("benefits"), probability=0.97, band="link")
    decided = a_review_pair(0.9)
    do_decide_pair(left_id=decided.left_id, right_id=decided.right_id, verdict="different",
                   user=leader)
    assert list(review_queue(leader)) == [likely, middling, unlikely]


def test_the_queue_page_shows_both_names_their_systems_and_the_probability(client):
    pair = a_review_pair(0.8234, left={"given_name": "margaret", "family_name": "okafor"},
                         right={"given_name": "maggie", "family_name": "okafor"})
    a_review_pair(0.6, left={"given_name": "john", "family_name": "smith"})
    client.force_login(a_team_leader())
    response = client.get("/identity-review/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 pairs to review" in html
    first, second = table_rows(html)[1:]
    assert "Margaret Okafor" in first and "Maggie Okafor" in first
    assert "Council tax" in first and "Benefits and awards" in first
    assert "82.3%" in first
    assert "John Smith" in second
    assert f'href="{url(pair)}"' in first


def test_the_queue_is_paginated_fifty_pairs_at_a_time(client):
    run = a_linkage_run()
    for n in range(51):
        a_pair(a_source_record(), a_source_record("benefits"), probability=0.8 - n / 1000,
               run=run)
    client.force_login(a_team_leader())
    first_page = client.get("/identity-review/").content.decode()
    assert "51 pairs to review" in first_page
    assert len(table_rows(first_page)) == 1 + 50
    assert "Page 1 of 2" in first_page
    second_page = client.get("/identity-review/", {"page": 2}).content.decode()
    assert len(table_rows(second_page)) == 1 + 1
    assert "75.0%" in second_page


def test_team_leaders_and_administrators_see_identity_review_in_the_menu(client):
    client.force_login(a_team_leader())
    assert "Identity review" in client.get("/identity-review/").content.decode()
    client.force_login(a_staff_member(Role.ADMINISTRATOR))
    assert client.get("/identity-review/").status_code == 200
    client.force_login(an_adviser())
    assert "Identity review" not in client.get("/").content.decode()


def test_an_adviser_gets_403_on_the_queue_and_the_pair_and_cannot_decide(client):
    pair = a_review_pair()
    client.force_login(an_adviser())
    assert client.get("/identity-review/").status_code == 403
    assert client.get(url(pair)).status_code == 403
    assert client.post(url(pair), {"verdict": "same"}).status_code == 403
    assert not ReviewDecision.objects.exists()
    # Nothing was shown, and each refusal of the pair is in the access log.
    assert not RecordAccess.objects.filter(granted=True).exists()
    assert RecordAccess.objects.filter(granted=False, subject=f"pair {pair.left_id}-"
                                       f"{pair.right_id}").count() == 2


def test_a_team_leader_for_babergh_only_is_not_offered_mid_suffolk_pairs_and_is_refused_them(
        client):
    pair = a_review_pair(district=MID_SUFFOLK)
    leader = a_team_leader(acts_for=(BABERGH,))
    assert list(review_queue(leader)) == []
    client.force_login(leader)
    assert client.get(url(pair)).status_code == 403
    refused = RecordAccess.objects.filter(user=leader, granted=False, purpose="identity review")
    assert refused.exists()


# --- one pair -------------------------------------------------------------------------------


def test_the_pair_page_shows_both_records_and_marks_the_values_that_differ(client):
    pair = a_review_pair(
        left={"date_of_birth": dt.date(1958, 3, 14), "national_insurance_number": "AB123456C",
              "uprn": 200000000777, "attributes": {"band": "C"}},
        right={"date_of_birth": dt.date(1958, 4, 14), "national_insurance_number": "",
               "email": "m.okafor@example.org", "attributes": {"benefits": ["housing"]}})
    client.force_login(a_team_leader())
    html = table(client.get(url(pair)).content.decode(), "side by side")
    dob = row_for(html, "Date of birth")
    assert "Differs" in dob
    assert "14 March 1958" in dob and "14 April 1958" in dob
    name = row_for(html, "Name")
    assert "Differs" not in name and "Margaret Okafor" in name
    # A value only one record gives is no evidence either way: shown, not marked.
    nino = row_for(html, "National Insurance number")
    assert "AB123456C" in nino and "Not given" in nino and "Differs" not in nino
    assert "200000000777" in row_for(html, "UPRN")
    assert "m.okafor@example.org" in row_for(html, "Email")
    assert "C" in row_for(html, "Band") and "housing" in row_for(html, "Benefits")
    left, right = SourceRecord.objects.get(pk=pair.left_id), SourceRecord.objects.get(
        pk=pair.right_id)
    system = row_for(html, "System")
    assert "Council tax" in system and "Benefits and awards" in system
    assert left.reference in row_for(html, "Reference")
    assert right.reference in row_for(html, "Reference")
    assert "Last seen" in html and "Differs" not in row_for(html, "Last seen")


def test_the_pair_page_explains_each_comparison_with_its_weight_in_words(client):
    pair = a_review_pair(0.8)
    client.force_login(a_team_leader())
    html = client.get(url(pair)).content.decode()
    why = table(html, "Why linkage was unsure")
    given = row_for(why, "Given name")
    assert "Nicknames of one name" in given and "+3.70, towards the same person" in given
    assert "\u22126.20, towards different people" in row_for(why, "Date of birth")
    assert "Total match weight" in html and "+2.00, towards the same person" in html
    assert "80.0%" in html


def test_a_team_leader_opening_a_pair_is_logged_as_record_access_for_both_residents(client):
    pair = a_review_pair()
    leader = a_team_leader()
    client.force_login(leader)
    client.get(url(pair))
    logged = RecordAccess.objects.filter(user=leader, granted=True, purpose="identity review")
    people = {pair.left.person_id, pair.right.person_id}
    assert set(logged.values_list("person_id", flat=True)) == people
    assert logged.count() == 2


def test_a_team_leader_decides_different_and_the_pair_leaves_the_queue(client):
    pair = a_review_pair(0.8)
    following = a_review_pair(0.6)
    leader = a_team_leader()
    client.force_login(leader)
    response = client.post(url(pair), {"verdict": "different", "note": "Twins, per CT team"})
    assert response.status_code == 302
    assert response["Location"] == url(following)
    decision = ReviewDecision.objects.get(left_id=pair.left_id, right_id=pair.right_id)
    assert (decision.verdict, decision.decided_by, decision.note) == (
        "different", leader, "Twins, per CT team")
    assert list(review_queue(leader)) == [following]
    html = client.get("/identity-review/").content.decode()
    assert url(pair) not in html and "1 pair to review" in html


def test_deciding_same_merges_the_two_residents_and_the_last_pair_returns_to_the_queue(client):
    pair = a_review_pair()
    left_person, right_person = pair.left.person_id, pair.right.person_id
    client.force_login(a_team_leader())
    response = client.post(url(pair), {"verdict": "same"})
    assert response.status_code == 302
    assert response["Location"] == "/identity-review/"
    owners = set(SourceRecord.objects.filter(pk__in=[pair.left_id, pair.right_id])
                 .values_list("person_id", flat=True))
    assert owners == {min(left_person, right_person)}
    assert not Person.objects.filter(pk=max(left_person, right_person)).exists()
    queue = client.get("/identity-review/").content.decode()
    assert "There are no pairs waiting for review" in queue


def test_an_existing_decision_is_shown_and_can_be_changed(client):
    pair = a_review_pair()
    leader = a_team_leader(username="rosa")
    do_decide_pair(left_id=pair.left_id, right_id=pair.right_id, verdict="different",
                   user=leader, note="Different NI numbers on paper")
    client.force_login(leader)
    html = client.get(url(pair)).content.decode()
    assert "Already decided" in html and "Different people" in html
    assert "Different NI numbers on paper" in html
    assert re.search(r'value="different" checked', html)
    client.post(url(pair), {"verdict": "same", "note": "Checked with benefits"})
    decision = ReviewDecision.objects.get(left_id=pair.left_id, right_id=pair.right_id)
    assert (decision.verdict, decision.note) == ("same", "Checked with benefits")


def test_posting_without_a_verdict_shows_the_error_and_records_nothing(client):
    pair = a_review_pair()
    client.force_login(a_team_leader())
    response = client.post(url(pair), {"note": "not sure"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Select whether these records are the same person" in html
    assert not ReviewDecision.objects.exists()


def test_a_pair_given_right_to_left_redirects_and_an_unknown_pair_is_404(client):
    pair = a_review_pair()
    client.force_login(a_team_leader())
    reversed_url = f"/identity-review/{pair.right_id}-{pair.left_id}/"
    assert client.get(reversed_url)["Location"] == url(pair)
    assert client.get(f"/identity-review/{pair.right_id + 100}-{pair.right_id + 101}/"
                      ).status_code == 404


# --- the comparison itself -----------------------------------------------------------------


def test_side_by_side_marks_only_values_both_records_give_differently():
    seen_left = a_source_record(given_name="margaret", postcode="IP14 1AB", phone="")
    seen_right = a_source_record("electoral_register", given_name="maggie",
                                 postcode="IP14 1AB", phone="+447700900123")
    rows = {row.label: row for row in side_by_side(seen_left, seen_right)}
    assert rows["Name"].differs
    assert not rows["Postcode"].differs
    assert not rows["Phone"].differs and rows["Phone"].left == "Not given"
    assert (rows["System"].left, rows["System"].right) == ("Council tax accounts",
                                                           "Electoral register")


def test_an_unknown_system_is_shown_by_its_own_name():
    own = a_source_record("bus_passes")
    rows = {row.label: row for row in side_by_side(own, a_source_record())}
    assert rows["System"].left == "bus_passes"


def test_weights_are_said_in_words_and_the_starting_point_makes_up_the_total():
    assert weight_in_words(1.5) == "+1.50, towards the same person"
    assert weight_in_words(-2) == "\u22122.00, towards different people"
    assert weight_in_words(0) == "0.00, neither way"
    pair = a_pair(a_source_record(), a_source_record("benefits"), probability=0.8)
    rows = explanation_rows(pair)
    assert rows[-1].comparison == "Starting point"
    assert round(sum(row.weight for row in rows), 2) == pair.match_weight


def test_a_pair_held_apart_above_the_link_threshold_says_why_it_was_not_linked(client):
    held = a_review_pair(0.97)
    client.force_login(a_team_leader())
    page = client.get(url(held)).content.decode()
    assert "scored above the link threshold (0.9) but was not linked" in page
    uncertain = a_review_pair(0.7)
    assert "but was not linked" not in client.get(url(uncertain)).content.decode()
