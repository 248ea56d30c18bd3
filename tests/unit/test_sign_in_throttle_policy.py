"""The sign-in throttle's arithmetic and its settings, without a database."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from pakn.accounts.throttle import ACCOUNT, ADDRESS, PAIR, block_seconds, limit_of
from pakn.settings import AuthConfig

DEFAULTS = AuthConfig()


def test_blocks_start_at_the_limit_and_double_up_to_the_cap() -> None:
    waits = [block_seconds(failures, 5, DEFAULTS) for failures in range(1, 12)]
    assert waits == [0, 0, 0, 0, 60, 120, 240, 480, 900, 900, 900]


def test_a_huge_count_is_still_capped() -> None:
    assert block_seconds(10**9, 5, DEFAULTS) == 15 * 60


def test_the_shipped_limits_leave_the_ceiling_to_a_distributed_attack() -> None:
    assert [limit_of(scope, DEFAULTS) for scope in (PAIR, ADDRESS, ACCOUNT)] == [5, 20, 100]
    # Five addresses guessing to their own limits stay below the account ceiling.
    assert 5 * DEFAULTS.max_failures < DEFAULTS.account_max_failures


def test_a_count_must_outlast_the_longest_block() -> None:
    with pytest.raises(ValidationError, match="failure_window_minutes must be longer"):
        AuthConfig(block_minutes=30, failure_window_minutes=30)


def test_rows_must_outlast_their_counts() -> None:
    with pytest.raises(ValidationError, match="forget_after_hours must cover"):
        AuthConfig(failure_window_minutes=180, forget_after_hours=2)
