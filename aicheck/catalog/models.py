"""What aicheck knows about models: prices and deprecation dates, from the newest data it has.

The shipped ``prices.toml`` is the base. When ``aicheck catalog update`` has stored LiteLLM's map
in the user cache (``aicheck.catalog.update``), its prices and deprecation dates win for the
models it lists, and a shipped model of a provider the map covers but no longer lists counts as
retired; the shipped ``replacement`` suggestions stay. ``facts()`` says
which data is in use (``source``, ``date``), for ``aicheck keys providers`` and the report.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from aicheck import catalog
from aicheck.catalog import Price

SHIPPED_SOURCE = "prices.toml shipped with aicheck (LiteLLM map of litellm 1.110.2)"
SHIPPED_DATE = "2026-12-06"
SOON_DAYS = 90  # a deprecation date this close is worth a warning


@dataclass(frozen=True)
class ModelFacts:
    prices: dict[str, dict[str, Price]]  # provider -> model -> price (with lifecycle fields)
    source: str  # where the data comes from, for people
    date: str  # when it was read (YYYY-MM-DD)
    cached: Path | None = None  # the user-cache copy in use, if any


@dataclass(frozen=True)
class Lifecycle:
    """A chain model's standing: ``current``, ``deprecated`` (a shutdown date ahead),
    ``retired`` (the date has passed, or the current map no longer lists it) or ``unknown``."""

    state: str
    date: str | None = None
    replacement: str | None = None

    def message(self, provider: str, model: str) -> str:
        instead = f"; move to {provider}/{self.replacement}" if self.replacement else ""
        if self.state == "retired":
            when = f" on {self.date}" if self.date else " (no longer in the model map)"
            return f"{provider}/{model} was retired{when}{instead}"
        if self.state == "deprecated":
            return f"{provider}/{model} is deprecated: it shuts down on {self.date}{instead}"
        return ""


def facts() -> ModelFacts:
    from aicheck.catalog.update import cache_dir

    return _facts(cache_dir() / "models.json")


@lru_cache(maxsize=4)
def _facts(path: Path) -> ModelFacts:
    shipped = catalog.prices()
    document = _read_cache(path)
    if document is None:
        return ModelFacts(shipped, SHIPPED_SOURCE, SHIPPED_DATE)
    merged = {provider: dict(models) for provider, models in shipped.items()}
    for provider, models in document["providers"].items():
        table = merged.setdefault(provider, {})
        for model in set(table) - set(models):  # the map covers this provider, but no longer this model
            table[model] = dataclasses.replace(table[model], listed=False)
        for model, row in models.items():
            table[model] = _overlay(table.get(model), row)
    date = str(document.get("fetched", ""))[:10]
    return ModelFacts(merged, f"LiteLLM model map from {document.get('source', '?')} (aicheck catalog update)", date, path)


def _read_cache(path: Path) -> dict[str, Any] | None:
    """The stored map, or None when there is none or it is not one aicheck wrote (then the
    shipped data is used: a damaged cache never stops a command)."""
    try:
        if path.stat().st_size > 64_000_000:
            return None
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    ok = isinstance(document, dict) and document.get("schema") == 1 and isinstance(document.get("providers"), dict)
    return document if ok and all(isinstance(m, dict) for m in document["providers"].values()) else None


def _overlay(shipped: Price | None, row: Any) -> Price:
    row = row if isinstance(row, dict) else {}
    numbers: dict[str, Any] = {k: float(row[k]) for k in ("input", "output", "cached_input") if isinstance(row.get(k), (int, float))}
    date = row.get("deprecation_date") if isinstance(row.get("deprecation_date"), str) else None
    if shipped is None:
        return Price(numbers.get("input", 0.0), numbers.get("output", 0.0), numbers.get("cached_input"),
                     source="LiteLLM (catalog update)", deprecation_date=date)
    return dataclasses.replace(shipped, **numbers, source="LiteLLM (catalog update)", deprecation_date=date or shipped.deprecation_date, listed=True)


def lookup(table: dict[str, dict[str, Price]], provider: str, model: str) -> Price | None:
    """Exact id first, then the longest listed id the model starts with (dated snapshots)."""
    models = table.get(provider, {})
    if model in models:
        return models[model]
    prefixes = [name for name in models if model.startswith(name)]
    return models[max(prefixes, key=len)] if prefixes else None


def lifecycle(provider: str, model: str, today: dt.date | None = None, data: ModelFacts | None = None) -> Lifecycle:
    data = data or facts()
    price = data.prices.get(provider, {}).get(model)  # lifecycle is about this exact id
    if price is None:
        return Lifecycle("unknown")
    today = today or dt.date.today()
    if not price.listed:
        return Lifecycle("retired", price.deprecation_date, price.replacement)
    if price.deprecation_date:
        date = dt.date.fromisoformat(price.deprecation_date)
        if date <= today:
            return Lifecycle("retired", price.deprecation_date, price.replacement)
        if (date - today).days <= SOON_DAYS:
            return Lifecycle("deprecated", price.deprecation_date, price.replacement)
    return Lifecycle("current", price.deprecation_date, price.replacement)


def chain_warnings(
    chain: list[tuple[str, str]], live: dict[str, dict[str, bool]] | None = None, today: dt.date | None = None,
) -> list[str]:
    """Warnings for chain models (provider, model): deprecated or retired by the model data, or
    missing from the provider's live model list (``live``: provider -> model -> listed, as
    ``keys validate`` found it), each with the replacement the data suggests."""
    data = facts()
    warnings: list[str] = []
    for provider, model in dict.fromkeys(chain):
        standing = lifecycle(provider, model, today, data)
        if standing.state in ("deprecated", "retired"):
            warnings.append(standing.message(provider, model))
        if (live or {}).get(provider, {}).get(model) is False:
            instead = standing.replacement or _default(provider)
            hint = f"; the data suggests {provider}/{instead}" if instead and instead != model else ""
            warnings.append(f"{provider}/{model} is not in {provider}'s live model list for this key{hint}")
    return warnings


def _default(provider: str) -> str | None:
    entry = catalog.load().provider(provider)
    return entry.default_model if entry else None


def live_models(keys_document: dict[str, Any] | None) -> dict[str, dict[str, bool]]:
    """provider -> chain model -> listed, from ``keys validate``'s JSON (metadata.chain_models)."""
    live: dict[str, dict[str, bool]] = {}
    for result in (keys_document or {}).get("results", []):
        listed = (result.get("metadata") or {}).get("chain_models")
        if isinstance(listed, dict) and result.get("provider"):
            live.setdefault(str(result["provider"]), {}).update({str(k): bool(v) for k, v in listed.items()})
    return live
