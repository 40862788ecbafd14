"""The Content-Security-Policy in a real browser: OneStop's own scripts still run on every
kind of page (GOV.UK Frontend starts its components, the kiosk and card scripts load) and
nothing a page needs is blocked, while code that is not ours is refused and reported."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import watch_for_policy_violations
from tests.e2e.test_new_pages import sign_in

pytestmark = pytest.mark.browser

RESIDENT_PAGES = ["/services/", "/kiosk/", "/services/life-events/", "/sign-in/"]
STAFF_PAGES = ["/", "/cases/", "/identity-review/", "/dialogues/", "/eligibility/rules/",
               "/access-log/", "/integrations/dead-letters/"]


def frontend_started(page) -> None:
    """The body says JavaScript runs (the first script, from a file) and GOV.UK Frontend's
    components have started (the module that imports it, from a file)."""
    body_class = page.evaluate("document.body.className")
    assert "js-enabled" in body_class and "govuk-frontend-supported" in body_class
    expect(page.locator("[data-module='govuk-skip-link']")).to_have_attribute(
        "data-govuk-skip-link-init", "")


def test_residents_and_staff_pages_run_their_scripts_and_break_no_rule(demo_server, browser):
    context = browser.new_context()
    violations = watch_for_policy_violations(context)
    page = context.new_page()
    try:
        for path in RESIDENT_PAGES:
            page.goto(demo_server.url + path)
            frontend_started(page)
        # The kiosk's own script keeps its idle timer: its warning is wired up.
        page.goto(demo_server.url + "/kiosk/")
        assert page.evaluate("document.body.dataset.idleSeconds") is not None
        sign_in(page, demo_server.url, "administrator")
        for path in STAFF_PAGES:
            response = page.goto(demo_server.url + path)
            assert response.status == 200, path
            assert "'unsafe-inline'" not in response.headers["content-security-policy"]
            frontend_started(page)
        assert violations == []
    finally:
        context.close()


def test_a_script_injected_into_a_page_does_not_run_and_is_reported(demo_server, browser):
    """What the policy is for: were a template ever to let markup through, the script in it
    would not run. This also proves the watch above sees a violation when there is one."""
    context = browser.new_context()
    violations = watch_for_policy_violations(context)
    page = context.new_page()
    try:
        page.goto(demo_server.url + "/services/")
        page.evaluate("""() => {
            const injected = document.createElement("script");
            injected.textContent = "window.injectedRan = true";
            document.body.appendChild(injected);
            const handler = document.createElement("div");
            handler.setAttribute("onclick", "window.handlerRan = true");
            document.body.appendChild(handler);
            handler.click();
        }""")
        assert page.evaluate("window.injectedRan === undefined && window.handlerRan === undefined")
        page.wait_for_timeout(200)  # the violation events are dispatched after the fact
        assert any("script-src" in v for v in violations), violations
    finally:
        context.close()
