"""Dead letters in a real browser: an administrator reaches them from the navigation, sees a
message the worker gave up on with every attempt it made, opens it and replays it; no one
else has the link or the pages. Every page passes axe-core."""

from __future__ import annotations

import json
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import serious_accessibility_violations
from tests.e2e.test_new_pages import sign_in
from tests.integrations.receiver import free_port

pytestmark = pytest.mark.browser

# A back-office system that is not there (nothing listens on the port): the real worker's
# deliveries of one message fail twice and, with two attempts allowed, it goes dead. Only
# this message is leased and tried, so the demo's other messages are left as they were.
DEAD_LETTER = """
import datetime as dt, json
from django.db import transaction
from django.utils import timezone
from onestop.integrations.endpoints import do_save_endpoint
from onestop.integrations.models import OutboxMessage
from onestop.integrations.outbox import do_enqueue
from onestop.integrations.worker import Worker
from onestop.staff.models import Team
# Mid Suffolk's parking team: its administrators (the demo's acts for every council) see it.
endpoint = do_save_endpoint(slug=KEY, name="Parking permits system", url=URL,
                            secret="e2e-dead-letters-secret-0001",
                            team=Team.objects.get(slug="mid-suffolk-parking"))
with transaction.atomic():
    message = do_enqueue(kind="webhook", payload={"type": "test"}, key=KEY, endpoint=endpoint)
worker = Worker(worker_id="e2e-dead-letters", max_attempts=2)
for _ in range(2):
    OutboxMessage.objects.filter(pk=message.pk).update(
        leased_by=worker.worker_id, leased_until=timezone.now() + dt.timedelta(minutes=5))
    worker.deliver(OutboxMessage.objects.select_related("endpoint").get(pk=message.pk))
message.refresh_from_db()
print(json.dumps({"id": message.pk, "status": message.status, "attempts": message.attempts}))
"""
WAITING = """
from onestop.integrations.models import OutboxMessage
# The demo's administrator acts for every council: they see every message sent for one.
print(OutboxMessage.objects.filter(status="dead", authority__isnull=False).count())
"""
STATUS = """
import json
from onestop.integrations.models import OutboxMessage
m = OutboxMessage.objects.get(key=KEY)
print(json.dumps({"status": m.status, "attempts": m.attempts,
                  "tried": m.delivery_attempts.count()}))
"""


def shell_json(demo_server, code: str, key: str, **values) -> dict:
    code = code.replace("KEY", repr(key))
    for name, value in values.items():
        code = code.replace(name, repr(value))
    return json.loads(demo_server.shell(code).strip().splitlines()[-1])


def checked(page) -> None:
    assert serious_accessibility_violations(page) == [], page.url


def navigation(page):
    return page.get_by_role("navigation", name="Menu")


def dead_letters_link(demo_server, page):
    """The navigation's link, named with the count waiting (other tests make some too)."""
    waiting = int(demo_server.shell(WAITING).strip().splitlines()[-1])
    name = f"Dead letters ({waiting}) waiting" if waiting else "Dead letters"
    return navigation(page).get_by_role("link", name=name, exact=True)


def test_an_administrator_follows_the_link_to_a_dead_letter_and_replays_it(demo_server, page):
    key = f"e2e-dead-letters-{uuid.uuid4().hex[:8]}"
    nowhere = f"http://127.0.0.1:{free_port()}/hooks"
    dead = shell_json(demo_server, DEAD_LETTER, key, URL=nowhere)
    assert (dead["status"], dead["attempts"]) == ("dead", 2)

    sign_in(page, demo_server.url, "administrator")
    checked(page)
    dead_letters_link(demo_server, page).click()
    expect(page.get_by_role("heading", name="Dead letters", level=1)).to_be_visible()
    checked(page)
    row = page.locator("tbody tr", has=page.get_by_role("link", name=key))
    expect(row.locator("td").nth(1)).to_have_text("Parking permits system")
    expect(row.locator("td").nth(2)).to_have_text("2")
    expect(row.locator("td").nth(3)).to_contain_text(nowhere)  # why it failed, last time

    row.get_by_role("link", name=key).click()
    expect(page.get_by_role("heading", name=f"Message {key}")).to_be_visible()
    checked(page)
    attempts = page.locator("table", has=page.get_by_text("Every attempt")).locator("tbody tr")
    expect(attempts).to_have_count(2)
    for attempt in attempts.all():
        expect(attempt.locator("td").nth(1)).to_have_text("Failed")
        expect(attempt.locator("td").nth(3)).to_contain_text(nowhere)
        expect(attempt.locator("td").nth(4)).to_have_text("e2e-dead-letters")

    page.get_by_role("button", name="Replay this message").click()
    expect(page.get_by_role("heading", name="Dead letters", level=1)).to_be_visible()
    expect(page.get_by_text(f"Message {key} will be delivered again")).to_be_visible()
    expect(page.get_by_role("link", name=key)).to_have_count(0)
    checked(page)
    expect(dead_letters_link(demo_server, page)).to_be_visible()  # one fewer waiting
    # Pending again and due now, with the attempts it has had kept.
    assert shell_json(demo_server, STATUS, key) == {"status": "pending", "attempts": 2, "tried": 2}


@pytest.mark.parametrize("username", ["team-leader", "service-owner"])
def test_no_one_but_an_administrator_has_the_link_or_the_pages(demo_server, page, username):
    sign_in(page, demo_server.url, username)
    expect(navigation(page).get_by_role("link", name="Find a resident")).to_be_visible()
    expect(navigation(page).get_by_role("link", name="Dead letters")).to_have_count(0)
    expect(navigation(page)).not_to_contain_text("Dead letters")

    refused = page.goto(demo_server.url + "/integrations/dead-letters/")

    assert refused.status == 403
    checked(page)
