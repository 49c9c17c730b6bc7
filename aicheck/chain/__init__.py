"""The fallback chain of ``[[chain]]``: providers in order, each called the way the app should.

``build`` makes a ``Chain`` from the config: links (``links``), the retry policy, breakers, rate
limits, budget and cache (``aicheck.resilience``), prices (the catalog's, then the config's).
``Chain.complete`` sends one prompt (``run``); API styles live in ``styles`` and ``sse``, error
answers are read in ``errors``. httpx is imported only by ``run``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any

from aicheck import catalog
from aicheck.catalog import Price
from aicheck.chain.links import Link, resolve
from aicheck.chain.result import Answer, ChainResult, ChatRequest, Step

if TYPE_CHECKING:
    from aicheck.chain.run import Chain
    from aicheck.config import Config
    from aicheck.state import State

__all__ = ["Answer", "ChainResult", "ChatRequest", "Link", "Step", "build", "prices", "resolve"]


def prices(config_providers: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Price]]:
    """The newest prices aicheck has (``aicheck catalog update``'s copy, else the shipped ones)
    with ``[providers.<id>] prices`` over them."""
    from aicheck.catalog.models import facts

    table = {provider: dict(models) for provider, models in facts().prices.items()}
    for provider, entry in config_providers.items():
        for model, price in entry.get("prices", {}).items():
            table.setdefault(provider, {})[model] = Price(price["input"], price["output"], price.get("cached_input"))
    return table


def build(
    config: Config,
    links: list[Link],
    env: Mapping[str, str],
    *,
    state: State | None = None,
    drills: Collection[int] = (),  # indexes of the links that fail on purpose
    use_cache: bool = True,
    run_id: int | None = None,
) -> Chain:
    """A chain as ``[resilience]``, ``[budget]`` and ``[cache]`` say, remembering in ``state``."""
    from aicheck.chain.run import Chain
    from aicheck.resilience import Breakers, Budget, RateLimits, ResponseCache, RetryPolicy
    from aicheck.resilience.budget import DEFAULT_PER_DAY_USD
    from aicheck.resilience.cache import DEFAULT_MAX_ITEMS, DEFAULT_TTL
    from aicheck.state import utc_day

    resilience, budget, cache = config.section("resilience"), config.section("budget"), config.section("cache")
    providers = config.section("providers")
    per_provider = {name: float(entry["requests_per_minute"]) for name, entry in providers.items() if "requests_per_minute" in entry}
    return Chain(
        links=links,
        env=env,
        policy=RetryPolicy.from_config(resilience),
        breakers=Breakers(int(resilience.get("breaker_failure_threshold", 5)), float(resilience.get("breaker_cooldown_seconds", 30)), store=state, run_id=run_id),
        limits=RateLimits(resilience.get("requests_per_minute"), per_provider, resilience.get("requests_burst")),
        budget=Budget(budget.get("per_run_usd"), budget.get("per_day_usd", DEFAULT_PER_DAY_USD), state.spent_on(utc_day()) if state else 0.0,
                      store=state, day=utc_day()),
        cache=ResponseCache(float(cache.get("ttl_seconds", DEFAULT_TTL)), int(cache.get("max_items", DEFAULT_MAX_ITEMS)), store=state) if use_cache else None,
        prices=prices(providers),
        drills=frozenset(drills),
        spend_log=state,
        run_id=run_id,
    )
