"""The retry loop and its rules: what is retried, how long it waits, what a server may ask."""

from __future__ import annotations

import asyncio
import time
from email.utils import formatdate

import pytest

from aicheck.resilience.retry import Attempts, CallFailed, Failure, RetryPolicy, retry, retry_sync, server_delay

POLICY = RetryPolicy(max_retries=3, base=0.5, cap=8.0, retry_after_cap=30.0)


@pytest.mark.parametrize("kind", ["timeout", "connection", "stream_cut", "rate_limit", "overloaded", "server", "conflict"])
def test_transient_failures_are_retried(kind: str) -> None:
    assert Failure(kind).retryable


@pytest.mark.parametrize("kind", ["invalid_key", "no_credit", "bad_request", "content_policy", "forbidden", "not_found", "malformed"])
def test_failures_that_would_repeat_are_not_retried(kind: str) -> None:
    assert not Failure(kind).retryable
    assert POLICY.delay(0, Failure(kind)) is None


def test_x_should_retry_overrides_the_status_but_not_a_dead_key() -> None:
    assert not Failure("server", should_retry=False).retryable
    assert Failure("bad_request", should_retry=True).retryable
    assert not Failure("no_credit", should_retry=True).retryable
    assert not Failure("invalid_key", should_retry=True).retryable


def test_unknown_failure_kinds_are_refused() -> None:
    with pytest.raises(ValueError):
        Failure("flaky")


def test_full_jitter_stays_within_the_exponential_window_and_the_cap() -> None:
    assert POLICY.backoff(0, rand=lambda: 0.999) == pytest.approx(0.4995)
    assert POLICY.backoff(3, rand=lambda: 0.5) == pytest.approx(2.0)  # window 4 s
    assert POLICY.backoff(10, rand=lambda: 0.999) < 8.0  # capped
    assert POLICY.backoff(2, rand=lambda: 0.0) == 0.0  # full jitter reaches down to 0
    waits = {round(POLICY.backoff(2), 6) for _ in range(50)}
    assert len(waits) > 40 and all(0 <= w < 2.0 for w in waits)  # spread, not a fixed step


def test_the_policy_stops_after_max_retries() -> None:
    failure = Failure("server")
    assert [POLICY.delay(n, failure) is not None for n in range(5)] == [True, True, True, False, False]


def test_a_server_delay_is_honoured_up_to_the_cap() -> None:
    assert POLICY.delay(0, Failure("rate_limit", retry_after=2.5)) == 2.5
    assert POLICY.delay(0, Failure("rate_limit", retry_after=0.0)) == 0.0
    # asked to come back in two minutes: move on to the next provider instead
    assert POLICY.delay(0, Failure("rate_limit", retry_after=120)) is None


def test_server_delay_reads_ms_then_seconds_then_an_http_date() -> None:
    assert server_delay({"retry-after-ms": "1500", "retry-after": "9"}) == 1.5
    assert server_delay({"Retry-After": "20"}) == 20.0
    now = time.time()
    assert server_delay({"retry-after": formatdate(now + 30, usegmt=True)}, now=now) == pytest.approx(30, abs=1)
    assert server_delay({"retry-after": formatdate(now - 30, usegmt=True)}, now=now) == 0.0
    assert server_delay({"retry-after": "soon"}) is None
    assert server_delay({"retry-after": "-3"}) is None
    assert server_delay({}) is None


def test_from_config_reads_the_resilience_section() -> None:
    policy = RetryPolicy.from_config({"max_retries": 1, "backoff_base_seconds": 0.1, "backoff_cap_seconds": 2, "retry_after_cap_seconds": 5})
    assert policy == RetryPolicy(1, 0.1, 2.0, 5.0)
    assert RetryPolicy.from_config({}) == RetryPolicy()


def test_the_loop_retries_transient_failures_then_returns() -> None:
    outcomes = [Failure("server"), Failure("rate_limit", retry_after=0.2), "answer"]
    waits: list[float] = []

    async def attempt() -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Failure):
            raise CallFailed(outcome)
        return outcome

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    record = Attempts()
    assert asyncio.run(retry(attempt, POLICY, sleep=sleep, record=record)) == "answer"
    assert record.count == 3 and waits[1] == 0.2 and 0 <= waits[0] < 0.5
    assert [f.kind for f in record.failures] == ["server", "rate_limit"]


def test_the_loop_gives_up_at_once_on_a_final_failure() -> None:
    calls = []

    def attempt() -> str:
        calls.append(1)
        raise CallFailed(Failure("no_credit", "insufficient_quota", status=429))

    with pytest.raises(CallFailed) as caught:
        retry_sync(attempt, POLICY, sleep=lambda s: None)
    assert len(calls) == 1 and caught.value.failure.kind == "no_credit"


def test_the_loop_stops_when_told_to() -> None:
    calls = []

    async def attempt() -> str:
        calls.append(1)
        raise CallFailed(Failure("server"))

    async def sleep(seconds: float) -> None:
        pass

    with pytest.raises(CallFailed):
        asyncio.run(retry(attempt, POLICY, sleep=sleep, keep_going=lambda: False))
    assert len(calls) == 1
