"""Administrators see the dead letters, each with its attempts, and replay them."""

from __future__ import annotations

import pytest

from onestop.core.models import RecordAccess
from onestop.integrations.endpoints import do_save_endpoint
from onestop.integrations.models import OutboxMessage
from onestop.integrations.outbox import do_enqueue
from onestop.integrations.worker import Worker
from onestop.staff.models import Role
from tests.cases.factories import a_team
from tests.integrations.receiver import Receiver
from tests.personas import BABERGH, MID_SUFFOLK, a_staff_member, an_adviser

pytestmark = pytest.mark.django_db
SECRET = "a-shared-secret-of-some-length"


@pytest.fixture
def dead_letters():
    receiver = Receiver(SECRET).start()
    receiver.answer_status = 404
    endpoint = do_save_endpoint(slug="housing", name="Housing system", url=receiver.url,
                                secret=SECRET, team=a_team(MID_SUFFOLK, services=(139,)))
    messages = [do_enqueue(kind="webhook", payload={"n": i}, key=f"life-event:{i}:139",
                           endpoint=endpoint) for i in range(2)]
    Worker().run(poll_seconds=0, once=True)
    receiver.stop()
    return messages


def an_administrator():
    return a_staff_member(Role.ADMINISTRATOR)


def test_the_dead_letter_list_shows_each_message_with_its_attempts_and_last_error(
        client, dead_letters):
    client.force_login(an_administrator())
    page = client.get("/integrations/dead-letters/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "life-event:0:139" in html and "life-event:1:139" in html
    assert "Housing system" in html and "answered HTTP 404" in html
    assert "Replay all 2 dead letters" in html


def test_a_dead_letter_s_page_lists_every_attempt(client, dead_letters):
    client.force_login(an_administrator())
    html = client.get(f"/integrations/dead-letters/{dead_letters[0].pk}/").content.decode()
    assert "Every attempt" in html and "Failed" in html and "404" in html


def test_replaying_one_dead_letter_puts_only_it_back_to_pending(client, dead_letters):
    client.force_login(an_administrator())
    first, second = dead_letters
    done = client.post(f"/integrations/dead-letters/{first.pk}/replay/", follow=True)
    assert "will be delivered again" in done.content.decode()
    statuses = dict(OutboxMessage.objects.values_list("key", "status"))
    assert statuses == {first.key: "pending", second.key: "dead"}
    again = client.post(f"/integrations/dead-letters/{first.pk}/replay/", follow=True)
    assert "only dead letters replay" in again.content.decode()


def test_replaying_all_puts_every_dead_letter_back_keeping_attempts(client, dead_letters):
    client.force_login(an_administrator())
    done = client.post("/integrations/dead-letters/replay-all/", follow=True)
    assert "2 messages will be delivered again" in done.content.decode()
    assert set(OutboxMessage.objects.values_list("status", "attempts")) == {("pending", 1)}
    assert "There are no dead letters" in done.content.decode()


def test_only_administrators_see_or_replay_dead_letters(client, dead_letters):
    assert client.get("/integrations/dead-letters/").status_code == 302  # to sign in
    client.force_login(an_adviser())
    assert client.get("/integrations/dead-letters/").status_code == 403
    assert client.post(f"/integrations/dead-letters/{dead_letters[0].pk}/replay/"
                       ).status_code == 403
    assert client.post("/integrations/dead-letters/replay-all/").status_code == 403
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"dead"}


def test_replaying_needs_a_post(client, dead_letters):
    client.force_login(an_administrator())
    assert client.get("/integrations/dead-letters/replay-all/").status_code == 405


def test_another_councils_administrator_sees_none_of_its_dead_letters_and_cannot_replay_them(
        client, dead_letters):
    babergh = a_staff_member(Role.ADMINISTRATOR, acts_for=(BABERGH,))
    client.force_login(babergh)
    html = client.get("/integrations/dead-letters/").content.decode()
    assert "life-event:0:139" not in html
    first = dead_letters[0]
    assert client.get(f"/integrations/dead-letters/{first.pk}/").status_code == 403
    assert client.post(f"/integrations/dead-letters/{first.pk}/replay/").status_code == 403
    client.post("/integrations/dead-letters/replay-all/")
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {"dead"}
    assert RecordAccess.objects.filter(user=babergh, granted=False).count() == 2
