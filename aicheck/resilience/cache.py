"""A response cache: answers by a hash of provider, model, prompt and parameters.

The key never includes the API key (nor anything derived from it): two keys for the same model
share answers, and the state file holds no secret. Only successful answers are cached. Entries
expire ``ttl`` seconds after they were made, by the TTL configured now (not the one they were
stored under); past ``max_items`` the oldest go first.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol

DEFAULT_TTL = 300.0
DEFAULT_MAX_ITEMS = 100


class CacheStore(Protocol):
    def cache_get(self, key: str, now: float, ttl: float) -> dict[str, Any] | None: ...

    def cache_put(self, key: str, provider: str, model: str, value: dict[str, Any], now: float, ttl: float, max_items: int) -> None: ...


class MemoryStore:
    """A store for apps without a state file: a dict, oldest first."""

    def __init__(self) -> None:
        self._items: OrderedDict[str, tuple[float, dict[str, Any]]] = OrderedDict()

    def cache_get(self, key: str, now: float, ttl: float) -> dict[str, Any] | None:
        item = self._items.get(key)
        return item[1] if item is not None and now - item[0] < ttl else None

    def cache_put(self, key: str, provider: str, model: str, value: dict[str, Any], now: float, ttl: float, max_items: int) -> None:
        self._items.pop(key, None)
        self._items[key] = (now, value)
        while len(self._items) > max_items:
            self._items.popitem(last=False)


def cache_key(provider: str, model: str, **params: Any) -> str:
    """A stable hash of what was asked: provider, model and every parameter that shapes the answer."""
    canonical = json.dumps({"provider": provider, "model": model, **params}, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ResponseCache:
    def __init__(
        self,
        ttl: float = DEFAULT_TTL,
        max_items: int = DEFAULT_MAX_ITEMS,
        store: CacheStore | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.ttl, self.max_items, self._clock = ttl, max_items, clock
        self.store: CacheStore = store if store is not None else MemoryStore()
        self.hits = self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.ttl > 0 and self.max_items > 0

    def get(self, key: str) -> dict[str, Any] | None:
        if not self.enabled:
            return None
        value = self.store.cache_get(key, self._clock(), self.ttl)
        if value is None:
            self.misses += 1
        else:
            self.hits += 1
        return value

    def put(self, key: str, provider: str, model: str, value: dict[str, Any]) -> None:
        if self.enabled:
            self.store.cache_put(key, provider, model, value, self._clock(), self.ttl, self.max_items)
