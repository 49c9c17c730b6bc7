"""A circuit breaker per provider, so an outage costs one fast failure, not a timeout per call.

``closed``: calls go through; ``threshold`` consecutive failures open it (the chain reports each
failed request, retries included, so calls in flight stop retrying once it opens). ``open``: calls are
refused at once, without a request. After ``cooldown`` seconds it is ``half_open``: one trial call
goes through (the others are still refused); its success closes the breaker, its failure opens it
for another cooldown. A threshold of 0 turns the breaker off.

The state can live in a store (``aicheck.state.State``), so a provider found down by one run is
skipped by the next until its cooldown is over. The clock is wall time for that reason.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any, Protocol

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"


class BreakerStore(Protocol):
    def breakers(self) -> dict[str, dict[str, Any]]: ...

    def save_breaker(self, provider: str, state: str, failures: int, opened_at: float | None, opened_by_run: int | None = None) -> None: ...


class Breaker:
    def __init__(
        self,
        name: str,
        threshold: int = 5,
        cooldown: float = 30.0,
        clock: Callable[[], float] = time.time,
        on_change: Callable[[Breaker], None] | None = None,
    ) -> None:
        self.name, self.threshold, self.cooldown = name, threshold, cooldown
        self._clock, self._on_change = clock, on_change
        self._open = False
        self.failures = 0
        self.opened_at: float | None = None
        self.opened_by_run: int | None = None  # the run whose failures opened it (state file's runs.id)
        self._trial = False  # the half-open trial call is in flight

    @property
    def state(self) -> str:
        if not self._open:
            return CLOSED
        return HALF_OPEN if self.retry_in() == 0 else OPEN

    def retry_in(self) -> float:
        """Seconds until the breaker lets a trial call through (0 when it would now)."""
        if not self._open or self.opened_at is None:
            return 0.0
        return max(0.0, self.opened_at + self.cooldown - self._clock())

    def allow(self) -> bool:
        """May a call go through now? In half-open, only the first caller gets the trial."""
        state = self.state
        if state == CLOSED:
            return True
        if state == HALF_OPEN and not self._trial:
            self._trial = True
            return True
        return False

    def success(self) -> None:
        changed = self._open or self.failures > 0
        self._open, self.failures, self.opened_at, self._trial = False, 0, None, False
        if changed:
            self._changed()

    def failure(self) -> None:
        if self._open:  # the half-open trial failed: another cooldown
            self.opened_at, self._trial = self._clock(), False
        else:
            self.failures += 1
            if self.threshold and self.failures >= self.threshold:
                self._open, self.opened_at = True, self._clock()
        self._changed()

    def release(self) -> None:
        """The trial call ended with no verdict on the provider (a bad request): let another try."""
        self._trial = False

    def restore(self, state: str, failures: int, opened_at: float | None, opened_by_run: int | None = None) -> None:
        self._open = state in (OPEN, HALF_OPEN) and opened_at is not None
        self.failures, self.opened_at, self._trial = failures, opened_at if self._open else None, False
        self.opened_by_run = opened_by_run if self._open else None

    def snapshot(self) -> dict[str, Any]:
        return {"state": self.state, "failures": self.failures, "opened_at": self.opened_at, "opened_by_run": self.opened_by_run,
                "retry_in_s": round(self.retry_in(), 3)}

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change(self)


def opened(snapshot: Mapping[str, Any]) -> str:
    """``since 2026-12-06 14:03:22 UTC, by run 17``: when a breaker opened and which run opened it."""
    at = snapshot.get("opened_at")
    when = f"since {datetime.fromtimestamp(float(at), timezone.utc):%Y-%m-%d %H:%M:%S} UTC" if isinstance(at, (int, float)) else ""
    run = snapshot.get("opened_by_run")
    return ", ".join(part for part in (when, f"by run {run}" if run is not None else "") if part)


class Breakers:
    """One breaker per provider, restored from and saved to a store when there is one."""

    def __init__(
        self,
        threshold: int = 5,
        cooldown: float = 30.0,
        *,
        store: BreakerStore | None = None,
        clock: Callable[[], float] = time.time,
        run_id: int | None = None,  # this run, named as the opener of the breakers it opens
    ) -> None:
        self.threshold, self.cooldown, self._store, self._clock = threshold, cooldown, store, clock
        self.run_id = run_id
        self._saved = store.breakers() if store is not None else {}
        self._breakers: dict[str, Breaker] = {}

    def get(self, name: str) -> Breaker:
        if name not in self._breakers:
            breaker = Breaker(name, self.threshold, self.cooldown, self._clock, self._save if self._store else None)
            if name in self._saved:
                saved = self._saved[name]
                breaker.restore(saved["state"], int(saved["failures"]), saved["opened_at"], saved.get("opened_by_run"))
            self._breakers[name] = breaker
        return self._breakers[name]

    def snapshot(self) -> dict[str, dict[str, Any]]:
        return {name: breaker.snapshot() for name, breaker in self._breakers.items()}

    def _save(self, breaker: Breaker) -> None:
        assert self._store is not None
        # a failure that leaves it open came from a call of this run: this run (re)opened it
        breaker.opened_by_run = None if breaker.state == CLOSED else (self.run_id or breaker.opened_by_run)
        self._store.save_breaker(breaker.name, OPEN if breaker.state != CLOSED else CLOSED, breaker.failures, breaker.opened_at, breaker.opened_by_run)
