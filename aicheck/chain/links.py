"""The chain's providers from ``[[chain]]``: each entry's provider, model, key variable, timeout
and base URL, checked once so a wrong entry is a config error naming the file and the key.

A base URL comes from ``AICHECK_<PROVIDER>_BASE_URL``, then the chain entry's ``base_url``, then
``[providers.<id>] base_url`` (and the provider's endpoint variable, AZURE_OPENAI_ENDPOINT), then
the catalog. The key variable is the entry's ``key_env``, then ``[providers.<id>] key_env``, then
the provider's first variable in the catalog (the env checker reads it the same way).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aicheck import catalog
from aicheck.catalog import Chat, Provider
from aicheck.errors import AicheckError, ConfigError
from aicheck.validate.endpoints import Target, checked, env_name, known_providers, target

DEFAULT_TIMEOUT = 30.0


@dataclass(frozen=True)
class Link:
    index: int  # 0-based position in [[chain]]
    provider: Provider
    model: str
    key_env: str
    timeout: float  # seconds per attempt
    chat: Chat
    base_url: str | None  # None: no endpoint known (Azure without one): the link fails
    base_source: str = ""
    entry_name: str = ""  # the entry's own ``name``, if it has one

    @property
    def label(self) -> str:
        """What a person calls this entry: its ``name``, else provider/model (``--drill`` takes either)."""
        return self.entry_name or self.breaker_key

    @property
    def name(self) -> str:
        return self.provider.id

    @property
    def breaker_key(self) -> str:
        """A breaker per provider and model: one model failing (rate-limited, withdrawn) must not
        shut out another model of the same provider further down the chain."""
        return f"{self.provider.id}/{self.model}"


def resolve(config_data: Mapping[str, Any], config_path: Path | None, env: Mapping[str, str]) -> list[Link]:
    """The ``[[chain]]`` entries as links; a ConfigError names the file and the key when one is wrong."""
    entries: list[dict[str, Any]] = list(config_data.get("chain", []))
    overrides: Mapping[str, Mapping[str, Any]] = config_data.get("providers", {})
    providers = known_providers(overrides, entries)
    where = str(config_path) if config_path else "aicheck.toml"
    return [_link(index, entry, providers, overrides, env, where) for index, entry in enumerate(entries)]


def _link(
    index: int,
    entry: Mapping[str, Any],
    providers: Mapping[str, Provider],
    overrides: Mapping[str, Mapping[str, Any]],
    env: Mapping[str, str],
    where: str,
) -> Link:
    provider = providers.get(str(entry["provider"]))
    if provider is None:
        known = ", ".join(sorted(providers))
        raise ConfigError(
            f"{where}: invalid value for 'chain[{index}].provider': unknown provider {entry['provider']!r}; "
            f"expected one of {known}, or add a [providers.{entry['provider']}] table with base_url and api_style"
        )
    chat = _chat(provider, index, where)
    key_env = entry.get("key_env") or overrides.get(provider.id, {}).get("key_env") or next(iter(provider.env_vars), None)
    if not key_env:
        raise ConfigError(f"{where}: missing 'chain[{index}].key_env': expected the name of the variable holding the {provider.id} key")
    found = _base_url(index, entry, provider, chat, overrides, env)
    return Link(index, provider, str(entry["model"]), str(key_env), float(entry.get("timeout", DEFAULT_TIMEOUT)), chat,
                found.base_url if found else None, found.source if found else "", str(entry.get("name") or ""))


def _chat(provider: Provider, index: int, where: str) -> Chat:
    try:
        chat = catalog.chat(provider)
    except ValueError as exc:
        raise ConfigError(f"{where}: invalid value for 'chain[{index}].provider': {exc}") from None
    if not chat.supported:
        raise ConfigError(f"{where}: invalid value for 'chain[{index}].provider': {provider.id} cannot be in a chain: {chat.reason}")
    return chat


def _base_url(
    index: int, entry: Mapping[str, Any], provider: Provider, chat: Chat, overrides: Mapping[str, Mapping[str, Any]], env: Mapping[str, str]
) -> Target | None:
    try:
        if not env.get(env_name(provider.id), "").strip() and entry.get("base_url"):
            return Target(checked(str(entry["base_url"]), f"chain[{index}].base_url"), f"chain[{index}].base_url")
        home = dataclasses.replace(provider, base_url=chat.base_url or provider.base_url)
        return target(home, overrides, env)
    except AicheckError as exc:
        raise ConfigError(str(exc)) from None
