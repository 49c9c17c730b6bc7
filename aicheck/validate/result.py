"""What a key check reports: one ``KeyResult`` per key (data only, no rendering)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aicheck import redaction
from aicheck.catalog import KEY_STATUSES, Rule
from aicheck.scan.finding import redact_secret

# A check that ends in one of these fails the run (exit 1): the key does not work, or could
# not be shown to work. rate_limited keys work; unsupported ones cannot be checked at all.
FAILING = frozenset({"invalid", "no_credit", "restricted", "unreachable", "unknown"})

# When a key's format fits several providers, the most telling answer speaks for the key:
# one provider accepting it beats the others refusing it.
RANK = ("valid", "no_credit", "restricted", "rate_limited", "unknown", "unreachable", "unsupported", "invalid")



@dataclass(frozen=True)
class KeyInput:
    """A key to check, and what is known about it."""

    key: str = field(repr=False)
    name: str | None = None  # the variable it was read from (OPENAI_API_KEY)
    provider: str | None = None  # the provider it belongs to, when known (--provider, a scan finding)
    source: str = ""  # where it came from, for people: "argument 1", "stdin line 3", ".env"
    rule: str | None = None  # the catalog rule it matched, when a scan found it


@dataclass
class Check:
    """One provider's answer about one key."""

    provider: str | None
    status: str
    http_status: int | None = None
    detail: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    latency_ms: int | None = None
    url: str | None = None  # the request URL (never holds the key)
    attempts: int = 0

    def __post_init__(self) -> None:
        if self.status not in KEY_STATUSES:
            raise ValueError(f"unknown key status {self.status!r}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "provider": self.provider,
            "status": self.status,
            "http_status": self.http_status,
            "detail": self.detail,
            "metadata": self.metadata,
            "latency_ms": self.latency_ms,
            "url": self.url,
            "attempts": self.attempts,
        }


@dataclass
class KeyResult:
    key: str = field(repr=False)
    key_redacted: str
    check: Check  # the answer that speaks for the key
    source: str = ""
    name: str | None = None
    detected_by: str = ""  # "provider", "format", "variable", "ambiguous format", "prefix" or "none"
    candidates: list[Check] = field(default_factory=list)  # every provider tried

    @property
    def provider(self) -> str | None:
        return self.check.provider

    @property
    def status(self) -> str:
        return self.check.status

    @property
    def failed(self) -> bool:
        return self.check.status in FAILING

    def to_dict(self) -> dict[str, Any]:
        data = {"key_redacted": self.key_redacted, **self.check.to_dict()}
        data.update(source=self.source, variable=self.name, detected_by=self.detected_by)
        if len(self.candidates) > 1:
            data["candidates"] = [check.to_dict() for check in self.candidates]
        return data


@dataclass
class KeyReport:
    results: list[KeyResult]
    duration_s: float = 0.0

    @property
    def failed(self) -> bool:
        return any(result.failed for result in self.results)

    def summary(self) -> dict[str, Any]:
        by_status = {status: 0 for status in KEY_STATUSES}
        for result in self.results:
            by_status[result.status] += 1
        return {
            "keys": len(self.results),
            "by_status": by_status,
            "failed": sum(1 for result in self.results if result.failed),
            "duration_s": round(self.duration_s, 3),
        }


def best(checks: list[Check]) -> Check:
    return min(checks, key=lambda check: RANK.index(check.status))


def redact_key(key: str, rule: Rule | None = None) -> str:
    """The format prefix and the last 4 characters, as the scanner shows secrets."""
    return redact_secret(key, rule)


def scrub(text: str, key: str, redacted: str | None = None) -> str:
    """``text`` with every copy of the key replaced by its redacted form (``aicheck.redaction``)."""
    return redaction.scrub(text, key, redacted)


def scrub_value(value: Any, key: str, redacted: str) -> Any:
    return redaction.scrub_value(value, key, redacted)
