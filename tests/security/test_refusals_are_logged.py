"""Every page and API endpoint whose URL names a resident's data refuses staff of another
council, whatever their role, and every refusal is in the access log.

The URLconf is walked, so a new page that names a person, case, contact, pair, life event
or self-service report is probed without anyone remembering to add it here; a URL keyword
this file does not know fails the walk until someone says what it names.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from onestop.core.models import RecordAccess
from onestop.core.refusals import SUBJECTS

pytestmark = pytest.mark.django_db

# URL keywords that name nothing of a resident's, and why each is safe to leave out.
NOT_A_RESIDENTS = {
    "lgsl": "a service in the public catalogue, its script or rule",
    "number": "a version of a script or rule",
    "slug": "a team: its worklist is probed in test_administrators_within_authorities",
    "message_id": "an outbox message: dead letters are for administrators of its team's "
                  "authority (test_administrators_within_authorities)",
    "right_id": "the second record of a pair, named with left_id",
    "move": "a case's next status, named with reference",
    "item_id": "a service in a contact's basket, named with contact_id (staff) or the "
               "resident's own self-service session (no sign-in)",
    "mode": "web or kiosk, for the residents' self-service pages",
    "user_id": "a member of staff: who may manage whom is probed in test_staff_powers",
    "card_id": "a member of staff's ID card (test_staff_powers)",
    "lockout_id": "a sign-in lock-out of an account or terminal (tests/staff)",
}
# Namespaces checked elsewhere: the Django admin offers no resident's data to anyone but
# superusers (test_the_admin_shows_no_resident_data).
SKIPPED_NAMESPACES = {"admin"}


def walk(resolver=None, namespace: str = ""):
    """(view name, keyword names) of every named URL pattern."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            if inner in SKIPPED_NAMESPACES:
                continue
            for name, keywords in walk(entry, inner):
                yield name, keywords | _keywords(entry)
        elif isinstance(entry, URLPattern) and entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), _keywords(entry)


def _keywords(entry) -> set[str]:
    # Named groups of the compiled pattern: path() converters and re_path() groups alike.
    return set(entry.pattern.regex.groupindex)


def naming_a_residents_data() -> list[tuple[str, set[str]]]:
    return sorted({(name, frozenset(keys)) for name, keys in walk()
                   if keys & set(SUBJECTS)}, key=lambda pair: pair[0])


def test_the_walk_knows_every_url_keyword_and_finds_the_pages_it_must():
    unknown = {key for _, keys in walk() for key in keys} - set(SUBJECTS) - set(
        NOT_A_RESIDENTS)
    assert not unknown, f"say what these URL keywords name: {unknown}"
    found = {name for name, _ in naming_a_residents_data()}
    # A walk that found nothing would pass everything: these must be among what it finds.
    assert {"contacts:person", "cases:case", "cases:feedback", "contacts:contact",
            "contacts:run-service", "eligibility:record-offer", "lifeevents:event",
            "lifeevents:self-service-confirm", "matching:review-pair"} <= found


def _url(name: str, keys, world) -> str:
    values = {"person_id": world.resident.pk, "reference": world.case.reference,
              "contact_id": world.contact.pk, "item_id": world.item.pk,
              "event_id": world.event.pk, "report_id": world.report.pk,
              "left_id": world.pair.left_id, "right_id": world.pair.right_id,
              "move": "acknowledge"}
    return reverse(name, kwargs={key: values[key] for key in keys})


def _expected_person(keys, world):
    if "event_id" in keys:
        return world.neighbour
    return world.resident


@pytest.mark.parametrize("role", ["adviser", "back-office officer", "team leader",
                                  "administrator", "councillor"])
def test_other_councils_staff_are_refused_every_page_naming_a_resident_and_it_is_logged(
        role, mid_suffolk, babergh_staff):
    user = babergh_staff[role]
    client = Client()
    client.force_login(user)
    for name, keys in naming_a_residents_data():
        url = _url(name, keys, mid_suffolk)
        for method in (client.get, client.post):
            before = RecordAccess.objects.count()
            response = method(url)
            if response.status_code == 405:  # a form's target: nothing is read by GET
                assert RecordAccess.objects.count() == before
                continue
            assert response.status_code == 403, (role, name, method.__name__,
                                                 response.status_code)
            [refusal] = RecordAccess.objects.order_by("-id")[:RecordAccess.objects.count()
                                                              - before]
            assert (refusal.user, refusal.granted) == (user, False)
            assert refusal.path == url
            if "left_id" not in keys:  # a pair names two residents; the first is logged
                assert refusal.person == _expected_person(keys, mid_suffolk), (role, name)
            assert refusal.subject, (role, name)
    assert not RecordAccess.objects.filter(user=user, granted=True).exists()
