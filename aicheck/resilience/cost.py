"""Tokens times prices: what an answer cost, and the most a prompt could cost before it is sent."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from aicheck.catalog import Price

PER = 1_000_000  # prices are per million tokens
CHARS_PER_TOKEN = 3  # a pessimistic average (English runs near 4): estimates err on the high side
OVERHEAD_TOKENS = 16  # chat framing: roles, separators
_VERSION = re.compile(r"^[-@:](?:\d|latest|preview|exp)")


@dataclass(frozen=True)
class Tokens:
    input: int = 0  # prompt tokens, cached ones included
    output: int = 0
    cached: int = 0  # prompt tokens read from the provider's prompt cache

    @property
    def total(self) -> int:
        return self.input + self.output


def cost_usd(tokens: Tokens, price: Price) -> float:
    """The cost of an answer; cached prompt tokens at the cached price when there is one."""
    cached = min(tokens.cached, tokens.input)
    cached_price = price.cached_input if price.cached_input is not None else price.input
    total = (tokens.input - cached) * price.input + cached * cached_price + tokens.output * price.output
    return total / PER


def estimate_usd(price: Price, prompt_chars: int, max_tokens: int) -> float:
    """The most a prompt can cost: a generous token count for the prompt, ``max_tokens`` out."""
    prompt_tokens = math.ceil(prompt_chars / CHARS_PER_TOKEN) + OVERHEAD_TOKENS
    return (prompt_tokens * price.input + max_tokens * price.output) / PER


def find_price(table: Mapping[str, Price], *models: str | None) -> Price | None:
    """The price of the first model that has one: an exact id, else the longest id it starts with,
    followed by a version (``gpt-4o-mini-2024-07-18`` is priced as ``gpt-4o-mini``, not ``gpt-4o``;
    ``gpt-4o-minimal`` has no price)."""
    for model in models:
        if not model:
            continue
        if model in table:
            return table[model]
        prefixes = [known for known in table if model.startswith(known) and _VERSION.match(model[len(known):])]
        if prefixes:
            return table[max(prefixes, key=len)]
    return None


def dearest(tables: Mapping[str, Mapping[str, Price]]) -> Price:
    """A price no model exceeds: the highest output price of the catalog (and the config), for
    input and output alike. A model with no price is budgeted at it (DESIGN.md, "smoke")."""
    highest = max((price.output for models in tables.values() for price in models.values()), default=0.0)
    highest = max(highest, max((p.output for m in _catalog_prices().values() for p in m.values()), default=0.0))
    return Price(highest, highest)


def _catalog_prices() -> Mapping[str, Mapping[str, Price]]:
    from aicheck import catalog

    return catalog.prices()
