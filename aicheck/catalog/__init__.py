"""The provider catalog: every command reads providers and credential rules from here.

The data lives in ``providers.toml`` (AI providers, each with its key formats) and
``rules.toml`` (non-AI credentials: cloud, VCS, payments, chat, private keys ...).
A rule is one credential shape; a provider owns the rules for its keys. Later
features (validation requests, chat API, prices) are further tables on a provider
entry, kept in ``Provider.extra`` until a module gives them a type.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

SEVERITIES = ("critical", "high", "medium", "low")


@dataclass(frozen=True)
class Rule:
    """One credential shape the scanner looks for."""

    id: str
    name: str
    regex: str
    keywords: tuple[str, ...]
    severity: str = "high"
    provider: str | None = None
    description: str = ""
    secret_group: int = 1
    min_entropy: float = 0.0
    # Variable-name words that must sit in front of the value (keys with no prefix of their own).
    context: tuple[str, ...] = ()
    # Offline confirmation of a match (``pem``, ``github-crc32``, ``jwt-service-role`` ...).
    confirm: str | None = None
    # Generic rules are the noisy kind: placeholder and reference filters apply strictly.
    generic: bool = False
    # How far around a keyword the regex may reach (bytes before, bytes after).
    window: tuple[int, int] = (128, 512)


@dataclass(frozen=True)
class Provider:
    """An AI provider: identity, key formats and the env var names people use."""

    id: str
    name: str
    env_vars: tuple[str, ...]
    rules: tuple[Rule, ...]
    api_style: str = "openai"
    base_url: str | None = None
    docs: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Catalog:
    providers: tuple[Provider, ...]
    rules: tuple[Rule, ...]  # every rule, provider rules first

    def provider(self, provider_id: str) -> Provider | None:
        return next((p for p in self.providers if p.id == provider_id), None)

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


def _rule(entry: dict[str, Any], provider: str | None) -> Rule:
    known = {f for f in Rule.__dataclass_fields__}
    unknown = set(entry) - known
    if unknown:
        raise ValueError(f"rule {entry.get('id')!r}: unknown fields {sorted(unknown)}")
    values = dict(entry)
    for name in ("keywords", "context", "window"):
        if name in values:
            values[name] = tuple(values[name])
    if "context" in values and "keywords" not in values:
        values["keywords"] = values["context"]
    if values.get("severity", "high") not in SEVERITIES:
        raise ValueError(f"rule {entry.get('id')!r}: severity must be one of {SEVERITIES}")
    return Rule(provider=provider, **values)


def _provider(entry: dict[str, Any]) -> Provider:
    entry = dict(entry)
    rules = tuple(_rule(r, entry["id"]) for r in entry.pop("keys", []))
    base = {k: entry.pop(k) for k in ("id", "name") }
    optional = {k: entry.pop(k) for k in ("api_style", "base_url", "docs") if k in entry}
    env_vars = tuple(entry.pop("env_vars", ()))
    return Provider(rules=rules, env_vars=env_vars, extra=entry, **base, **optional)


def _read(name: str) -> dict[str, Any]:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return tomllib.loads(text)


@lru_cache(maxsize=1)
def load() -> Catalog:
    """The built-in catalog (user additions are merged by ``aicheck.config``)."""
    providers = tuple(_provider(p) for p in _read("providers.toml")["provider"])
    other = tuple(_rule(r, None) for r in _read("rules.toml")["rule"])
    rules = tuple(r for p in providers for r in p.rules) + other
    return Catalog(providers=providers, rules=rules)
