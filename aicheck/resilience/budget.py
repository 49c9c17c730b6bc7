"""A spending budget: dollars per run and per day, checked before a call is sent.

A call first reserves the most it could cost (``estimate_usd``); when that would take the run or
the day past its limit, the call is refused and never sent. After the answer, the reservation is
settled with what the call really cost. Reservations keep concurrent calls honest: two calls
cannot both fit into the last cent. With a store (the state database), the day's reservations
are made there, in one transaction each, so concurrent runs share the day's budget too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class ReservationStore(Protocol):
    """Where the day's reservations are shared (``aicheck.state.State`` is one)."""

    def reserve_budget(self, day: str, amount: float, limit: float | None) -> tuple[int | None, float]: ...

    def release_budget(self, reservation_id: int) -> None: ...

DEFAULT_PER_DAY_USD = 1.00


@dataclass(frozen=True)
class Refusal:
    limit: str  # "per_run_usd" or "per_day_usd"
    limit_usd: float
    spent_usd: float  # spent and reserved so far against that limit
    estimate_usd: float

    def describe(self) -> str:
        return (
            f"not sent: it could cost up to ${self.estimate_usd:.6f}, and ${self.spent_usd:.6f} of the "
            f"[budget] {self.limit} of ${self.limit_usd:.2f} is already spent or reserved"
        )


@dataclass
class Reservation:
    amount: float
    settled: bool = False
    stored: int | None = None  # its row in the store


class Budget:
    def __init__(
        self, per_run_usd: float | None = None, per_day_usd: float | None = DEFAULT_PER_DAY_USD, spent_today_usd: float = 0.0,
        store: ReservationStore | None = None, day: str = "",
    ) -> None:
        self.per_run_usd, self.per_day_usd = per_run_usd, per_day_usd
        self.spent_today_usd = spent_today_usd  # before this run
        self.spent_run_usd = 0.0
        self.reserved_usd = 0.0
        self.store, self.day = store, day

    def reserve(self, estimate_usd: float) -> Reservation | Refusal:
        checks = [("per_run_usd", self.per_run_usd, self.spent_run_usd)]
        if self.store is None:
            checks.append(("per_day_usd", self.per_day_usd, self.spent_today_usd + self.spent_run_usd))
        for limit, limit_usd, spent in checks:
            if limit_usd is not None and spent + self.reserved_usd + estimate_usd > limit_usd:
                return Refusal(limit, limit_usd, spent + self.reserved_usd, estimate_usd)
        stored = None
        if self.store is not None:
            stored, spent_day = self.store.reserve_budget(self.day, estimate_usd, self.per_day_usd)
            if stored is None:
                return Refusal("per_day_usd", float(self.per_day_usd or 0.0), spent_day, estimate_usd)
        self.reserved_usd += estimate_usd
        return Reservation(estimate_usd, stored=stored)

    def settle(self, reservation: Reservation, actual_usd: float | None) -> None:
        """Replace the reservation by the real cost (None: the call cost nothing we know of).
        The cost must already be in the spend ledger: for a moment it counts twice, never zero times."""
        if reservation.settled:
            return
        reservation.settled = True
        self.reserved_usd = max(0.0, self.reserved_usd - reservation.amount)
        self.spent_run_usd += actual_usd or 0.0
        if self.store is not None and reservation.stored is not None:
            self.store.release_budget(reservation.stored)

    def summary(self) -> dict[str, float | None]:
        return {
            "spent_run_usd": round(self.spent_run_usd, 8),
            "spent_today_usd": round(self.spent_today_usd + self.spent_run_usd, 8),
            "per_run_usd": self.per_run_usd,
            "per_day_usd": self.per_day_usd,
        }
