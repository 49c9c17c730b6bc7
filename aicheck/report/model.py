"""What a report holds: the parts it was built from, the score and its deductions, the SLOs,
budget, headroom and fallback figures, and the trend of earlier runs (data only, no rendering).

Every part is kept as its command's JSON document (DESIGN.md, "JSON output"), whether it ran in
this process or was read with ``--from``: one shape, so a report built from saved results is the
report the same results would give live.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

PARTS = ("scan", "env", "keys", "smoke", "code")
COMMANDS = {"scan": "scan", "env": "env check", "keys": "keys validate", "smoke": "smoke", "code": "code"}
ITEMS = {"scan": "findings", "env": "findings", "keys": "results", "smoke": "results", "code": "findings"}
RAN, SKIPPED, ERROR = "ran", "skipped", "error"


@dataclass
class Part:
    name: str  # scan, env, keys or smoke
    status: str  # ran, skipped or error
    reason: str = ""  # skipped or error: why, in words ("--offline", "no [[chain]] in config")
    source: str = "this run"  # or the --from file it was read from
    document: dict[str, Any] | None = None  # the command's JSON envelope

    @property
    def command(self) -> str:
        return COMMANDS[self.name]

    @property
    def ran(self) -> bool:
        return self.status == RAN and self.document is not None

    @property
    def items(self) -> list[dict[str, Any]]:
        items = (self.document or {}).get(ITEMS[self.name])
        return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []

    @property
    def summary(self) -> dict[str, Any]:
        summary = (self.document or {}).get("summary")
        return summary if isinstance(summary, dict) else {}

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "command": self.command, "status": self.status, "reason": self.reason or None,
            "source": self.source, "summary": self.summary, ITEMS[self.name]: self.items,
        }


@dataclass(frozen=True)
class Deduction:
    points: int
    reason: str  # "a live OpenAI key in src/config.ts:12"
    command: str  # the command that shows the detail: "aicheck scan --verify"
    check: str  # scan, env, keys, smoke, slo, budget, headroom, fallback

    def text(self) -> str:
        return f"-{self.points}: {self.reason} ({self.command})"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Score:
    value: int
    deductions: tuple[Deduction, ...] = ()
    cap: int | None = None  # the most the score can be, when something caps it
    cap_reason: str = ""

    @property
    def grade(self) -> str:
        return "good" if self.value >= 90 else "fair" if self.value >= 70 else "poor"

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "grade": self.grade, "cap": self.cap, "cap_reason": self.cap_reason or None,
                "deductions": [d.to_dict() for d in self.deductions]}


@dataclass(frozen=True)
class Slo:
    name: str  # availability, p95_latency_ms, error_rate, cost_per_request_usd
    label: str
    target: float
    measured: float | None  # None: smoke did not measure it
    higher_is_better: bool

    @property
    def met(self) -> bool | None:
        if self.measured is None:
            return None
        return self.measured >= self.target if self.higher_is_better else self.measured <= self.target

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "label": self.label, "target": self.target, "measured": self.measured, "met": self.met}


@dataclass(frozen=True)
class BudgetUse:
    per_day_usd: float | None
    spent_today_usd: float
    per_run_usd: float | None = None
    spent_run_usd: float | None = None  # None: no smoke run in this report
    source: str = ""  # "smoke" or "state file"

    @property
    def day_fraction(self) -> float | None:
        return self.spent_today_usd / self.per_day_usd if self.per_day_usd else None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "day_fraction": self.day_fraction}


@dataclass(frozen=True)
class Headroom:
    provider: str
    key: str  # the variable or the redacted key ("GROQ_API_KEY"); "chain" for what smoke saw
    kind: str  # requests, tokens, ...
    remaining: float | None
    limit: float | None
    reset: str | None
    source: str  # "keys validate" or "smoke"

    @property
    def fraction(self) -> float | None:
        if self.remaining is None or not self.limit:
            return None
        return self.remaining / self.limit

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "fraction": self.fraction}


PROVEN, NOT_PROVEN, NO_FALLBACK, NO_CHAIN = "proven", "not proven", "no fallback", "no chain"


@dataclass(frozen=True)
class Fallback:
    status: str  # proven, not proven, no fallback (one provider), no chain
    detail: str
    providers: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "detail": self.detail, "providers": list(self.providers)}


@dataclass(frozen=True)
class TrendPoint:
    run_id: int
    at: str  # ISO 8601, UTC
    score: int | None
    p95_ms: float | None
    cost_per_request_usd: float | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ProviderLatency:
    provider: str
    samples: tuple[float, ...]  # answered calls, ms; cache hits never count
    p50_ms: float | None
    p95_ms: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"provider": self.provider, "samples": list(self.samples), "p50_ms": self.p50_ms, "p95_ms": self.p95_ms}


@dataclass
class Report:
    parts: list[Part]
    score: Score
    slos: list[Slo] = field(default_factory=list)
    budget: BudgetUse | None = None
    headroom: list[Headroom] = field(default_factory=list)
    fallback: Fallback = field(default_factory=lambda: Fallback(NO_CHAIN, "no [[chain]] in config"))
    latency: list[ProviderLatency] = field(default_factory=list)
    trends: list[TrendPoint] = field(default_factory=list)
    generated_at: str = ""
    root: str = ""
    fail_under: int | None = None
    notes: list[str] = field(default_factory=list)
    run_id: int | None = None

    @property
    def failed(self) -> bool:
        return self.fail_under is not None and self.score.value < self.fail_under

    def part(self, name: str) -> Part:
        return next(part for part in self.parts if part.name == name)

    @property
    def checked(self) -> list[Part]:
        return [part for part in self.parts if part.ran]

    def summary(self) -> dict[str, Any]:
        smoke = self.part("smoke").summary if self.part("smoke").ran else {}
        return {
            "score": self.score.value, "grade": self.score.grade, "fail_under": self.fail_under, "failed": self.failed,
            "cap": self.score.cap, "cap_reason": self.score.cap_reason or None,
            "deductions": [d.to_dict() for d in self.score.deductions],
            "parts": {part.name: {"status": part.status, "reason": part.reason or None, "source": part.source} for part in self.parts},
            "p95_ms": smoke.get("p95_ms"), "cost_per_request_usd": smoke.get("cost_per_request_usd"),
            "slo": [slo.to_dict() for slo in self.slos],
            "budget": self.budget.to_dict() if self.budget else None,
            "headroom": [item.to_dict() for item in self.headroom],
            "fallback": self.fallback.to_dict(),
            "latency": [item.to_dict() for item in self.latency],
            "trends": [point.to_dict() for point in self.trends],
            "generated_at": self.generated_at, "root": self.root, "run_id": self.run_id, "notes": self.notes,
        }
