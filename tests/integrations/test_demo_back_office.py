"""The demo's back-office systems take signed webhooks, apply each key once, list them."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request

import pytest

from onestop.integrations.demo_back_office import DemoBackOffice
from tests.integrations.receiver import free_port

SECRET = "a-demo-secret-of-some-length"


@pytest.fixture
def office():
    office = DemoBackOffice(SECRET, port=free_port()).start()
    yield office
    office.stop()


def post(office, path: str, body: dict, *, secret: str = SECRET, key: str = "k1",
         signed_at: float | None = None, signed_key: str | None = None):
    data = json.dumps(body).encode()
    timestamp = str(int(time.time() if signed_at is None else signed_at))
    signed = f"{timestamp}.{key if signed_key is None else signed_key}.".encode() + data
    signature = "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    request = urllib.request.Request(
        office.url + path, data=data, method="POST",
        headers={"Content-Type": "application/json", "Idempotency-Key": key,
                 "X-OneStop-Timestamp": timestamp, "X-OneStop-Signature": signature})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_signed_webhook_is_applied_once_and_listed_under_its_team(office):
    assert post(office, "teams/mid-suffolk-housing/", {"event": "death"}) == (
        200, {"applied": True})
    assert post(office, "teams/mid-suffolk-housing/", {"event": "death"}) == (
        200, {"applied": False})
    page = urllib.request.urlopen(office.url, timeout=5).read().decode()
    assert "mid-suffolk-housing" in page and "(repeat, not applied)" in page


def test_a_bad_signature_or_address_is_refused(office):
    assert post(office, "teams/x/", {"a": 1}, secret="another-secret-entirely")[0] == 401
    assert post(office, "elsewhere", {"a": 1})[0] == 404
    assert office.received == []


def test_a_delivery_signed_more_than_five_minutes_ago_is_refused(office):
    status, body = post(office, "teams/x/", {"a": 1}, signed_at=time.time() - 301)
    assert status == 401 and "stale timestamp" in body["error"]
    assert post(office, "teams/x/", {"a": 1}, signed_at=time.time() - 240)[0] == 200


def test_a_signature_made_for_another_key_is_refused(office):
    assert post(office, "teams/x/", {"a": 1}, key="k2", signed_key="k1")[0] == 401
    assert office.received == []
