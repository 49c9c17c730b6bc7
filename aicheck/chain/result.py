"""What a chain call returns: the answer, or a structured error, and the path it took (data only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aicheck.resilience.cost import Tokens


@dataclass(frozen=True)
class ChatRequest:
    """One prompt, with the parameters that shape its answer (and so its cache key)."""

    prompt: str
    system: str | None = None
    max_tokens: int = 64
    temperature: float | None = 0.0
    stream: bool = False

    def params(self) -> dict[str, Any]:
        return {"prompt": self.prompt, "system": self.system, "max_tokens": self.max_tokens,
                "temperature": self.temperature, "stream": self.stream}


@dataclass
class Answer:
    text: str
    provider: str
    model: str  # the model asked for
    served_model: str | None = None  # the model the answer names (OpenRouter: which one answered)
    tokens: Tokens = field(default_factory=Tokens)
    cost_usd: float | None = None  # None: no price known and none reported
    cost_source: str | None = None  # "reported" (usage.cost), "prices" or None
    latency_ms: float | None = None  # the answering attempt, request to last byte; None when cached
    ttft_ms: float | None = None  # time to first token, when streamed
    finish_reason: str | None = None
    cached: bool = False
    rate_limit: dict[str, Any] = field(default_factory=dict)  # headroom from the response headers

    def to_cache(self) -> dict[str, Any]:
        return {"text": self.text, "served_model": self.served_model, "finish_reason": self.finish_reason,
                "tokens": [self.tokens.input, self.tokens.output, self.tokens.cached],
                "cost_usd": self.cost_usd, "cost_source": self.cost_source}

    @classmethod
    def from_cache(cls, provider: str, model: str, value: dict[str, Any]) -> Answer:
        tokens = Tokens(*value.get("tokens", (0, 0, 0)))
        return cls(value["text"], provider, model, value.get("served_model"), tokens, value.get("cost_usd"),
                   value.get("cost_source"), finish_reason=value.get("finish_reason"), cached=True)


# How a link ended for one prompt.
ANSWERED, FAILED, SKIPPED = "answered", "failed", "skipped"


@dataclass
class Step:
    """One provider of the chain, tried (or not) for one prompt."""

    provider: str
    model: str
    outcome: str  # answered, failed or skipped (no request sent: drill, open breaker, budget, no key)
    kind: str | None = None  # the failure kind (aicheck.resilience.retry.KINDS), or "cached"
    detail: str = ""
    attempts: int = 0  # requests sent
    http_status: int | None = None
    latency_ms: float | None = None  # time spent on this provider, retries and waits included
    waited_s: float = 0.0  # backoff and rate-limit waits
    rate_limit: dict[str, Any] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)  # each failed attempt, in order

    @property
    def sent(self) -> bool:
        return self.attempts > 0

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"provider": self.provider, "model": self.model, "outcome": self.outcome, "kind": self.kind,
                                "detail": self.detail, "attempts": self.attempts, "http_status": self.http_status,
                                "latency_ms": _round(self.latency_ms), "waited_s": round(self.waited_s, 3)}
        if self.failures:
            data["failures"] = self.failures
        return data


@dataclass
class ChainResult:
    """The chain's answer for one prompt, or the structured error an app would get."""

    answer: Answer | None
    path: list[Step]
    latency_ms: float | None = None  # the whole chain, fallbacks included; None when cached

    @property
    def ok(self) -> bool:
        return self.answer is not None

    @property
    def attempts(self) -> int:
        return sum(step.attempts for step in self.path)

    @property
    def error(self) -> dict[str, Any] | None:
        """When every provider failed: what the app would get instead of an answer."""
        if self.answer is not None:
            return None
        kinds = [step.kind for step in self.path if step.kind]
        return {
            "type": "chain_exhausted",
            "message": f"all {len(self.path)} providers failed: " + "; ".join(f"{s.provider}: {s.kind}" for s in self.path),
            "retryable": any(kind in ("timeout", "connection", "rate_limit", "overloaded", "server", "breaker_open") for kind in kinds),
            "causes": [step.to_dict() for step in self.path],
        }

    def path_text(self) -> str:
        """``groq/llama-3.3-70b ✗ (rate_limit) → openrouter/openai/gpt-4o-mini ✓``."""
        marks = {ANSWERED: "✓", FAILED: "✗", SKIPPED: "⤳"}
        parts = [f"{s.provider}/{s.model} {marks[s.outcome]}" + (f" ({s.kind})" if s.kind and s.outcome != ANSWERED else "") for s in self.path]
        return " → ".join(parts)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
