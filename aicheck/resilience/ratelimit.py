"""A client-side rate limit per provider: a token bucket of ``requests_per_minute``.

The bucket holds up to ``burst`` tokens (by default a minute's worth, the most a per-minute limit
allows at once) and refills at ``requests_per_minute / 60`` a second; a call takes one token and
waits for it when the bucket is empty. With no limit configured, nothing waits.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any


class TokenBucket:
    def __init__(
        self,
        requests_per_minute: float,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if requests_per_minute <= 0:
            raise ValueError("requests_per_minute must be positive")
        self.rate = requests_per_minute / 60.0  # tokens per second
        self.capacity = max(1.0, burst if burst is not None else requests_per_minute)
        self.tokens = self.capacity
        self._clock = clock
        self._updated = clock()
        self.waited = 0.0  # total seconds callers waited, for reports

    def _refill(self) -> None:
        now = self._clock()
        self.tokens = min(self.capacity, self.tokens + (now - self._updated) * self.rate)
        self._updated = now

    def take(self) -> float:
        """Take a token now (the balance may go negative) and return how long to wait for it."""
        self._refill()
        self.tokens -= 1
        wait = 0.0 if self.tokens >= 0 else -self.tokens / self.rate
        self.waited += wait
        return wait

    def try_take(self) -> bool:
        self._refill()
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False

    async def acquire(self, sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep) -> float:
        """Wait for a token; returns the seconds waited. Callers queue in the order they came."""
        wait = self.take()
        if wait > 0:
            await sleep(wait)
        return wait

    @property
    def headroom(self) -> int:
        self._refill()
        return max(0, int(self.tokens))


class RateLimits:
    """A bucket per provider: the provider's own ``requests_per_minute``, else the default."""

    def __init__(self, default_rpm: float | None = None, per_provider: Mapping[str, float] | None = None,
                 burst: float | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.default_rpm, self.per_provider, self.burst, self._clock = default_rpm, dict(per_provider or {}), burst, clock
        self._buckets: dict[str, TokenBucket | None] = {}

    def get(self, name: str) -> TokenBucket | None:
        if name not in self._buckets:
            rpm = self.per_provider.get(name, self.default_rpm)
            self._buckets[name] = TokenBucket(rpm, self.burst, clock=self._clock) if rpm else None
        return self._buckets[name]

    async def acquire(self, name: str, sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep) -> float:
        bucket = self.get(name)
        return await bucket.acquire(sleep) if bucket is not None else 0.0
