"""What ``aicheck smoke`` found: a result per prompt and figures per provider (data only).

Cache hits are counted apart and never enter a latency figure. ``summary()`` holds what the
report (SLOs, trends) reads back from the run history: availability, p50/p95 latency, error rate,
cost per request.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from aicheck.chain.result import ANSWERED, ChainResult, Step
from aicheck.smoke.expect import Assertion


@dataclass
class PromptResult:
    name: str
    chain: ChainResult
    assertions: list[Assertion] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return not self.chain.ok or any(a.passed is False for a in self.assertions)

    @property
    def status(self) -> str:
        """passed, failed (an expectation not met) or error (no provider answered)."""
        if not self.chain.ok:
            return "error"
        return "failed" if self.failed else "passed"

    @property
    def fallback(self) -> bool:
        """Answered, but not by the first provider of the chain."""
        return self.chain.ok and len(self.chain.path) > 1

    def to_dict(self) -> dict[str, Any]:
        answer = self.chain.answer
        data: dict[str, Any] = {
            "name": self.name, "status": self.status,
            "provider": answer.provider if answer else None, "model": answer.model if answer else None,
            "served_model": answer.served_model if answer else None,
            "path": [step.to_dict() for step in self.chain.path], "path_text": self.chain.path_text(),
            "attempts": self.chain.attempts, "fallback": self.fallback, "cached": bool(answer and answer.cached),
            "latency_ms": _round(self.chain.latency_ms), "provider_latency_ms": _round(answer.latency_ms) if answer else None,
            "ttft_ms": _round(answer.ttft_ms) if answer else None,
            "tokens": {"input": answer.tokens.input, "output": answer.tokens.output, "cached": answer.tokens.cached} if answer else None,
            "cost_usd": answer.cost_usd if answer else None, "cost_source": answer.cost_source if answer else None,
            "answer": answer.text if answer else None,
            "assertions": [a.to_dict() for a in self.assertions],
            "error": self.chain.error,
        }
        return data


@dataclass
class ProviderStats:
    provider: str
    model: str
    position: int  # 1-based place in the chain
    steps: list[Step] = field(default_factory=list)
    breaker: dict[str, Any] = field(default_factory=dict)
    host: str = ""  # where this provider's key goes: "api.groq.com", "127.0.0.1:4000"

    @property
    def calls(self) -> list[Step]:
        """Steps that sent at least one request."""
        return [step for step in self.steps if step.sent]

    @property
    def answered(self) -> list[Step]:
        return [step for step in self.calls if step.outcome == ANSWERED]

    @property
    def success_rate(self) -> float | None:
        return len(self.answered) / len(self.calls) if self.calls else None

    def latencies(self) -> list[float]:
        return [step.latency_ms for step in self.answered if step.latency_ms is not None]

    def errors(self) -> dict[str, int]:
        return dict(Counter(str(step.kind) for step in self.steps if step.outcome != ANSWERED))

    def rate_limit(self) -> dict[str, Any]:
        return next((step.rate_limit for step in reversed(self.steps) if step.rate_limit), {})

    def to_dict(self) -> dict[str, Any]:
        latencies = self.latencies()
        rate = self.success_rate
        return {
            "provider": self.provider, "model": self.model, "position": self.position,
            "prompts": len(self.steps), "calls": len(self.calls), "answered": len(self.answered),
            "requests": sum(step.attempts for step in self.steps),
            "success_rate": None if rate is None else round(rate, 4),
            "p50_ms": _round(percentile(latencies, 50)), "p95_ms": _round(percentile(latencies, 95)),
            "cache_hits": sum(1 for step in self.steps if step.kind == "cached"),
            "errors": self.errors(), "breaker": self.breaker, "rate_limit": self.rate_limit(),
        }


@dataclass
class SmokeReport:
    results: list[PromptResult]
    providers: list[ProviderStats]
    duration_s: float = 0.0
    budget: dict[str, Any] = field(default_factory=dict)
    drills: list[str] = field(default_factory=list)
    run_id: int | None = None
    state_path: str | None = None
    warnings: list[str] = field(default_factory=list)  # chain models deprecated or retired
    key_sources: dict[str, str] = field(default_factory=dict)  # key_env -> "environment", ".env.local", "not set"

    @property
    def failed(self) -> bool:
        return any(result.failed for result in self.results)

    def summary(self) -> dict[str, Any]:
        results = self.results
        answered = [r for r in results if r.chain.ok]
        measured = [r.chain.latency_ms for r in answered if r.chain.latency_ms is not None]
        costs = [r.chain.answer.cost_usd for r in answered if r.chain.answer and r.chain.answer.cost_usd is not None]
        statuses = Counter(r.status for r in results)
        return {
            "prompts": len(results), "passed": statuses["passed"], "failed": statuses["failed"], "errors": statuses["error"],
            "availability": round(len(answered) / len(results), 4) if results else None,
            "error_rate": round(1 - len(answered) / len(results), 4) if results else None,
            "fallbacks": sum(1 for r in results if r.fallback),
            "cache_hits": sum(1 for r in results if r.chain.answer and r.chain.answer.cached),
            "p50_ms": _round(percentile(measured, 50)), "p95_ms": _round(percentile(measured, 95)),
            "cost_usd": round(sum(costs), 8), "cost_per_request_usd": round(sum(costs) / len(costs), 8) if costs else None,
            "requests": sum(r.chain.attempts for r in results),
            "budget": self.budget, "drills": self.drills, "duration_s": round(self.duration_s, 3), "run_id": self.run_id,
            "warnings": list(self.warnings),
            "providers": [stats.to_dict() for stats in self.providers],
            "key_sources": self.key_sources,
        }


def percentile(values: list[float], pct: float) -> float | None:
    """Nearest-rank percentile (p95 of 20 values is the 19th); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
