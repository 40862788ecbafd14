"""A real OneStop server for browser tests: its own database, the demo area, runserver.

The server runs as a separate process against a database of its own (a fresh SQLite file,
or a fresh PostgreSQL database when DATABASE_URL points at PostgreSQL), so the browser
sees exactly what `make demo` would serve.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ONESTOP = Path(sys.executable).with_name("onestop")
# Chromium's own background traffic is refused on a closed network; keep it quiet.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@dataclass(frozen=True)
class DemoServer:
    url: str
    sample_properties: dict[str, int]  # district slug → UPRN, as `onestop demo` prints
    sample_postcodes: dict[str, str]  # district slug → that property's postcode
    database_url: str
    extracts_dir: Path  # the demo's extracts, with ground_truth.csv

    def shell(self, code: str) -> str:
        """Run Python in `onestop shell` against the server's database; return its output.

        Tests read the demo through it, so they pick their residents and pairs from what
        linkage actually built instead of naming ids that the next model change moves."""
        return _onestop(self.database_url, "shell", "-c", code)


def _onestop(database_url: str, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": database_url, "ONESTOP_ENV": "demo"}
    done = subprocess.run([str(ONESTOP), *args], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, f"onestop {' '.join(args)} failed:\n{done.stderr}"
    return done.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _postgres_database(base_url: str):
    """Create a throwaway database beside the one DATABASE_URL names; yield its URL."""
    import psycopg

    name = f"onestop_e2e_{uuid.uuid4().hex[:8]}"
    admin_url = re.sub(r"/[^/]*$", "/postgres", base_url).replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield re.sub(r"/[^/]*$", f"/{name}", base_url)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def server_database(tmp_path_factory):
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith(("postgres://", "postgresql://")):
        yield from _postgres_database(base)
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'onestop.sqlite3'}"


@pytest.fixture(scope="session")
def demo_server(server_database, tmp_path_factory):
    env = {**os.environ, "DATABASE_URL": server_database, "ONESTOP_ENV": "demo"}

    def onestop(*args: str) -> str:
        return _onestop(server_database, *args)

    extracts_dir = tmp_path_factory.mktemp("extracts")
    onestop("migrate", "--noinput")
    onestop("load_reference")
    built = onestop("demo", "--people", "400", "--no-serve", "--extracts-dir", str(extracts_dir))
    samples = {slug: int(uprn) for slug, uprn in
               re.findall(r"^sample property: (\S+) (\d+)$", built, flags=re.MULTILINE)}
    postcodes = onestop("shell", "-c", (
        "from onestop.people.models import Property\n"
        f"for p in Property.objects.filter(uprn__in={sorted(samples.values())}):\n"
        "    print(p.uprn, p.postcode)"))
    by_uprn = dict(line.split(" ", 1) for line in postcodes.splitlines() if line[:1].isdigit())
    sample_postcodes = {slug: by_uprn[str(uprn)] for slug, uprn in samples.items()}
    port = _free_port()
    # runserver logs every request to stderr: into a file, since a pipe nobody reads fills
    # up after some hundreds of requests and then stops the server mid-run.
    log_path = tmp_path_factory.mktemp("server") / "runserver.log"
    log = log_path.open("wb")
    server = subprocess.Popen([str(ONESTOP), "runserver", f"127.0.0.1:{port}", "--noreload"],
                              env=env, stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise RuntimeError(
                    f"the server did not start: {log_path.read_text()[-4000:]}") from None
            time.sleep(0.2)
    try:
        yield DemoServer(f"http://127.0.0.1:{port}", samples, sample_postcodes,
                         server_database, extracts_dir)
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture(autouse=True)
def fresh_sign_in_counts(request):
    """Each browser test starts with no sign-in failures counted against 127.0.0.1, from
    which every test signs in: the lock-out stays on, as in use, but one test's wrong PINs
    cannot lock the next test out. Cleared straight in the server's database, which takes
    milliseconds where `onestop lift_sign_in_lockouts` would take a second per test."""
    if "demo_server" in request.fixturenames:
        database_url = request.getfixturevalue("demo_server").database_url
        if database_url.startswith("sqlite:///"):
            import sqlite3

            with sqlite3.connect(database_url.removeprefix("sqlite:///")) as conn:
                conn.execute("DELETE FROM staff_signinthrottle")
        else:
            import psycopg

            with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1),
                                 autocommit=True) as conn:
                conn.execute("DELETE FROM staff_signinthrottle")
    yield


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium package"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI must run the browser tests, never skip them
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Every page OneStop serves has a Content-Security-Policy with no inline script or style.
# The browser reports each thing the policy blocks as a `securitypolicyviolation` event; this
# script (added by Playwright, so not itself subject to the policy) passes each one on to
# the console, where `watch_for_policy_violations` collects it.
REPORT_POLICY_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error("CSP violation: " + event.violatedDirective + " blocked "
                + (event.blockedURI || "inline code") + " at " + event.documentURI);
});
"""


def watch_for_policy_violations(context) -> list[str]:
    """Every Content-Security-Policy violation on any page of `context`, as it happens:
    the event above, and Chromium's own "Refused to ..." console lines."""
    violations: list[str] = []
    context.add_init_script(REPORT_POLICY_VIOLATIONS)

    def note(message) -> None:
        if "CSP violation" in message.text or "Content Security Policy" in message.text:
            violations.append(message.text)

    context.on("console", note)
    return violations


@pytest.fixture
def page(browser):
    context = browser.new_context()
    violations = watch_for_policy_violations(context)
    page = context.new_page()
    yield page
    context.close()
    # A page that needs something the policy blocks is broken for residents: fail the test.
    assert violations == [], "Content-Security-Policy violations:\n" + "\n".join(violations)


def serious_accessibility_violations(page) -> list[str]:
    """Run axe-core on the page; describe every serious or critical violation.

    axe is evaluated from its source rather than added as a <script> element: the page's
    Content-Security-Policy would (rightly) refuse an element whose code is not ours,
    while code Playwright evaluates is not the page's and is not subject to it."""
    page.evaluate(AXE.read_text())
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at "
        + ", ".join(node["target"][0] for node in v["nodes"][:3])
        for v in result["violations"] if v["impact"] in ("serious", "critical")
    ]
