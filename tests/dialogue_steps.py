"""Posting a dialogue page as a browser does: with the step token of the form it drew.

Every dialogue form carries `step` (engine.RunState.step) so that a second click on an
old form changes nothing; a test that posts must read it from the page first, like a user.
"""

from __future__ import annotations

import re

STEP = re.compile(r'name="step" value="([^"]+)"')


def step_of(html: str) -> str:
    found = STEP.search(html)
    assert found, "the page has no dialogue form"
    return found.group(1)


def post_step(client, url: str, data: dict, **extra):
    """GET the page, then POST `data` with the step token it carried."""
    return client.post(url, {**data, "step": step_of(client.get(url).content.decode())},
                       **extra)
