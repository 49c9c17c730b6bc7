"""What smoke measured against what the team aims for: the SLOs of ``[slo]``, the budget, the
rate-limit headroom of each key and whether a fallback has been proven by a drill.

Everything here reads the parts' JSON documents, so the figures are the same live and ``--from``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from aicheck.report.model import (
    NO_CHAIN, NO_FALLBACK, NOT_PROVEN, PROVEN, BudgetUse, Fallback, Headroom, Part, ProviderLatency, Slo,
)

# What production AI apps aim for (DESIGN.md, "report"); [slo] overrides each.
DEFAULTS = {"availability": 0.999, "p95_latency_ms": 3000.0, "error_rate": 0.01, "cost_per_request_usd": 0.001}
LABELS = {"availability": "availability", "p95_latency_ms": "p95 latency", "error_rate": "error rate", "cost_per_request_usd": "cost per request"}
MEASURES = {"availability": "availability", "p95_latency_ms": "p95_ms", "error_rate": "error_rate", "cost_per_request_usd": "cost_per_request_usd"}
DEFAULT_PER_DAY_USD = 1.0


def slos(section: Mapping[str, Any], smoke: Part | None) -> list[Slo]:
    """Each SLO with what this report's smoke measured (None when smoke did not run)."""
    measured = smoke.summary if smoke is not None and smoke.ran else {}
    return [
        Slo(name, LABELS[name], float(section.get(name, default)), _number(measured.get(MEASURES[name])), name == "availability")
        for name, default in DEFAULTS.items()
    ]


def budget(section: Mapping[str, Any], smoke: Part | None, spent_today: float | None, has_chain: bool) -> BudgetUse | None:
    """Today's spend against ``[budget]``: smoke's own figures when it ran, else the state file's ledger."""
    per_day = _number(section.get("per_day_usd", DEFAULT_PER_DAY_USD))
    per_run = _number(section.get("per_run_usd"))
    if smoke is not None and smoke.ran and isinstance(smoke.summary.get("budget"), dict) and smoke.summary["budget"]:
        used = smoke.summary["budget"]
        return BudgetUse(_number(used.get("per_day_usd")), _number(used.get("spent_today_usd")) or 0.0,
                         _number(used.get("per_run_usd")), _number(used.get("spent_run_usd")), "smoke")
    if not has_chain or spent_today is None:
        return None
    return BudgetUse(per_day, spent_today, per_run, None, "state file")


def headroom(keys: Part | None, smoke: Part | None) -> list[Headroom]:
    """Rate-limit headroom from the keys' validation answers and from smoke's last answers."""
    found: list[Headroom] = []
    if keys is not None and keys.ran:
        for item in keys.items:
            metadata = item.get("metadata")
            metadata = metadata if isinstance(metadata, dict) else {}
            label = str(item.get("variable") or item.get("key_redacted") or "?")
            found += _limits(str(item.get("provider") or "?"), label, metadata.get("rate_limit"), "keys validate")
    if smoke is not None and smoke.ran:
        for stats in _providers(smoke):
            found += _limits(str(stats.get("provider")), "chain", stats.get("rate_limit"), "smoke")
    return found


def _limits(provider: str, key: str, limits: Any, source: str) -> list[Headroom]:
    if not isinstance(limits, dict):
        return []
    return [
        Headroom(provider, key, str(kind), _number(values.get("remaining")), _number(values.get("limit")),
                 None if values.get("reset") is None else str(values.get("reset")), source)
        for kind, values in limits.items() if isinstance(values, dict)
    ]


def fallback(chain: Sequence[str], smoke: Part | None, history: Sequence[Mapping[str, Any]]) -> Fallback:
    """Proven when a smoke drill made a provider fail and every prompt was still answered by
    another one: in this report's smoke, or in an earlier smoke run of the state file."""
    providers = tuple(chain) or tuple(str(p.get("provider")) for p in _providers(smoke))
    if not providers:
        return Fallback(NO_CHAIN, "no [[chain]] in config")
    if len(providers) == 1:
        return Fallback(NO_FALLBACK, f"the chain has one provider ({providers[0]}): nothing to fall back to", providers)
    runs = ([("this report's smoke", smoke.summary)] if smoke is not None and smoke.ran else [])
    runs += [(f"the smoke run of {run.get('started_at')}", run.get("summary") or {}) for run in history]
    drills = [(when, summary) for when, summary in runs if summary.get("drills")]
    for when, summary in drills:
        if summary.get("prompts") and not summary.get("errors") and summary.get("fallbacks"):
            failing = ", ".join(map(str, summary["drills"]))
            return Fallback(PROVEN, f"with {failing} failing on purpose, {summary['fallbacks']}/{summary['prompts']} prompts were answered by a fallback ({when})", providers)
    if drills:
        when, summary = drills[0]
        return Fallback(NOT_PROVEN, f"the last drill ({', '.join(map(str, summary['drills']))} failing, {when}) did not show a fallback answering every prompt", providers)
    return Fallback(NOT_PROVEN, f"no smoke drill yet: run aicheck smoke --drill {providers[0]}", providers)


def latency(smoke: Part | None) -> list[ProviderLatency]:
    """Each provider's answered calls (cache hits never count), in chain order."""
    if smoke is None or not smoke.ran:
        return []
    samples: dict[str, list[float]] = {str(p.get("provider")): [] for p in _providers(smoke)}
    for item in smoke.items:
        for step in item.get("path") or []:
            if isinstance(step, dict) and step.get("outcome") == "answered" and step.get("kind") != "cached":
                value = _number(step.get("latency_ms"))
                if value is not None:
                    samples.setdefault(str(step.get("provider")), []).append(value)
    stats = {str(p.get("provider")): p for p in _providers(smoke)}
    return [
        ProviderLatency(name, tuple(values), _number(stats.get(name, {}).get("p50_ms")) or percentile(values, 50),
                        _number(stats.get(name, {}).get("p95_ms")) or percentile(values, 95))
        for name, values in samples.items()
    ]


def percentile(values: Sequence[float], pct: float) -> float | None:
    """Nearest rank, as smoke computes it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(pct / 100 * len(ordered))) - 1]


def _providers(smoke: Part | None) -> list[dict[str, Any]]:
    if smoke is None or not smoke.ran:
        return []
    providers = smoke.summary.get("providers")
    listed = [p for p in providers if isinstance(p, dict)] if isinstance(providers, list) else []
    return sorted(listed, key=lambda p: int(p["position"]) if isinstance(p.get("position"), int) else 0)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None
