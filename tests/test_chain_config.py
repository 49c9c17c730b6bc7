"""``[[chain]]`` read into links: base URL precedence, key variables, and errors naming file and key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aicheck import catalog
from aicheck.chain import resolve
from aicheck.config import validate
from aicheck.errors import ConfigError

WHERE = Path("/repo/aicheck.toml")


def links(data: dict[str, Any], env: dict[str, str] | None = None) -> list[Any]:
    return resolve(validate(data, WHERE), WHERE, env or {})


GROQ = {"provider": "groq", "model": "llama-3.3-70b-versatile"}


def test_base_url_precedence_env_then_chain_then_providers_then_catalog() -> None:
    chain = [{**GROQ, "base_url": "https://chain.local/v1"}]
    providers = {"groq": {"base_url": "https://providers.local/v1"}}
    env = {"AICHECK_GROQ_BASE_URL": "https://env.local/v1"}
    assert links({"chain": chain, "providers": providers}, env)[0].base_url == "https://env.local/v1"
    assert links({"chain": chain, "providers": providers})[0].base_url == "https://chain.local/v1"
    assert links({"chain": [GROQ], "providers": providers})[0].base_url == "https://providers.local/v1"
    (link,) = links({"chain": [GROQ]})
    assert (link.base_url, link.base_source) == ("https://api.groq.com/openai/v1", "catalog")


def test_chat_may_live_on_another_host_than_the_key_check() -> None:
    (link,) = links({"chain": [{"provider": "huggingface", "model": "meta-llama/Llama-3.1-8B-Instruct"}]})
    assert link.base_url == "https://router.huggingface.co/v1"


def test_key_env_from_the_entry_then_providers_then_the_catalog() -> None:
    assert links({"chain": [{**GROQ, "key_env": "MY_GROQ"}]})[0].key_env == "MY_GROQ"
    assert links({"chain": [GROQ], "providers": {"groq": {"key_env": "TEAM_GROQ"}}})[0].key_env == "TEAM_GROQ"
    assert links({"chain": [GROQ]})[0].key_env == "GROQ_API_KEY"


def test_timeout_defaults_and_can_be_set_per_entry() -> None:
    first, second = links({"chain": [GROQ, {"provider": "openrouter", "model": "openai/gpt-4o-mini", "timeout": 5}]})
    assert (first.timeout, second.timeout) == (30.0, 5.0)


def test_an_unknown_provider_names_the_file_and_the_key() -> None:
    with pytest.raises(ConfigError) as caught:
        links({"chain": [GROQ, {"provider": "gorq", "model": "x"}]})
    message = str(caught.value)
    assert message.startswith(f"{WHERE}: invalid value for 'chain[1].provider': unknown provider 'gorq'")
    assert "[providers.gorq]" in message


def test_a_custom_provider_without_key_env_is_a_config_error() -> None:
    data = {"providers": {"mygw": {"base_url": "https://llm.internal.example/v1"}}, "chain": [{"provider": "mygw", "model": "m"}]}
    with pytest.raises(ConfigError, match=r"missing 'chain\[0\]\.key_env'"):
        links(data)


def test_a_provider_without_a_chat_api_cannot_be_in_a_chain() -> None:
    with pytest.raises(ConfigError, match=r"'chain\[0\]\.provider': replicate cannot be in a chain"):
        links({"chain": [{"provider": "replicate", "model": "meta/llama"}]})


def test_a_negative_budget_names_the_file_and_the_key() -> None:
    with pytest.raises(ConfigError, match=r"aicheck.toml: invalid value for 'budget.per_day_usd': expected a non-negative number"):
        validate({"budget": {"per_day_usd": -1}}, WHERE)


def test_every_catalog_chat_table_is_valid() -> None:
    for provider in catalog.load().providers:
        chat = catalog.chat(provider)
        assert chat.style in catalog.CHAT_STYLES and chat.auth in catalog.AUTH_STYLES
        assert chat.supported or chat.reason


def test_a_wrong_chat_table_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="unknown chat fields"):
        catalog.chat_from({"pth": "/x"}, "p")
    with pytest.raises(ValueError, match="chat style"):
        catalog.chat_from({"style": "soap"}, "p")
