"""Service owners keep their scripts: drafts edited as JSON, previewed, published, reviewed."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from onestop.catalogue.models import Service
from onestop.contacts.models import Contact, WorkSession
from onestop.dialogues.actions import (
    DialogueStateError,
    do_give_unowned_dialogues_to,
    do_load_shipped_dialogues,
    do_publish,
    do_save_draft,
)
from onestop.dialogues.models import Dialogue, DialogueVersion
from onestop.dialogues.validation import DialogueInvalid, parse
from onestop.dialogues.views import starter_document
from onestop.staff.models import Role
from onestop.staff.roles import grant_role_permissions
from tests.dialogue_steps import post_step
from tests.personas import a_property, a_staff_member, an_adviser

pytestmark = pytest.mark.django_db

MISSED_BIN = 524


def a_service_owner(**extra):
    return a_staff_member(Role.SERVICE_OWNER, password="correct horse battery", **extra)


def an_administrator():
    return a_staff_member(Role.ADMINISTRATOR)


def a_script(lgsl: int = MISSED_BIN, *, title: str = "Report a missed bin") -> dict:
    """A small valid script: one yes/no question, two outcomes."""
    return {
        "format": 1, "lgsl": lgsl, "title": title, "channels": ["adviser"],
        "start": "ask",
        "pages": [{"id": "ask", "title": "Was the bin out by 7am?",
                   "guidance": "Bins must be at the kerbside by 7am.",
                   "questions": [{"id": "out_by_7", "type": "yes_no",
                                  "label": "Was the bin out by 7am?"}],
                   "next": [{"when": {"fact": "out_by_7", "equals": False},
                             "outcome": "not_out"},
                            {"outcome": "go_back"}]}],
        "outcomes": [
            {"id": "not_out", "type": "resolved", "title": "Bin not presented"},
            {"id": "go_back", "type": "service_request", "title": "Crew to return",
             "sla_working_days": 2},
        ],
    }


def service(lgsl: int) -> Service:
    return Service.objects.get(lgsl=lgsl)


def unscripted() -> Service:
    """A catalogue service with no script yet (the shipped ones may have been loaded)."""
    return Service.objects.filter(dialogue__isnull=True).order_by("lgsl").first()


def a_year_on() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=365)


def date_fields(day: dt.date) -> dict:
    return {"review_by-day": str(day.day), "review_by-month": str(day.month),
            "review_by-year": str(day.year)}


# --- drafts --------------------------------------------------------------------------------

def test_a_service_owner_saves_a_valid_draft_with_a_change_note(client):
    owner = a_service_owner()
    client.force_login(owner)
    lgsl = unscripted().lgsl
    response = client.post(f"/dialogues/{lgsl}/draft/", {
        "document": json.dumps(a_script(lgsl)), "change_note": "First version",
        "action": "save"})
    assert response.status_code == 302
    assert response["Location"] == f"/dialogues/{lgsl}/"
    draft = DialogueVersion.objects.get(dialogue__service__lgsl=lgsl)
    assert (draft.number, draft.status, draft.change_note) == (1, "draft", "First version")
    assert draft.document == a_script(lgsl)
    assert draft.dialogue.owner == owner
    page = client.get(response["Location"]).content.decode()
    assert "Draft version 1 of the" in page
    assert "Edit draft version 1" in page


def test_saving_again_updates_the_open_draft_rather_than_adding_a_version(client):
    client.force_login(a_service_owner())
    lgsl = unscripted().lgsl
    url = f"/dialogues/{lgsl}/draft/"
    client.post(url, {"document": json.dumps(a_script(lgsl)), "change_note": "one"})
    client.post(url, {"document": json.dumps(a_script(lgsl, title="Missed bins")),
                      "change_note": "two"})
    draft = DialogueVersion.objects.get(dialogue__service__lgsl=lgsl)
    assert (draft.document["title"], draft.change_note) == ("Missed bins", "two")
    editor = client.get(url).content.decode()
    assert "Edit draft version 1" in editor
    assert "Missed bins" in editor


def test_an_invalid_draft_is_refused_with_every_message_and_nothing_saved(client):
    do_load_shipped_dialogues()
    versions = DialogueVersion.objects.count()
    client.force_login(a_service_owner())
    script = a_script()
    script["pages"][0]["next"] = [{"goto": "nowhere"}]
    script["outcomes"][0]["type"] = "teleport"
    response = client.post(f"/dialogues/{MISSED_BIN}/draft/",
                           {"document": json.dumps(script), "change_note": "broken"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "outcomes[0].type" in html  # the schema names where
    assert html.count('<a href="#id_document">') >= 1
    assert "broken" in html  # what was typed is kept
    assert DialogueVersion.objects.count() == versions
    cross_checked = a_script()
    cross_checked["pages"][0]["next"] = [{"goto": "nowhere"}]
    html = client.post(f"/dialogues/{MISSED_BIN}/draft/",
                       {"document": json.dumps(cross_checked)}).content.decode()
    assert "page ask: goes to unknown page &#x27;nowhere&#x27;" in html
    assert "outcome not_out: no page leads to it" in html
    assert "outcome go_back: no page leads to it" in html
    assert DialogueVersion.objects.count() == versions
    unknown = unscripted()
    client.post(f"/dialogues/{unknown.lgsl}/draft/", {"document": "[]"})
    assert not Dialogue.objects.filter(service=unknown).exists()


def test_text_that_is_not_json_or_is_for_another_service_is_refused(client):
    do_load_shipped_dialogues()
    versions = DialogueVersion.objects.count()
    client.force_login(a_service_owner())
    url = f"/dialogues/{MISSED_BIN}/draft/"
    not_json = client.post(url, {"document": "{\"format\": 1,"})
    assert not_json.status_code == 400
    assert "not valid JSON" in not_json.content.decode()
    other = client.post(url, {"document": json.dumps(a_script(530))})
    assert other.status_code == 400
    assert "the document is for LGSL 530, not 524" in other.content.decode()
    assert DialogueVersion.objects.count() == versions


@pytest.mark.parametrize("brackets", ["[", "{\"a\": "])
def test_a_script_of_50000_nested_brackets_is_refused_on_its_field(client, brackets):
    do_load_shipped_dialogues()
    versions = DialogueVersion.objects.count()
    client.force_login(a_service_owner())
    closing = "]" if brackets == "[" else "}"
    response = client.post(f"/dialogues/{MISSED_BIN}/draft/", {
        "document": brackets * 50_000 + "1" + closing * 50_000, "change_note": "deep"})
    assert response.status_code == 400
    html = response.content.decode()
    assert '<a href="#id_document">' in html
    assert "nests arrays and objects more than 40 levels deep" in html
    assert DialogueVersion.objects.count() == versions


def test_a_script_whose_conditions_nest_too_deeply_is_refused_by_the_action():
    script = a_script()
    condition = {"fact": "out_by_7", "equals": False}
    for _ in range(1_000):
        condition = {"not": condition}
    script["pages"][0]["next"][0]["when"] = condition
    versions = DialogueVersion.objects.count()
    with pytest.raises(DialogueInvalid, match="more than 40 levels deep"):
        do_save_draft(service(MISSED_BIN), script, by=a_service_owner())
    assert DialogueVersion.objects.count() == versions


def test_a_service_without_a_script_starts_from_a_template_that_saves_as_is(client):
    client.force_login(a_service_owner())
    new = unscripted()
    assert client.get(f"/dialogues/new/?lgsl={new.lgsl}")["Location"] == \
        f"/dialogues/{new.lgsl}/draft/"
    detail = client.get(f"/dialogues/{new.lgsl}/").content.decode()
    assert "Start from a template" in detail
    editor = client.get(f"/dialogues/{new.lgsl}/draft/")
    assert editor.status_code == 200
    assert "New script from a template" in editor.content.decode()
    template = editor.context["form"].initial["document"]
    assert json.loads(template) == starter_document(new)
    assert parse(template).lgsl == new.lgsl
    saved = client.post(f"/dialogues/{new.lgsl}/draft/",
                        {"document": template, "action": "preview"})
    assert saved["Location"] == f"/dialogues/{new.lgsl}/versions/1/preview/"
    assert "What does the resident need?" in client.get(saved["Location"]).content.decode()
    assert DialogueVersion.objects.get(dialogue__service=new).status == "draft"


def test_starting_a_script_for_an_unknown_service_says_so(client):
    client.force_login(a_service_owner())
    response = client.get("/dialogues/new/?lgsl=99999")
    assert response.status_code == 400
    assert "LGSL 99999 is not in the service catalogue" in response.content.decode()


def test_the_editor_starts_a_new_draft_from_the_published_script(client):
    do_load_shipped_dialogues()
    client.force_login(a_service_owner())
    editor = client.get(f"/dialogues/{MISSED_BIN}/draft/")
    published = Dialogue.objects.get(service__lgsl=MISSED_BIN).published
    assert json.loads(editor.context["form"].initial["document"]) == published.document
    assert f"New draft from version {published.number}" in editor.content.decode()


# --- preview -------------------------------------------------------------------------------

def test_preview_walks_a_shipped_script_to_its_outcome_and_records_nothing(client):
    do_load_shipped_dialogues()
    home = a_property(postcode="IP14 1AB")
    client.force_login(a_service_owner())
    version = Dialogue.objects.get(service__lgsl=MISSED_BIN).published
    url = f"/dialogues/{MISSED_BIN}/versions/{version.number}/preview/"
    first = client.get(url)
    assert first.status_code == 200
    html = first.content.decode()
    assert "Where was the bin missed?" in html
    assert home.one_line_address in html  # a real address from the register
    assert "nothing is recorded" in html
    assert post_step(client, url, {"q_address": str(home.uprn)}).status_code == 302
    today = timezone.localdate()
    refused = post_step(client, url, {"q_bin": "refuse"})
    assert refused.status_code == 400
    assert "Enter an answer: when should it have been collected?" in refused.content.decode()
    post_step(client, url, {"q_bin": "refuse", "q_collection_day-day": str(today.day),
                      "q_collection_day-month": str(today.month),
                      "q_collection_day-year": str(today.year)})
    post_step(client, url, {"q_out_by_7": "yes", "q_lid_closed": "yes"})
    so_far = client.get(url).content.decode()
    assert "How should the crew reach the resident?" in so_far
    assert "Answers so far" in so_far and "Black bin (general rubbish)" in so_far
    post_step(client, url, {"q_access_notes": "Down the side passage"})
    end = client.get(url).content.decode()
    assert "Crew to return for the missed bin" in end
    assert "2 working days" in end
    assert home.one_line_address in end
    assert "Down the side passage" in end
    assert not Contact.objects.exists()
    assert not WorkSession.objects.exists()
    assert not DialogueVersion.objects.filter(status="draft").exists()


def test_preview_goes_back_and_starts_again(client):
    client.force_login(a_service_owner())
    draft = do_save_draft(service(MISSED_BIN), a_script(), by=None)
    url = f"/dialogues/{MISSED_BIN}/versions/{draft.number}/preview/"
    post_step(client, url, {"q_out_by_7": "no"})
    assert "Bin not presented" in client.get(url).content.decode()
    post_step(client, url, {"action": "back"})
    back = client.get(url).content.decode()
    assert "Was the bin out by 7am?" in back
    assert 'value="no" checked' in back  # the answer given is kept
    post_step(client, url, {"q_out_by_7": "yes"})
    assert "Crew to return" in client.get(url).content.decode()
    client.post(url, {"action": "restart"})
    again = client.get(url).content.decode()
    assert 'value="no" checked' not in again and 'value="yes" checked' not in again


def test_preview_offers_the_sample_household_for_person_questions(client):
    client.force_login(a_service_owner())
    script = a_script()
    script["pages"][0]["questions"].append(
        {"id": "who", "type": "person", "label": "Who put the bin out?", "include_self": True})
    draft = do_save_draft(service(MISSED_BIN), script, by=None)
    html = client.get(f"/dialogues/{MISSED_BIN}/versions/{draft.number}/preview/"
                      ).content.decode()
    assert "Sample resident" in html and "Sample child" in html


def test_preview_finds_addresses_by_postcode(client):
    do_load_shipped_dialogues()
    client.force_login(a_service_owner())
    version = Dialogue.objects.get(service__lgsl=MISSED_BIN).published
    url = f"/dialogues/{MISSED_BIN}/versions/{version.number}/preview/"
    client.get(url)
    elsewhere = a_property(postcode="IP6 8DL", town="Needham Market")
    typo = post_step(client, url, {"find": "address", "q_address-postcode": "nonsense"})
    assert typo.status_code == 400
    assert "Enter a real postcode, like IP14 1AB" in typo.content.decode()
    nobody = post_step(client, url, {"find": "address", "q_address-postcode": "IP1 1AA"})
    assert "No addresses found at IP1 1AA" in nobody.content.decode()
    found = post_step(client, url, {"find": "address", "q_address-postcode": "ip68dl"})
    assert found.status_code == 200
    assert elsewhere.one_line_address in found.content.decode()
    assert 'value="ip68dl"' in found.content.decode()  # the postcode typed stays
    assert post_step(client, url, {"q_address": str(elsewhere.uprn)}).status_code == 302
    assert "Which bin was missed?" in client.get(url).content.decode()


def test_a_preview_restarts_when_the_draft_it_runs_has_changed(client):
    client.force_login(a_service_owner())
    draft = do_save_draft(service(MISSED_BIN), a_script(), by=None)
    url = f"/dialogues/{MISSED_BIN}/versions/{draft.number}/preview/"
    post_step(client, url, {"q_out_by_7": "no"})
    do_save_draft(service(MISSED_BIN), a_script(title="Missed bins"), by=None)
    assert "Was the bin out by 7am?" in client.get(url).content.decode()


# --- publishing ----------------------------------------------------------------------------

def test_publishing_a_draft_makes_it_published_and_retires_the_old_version(client):
    do_load_shipped_dialogues()
    owner = a_service_owner()
    client.force_login(owner)
    old = Dialogue.objects.get(service__lgsl=MISSED_BIN).published
    draft = do_save_draft(service(MISSED_BIN), a_script(), by=owner, change_note="Shorter")
    url = f"/dialogues/{MISSED_BIN}/versions/{draft.number}/publish/"
    form = client.get(url)
    assert form.status_code == 200
    assert form.context["form"].initial["year"] == timezone.localdate().year + 1
    review_by = a_year_on()
    response = client.post(url, date_fields(review_by))
    assert response.status_code == 302
    draft.refresh_from_db()
    old.refresh_from_db()
    assert (draft.status, draft.review_by, draft.published_by) == ("published", review_by, owner)
    assert old.status == "retired"
    assert Dialogue.objects.get(service__lgsl=MISSED_BIN).published == draft
    page = client.get(response["Location"]).content.decode()
    assert f"Version {draft.number} of the" in page and "published; review it by" in page


def test_publishing_with_a_review_date_in_the_past_is_refused(client):
    client.force_login(a_service_owner())
    draft = do_save_draft(service(MISSED_BIN), a_script(), by=None)
    url = f"/dialogues/{MISSED_BIN}/versions/{draft.number}/publish/"
    for day in (timezone.localdate() - dt.timedelta(days=1), timezone.localdate()):
        response = client.post(url, date_fields(day))
        assert response.status_code == 400
        html = response.content.decode()
        assert "The review date must be in the future" in html
        assert 'href="#id_review_by-day"' in html
    unreal = client.post(url, {"review_by-day": "31", "review_by-month": "2",
                               "review_by-year": "2030"})
    assert "The review date must be a real date" in unreal.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_a_published_version_cannot_be_published_again(client):
    client.force_login(a_service_owner())
    draft = do_save_draft(service(MISSED_BIN), a_script(), by=None)
    do_publish(draft, by=None, review_by=a_year_on())
    url = f"/dialogues/{MISSED_BIN}/versions/{draft.number}/publish/"
    assert "Only a draft can be published" in client.get(url).content.decode()
    response = client.post(url, date_fields(a_year_on()))
    assert response.status_code == 400
    assert f"Only a draft can be published; v{draft.number} is published" in \
        response.content.decode()


# --- the list and reviews ------------------------------------------------------------------

def _overdue(version: DialogueVersion) -> None:
    # A year has passed since publishing: the review date is now behind us.
    DialogueVersion.objects.filter(pk=version.pk).update(
        review_by=timezone.localdate() - dt.timedelta(days=3))


def a_published_script(owner, lgsl: int) -> DialogueVersion:
    version = do_save_draft(service(lgsl), a_script(lgsl), by=owner)
    return do_publish(version, by=owner, review_by=a_year_on())


def test_overdue_reviews_are_listed_for_their_owner(client):
    do_load_shipped_dialogues()
    first, second = Service.objects.filter(dialogue__isnull=True).order_by("lgsl")[:2]
    owner, colleague = a_service_owner(), a_service_owner()
    mine = a_published_script(owner, first.lgsl)
    theirs = a_published_script(colleague, second.lgsl)
    on_time = a_published_script(owner, unscripted().lgsl)
    _overdue(mine)
    _overdue(theirs)
    client.force_login(owner)
    response = client.get("/dialogues/")
    assert response.status_code == 200
    assert response.context["overdue"] == [mine]
    html = response.content.decode()
    overdue_section = html.split("Reviews overdue")[1].split("All scripts")[0]
    assert first.label in overdue_section
    assert second.label not in overdue_section
    assert on_time.dialogue.service.label not in overdue_section
    assert "govuk-tag--red" in overdue_section
    assert len(response.context["dialogues"]) == Dialogue.objects.count()
    only_mine = client.get("/dialogues/?mine=1")
    assert [d.service for d in only_mine.context["dialogues"]] == sorted(
        [first, on_time.dialogue.service], key=lambda s: s.label)
    client.force_login(colleague)
    assert client.get("/dialogues/").context["overdue"] == [theirs]


def test_administrators_see_every_overdue_review_their_own_first(client):
    first, second = Service.objects.filter(dialogue__isnull=True).order_by("lgsl")[:2]
    admin, owner = an_administrator(), a_service_owner()
    theirs = a_published_script(owner, first.lgsl)
    mine = a_published_script(admin, second.lgsl)
    _overdue(theirs)
    _overdue(mine)
    client.force_login(admin)
    overdue = client.get("/dialogues/").context["overdue"]
    assert overdue.index(mine) < overdue.index(theirs)


def test_the_list_shows_owner_published_version_review_date_and_open_draft(client):
    do_load_shipped_dialogues()
    owner = a_service_owner()
    do_save_draft(service(MISSED_BIN), a_script(), by=owner)
    client.force_login(owner)
    with_queries = client.get("/dialogues/")
    html = with_queries.content.decode()
    assert html.count('class="govuk-table__row"') > Dialogue.objects.count()
    published = Dialogue.objects.get(service__lgsl=MISSED_BIN).published
    assert f"{published.review_by:%-d %B %Y}" in html
    assert f"/dialogues/{MISSED_BIN}/draft/" in html
    assert "Service scripts</a>" in html  # the navigation link


def test_the_service_page_lists_every_version(client):
    do_load_shipped_dialogues()
    owner = a_service_owner()
    draft = do_save_draft(service(MISSED_BIN), a_script(), by=owner,
                          change_note="Shorter script")
    client.force_login(owner)
    html = client.get(f"/dialogues/{MISSED_BIN}/").content.decode()
    assert "Shorter script" in html
    assert "OneStop (shipped script)" in html
    assert f"/dialogues/{MISSED_BIN}/versions/{draft.number}/publish/" in html
    assert f"/dialogues/{MISSED_BIN}/versions/{draft.number - 1}/preview/" in html


# --- who may -------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/dialogues/", "/dialogues/new/?lgsl=524", f"/dialogues/{MISSED_BIN}/",
    f"/dialogues/{MISSED_BIN}/draft/", f"/dialogues/{MISSED_BIN}/versions/1/preview/",
    f"/dialogues/{MISSED_BIN}/versions/1/publish/",
])
def test_advisers_may_not_open_the_authoring_pages(client, path):
    do_load_shipped_dialogues()
    client.force_login(an_adviser())
    assert client.get(path).status_code == 403
    assert client.post(path, {}).status_code == 403
    assert "Service scripts" not in client.get("/").content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert client.get("/dialogues/").status_code == 302


def test_administrators_read_scripts_and_versions_in_the_admin_but_cannot_change_them(client):
    # The grants are made after `staff` migrates, before this app's permissions exist on a
    # new database; any later migrate makes them, as this does.
    grant_role_permissions()
    do_load_shipped_dialogues()
    client.force_login(an_administrator())
    version = Dialogue.objects.get(service__lgsl=MISSED_BIN).published
    assert client.get("/admin/dialogues/dialogue/").status_code == 200
    versions = client.get("/admin/dialogues/dialogueversion/", {"q": "524"})
    assert versions.status_code == 200
    assert service(MISSED_BIN).label in versions.content.decode()
    assert client.get(f"/admin/dialogues/dialogueversion/{version.pk}/change/"
                      ).status_code == 200  # the read-only view
    assert client.get("/admin/dialogues/dialogueversion/add/").status_code == 403
    assert client.post(f"/admin/dialogues/dialogueversion/{version.pk}/delete/",
                       {"post": "yes"}).status_code == 403


def test_a_draft_that_no_longer_validates_can_be_neither_previewed_nor_published(client):
    client.force_login(a_service_owner())
    draft = do_save_draft(service(MISSED_BIN), a_script(), by=None)
    # As after a change to the format: the stored draft no longer passes the checks.
    DialogueVersion.objects.filter(pk=draft.pk).update(document={**a_script(), "start": "gone"})
    preview = client.get(f"/dialogues/{MISSED_BIN}/versions/{draft.number}/preview/")
    assert preview.status_code == 400
    assert "start: no page &#x27;gone&#x27;" in preview.content.decode()
    published = client.post(f"/dialogues/{MISSED_BIN}/versions/{draft.number}/publish/",
                            date_fields(a_year_on()))
    assert published.status_code == 400
    assert "This version cannot be published" in published.content.decode()
    draft.refresh_from_db()
    assert draft.status == "draft"


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_list_and_service_pages_read_as_many_queries_however_many_scripts(client):
    do_load_shipped_dialogues()
    owner = a_service_owner()
    client.force_login(owner)
    _overdue(a_published_script(owner, unscripted().lgsl))
    before = (_queries(client, "/dialogues/"), _queries(client, f"/dialogues/{MISSED_BIN}/"))
    _overdue(a_published_script(owner, unscripted().lgsl))
    do_save_draft(service(MISSED_BIN), a_script(), by=owner)
    do_save_draft(service(530), a_script(530), by=owner)
    after = (_queries(client, "/dialogues/"), _queries(client, f"/dialogues/{MISSED_BIN}/"))
    assert after == before


def test_a_shipped_script_is_claimed_by_the_first_service_owner_to_edit_it():
    do_load_shipped_dialogues()
    owner = a_staff_member(Role.SERVICE_OWNER)
    bins = Dialogue.objects.get(service__lgsl=524)
    assert bins.owner is None
    do_save_draft(bins.service, bins.published.document, by=owner, change_note="reviewed")
    bins.refresh_from_db()
    assert bins.owner == owner
    second = a_staff_member(Role.SERVICE_OWNER)
    assert do_give_unowned_dialogues_to(second) == Dialogue.objects.filter(owner=second).count()
    bins.refresh_from_db()
    assert bins.owner == owner  # an owned script keeps its owner


def test_a_script_is_edited_and_published_only_by_its_owner_or_an_administrator():
    do_load_shipped_dialogues()
    keeper, other = a_staff_member(Role.SERVICE_OWNER), a_staff_member(Role.SERVICE_OWNER)
    bins = Dialogue.objects.get(service__lgsl=MISSED_BIN)
    draft = do_save_draft(bins.service, bins.published.document, by=keeper)
    with pytest.raises(DialogueStateError, match="script is kept by"):
        do_save_draft(bins.service, a_script(title="Hijacked"), by=other)
    with pytest.raises(DialogueStateError, match="script is kept by"):
        do_publish(draft, by=other, review_by=a_year_on())
    draft.refresh_from_db()
    assert draft.status == "draft" and draft.document == bins.published.document
    do_publish(draft, by=a_staff_member(Role.ADMINISTRATOR), review_by=a_year_on())
