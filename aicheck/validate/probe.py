"""``keys validate --probe``: one billed, one-token completion per working key, opt-in.

The zero-cost checks cannot see an empty balance on OpenAI, Anthropic or Gemini (their model
lists answer 200), nor a key restricted to some models. A completion of at most one output token
on the provider's cheapest current model can: the provider answers 429 ``insufficient_quota``,
402, or "credit balance is too low" for an empty account, and 403/404 for a model the key may not
use. Only keys whose zero-cost check said ``valid`` are probed, each once, to the same base URL
as that check; the worst-case cost is computed from the model prices before anything is sent.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aicheck import catalog
from aicheck.catalog import Price, Provider, Validation
from aicheck.validate.result import Check, KeyReport, KeyResult

PROMPT = "Reply with the single word: ok"
INPUT_TOKENS = 32  # a generous bound on the prompt's tokens with the chat template around it
OUTPUT_TOKENS = 1
STYLES = ("openai", "anthropic", "gemini")


@dataclass(frozen=True)
class Probe:
    result: KeyResult
    provider: Provider
    model: str
    cost_usd: float  # worst case


def cheapest(provider: Provider, today: dt.date | None = None) -> tuple[str, Price] | None:
    """The provider's cheapest current model among the shipped prices (a predictable choice: not
    whatever the newest map lists), by the cost of one probe."""
    from aicheck.catalog.models import lifecycle

    rows = catalog.prices().get(provider.id, {})
    current = [(model, price) for model, price in rows.items() if lifecycle(provider.id, model, today).state == "current"]
    return min(current, key=lambda pair: _cost(pair[1]), default=None)


def _cost(price: Price) -> float:
    return (INPUT_TOKENS * price.input + OUTPUT_TOKENS * price.output) / 1_000_000


def plan(report: KeyReport, providers: Mapping[str, Provider]) -> list[Probe]:
    probes = []
    for result in report.results:
        provider = providers.get(result.provider or "")
        if result.status != "valid" or provider is None:
            continue
        chat = catalog.chat(provider)
        choice = cheapest(provider)
        if chat.supported and chat.style in STYLES and chat.base_url is None and choice is not None:
            probes.append(Probe(result, provider, choice[0], _cost(choice[1])))
    return probes


def statement(probes: list[Probe]) -> str:
    """What the probe will spend, said before it runs."""
    models = ", ".join(dict.fromkeys(f"{p.provider.id}/{p.model}" for p in probes))
    total = sum(p.cost_usd for p in probes)
    return (f"--probe sends {len(probes)} completion(s) of at most {OUTPUT_TOKENS} output token ({models}): "
            f"at most ${total:.6f} in all, billed to the keys' accounts.")


def request(probe: Probe) -> tuple[Validation, bytes]:
    """The completion as a key check: its endpoint and body, read with the provider's codes."""
    from aicheck.chain.result import ChatRequest
    from aicheck.chain.styles import build

    chat = catalog.chat(probe.provider)
    path, headers, body = build(chat, "", probe.model, ChatRequest(prompt=PROMPT, max_tokens=OUTPUT_TOKENS, stream=False))
    base = probe.provider.validation
    extra = {name: value for name, value in headers.items() if name in chat.headers or name == "content-type"}
    validation = Validation(
        method="POST", path=path, auth=chat.auth, headers=extra,
        status={**base.status, 404: "restricted"}, codes=dict(base.codes), messages=dict(base.messages), models=None,
        ratelimit_prefix=chat.ratelimit_prefix,
    )
    return validation, json.dumps(body).encode()


def merged(result: KeyResult, check: Check, model: str) -> KeyResult:
    """The key's result after its probe: the probe's verdict when it found a problem."""
    if check.status == "valid":
        detail = "; ".join(part for part in (result.check.detail, f"probe: a one-token completion on {model} worked") if part)
        kept = {**result.check.metadata, "probe": {"model": model, "status": "valid"}}
        return dataclasses.replace(result, check=dataclasses.replace(result.check, detail=detail, metadata=kept))
    detail = f"probe on {model}: {check.detail or check.status} (the zero-cost check said valid)"
    metadata: dict[str, Any] = {**result.check.metadata, "probe": {"model": model, "status": check.status}}
    return dataclasses.replace(result, check=dataclasses.replace(check, detail=detail, metadata=metadata))
