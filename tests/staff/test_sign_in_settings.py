"""The sign-in lock-out settings are checked at start-up like every other setting."""

from __future__ import annotations

import pytest

from tests.core.test_settings import run_check


@pytest.mark.parametrize(("env", "message"), [
    ({"SIGN_IN_FAILURES_PER_ACCOUNT": "0"}, "SIGN_IN_FAILURES_PER_ACCOUNT='0' must be at least 1"),
    ({"SIGN_IN_FAILURES_PER_ADDRESS": "many"},
     "SIGN_IN_FAILURES_PER_ADDRESS='many' is not a whole number"),
    ({"SIGN_IN_LOCKOUT_MINUTES": "-5"}, "SIGN_IN_LOCKOUT_MINUTES='-5' must be at least 1"),
    ({"SIGN_IN_FAILURES_PER_ACCOUNT": "10", "SIGN_IN_FAILURES_PER_ADDRESS": "3"},
     "SIGN_IN_FAILURES_PER_ADDRESS=3 must be at least SIGN_IN_FAILURES_PER_ACCOUNT=10"),
])
def test_a_bad_lock_out_setting_stops_start_up_naming_it(tmp_path, env, message):
    result = run_check(DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3", **env)
    assert result.returncode != 0
    assert message in result.stderr


def test_good_lock_out_settings_start(tmp_path):
    result = run_check(DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
                       SIGN_IN_FAILURES_PER_ACCOUNT="3", SIGN_IN_FAILURES_PER_ADDRESS="30",
                       SIGN_IN_LOCKOUT_MINUTES="30")
    assert result.returncode == 0, result.stderr
