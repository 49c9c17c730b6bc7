"""One retry loop, and the rules for what is worth retrying.

Backoff is exponential with full jitter (AWS, "Exponential Backoff and Jitter"): before retry
``n`` (0-based) wait ``uniform(0, min(cap, base * 2**n))``. A server that says when to come back
(``retry-after-ms``, then ``Retry-After`` in seconds or as an HTTP date) is believed up to
``retry_after_cap``; one that asks for longer is not waited for: the chain moves on to the next
provider instead, which is what an app in front of users should do.

Only transient failures are retried: timeouts, connection errors, 408, 409, 429 rate limits, 5xx
and 529. A wrong key, a bad request, a content-policy refusal or exhausted credit (OpenAI
``insufficient_quota``, HTTP 402, Anthropic ``billing_error``) will fail the same way again, so
they go to the next provider at once. ``x-should-retry: false`` stops any retry; ``true`` allows
one the status alone would not, except for a key or credit failure, which no retry can fix.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

T = TypeVar("T")

# Failure kinds. The first group is transient: another attempt may well succeed.
TRANSIENT = frozenset({"timeout", "connection", "stream_cut", "rate_limit", "overloaded", "server", "conflict"})
# No retry can fix these, whatever the server says in x-should-retry.
FINAL = frozenset({"invalid_key", "no_credit", "no_key"})
KINDS = TRANSIENT | FINAL | frozenset({
    "forbidden", "bad_request", "not_found", "content_policy", "malformed", "unknown",
    # failures decided before any request: the chain's own
    "drill", "breaker_open", "budget", "unsupported",
})

DEFAULT_RETRY_AFTER_CAP = 30.0


@dataclass(frozen=True)
class Failure:
    """What went wrong with one call, in terms a retry decision and a person can use."""

    kind: str
    message: str = ""
    status: int | None = None  # HTTP status, when there was an answer
    code: str | None = None  # the provider's error code or type (insufficient_quota, overloaded_error)
    retry_after: float | None = None  # seconds the server asked us to wait
    should_retry: bool | None = None  # the server's x-should-retry header

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown failure kind {self.kind!r}")

    @property
    def retryable(self) -> bool:
        if self.should_retry is False:
            return False
        if self.should_retry is True:
            return self.kind not in FINAL
        return self.kind in TRANSIENT

    def describe(self) -> str:
        where = f"HTTP {self.status}" if self.status else self.kind
        code = f" {self.code}" if self.code and self.code not in where else ""
        return f"{where}{code}: {self.message}" if self.message else f"{where}{code}"


class CallFailed(Exception):
    """Raised by an attempt; carries the ``Failure`` the retry loop decides on."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.describe())
        self.failure = failure


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int = 3  # attempts after the first
    base: float = 0.5  # seconds: the first backoff window
    cap: float = 8.0  # seconds: the largest backoff window
    retry_after_cap: float = DEFAULT_RETRY_AFTER_CAP  # the longest server-asked wait believed

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> RetryPolicy:
        """From ``[resilience]``: max_retries, backoff_base_seconds, backoff_cap_seconds, retry_after_cap_seconds."""
        return cls(
            max_retries=int(section.get("max_retries", cls.max_retries)),
            base=float(section.get("backoff_base_seconds", cls.base)),
            cap=float(section.get("backoff_cap_seconds", cls.cap)),
            retry_after_cap=float(section.get("retry_after_cap_seconds", cls.retry_after_cap)),
        )

    def backoff(self, retry: int, rand: Callable[[], float] = random.random) -> float:
        """Full jitter: a uniform wait in ``[0, min(cap, base * 2**retry))``."""
        return rand() * min(self.cap, self.base * 2.0**retry)

    def delay(self, retry: int, failure: Failure, rand: Callable[[], float] = random.random) -> float | None:
        """Seconds to wait before retry number ``retry`` (0-based), or None: do not retry."""
        if retry >= self.max_retries or not failure.retryable:
            return None
        if failure.retry_after is not None:
            return failure.retry_after if failure.retry_after <= self.retry_after_cap else None
        return self.backoff(retry, rand)


def server_delay(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """The wait a server asks for: ``retry-after-ms``, else ``Retry-After`` (seconds or HTTP date)."""
    lowered = {name.lower(): value for name, value in headers.items()}
    millis = _number(lowered.get("retry-after-ms"))
    if millis is not None:
        return millis / 1000
    value = lowered.get("retry-after")
    if value is None:
        return None
    seconds = _number(value)
    if seconds is not None:
        return seconds
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def should_retry_header(headers: Mapping[str, str]) -> bool | None:
    value = next((v for k, v in headers.items() if k.lower() == "x-should-retry"), None)
    return {"true": True, "false": False}.get((value or "").strip().lower())


def _number(value: str | None) -> float | None:
    try:
        number = float(value) if value is not None else None
    except ValueError:
        return None
    return number if number is not None and number >= 0 and number == number and number != float("inf") else None


@dataclass
class Attempts:
    """What the loop did: how many attempts, the failures and the waits between them."""

    count: int = 0
    failures: list[Failure] = field(default_factory=list)
    waited: float = 0.0

    def add(self, failure: Failure, wait: float | None) -> None:
        self.failures.append(failure)
        self.waited += wait or 0.0


async def retry(
    attempt: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    record: Attempts | None = None,
    keep_going: Callable[[], bool] = lambda: True,
) -> T:
    """Call ``attempt`` until it returns; on ``CallFailed`` wait and call again while the policy allows
    (and ``keep_going()``, e.g. while the provider's breaker is not open), else re-raise the last."""
    record = record if record is not None else Attempts()
    for number in range(policy.max_retries + 1):
        record.count += 1
        try:
            return await attempt()
        except CallFailed as exc:
            wait = policy.delay(number, exc.failure)
            record.add(exc.failure, wait)
            if wait is None or not keep_going():
                raise
        await sleep(wait)
    raise AssertionError("unreachable: the last attempt either returns or raises")  # pragma: no cover


def retry_sync(
    attempt: Callable[[], T],
    policy: RetryPolicy,
    *,
    sleep: Callable[[float], Any] = time.sleep,
    record: Attempts | None = None,
) -> T:
    """``retry`` for synchronous code: the same decisions, a blocking sleep."""
    record = record if record is not None else Attempts()
    for number in range(policy.max_retries + 1):
        record.count += 1
        try:
            return attempt()
        except CallFailed as exc:
            wait = policy.delay(number, exc.failure)
            record.add(exc.failure, wait)
            if wait is None:
                raise
        sleep(wait)
    raise AssertionError("unreachable: the last attempt either returns or raises")  # pragma: no cover
