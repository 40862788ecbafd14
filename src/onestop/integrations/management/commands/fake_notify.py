"""`onestop fake_notify`: serve the local stand-in for GOV.UK Notify (demo and test only)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from onestop.integrations.fake_notify import FakeNotifyServer


class Command(BaseCommand):
    help = ("Serve a local server speaking the GOV.UK Notify API (email and text sends), so "
            "the demo's messages go through the real client code and nowhere else. It takes "
            "the demo's NOTIFY_API_KEY and NOTIFY_TEMPLATES; GET /_received lists what came. "
            "With --callback-url it sends Notify's delivery receipts there, as Notify does.")

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to serve on")
        parser.add_argument("--port", type=int, default=6011,
                            help="Port to serve on (default 6011, as NOTIFY_BASE_URL's default)")
        parser.add_argument("--callback-url", default="",
                            help="Where to POST delivery receipts, e.g. "
                                 "http://127.0.0.1:8000/api/v1/notify/receipts (default: none)")
        parser.add_argument("--callback-token", default="",
                            help="The bearer token sent with them (default "
                                 "NOTIFY_CALLBACK_TOKEN)")
        parser.add_argument("--callback-delay", type=float, default=0.2,
                            help="Seconds between accepting a message and its receipt "
                                 "(default 0.2)")

    def handle(self, *args, host: str, port: int, callback_url: str, callback_token: str,
               callback_delay: float, **options):
        if settings.PRODUCTION:
            raise CommandError("the fake Notify server is for demo and test only: in "
                               "production messages go to GOV.UK Notify")
        if not 1 <= port <= 65535:
            raise CommandError(f"--port must be between 1 and 65535 (got {port})")
        if callback_token and not callback_url:
            raise CommandError("--callback-token needs --callback-url: where to send receipts")
        if not 0 <= callback_delay <= 600:
            raise CommandError(f"--callback-delay must be 0 to 600 seconds (got "
                               f"{callback_delay})")
        try:
            server = FakeNotifyServer(
                api_key=settings.NOTIFY_API_KEY, templates=settings.NOTIFY_TEMPLATES,
                host=host, port=port, callback_url=callback_url or None,
                callback_token=callback_token or settings.NOTIFY_CALLBACK_TOKEN,
                callback_delay=callback_delay)
        except ValueError as error:
            raise CommandError(f"--callback-url: {error}") from None
        except OSError as error:
            raise CommandError(f"cannot serve on {host}:{port}: {error.strerror or error}"
                               ) from None
        server.start()
        receipts = (f"; delivery receipts go to {server.callback_url}" if server.callback_url
                    else "; no delivery receipts (no --callback-url)")
        self.stdout.write(f"Fake GOV.UK Notify at {server.url} (Ctrl-C to stop); what it "
                          f"receives: {server.url}/_received{receipts}")
        self.stdout.flush()
        shown = 0
        try:
            while True:
                time.sleep(0.5)
                received = server.received
                for item in received[shown:]:
                    self.stdout.write(f"{item['received_at']} {item['type']} to {item['to']}: "
                                      f"{item['template']} ({item['reference'] or 'no reference'})")
                    self.stdout.flush()
                shown = len(received)
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
