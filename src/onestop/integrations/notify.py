"""Email and text messages to residents through GOV.UK Notify, behind a small interface.

`Notifier` is what OneStop asks of a sender: `send_email` / `send_sms` by template *name*
(settings.NOTIFY_TEMPLATES maps names to the council's Notify template ids), returning
Notify's notification id. `NotifyNotifier` is the real one (GOV.UK's own client);
`FakeNotifier` records what it was asked to send, for unit tests. In demo and tests the
real one talks to `onestop.integrations.fake_notify`, which speaks Notify's HTTP API.

Nothing is sent from a request: callers enqueue an outbox message of kind `notify.email`
or `notify.sms` with the payload `{"to", "template", "personalisation", "reference"}`, and
the worker calls the handlers registered here. A server error, a timeout, an unreachable
Notify or its rate limit (429) is retried; any other refusal (a bad number, an unknown
template, a wrong key) goes to the dead letters at once, since sending again cannot help.

A message whose payload names a resident in `consent_of` is sent only while their consent
allows its channel (onestop.people.consent): a "no" given after it was queued stops it
for good, before Notify is called.

A delivered message whose reference is `feedback:<id>` marks that case feedback delivered:
the worker does it in the transaction recording the delivery (`after_delivery`), not the
handler, because once Notify has answered 2xx the send is final. Marking it inside the
handler made a failure there look like a failed send, retried as a second email.
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Iterator
from typing import Protocol

from django.conf import settings
from notifications_python_client import NotificationsAPIClient
from notifications_python_client.errors import APIError, HTTPError

from onestop.integrations.handlers import DeliveryFailed, after_delivery, register

__all__ = ["FakeNotifier", "Notifier", "NotifyError", "NotifyNotifier", "get_notifier",
           "notifier_in_use", "template_id"]

# Too many requests: Notify's rate and daily limits say "later", like a server error.
RETRYABLE_STATUSES = frozenset({408, 429})
_FEEDBACK_REFERENCE = re.compile(r"feedback:(\d+)")


class NotifyError(Exception):
    """Notify did not take a message. `retry` is False when sending again cannot help;
    `status_code` is Notify's HTTP status, None when it was not reached."""

    def __init__(self, reason: str, *, retry: bool, status_code: int | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry = retry
        self.status_code = status_code


class Notifier(Protocol):
    def send_email(self, to: str, template: str, personalisation: dict | None = None,
                   reference: str | None = None) -> str:
        """Send an email from the template named `template`; Notify's notification id."""

    def send_sms(self, to: str, template: str, personalisation: dict | None = None,
                 reference: str | None = None) -> str:
        """Send a text message to `to` (E.164 or UK national); Notify's notification id."""


def template_id(name: str) -> str:
    """The Notify template id of a template OneStop uses, by name."""
    try:
        return settings.NOTIFY_TEMPLATES[name]
    except KeyError:
        raise NotifyError(f"no Notify template named {name!r}: settings.NOTIFY_TEMPLATES has "
                          f"{', '.join(sorted(settings.NOTIFY_TEMPLATES))}", retry=False) from None


def _reason(error: APIError) -> str:
    message = error.message
    if isinstance(message, list):  # Notify's [{"error": ..., "message": ...}, ...]
        message = "; ".join(f"{item.get('error')}: {item.get('message')}"
                            if isinstance(item, dict) else str(item) for item in message)
    return f"Notify answered HTTP {error.status_code}: {message}"


class NotifyNotifier:
    """Sends through GOV.UK Notify (or whatever speaks its API at NOTIFY_BASE_URL)."""

    def __init__(self, *, api_key: str | None = None, base_url: str | None = None,
                 timeout: int | None = None) -> None:
        self.api_key = api_key or settings.NOTIFY_API_KEY
        self.base_url = base_url or settings.NOTIFY_BASE_URL
        self.timeout = timeout or settings.NOTIFY_TIMEOUT_SECONDS

    def _client(self) -> NotificationsAPIClient:
        # One client per send: the client (its requests session) is not thread-safe.
        return NotificationsAPIClient(self.api_key, base_url=self.base_url,
                                      timeout=self.timeout)

    def send_email(self, to: str, template: str, personalisation: dict | None = None,
                   reference: str | None = None) -> str:
        template = template_id(template)
        return self._send(lambda client: client.send_email_notification(
            email_address=to, template_id=template, personalisation=personalisation or None,
            reference=reference or None))

    def send_sms(self, to: str, template: str, personalisation: dict | None = None,
                 reference: str | None = None) -> str:
        template = template_id(template)
        return self._send(lambda client: client.send_sms_notification(
            phone_number=to, template_id=template, personalisation=personalisation or None,
            reference=reference or None))

    def _send(self, call) -> str:
        try:
            answer = call(self._client())
        except HTTPError as error:
            if error.response is None:
                # Not reached: refused connection, DNS, timeout. The client calls these 503.
                cause = error.__cause__ or error
                raise NotifyError(f"Notify at {self.base_url} could not be reached: "
                                  f"{type(cause).__name__}: {cause}", retry=True) from None
            status = error.status_code
            raise NotifyError(_reason(error), status_code=status,
                              retry=status >= 500 or status in RETRYABLE_STATUSES) from None
        except APIError as error:
            # A 2xx answer that is not Notify's JSON: it may have been sent, so not again.
            raise NotifyError(f"Notify's answer could not be read: {error}",
                              status_code=error.status_code, retry=False) from None
        if not isinstance(answer, dict) or not answer.get("id"):
            raise NotifyError(f"Notify's answer has no notification id: {answer!r}",
                              retry=False)
        return str(answer["id"])


class FakeNotifier:
    """An in-process notifier for unit tests: `sent` lists what it was asked to send.

    `fail_next(error)` makes the next send raise `error` (a NotifyError).
    """

    def __init__(self) -> None:
        self.sent: list[dict] = []
        self._failures: list[NotifyError] = []

    def fail_next(self, error: NotifyError) -> None:
        self._failures.append(error)

    def send_email(self, to: str, template: str, personalisation: dict | None = None,
                   reference: str | None = None) -> str:
        return self._record("email", to, template, personalisation, reference)

    def send_sms(self, to: str, template: str, personalisation: dict | None = None,
                 reference: str | None = None) -> str:
        return self._record("sms", to, template, personalisation, reference)

    def _record(self, kind, to, template, personalisation, reference) -> str:
        template_id(template)  # an unknown name fails here as it would for real
        if self._failures:
            raise self._failures.pop(0)
        notification_id = str(uuid.uuid4())
        self.sent.append({"id": notification_id, "kind": kind, "to": to, "template": template,
                          "personalisation": dict(personalisation or {}),
                          "reference": reference})
        return notification_id


_override: Notifier | None = None


def get_notifier() -> Notifier:
    """The notifier the handlers send with: Notify itself unless a test put in another."""
    return _override if _override is not None else NotifyNotifier()


@contextlib.contextmanager
def notifier_in_use(notifier: Notifier) -> Iterator[Notifier]:
    """Within the block the handlers send with `notifier` (a FakeNotifier in tests)."""
    global _override
    before, _override = _override, notifier
    try:
        yield notifier
    finally:
        _override = before


# --- outbox handlers -----------------------------------------------------------------------


def _payload(message) -> tuple[str, str, dict, str]:
    payload = message.payload if isinstance(message.payload, dict) else {}
    to, template = payload.get("to"), payload.get("template")
    personalisation = payload.get("personalisation") or {}
    missing = [name for name, value in (("to", to), ("template", template)) if not value]
    if missing:
        raise DeliveryFailed(f"a {message.kind} message needs {' and '.join(missing)} in its "
                             "payload", retry=False)
    if not isinstance(to, str) or not isinstance(template, str):
        raise DeliveryFailed(f"a {message.kind} message's to and template are text",
                             retry=False)
    if not isinstance(personalisation, dict):
        raise DeliveryFailed(f"a {message.kind} message's personalisation is an object, not "
                             f"{type(personalisation).__name__}", retry=False)
    reference = payload.get("reference") or message.key
    return to, template, personalisation, str(reference)


def _check_consent(message) -> None:
    """Refuse, for good, a message to a resident who said no to its channel after it was
    queued: `consent_of` in the payload names them (onestop.people.consent decided the
    channel when it was queued; this is the same question asked again at the last moment)."""
    person_id = message.payload.get("consent_of") if isinstance(message.payload, dict) \
        else None
    if person_id is None:
        return
    from onestop.people.consent import BY, may_contact
    from onestop.people.models import Person

    channel = message.kind.removeprefix("notify.")
    person = Person.objects.filter(pk=person_id).first() if isinstance(person_id, int) \
        else None
    if person is not None and not may_contact(person, channel):
        raise DeliveryFailed(f"not sent: resident {person_id} has asked not to be contacted "
                             f"{BY[channel]}", retry=False)


def _deliver(message, send) -> None:
    to, template, personalisation, reference = _payload(message)
    _check_consent(message)
    try:
        send(get_notifier(), to, template, personalisation, reference)
    except NotifyError as error:
        raise DeliveryFailed(error.reason, retry=error.retry,
                             status_code=error.status_code) from None


@after_delivery("notify.email")
@after_delivery("notify.sms")
def mark_feedback_delivered(message) -> None:
    """Run by the worker once a Notify message is first recorded delivered."""
    payload = message.payload if isinstance(message.payload, dict) else {}
    match = _FEEDBACK_REFERENCE.fullmatch(str(payload.get("reference") or message.key))
    if match:
        # Imported here: cases enqueues these messages, so it imports the outbox, not us.
        from onestop.cases.actions import do_mark_feedback_delivered

        do_mark_feedback_delivered(int(match[1]))


@register("notify.email")
def deliver_email(message) -> None:
    _deliver(message, lambda notifier, *args: notifier.send_email(*args))


@register("notify.sms")
def deliver_sms(message) -> None:
    _deliver(message, lambda notifier, *args: notifier.send_sms(*args))
