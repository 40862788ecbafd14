"""The demo's back-office systems: one local server taking every demo team's webhooks.

A council's teams run their own systems (revenues, waste, housing…); in the demo they are
all this one server, so that a life event or referral can be followed from OneStop to the
system that received it. It does what a careful receiver does: checks the signature (over
the timestamp, the Idempotency-Key and the body; a timestamp more than five minutes old or
ahead is refused, so a captured delivery cannot be played again later), applies each
Idempotency-Key once (a repeat is acknowledged, not applied again), and lists what each
team received at its address (GET /).
"""

from __future__ import annotations

import hmac
import html
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from onestop.integrations.handlers import signature

HOST, PORT = "127.0.0.1", 6012
KEEP = 500  # deliveries listed; older ones are forgotten (it is a demo)
MAX_AGE_SECONDS = 300  # a signed delivery older than this (or as far ahead) is refused


def team_url(slug: str) -> str:
    return f"http://{HOST}:{PORT}/teams/{slug}/"


class DemoBackOffice:
    def __init__(self, secret: str, *, host: str = HOST, port: int = PORT) -> None:
        self.secret, self.host, self.port = secret, host, port
        self.lock = threading.Lock()
        self.received: list[dict] = []
        self.applied: set[str] = set()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def start(self) -> DemoBackOffice:
        office = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # the demo's console is for the web server
                pass

            def do_POST(self):
                office._take(self)

            def do_GET(self):
                office._list(self)

        self._server = ThreadingHTTPServer((self.host, self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _take(self, request: BaseHTTPRequestHandler) -> None:
        parts = request.path.strip("/").split("/")
        if len(parts) != 2 or parts[0] != "teams":
            return _answer(request, 404, {"error": "post to /teams/<team>/"})
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(min(length, 1_000_000))
        key = request.headers.get("Idempotency-Key", "")
        timestamp = request.headers.get("X-OneStop-Timestamp", "")
        if not (timestamp.isascii() and timestamp.isdigit()):
            return _answer(request, 401, {"error": "X-OneStop-Timestamp is missing or not "
                                                   "whole seconds since the epoch"})
        expected = signature(self.secret, body, timestamp=timestamp, key=key)
        if not hmac.compare_digest(expected, request.headers.get("X-OneStop-Signature", "")):
            return _answer(request, 401, {"error": "bad signature"})
        if abs(time.time() - int(timestamp)) > MAX_AGE_SECONDS:
            return _answer(request, 401, {"error": "stale timestamp: signed more than "
                                                   f"{MAX_AGE_SECONDS // 60} minutes away "
                                                   "from now"})
        try:
            payload = json.loads(body)
        except ValueError:
            return _answer(request, 400, {"error": "the body is not JSON"})
        with self.lock:
            repeat = key in self.applied
            self.applied.add(key)
            self.received.append({"team": parts[1], "key": key, "repeat": repeat,
                                  "at": time.strftime("%H:%M:%S"), "payload": payload})
            del self.received[:-KEEP]
        _answer(request, 200, {"applied": not repeat})

    def _list(self, request: BaseHTTPRequestHandler) -> None:
        with self.lock:
            rows = list(reversed(self.received))
        items = "".join(
            f"<tr><td>{html.escape(r['at'])}</td><td>{html.escape(r['team'])}</td>"
            f"<td>{html.escape(r['key'])}{' (repeat, not applied)' if r['repeat'] else ''}</td>"
            f"<td><pre>{html.escape(json.dumps(r['payload'], indent=1)[:2000])}</pre></td></tr>"
            for r in rows)
        page = ("<!DOCTYPE html><html lang='en-GB'><head><meta charset='utf-8'>"
                "<title>Demo back-office systems</title></head><body>"
                "<h1>What the demo's back-office systems received</h1>"
                f"<table><caption>Newest first, {len(rows)} deliveries</caption><thead><tr>"
                "<th scope='col'>At</th><th scope='col'>Team</th>"
                "<th scope='col'>Idempotency key</th><th scope='col'>Message</th></tr></thead>"
                f"<tbody>{items}</tbody></table></body></html>").encode()
        request.send_response(200)
        request.send_header("Content-Type", "text/html; charset=utf-8")
        request.send_header("Content-Length", str(len(page)))
        request.end_headers()
        request.wfile.write(page)


def _answer(request: BaseHTTPRequestHandler, status: int, body: dict) -> None:
    data = json.dumps(body).encode()
    request.send_response(status)
    request.send_header("Content-Type", "application/json")
    request.send_header("Content-Length", str(len(data)))
    request.end_headers()
    request.wfile.write(data)


def serve_beside_demo(secret: str) -> tuple[DemoBackOffice | None, str]:
    """Start the demo back office; None and a line saying why when the port is taken."""
    try:
        office = DemoBackOffice(secret).start()
    except OSError as error:
        return None, (f"Port {PORT} is taken ({error.strerror or error}): the teams' webhooks "
                      "go to whatever listens there.")
    return office, f"The teams' back-office systems are a demo receiver: see {office.url}"
