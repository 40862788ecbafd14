"""The axe-core check really finds problems, so a clean result on our pages means something."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import serious_accessibility_violations

pytestmark = pytest.mark.browser


def test_the_check_reports_an_unlabelled_field_and_an_image_without_alt_text(page):
    page.set_content('<html lang="en"><head><title>Bad</title></head><body><main>'
                     '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
                     '<input type="text"></main></body></html>')
    violations = serious_accessibility_violations(page)
    assert any(v.startswith("critical: image-alt") for v in violations), violations
    assert any("label" in v for v in violations), violations
