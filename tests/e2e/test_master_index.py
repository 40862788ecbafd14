"""The master index in a real browser: an adviser sees a resident made of the records of
several back-office systems; a team leader works the clerical review queue; an adviser is
kept out of it. Every page visited passes axe-core with no serious or critical violation.

The demo's linkage model changes as it is tuned, so the tests never name a resident or a
pair: they read the demo database (`DemoServer.shell`) for one that has what the test
needs, and take the reviewer's verdicts from the demo's ground truth, so a decision made
here is the one a careful reviewer would make.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_adviser_desktop import ADVISER_CARD, ADVISER_PIN, Visit, sign_in

pytestmark = pytest.mark.browser

TEAM_LEADER, TEAM_LEADER_PASSWORD, TEAM_LEADER_NAME = "team-leader", "onestop-demo", "Helen Marsh"
QUEUE_PAGE_SIZE = 50  # onestop.matching.views.PAGE_SIZE: only the first page is listed
MARK = "demo-data: "

# A resident whose records come from three or more systems: one whose records disagree on
# something if there is one (so the conflicts table is shown), with a date of birth (the
# adviser searches by name and date of birth), then the most systems.
RESIDENT_OF_THREE_SYSTEMS = """
import json
from django.db.models import Count
from django.utils import dateformat, timezone
from onestop.matching.queries import conflicting_values, source_title
from onestop.people.queries import person_records

people = person_records().annotate(
    systems=Count("source_records__source", distinct=True)).filter(systems__gte=3)
found = []
for person in people:
    records = list(person.source_records.all())
    found.append((not conflicting_values(records), person.date_of_birth is None,
                  -person.systems, person.pk, person, records))
if found:
    *_, person, records = min(found, key=lambda entry: entry[:4])
    home = person.household.property if person.household else None
    print(MARK + json.dumps({
        "id": person.pk, "name": person.full_name,
        "date_of_birth": person.date_of_birth and person.date_of_birth.isoformat(),
        "postcode": home.postcode if home else "",
        "records": sorted([
            source_title(r.source), r.reference,
            # The day the council saw the record, in the council's time zone.
            dateformat.format(timezone.localdate(r.last_seen.started_at), "j M Y"),
            "Retired" if r.retired_at else "Current"] for r in records),
        "conflicts": [[c.label, [[value, ", ".join(systems)] for value, systems in c.values]]
                      for c in conflicting_values(records)],
    }))
else:
    print(MARK + "null")
"""

# The first page of the team leader's queue, and from it the first pair the ground truth
# says is two people and the first it says is one, each with values that differ.
REVIEW_PAIRS = """
import csv, json
from onestop.matching import queries
from onestop.staff.models import User

with open(GROUND_TRUTH, newline="") as file:
    truth = {(row["source"], row["source_record_id"]): row["resident"]
             for row in csv.DictReader(file)}
leader = User.objects.get(username=TEAM_LEADER)
queue = queries.review_queue(leader)
first_page = list(queue.values_list("pk", flat=True)[:PAGE_SIZE])
pairs = queries.pair_for_review().in_bulk(first_page)
chosen = {}
for pair in (pairs[pk] for pk in first_page):
    compared = queries.side_by_side(pair.left, pair.right)
    same = truth[(pair.left.source, pair.left.reference)] == truth[
        (pair.right.source, pair.right.reference)]
    verdict = "same" if same else "different"
    if verdict in chosen or not any(row.differs for row in compared):
        continue
    chosen[verdict] = {
        "url": f"/identity-review/{pair.left_id}-{pair.right_id}/", "verdict": verdict,
        "references": [pair.left.reference, pair.right.reference],
        "systems": [queries.source_title(pair.left.source),
                    queries.source_title(pair.right.source)],
        "people": [pair.left.person_id, pair.right.person_id],
        "compared": [[row.label, row.left, row.right, row.differs] for row in compared],
        "explanation": [[row.comparison, row.found, row.in_words]
                        for row in queries.explanation_rows(pair)],
        "total": queries.weight_in_words(pair.match_weight),
        "probability": f"{pair.match_probability:.1%}",
    }
print(MARK + json.dumps({"count": queue.count(), "pairs": list(chosen.values())}))
"""


def demo_data(demo_server, code: str, **names):
    """Run `code` in the demo's shell with `names` bound; return what it printed after
    MARK, as JSON."""
    bindings = "".join(f"{name} = {value!r}\n" for name, value in
                       {"MARK": MARK, **names}.items())
    out = demo_server.shell(bindings + code)
    [line] = [line for line in out.splitlines() if line.startswith(MARK)]
    return json.loads(line.removeprefix(MARK))


def table_with_caption(page, caption: str):
    return page.locator("table").filter(has=page.locator("caption", has_text=caption))


def cell_texts(table) -> list[list[str]]:
    """The text of each body row's cells (header cells too), row by row."""
    return table.locator("tbody tr").evaluate_all(
        "rows => rows.map(row => [...row.cells].map(cell => cell.innerText.trim()))")


def sign_in_as_team_leader(page, visit: Visit) -> None:
    """As a team leader would: from the card sign-in page to the password one."""
    page.get_by_role("link", name="Sign in with a username and password").click()
    visit.check()
    page.get_by_label("Username").fill(TEAM_LEADER)
    page.get_by_label("Password").fill(TEAM_LEADER_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Find a resident")).to_be_visible()
    visit.check()


# --- the single citizen view --------------------------------------------------------------


def test_an_adviser_finds_a_resident_and_sees_their_records_from_three_systems(
        demo_server, page):
    resident = demo_data(demo_server, RESIDENT_OF_THREE_SYSTEMS)
    assert resident, "no person in the 400-person demo has records of three systems"
    visit = Visit(page)
    page.goto(demo_server.url + "/sign-in/")
    sign_in(page, visit, ADVISER_CARD, ADVISER_PIN)
    expect(page.get_by_role("heading", name="Find a resident")).to_be_visible()
    visit.check()

    # The caller gives their name and date of birth (or postcode, if no system knows it).
    page.get_by_label("Name", exact=True).fill(resident["name"])
    if resident["date_of_birth"]:
        year, month, day = resident["date_of_birth"].split("-")
        page.get_by_label("Day").fill(str(int(day)))
        page.get_by_label("Month").fill(str(int(month)))
        page.get_by_label("Year").fill(year)
    else:
        page.get_by_label("Postcode").fill(resident["postcode"])
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name=re.compile(r"\d+ residents? found"))).to_be_visible()
    visit.check()
    found = page.locator(f'table.govuk-table tbody a[href="/people/{resident["id"]}/"]')
    expect(found, "the search by name and date of birth did not list the resident"
           ).to_have_count(1)
    found.click()

    expect(page.get_by_role("heading", name=resident["name"], exact=True)).to_be_visible()
    expect(page.get_by_text(f"Resident {resident['id']}", exact=True)).to_be_visible()
    records = table_with_caption(page, "Records in back-office systems")
    expect(records.locator("thead")).to_have_text(re.compile(
        r"System\s+Reference\s+Last seen\s+Status"))
    listed = cell_texts(records)
    assert sorted(listed) == resident["records"]
    assert len({system for system, *_ in listed}) >= 3, listed

    conflicts = table_with_caption(page, "Conflicting values")
    if resident["conflicts"]:
        shown = conflicts.locator("tbody").evaluate_all(
            """groups => groups.map(group => [
                 group.querySelector("th").innerText.trim(),
                 [...group.rows].map(row => [...row.querySelectorAll("td")]
                                             .map(cell => cell.innerText.trim()))])""")
        assert shown == resident["conflicts"]
        # Every value is given by systems the resident's records come from.
        systems = {system for system, *_ in listed}
        for _label, values in shown:
            assert len(values) >= 2
            assert all(set(given_by.split(", ")) <= systems for _value, given_by in values)
    else:
        expect(conflicts).to_have_count(0)
        expect(page.get_by_text("The current records agree")).to_be_visible()
    visit.check()


# --- clerical review ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def review(demo_server):
    """The queue as linkage left it: its size and the pairs the tests decide."""
    found = demo_data(demo_server, REVIEW_PAIRS, TEAM_LEADER=TEAM_LEADER,
                      PAGE_SIZE=QUEUE_PAGE_SIZE,
                      GROUND_TRUTH=str(demo_server.extracts_dir / "ground_truth.csv"))
    # Linkage of the demo's extracts (typos, nicknames, household members who share an
    # address and a surname) leaves uncertain pairs; an empty queue means the model or
    # its thresholds changed so that nothing is uncertain any more, and the demo no
    # longer shows what clerical review is for.
    assert found["count"] > 0, "the 400-person demo put no pair in clerical review"
    assert found["pairs"], "no pair on the first page of the queue has values that differ"
    return found


def test_an_adviser_is_refused_the_identity_review_queue(demo_server, review, page):
    visit = Visit(page)
    page.goto(demo_server.url + "/sign-in/")
    sign_in(page, visit, ADVISER_CARD, ADVISER_PIN)
    expect(page.get_by_role("heading", name="Find a resident")).to_be_visible()
    expect(page.get_by_role("link", name="Identity review", exact=True)).to_have_count(0)
    visit.check()
    for url in ("/identity-review/", review["pairs"][0]["url"]):
        response = page.goto(demo_server.url + url)
        assert response.status == 403, url
        expect(page.get_by_role("heading", name="You cannot see this page")).to_be_visible()
        expect(page.get_by_text("Are these the same person?")).to_have_count(0)
        visit.check()


def queue_caption(count: int) -> str:
    return f"{count} pair{'' if count == 1 else 's'} to review, most likely match first"


def check_pair_page(page, pair) -> None:
    """Both records side by side, differing values marked in words and bold, and the
    weight of each comparison."""
    left, right = pair["references"]
    expect(page.get_by_role("heading", name="Are these the same person?")).to_be_visible()
    expect(page.get_by_text(f"Records {left} and {right}")).to_be_visible()
    side_by_side = table_with_caption(page, "The two records side by side")
    expect(side_by_side.locator("thead th")).to_have_text(["Detail", *pair["systems"]])
    rows = side_by_side.locator("tbody tr")
    expect(rows).to_have_count(len(pair["compared"]))
    for index, (label, left_value, right_value, differs) in enumerate(pair["compared"]):
        row = rows.nth(index)
        header = row.locator("th")
        values = row.locator("td")
        expect(values).to_have_text([left_value, right_value])
        if differs:
            expect(header).to_have_text(f"{label} Differs")
            expect(header.locator(".govuk-tag")).to_have_text("Differs")
            # Bold, not colour alone: each whole value is in <strong>.
            expect(values.locator("strong")).to_have_text([left_value, right_value])
        else:
            expect(header).to_have_text(label)
            expect(values.locator("strong")).to_have_count(0)

    explanation = table_with_caption(page, "Why linkage was unsure")
    expect(explanation.locator("thead th")).to_have_text(
        ["Comparison", "What was found", "Match weight"])
    assert cell_texts(explanation) == pair["explanation"]
    assert pair["explanation"][-1][0] == "Starting point"
    for *_, weight in pair["explanation"]:
        assert re.fullmatch(r"[+\u2212]\d+\.\d\d, towards (the same person|different people)"
                            r"|0\.00, neither way", weight), weight
    summary = page.locator(".govuk-summary-list")
    expect(summary.get_by_text("Total match weight").locator("xpath=..")).to_contain_text(
        pair["total"])
    expect(summary.get_by_text("Match probability").locator("xpath=..")).to_contain_text(
        pair["probability"])


def test_a_team_leader_reviews_pairs_and_the_queue_follows_their_decisions(
        demo_server, review, page):
    visit = Visit(page)
    page.goto(demo_server.url + "/identity-review/")
    expect(page).to_have_url(re.compile(r"/sign-in/\?next=/identity-review/"))
    visit.check()
    sign_in_as_team_leader(page, visit)
    page.get_by_role("link", name="Identity review", exact=True).click()
    expect(page.get_by_role("heading", name="Identity review")).to_be_visible()
    waiting = review["count"]
    expect(page.locator("caption")).to_have_text(queue_caption(waiting))
    visit.check()

    # "Different" first: it changes no resident until the next linkage run, so the pair
    # decided "same" afterwards is still made of the residents the demo built.
    for pair in sorted(review["pairs"], key=lambda pair: pair["verdict"] == "same"):
        left, right = pair["references"]
        link = page.locator(f'a[href="{pair["url"]}"]')
        row = page.get_by_role("row").filter(has=link)
        for system, reference in zip(pair["systems"], pair["references"], strict=True):
            expect(row).to_contain_text(f"{system} {reference}")
        expect(row).to_contain_text(pair["probability"])
        link.click()
        check_pair_page(page, pair)
        visit.check()

        if pair is review["pairs"][0]:  # saving with no verdict says what is missing
            page.get_by_role("button", name="Save decision").click()
            expect(page.locator(".govuk-error-summary")).to_contain_text(
                "Select whether these records are the same person")
            expect(page.locator(".govuk-error-summary a")).to_have_attribute(
                "href", "#id_verdict")
            expect(page.get_by_role("heading", name="Are these the same person?")
                   ).to_be_visible()
            visit.check()

        shown = {"same": "Same person", "different": "Different people"}[pair["verdict"]]
        page.get_by_label(shown, exact=True).check()
        page.get_by_label("Note (optional)").fill(f"{shown}: checked against the ground "
                                                  "truth of the demo extracts.")
        page.get_by_role("button", name="Save decision").click()
        expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
            f"Records {left} and {right}: {shown.lower()}")
        # On to the next pair, which is never the one just decided.
        assert not page.url.endswith(pair["url"])
        visit.check()

        page.get_by_role("link", name="Identity review", exact=True).click()
        waiting -= 1
        if waiting:
            expect(page.locator("caption")).to_have_text(queue_caption(waiting))
        else:
            expect(page.get_by_text("There are no pairs waiting for review.")).to_be_visible()
        expect(page.locator(f'a[href="{pair["url"]}"]')).to_have_count(0)
        visit.check()

        # The decided pair still opens, saying what was decided and by whom.
        page.goto(demo_server.url + pair["url"])
        expect(page.locator(".govuk-inset-text")).to_contain_text(
            f"Already decided: {shown}, by {TEAM_LEADER_NAME}")
        expect(page.get_by_label(shown, exact=True)).to_be_checked()
        expect(page.get_by_role("button", name="Change decision")).to_be_visible()
        visit.check()

        first, second = pair["people"]
        if pair["verdict"] == "same" and first and second and first != second:
            # "Same" joins the two residents now: the one kept lists both records.
            kept, absorbed = sorted((first, second))
            page.goto(f"{demo_server.url}/people/{kept}/")
            references = table_with_caption(page, "Records in back-office systems")
            expect(references).to_contain_text(left)
            expect(references).to_contain_text(right)
            visit.check()
            response = page.goto(f"{demo_server.url}/people/{absorbed}/")
            assert response.status == 404
            visit.check()
        page.goto(demo_server.url + "/identity-review/")
        visit.check()
