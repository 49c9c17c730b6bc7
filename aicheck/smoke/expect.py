"""Expectations on an answer (``[[smoke]] expect``), each checked on its own (pure).

An assertion passes, fails, or is not checked (``passed`` is None): a latency limit on a cached
answer (a cache hit says nothing about the provider's speed, as promptfoo also holds), a cost
limit when no price is known for the model.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from aicheck.chain.result import Answer

SHOWN = 60  # characters of the answer quoted in a failure


@dataclass(frozen=True)
class Assertion:
    name: str  # the expect key: icontains, max_latency_ms ...
    passed: bool | None
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "passed": self.passed, "detail": self.detail}


def check(expect: dict[str, Any], answer: Answer, latency_ms: float | None) -> list[Assertion]:
    return [_CHECKS[name](value, answer, latency_ms) for name, value in expect.items()]


def _contains(value: str, answer: Answer, _: float | None) -> Assertion:
    return Assertion("contains", value in answer.text, _quote("contains", value, answer.text))


def _icontains(value: str, answer: Answer, _: float | None) -> Assertion:
    return Assertion("icontains", value.lower() in answer.text.lower(), _quote("contains (any case)", value, answer.text))


def _not_contains(value: str, answer: Answer, _: float | None) -> Assertion:
    return Assertion("not_contains", value not in answer.text, _quote("does not contain", value, answer.text))


def _regex(value: str, answer: Answer, _: float | None) -> Assertion:
    return Assertion("regex", re.search(value, answer.text) is not None, _quote("matches /" + value + "/", None, answer.text))


def _is_json(value: bool, answer: Answer, _: float | None) -> Assertion:
    try:
        json.loads(_unfenced(answer.text))
        parsed = True
    except ValueError:
        parsed = False
    return Assertion("is_json", parsed == value, f"answer {'is' if parsed else 'is not'} JSON")


def _max_latency(value: float, answer: Answer, latency_ms: float | None) -> Assertion:
    if answer.cached or latency_ms is None:
        return Assertion("max_latency_ms", None, "not checked: a cached answer (run with --no-cache to measure)")
    return Assertion("max_latency_ms", latency_ms <= value, f"{latency_ms:.0f} ms (limit {value:g} ms)")


def _max_cost(value: float, answer: Answer, _: float | None) -> Assertion:
    if answer.cost_usd is None:
        return Assertion("max_cost_usd", None, f"not checked: no price known for {answer.provider} {answer.model} (add [providers.{answer.provider}] prices)")
    return Assertion("max_cost_usd", answer.cost_usd <= value, f"${answer.cost_usd:.6f} (limit ${value:g})")


def _quote(what: str, value: str | None, text: str) -> str:
    shown = " ".join(text.split())
    shown = shown if len(shown) <= SHOWN else shown[: SHOWN - 1] + "…"
    target = f" {value!r}" if value is not None else ""
    return f"{what}{target}; answer: {shown!r}"


def _unfenced(text: str) -> str:
    """Models often wrap JSON in a markdown fence; the JSON inside is what the app would parse."""
    match = re.fullmatch(r"\s*```(?:json)?\s*(.*?)\s*```\s*", text, re.DOTALL)
    return match.group(1) if match else text


_CHECKS: dict[str, Any] = {
    "contains": _contains, "icontains": _icontains, "not_contains": _not_contains, "regex": _regex,
    "is_json": _is_json, "max_latency_ms": _max_latency, "max_cost_usd": _max_cost,
}
