"""A back-office system for tests: a threaded HTTP server that takes OneStop's webhooks.

It checks each delivery's signature, applies a message once per Idempotency-Key (a repeat
is acknowledged and counted, not applied again) and can be made to fail, refuse or stall,
so tests see what the worker does about it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Delivery:
    key: str
    payload: dict
    received_at: float  # time.time()
    signature_ok: bool
    headers: object  # case-insensitive, as HTTP headers are (urllib sends "X-onestop-…")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Receiver:
    def __init__(self, secret: str, port: int | None = None):
        self.secret = secret
        self.port = port or free_port()
        self.lock = threading.Lock()
        self.deliveries: list[Delivery] = []  # every POST, repeats included
        self.applied: Counter[str] = Counter()  # key → times applied (1, or a bug)
        self.in_flight: dict[str, int] = {}  # key → requests for it being handled now
        self.most_in_flight: Counter[str] = Counter()  # key → most handled at once
        self.answer_status = 200  # what to answer (503: "down for maintenance")
        self.stall: dict[str, float] = {}  # key → seconds to sit on its first delivery
        self.stalled = threading.Event()  # set once a stalled delivery has arrived
        self.delay = 0.0  # seconds to take over every delivery
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):
                receiver._handle(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Down: connections are refused until start() again."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        body = request.rfile.read(int(request.headers.get("Content-Length", 0)))
        key = request.headers.get("Idempotency-Key", "")
        # Recomputed here rather than with OneStop's own function, as a receiver would.
        signed = (f"{request.headers.get('X-OneStop-Timestamp', '')}.{key}.".encode() + body)
        expected = "sha256=" + hmac.new(self.secret.encode(), signed,
                                        hashlib.sha256).hexdigest()
        signature_ok = hmac.compare_digest(expected,
                                           request.headers.get("X-OneStop-Signature", ""))
        with self.lock:
            status = self.answer_status if signature_ok else 401
            self.deliveries.append(Delivery(key, json.loads(body or b"{}"), time.time(),
                                            signature_ok, request.headers))
            self.in_flight[key] = self.in_flight.get(key, 0) + 1
            self.most_in_flight[key] = max(self.most_in_flight[key], self.in_flight[key])
            if status == 200 and key not in self.applied:
                self.applied[key] += 1  # applied once, before answering (as a real system)
            elif status == 200:
                pass  # a repeat of a message already applied: acknowledge, change nothing
            stall = self.stall.pop(key, 0.0)
        try:
            if stall:
                self.stalled.set()
                time.sleep(stall)
            elif self.delay:
                time.sleep(self.delay)
            request.send_response(status)
            request.send_header("Content-Type", "application/json")
            request.send_header("Content-Length", "2")
            request.end_headers()
            request.wfile.write(b"{}")
        except OSError:
            pass  # the worker went away mid-answer (killed): nothing to tell it
        finally:
            with self.lock:
                self.in_flight[key] -= 1

    def wait_for(self, condition, timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if condition(self):
                    return True
            time.sleep(0.05)
        return False
