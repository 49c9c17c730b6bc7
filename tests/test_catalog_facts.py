"""Facts with dates: every provider entry and price row says where it comes from and when it was
checked, and no default model ships past its retirement date (issue 14)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from aicheck.catalog import load, prices
from aicheck.catalog.models import facts, lifecycle
from aicheck.output.providers import render_providers

DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
TODAY = dt.date.today()
DEFAULTS = [(p.id, p.default_model) for p in load().providers if p.default_model and p.id != "azure-openai"]


@pytest.mark.parametrize(("provider", "model"), DEFAULTS, ids=[p for p, _ in DEFAULTS])
def test_default_model_is_not_past_its_retirement_date(provider: str, model: str) -> None:
    row = prices().get(provider, {}).get(model)
    assert row is not None, f"{provider}/{model}: no price row, so no known retirement date"
    assert row.listed, f"{provider}/{model}: the model map no longer lists it"
    if row.deprecation_date:
        assert dt.date.fromisoformat(row.deprecation_date) > TODAY, f"{provider}/{model} retired on {row.deprecation_date}"


def test_every_provider_entry_says_where_and_when() -> None:
    for provider in load().providers:
        assert provider.source, provider.id
        assert DATE.match(provider.checked) and dt.date.fromisoformat(provider.checked) <= TODAY, provider.id


def test_every_price_row_says_where_and_when_and_replacements_are_current() -> None:
    for provider, models in prices().items():
        for model, row in models.items():
            assert row.source and DATE.match(row.checked), (provider, model)
            assert row.deprecation_date is None or DATE.match(row.deprecation_date), (provider, model)
            if row.replacement:
                assert lifecycle(provider, row.replacement).state == "current", (provider, model, row.replacement)


def test_lifecycle_of_chain_models() -> None:
    day = dt.date(2026, 12, 6)
    assert lifecycle("gemini", "gemini-2.0-flash", day).state == "retired"
    assert lifecycle("gemini", "gemini-2.0-flash", day).replacement == "gemini-2.5-flash-lite"
    assert lifecycle("groq", "llama-3.3-70b-versatile", day).state == "retired"  # no longer in the map
    assert lifecycle("openai", "gpt-4o-mini", day).state == "deprecated"  # 2027-01-14
    assert lifecycle("openai", "gpt-4o-mini", day).message("openai", "gpt-4o-mini").endswith("move to openai/gpt-5.4-mini")
    assert lifecycle("openai", "gpt-5.4-mini", day).state == "current"
    assert lifecycle("openai", "my-fine-tune", day).state == "unknown"


def test_keys_providers_shows_default_model_and_data_source() -> None:
    text = render_providers(load(), "text")
    assert "gpt-5.4-mini" in text and "Default model" in text and "2026-12-06" in text
    assert f"Model data: {facts().source}" in " ".join(text.split())
