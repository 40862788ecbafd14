"""A small demo area, built through the real action, for the demo tests."""

from __future__ import annotations

import datetime as dt

import pytest

from onestop.demo.actions import do_build_demo_area

SMALL = 300
SEED = 7
TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def build(tmp_path):
    """Build a demo area; each call may pass its own size, seed or folder."""

    def build(people: int = SMALL, seed: int = SEED, extracts_dir=None):
        return do_build_demo_area(people=people, seed=seed, today=TODAY,
                                  extracts_dir=extracts_dir or tmp_path / "extracts")

    return build


@pytest.fixture
def area(build):
    return build()
