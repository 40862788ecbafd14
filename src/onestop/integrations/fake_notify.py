"""A local server speaking the GOV.UK Notify HTTP API, for the demo and the tests.

It stands where Notify would, so the real client (`notifications-python-client`) and our
`NotifyNotifier` run unchanged: `POST /v2/notifications/email` and `/v2/notifications/sms`
check the JSON Web Token as Notify does (issuer = the key's service id, HS256 signed with
the key's secret, issued within 30 seconds of now) and the request body (a known template
of the right type, a recipient that looks valid, personalisation that fills the template),
then answer 201 with Notify's response, or 401/403/400 with Notify's error shape:
`{"status_code": 400, "errors": [{"error": "ValidationError", "message": "..."}]}`.

What it accepted is kept: `GET /_received` returns it as JSON (`{"notifications": [...]}`),
newest last. `POST /_fail?status=500&count=2` makes the next sends fail, as an outage would.
In the same process, `FakeNotifyServer.received` and `.fail_next()` do the same.

Given a `callback_url` and `callback_token`, it sends delivery receipts as Notify does: after
accepting a message, a background thread POSTs `{"id", "reference", "to", "status",
"created_at", "completed_at", "sent_at", "notification_type", "template_id",
"template_version"}` with `Authorization: Bearer <token>`, retrying a 5xx, a 429 or an
unreachable receiver a few times and giving up on any other answer. The status follows
Notify's simulated recipients (`SIMULATED_EMAILS`, `SIMULATED_PHONES`); anyone else is
delivered. What each receipt got back is in the notification's `callback` on `/_received`.
Without a callback URL it sends nothing anywhere. Standard library http.server (threaded)
and PyJWT only.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import time
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jwt
import phonenumbers

TOKEN_LEEWAY_SECONDS = 30
MAX_BODY_BYTES = 1_000_000
# Notify's receipt times: UTC, microseconds, a Z.
RECEIPT_TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
# Waits before each retry of a receipt that got a 5xx, a 429 or no answer (Notify waits
# minutes; a stand-in for the demo and the tests need not).
CALLBACK_RETRY_WAITS = (0.5, 1.0, 2.0)
CALLBACK_TIMEOUT_SECONDS = 5

# Notify's simulated recipients (its "smoke testing" addresses and numbers): sends to them
# are accepted and answered with these receipts. Every other recipient is delivered.
SIMULATED_EMAILS = {
    "simulate-delivered@notifications.service.gov.uk": "delivered",
    "simulate-delivered-2@notifications.service.gov.uk": "delivered",
    "simulate-delivered-3@notifications.service.gov.uk": "delivered",
    "temp-fail@simulator.notify": "temporary-failure",
    "perm-fail@simulator.notify": "permanent-failure",
}
SIMULATED_PHONES = {
    "07700900000": "delivered",
    "07700900111": "delivered",
    "07700900222": "delivered",
    "07700900003": "temporary-failure",
    "07700900002": "permanent-failure",
}
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@.]+")
_PLACEHOLDER = re.compile(r"\(\(([^()]+)\)\)")

# The bodies of the templates OneStop uses, as a council would write them in Notify; the
# ((placeholders)) are what the sender must personalise. A template id known only from
# settings (another name) accepts any personalisation and lists it as its body.
TEMPLATE_TEXT = {
    "case_feedback_email": ("Update on your request ((case_reference))",
                            "((message))\n\nReference: ((case_reference)), ((service))."),
    "case_feedback_sms": (None, "((message)) (ref ((case_reference)))"),
}


def split_api_key(api_key: str) -> tuple[str, str]:
    """(service id, secret) of a Notify API key `<key name>-<service id>-<secret>`, read
    from the end as the client does."""
    return api_key[-73:-37], api_key[-36:]


class FakeNotifyServer:
    """The fake Notify service. `start()` serves in a background thread; `stop()` ends it.

    `api_key` is the key the callers must sign with; `templates` maps template name → id
    (settings.NOTIFY_TEMPLATES). A name ending `_email` or `_sms` fixes the template's type.
    """

    def __init__(self, *, api_key: str, templates: dict[str, str], host: str = "127.0.0.1",
                 port: int = 0, callback_url: str | None = None,
                 callback_token: str | None = None, callback_delay: float = 0.2) -> None:
        if callback_url and not callback_token:
            raise ValueError("a callback URL needs the bearer token Notify sends with it")
        if callback_url and urlsplit(callback_url).scheme not in ("http", "https"):
            raise ValueError(f"callback URL {callback_url!r} is not http(s)://...")
        self.service_id, self._secret = split_api_key(api_key)
        self.templates = {template_id.lower(): name for name, template_id in templates.items()}
        self.callback_url, self._callback_token = callback_url or None, callback_token
        self.callback_delay = max(0.0, callback_delay)
        self._lock = threading.Lock()
        self._received: list[dict] = []
        self._failures: list[int] = []
        self._httpd = ThreadingHTTPServer((host, port), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.fake = self  # the handler reaches the state through its server
        self._thread: threading.Thread | None = None

    # --- running ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeNotifyServer:
        # A short poll keeps stop() quick (tests start and stop one per test).
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="fake-notify",
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeNotifyServer:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # --- what tests look at ----------------------------------------------------------------

    @property
    def received(self) -> list[dict]:
        with self._lock:
            return [dict(item) for item in self._received]

    def fail_next(self, count: int = 1, *, status: int = 500) -> None:
        """The next `count` sends are answered with `status` (a 5xx outage, a 429)."""
        with self._lock:
            self._failures.extend([status] * count)

    def clear(self) -> None:
        with self._lock:
            self._received.clear()
            self._failures.clear()

    # --- the API ---------------------------------------------------------------------------

    def _take_failure(self) -> int | None:
        with self._lock:
            return self._failures.pop(0) if self._failures else None

    def check_token(self, authorization: str | None) -> tuple[int, str] | None:
        """None when the token is good; else (status, Notify's message)."""
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return 401, "Unauthorized: authentication token must be provided"
        try:
            unverified = jwt.decode(token, options={"verify_signature": False},
                                    algorithms=["HS256"])
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            return 403, "Invalid token: signature, api token not found"
        if header.get("alg") != "HS256":
            return 403, "Invalid token: algorithm used is not HS256"
        if unverified.get("iss") != self.service_id:
            return 403, "Invalid token: service not found"
        try:
            # iat is checked below, both ways, with Notify's 30 seconds; not by PyJWT.
            claims = jwt.decode(token, key=self._secret, algorithms=["HS256"],
                                options={"verify_iat": False})
        except jwt.PyJWTError:
            return 403, "Invalid token: signature, api token not found"
        iat = claims.get("iat")
        if not isinstance(iat, int | float) or isinstance(iat, bool):
            return 403, "Invalid token: iat field not provided"
        if abs(time.time() - iat) > TOKEN_LEEWAY_SECONDS:
            return 403, "Error: Your system clock must be accurate to within 30 seconds"
        return None

    def send(self, notification_type: str, body: object) -> tuple[int, dict]:
        """Validate a send request as Notify does; keep and answer it."""
        failure = self._take_failure()
        if failure is not None:
            return failure, _errors(failure, "Exception" if failure >= 500 else
                                    "RateLimitError", "Internal server error" if failure >= 500
                                    else "Exceeded rate limit for key type LIVE of 3000 "
                                    "requests per 60 seconds")
        if not isinstance(body, dict):
            return 400, _errors(400, "BadRequestError", "Invalid JSON supplied in POST data")
        recipient_field = "email_address" if notification_type == "email" else "phone_number"
        problems = [f"{field} is a required property" for field in ("template_id",
                                                                     recipient_field)
                    if field not in body]
        if problems:
            return 400, _errors(400, "ValidationError", *problems)
        template_id = body["template_id"]
        try:
            template_id = str(uuid.UUID(str(template_id)))
        except ValueError:
            return 400, _errors(400, "ValidationError", "template_id is not a valid UUID")
        recipient = body[recipient_field]
        simulated = simulated_status(notification_type, recipient)
        problem = None if simulated else (_email_problem(recipient)
                                          if notification_type == "email"
                                          else _phone_problem(recipient))
        if problem:
            return 400, _errors(400, "ValidationError", f"{recipient_field} {problem}")
        personalisation = body.get("personalisation") or {}
        if not isinstance(personalisation, dict):
            return 400, _errors(400, "ValidationError",
                                f"personalisation {personalisation!r} is not of type object")
        reference = body.get("reference")
        if reference is not None and not isinstance(reference, str):
            return 400, _errors(400, "ValidationError",
                                f"reference {reference!r} is not of type string")
        name = self.templates.get(template_id)
        if name is None:
            return 400, _errors(400, "BadRequestError", "Template not found")
        template_type = ("email" if name.endswith("_email") else "sms" if name.endswith("_sms")
                         else notification_type)
        if template_type != notification_type:
            return 400, _errors(400, "BadRequestError", f"{template_type} template is not "
                                f"suitable for {notification_type} notification")
        subject, text = TEMPLATE_TEXT.get(name, (name.replace("_", " "), None))
        if text is None:
            text = "\n".join(f"{key}: {value}" for key, value in personalisation.items())
        missing = sorted({field for part in (subject or "", text)
                          for field in _PLACEHOLDER.findall(part)} - set(personalisation))
        if missing:
            return 400, _errors(400, "BadRequestError",
                                f"Missing personalisation: {', '.join(missing)}")
        subject, text = (_fill(subject, personalisation) if subject else None,
                         _fill(text, personalisation))
        notification_id = str(uuid.uuid4())
        created_at = dt.datetime.now(dt.UTC)
        content = ({"subject": subject, "body": text,
                    "from_email": "onestop.demo@notifications.service.gov.uk",
                    "one_click_unsubscribe_url": None} if notification_type == "email"
                   else {"body": text, "from_number": "OneStop"})
        with self._lock:
            self._received.append({
                "id": notification_id, "type": notification_type, "to": recipient,
                "template_id": template_id, "template": name,
                "personalisation": personalisation, "reference": reference,
                "content": content,
                "received_at": created_at.isoformat(timespec="milliseconds"),
                "callback": None,
            })
        if self.callback_url:
            receipt = {
                "id": notification_id, "reference": reference, "to": recipient,
                "status": simulated or "delivered",
                "created_at": created_at.strftime(RECEIPT_TIME_FORMAT),
                "completed_at": None, "sent_at": None,  # filled in when it is "sent"
                "notification_type": notification_type, "template_id": template_id,
                "template_version": 1,
            }
            threading.Thread(target=self._send_receipt, args=(receipt,), daemon=True,
                             name=f"fake-notify-receipt-{notification_id[:8]}").start()
        return 201, {
            "id": notification_id, "reference": reference, "content": content,
            "uri": f"{self.url}/v2/notifications/{notification_id}",
            "template": {"id": template_id, "version": 1,
                         "uri": f"{self.url}/services/{self.service_id}/templates/"
                                f"{template_id}"},
            "scheduled_for": None,
        }


    # --- delivery receipts -----------------------------------------------------------------

    def _send_receipt(self, receipt: dict) -> None:
        """POST one receipt to the callback URL, as Notify's callback task does."""
        time.sleep(self.callback_delay)  # the provider takes a moment to report back
        now = dt.datetime.now(dt.UTC).strftime(RECEIPT_TIME_FORMAT)
        receipt = {**receipt, "sent_at": now, "completed_at": now}
        data = json.dumps(receipt).encode()
        outcome: dict = {"status": receipt["status"], "url": self.callback_url}
        for wait in (*CALLBACK_RETRY_WAITS, None):
            request = urllib.request.Request(self.callback_url, data=data, method="POST",
                                             headers={"Content-Type": "application/json",
                                                      "Authorization":
                                                          f"Bearer {self._callback_token}"})
            try:
                with urllib.request.urlopen(request, timeout=CALLBACK_TIMEOUT_SECONDS) as answer:
                    outcome.update(answered=answer.status, error=None)
                    break
            except urllib.error.HTTPError as error:
                outcome.update(answered=error.code, error=error.read(2000).decode(errors="replace"))
                retry = error.code >= 500 or error.code == 429
            except (OSError, ValueError) as error:  # refused, unreachable, timed out
                outcome.update(answered=None, error=f"{type(error).__name__}: {error}")
                retry = True
            if not retry or wait is None:
                break
            time.sleep(wait)
        with self._lock:
            for item in self._received:
                if item["id"] == receipt["id"]:
                    item["callback"] = outcome


def simulated_status(notification_type: str, recipient: object) -> str | None:
    """The receipt Notify gives a simulated recipient, or None for a real one."""
    if not isinstance(recipient, str):
        return None
    if notification_type == "email":
        return SIMULATED_EMAILS.get(recipient.strip().lower())
    digits = re.sub(r"\D", "", recipient)
    if digits.startswith("0044"):
        digits = "0" + digits[4:]
    elif digits.startswith("44"):
        digits = "0" + digits[2:]
    return SIMULATED_PHONES.get(digits)


LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def serve_beside_demo(*, callback_url: str | None = None,
                      callback_token: str | None = None) -> tuple[FakeNotifyServer | None, str]:
    """Start the fake where settings.NOTIFY_BASE_URL points, when it points at this machine
    over plain HTTP (the demo's default, http://127.0.0.1:6011), sending delivery receipts
    to `callback_url` when given. Returns the server (None when not started) and a line
    saying where the demo's emails and texts go."""
    from django.conf import settings

    base = settings.NOTIFY_BASE_URL
    url = urlsplit(base)
    if url.scheme != "http" or url.hostname not in LOCAL_HOSTS:
        return None, f"Emails and texts go to the Notify service at {base} (NOTIFY_BASE_URL)."
    port = url.port or 80
    try:
        server = FakeNotifyServer(api_key=settings.NOTIFY_API_KEY,
                                  templates=settings.NOTIFY_TEMPLATES, host=url.hostname,
                                  port=port, callback_url=callback_url,
                                  callback_token=callback_token).start()
    except OSError as error:
        return None, (f"Port {port} is taken ({error.strerror or error}): emails and texts go "
                      f"to whatever listens at {base} (an `onestop fake_notify` already "
                      "running, say).")
    receipts = (f"; it sends delivery receipts to {callback_url}" if callback_url else "")
    return server, (f"Emails and texts go to a fake GOV.UK Notify at {server.url}; what it "
                    f"received: {server.url}/_received{receipts}")


def _errors(status: int, error: str, *messages: str) -> dict:
    return {"status_code": status,
            "errors": [{"error": error, "message": message} for message in messages]}


def _fill(text: str, personalisation: dict) -> str:
    return _PLACEHOLDER.sub(lambda match: str(personalisation.get(match.group(1), "")), text)


def _email_problem(value: object) -> str | None:
    if not isinstance(value, str) or not _EMAIL.fullmatch(value.strip()):
        return "Not a valid email address"
    return None


def _phone_problem(value: object) -> str | None:
    if not isinstance(value, str) or re.search(r"[^\d\s()+\-.]", value):
        return "Must not contain letters or symbols"
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        return "Not enough digits"
    mobile = phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    if not phonenumbers.is_valid_number(number) or not mobile:
        return ("Not a UK mobile number" if number.country_code == 44
                else "Not a valid international number")
    return None


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeNotify/1"
    protocol_version = "HTTP/1.1"

    @property
    def fake(self) -> FakeNotifyServer:
        return self.server.fake

    def log_message(self, format, *args) -> None:
        pass  # quiet: the command prints what it received, tests read /_received

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _read_body(self) -> bytes | None:
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY_BYTES:
            self._answer(413, _errors(413, "BadRequestError", "Request too large"))
            self.close_connection = True
            return None
        return self.rfile.read(length)

    def do_GET(self) -> None:
        if urlsplit(self.path).path == "/_received":
            self._answer(200, {"notifications": self.fake.received})
        else:
            self._answer(404, _errors(404, "NotFound", "Not Found"))

    def do_POST(self) -> None:
        path = urlsplit(self.path)
        raw = self._read_body()
        if raw is None:
            return
        if path.path == "/_fail":
            query = parse_qs(path.query)
            try:
                status = int(query.get("status", ["500"])[0])
                count = int(query.get("count", ["1"])[0])
            except ValueError:
                self._answer(400, _errors(400, "BadRequestError", "status and count are "
                                          "whole numbers"))
                return
            self.fake.fail_next(count, status=status)
            self._answer(200, {"failing_next": count, "status": status})
            return
        kinds = {"/v2/notifications/email": "email", "/v2/notifications/sms": "sms"}
        notification_type = kinds.get(path.path)
        if notification_type is None:
            self._answer(404, _errors(404, "NotFound", "Not Found"))
            return
        refused = self.fake.check_token(self.headers.get("Authorization"))
        if refused is not None:
            status, message = refused
            self._answer(status, _errors(status, "AuthError", message))
            return
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            body = None
        status, answer = self.fake.send(notification_type, body)
        self._answer(status, answer)


__all__ = ["SIMULATED_EMAILS", "SIMULATED_PHONES", "TEMPLATE_TEXT", "FakeNotifyServer",
           "serve_beside_demo", "simulated_status", "split_api_key"]
