"""Subject access in a real browser: an administrator opens a resident, asks for everything
held about them, reads the printable page and downloads the JSON file; each export is in the
audit trail. Every page passes axe-core."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import serious_accessibility_violations
from tests.e2e.test_new_pages import sign_in

pytestmark = pytest.mark.browser

# A Mid Suffolk resident the demo built from the records of several systems.
RESIDENT = """
import json
from django.db.models import Count
from onestop.people.models import Person
person = (Person.objects.filter(household__property__authorities__slug="mid-suffolk")
          .annotate(records=Count("source_records")).filter(records__gte=2)
          .order_by("id").first())
print(json.dumps({"id": person.pk, "name": person.full_name}))
"""
EXPORTS = """
import json
from onestop.core.models import AuditEvent
print(json.dumps([e.after for e in AuditEvent.objects.filter(kind="subject_access")
                  .order_by("id")]))
"""


def last_json(output: str):
    return json.loads(output.strip().splitlines()[-1])


def checked(page) -> None:
    assert serious_accessibility_violations(page) == [], page.url


def test_an_administrator_asks_for_everything_held_and_reads_the_printable_page(demo_server,
                                                                                 page):
    resident = last_json(demo_server.shell(RESIDENT))
    before = len(last_json(demo_server.shell(EXPORTS)))
    sign_in(page, demo_server.url, "administrator")
    page.goto(f"{demo_server.url}/people/{resident['id']}/")
    checked(page)
    page.get_by_role("link", name="Subject access request").click()
    expect(page.get_by_role("heading", name="Subject access request")).to_be_visible()
    checked(page)

    page.get_by_label("A readable page").check()
    page.get_by_role("button", name="Produce the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Everything held about {resident['name']}")
    expect(page.get_by_role("heading", name=re.compile(r"Records from council systems \(\d+\)"))
           ).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"Who opened this record"))
           ).to_be_visible()
    expect(page.get_by_role("cell", name="subject access")).to_be_visible()
    checked(page)

    page.get_by_role("link", name="Back to the subject access request").click()
    page.get_by_label("A JSON file").check()
    with page.expect_download() as downloading:
        page.get_by_role("button", name="Produce the file").click()
    download = downloading.value
    assert download.suggested_filename.startswith(f"subject-access-{resident['id']}-")
    record = json.loads(open(download.path(), encoding="utf-8").read())
    assert record["person"]["id"] == resident["id"]
    assert len(record["source_records"]) >= 2

    exports = last_json(demo_server.shell(EXPORTS))[before:]
    assert [(e["person"], e["format"]) for e in exports] == [(resident["id"], "html"),
                                                             (resident["id"], "json")]
