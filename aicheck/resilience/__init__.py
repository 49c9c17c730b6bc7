"""Resilience for calls to AI providers: a small library aicheck's chain uses and an app can import.

- ``retry``: one retry loop, exponential backoff with full jitter, server delays honoured up to a
  cap, only transient failures retried (``Failure`` says what went wrong and whether it is);
- ``breaker``: a circuit breaker per provider (closed, open, half-open with one trial call);
- ``ratelimit``: a token bucket per provider (requests per minute);
- ``budget``: dollars per run and per day, checked before a call is sent;
- ``cache``: answers by a hash of what was asked (never the key), with a TTL and a size;
- ``cost``: tokens times prices.

Nothing here does I/O of its own or imports httpx: the caller makes the call, and passes the
clock, the sleep and the store where it matters (so tests and apps can pick their own).
"""

from __future__ import annotations

from aicheck.resilience.breaker import Breaker, Breakers
from aicheck.resilience.budget import Budget, Refusal, Reservation
from aicheck.resilience.cache import ResponseCache, cache_key
from aicheck.resilience.cost import Tokens, cost_usd, estimate_usd, find_price
from aicheck.resilience.ratelimit import RateLimits, TokenBucket
from aicheck.resilience.retry import CallFailed, Failure, RetryPolicy, retry, retry_sync, server_delay

__all__ = [
    "Breaker", "Breakers", "Budget", "CallFailed", "Failure", "RateLimits", "Refusal", "Reservation", "ResponseCache",
    "RetryPolicy", "TokenBucket", "Tokens", "cache_key", "cost_usd", "estimate_usd", "find_price", "retry", "retry_sync",
    "server_delay",
]
