"""The code rules and the SDKs they know, read from ``catalog/code_rules.toml`` (data, not code)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib


@dataclass(frozen=True)
class Sdk:
    id: str
    lang: str  # "python" or "js" (JavaScript and TypeScript)
    provider: str
    modules: tuple[str, ...]
    clients: tuple[str, ...]
    calls: tuple[str, ...]
    client_methods: tuple[str, ...]
    timeout: tuple[str, ...]
    retries: tuple[str, ...]
    max_tokens: tuple[str, ...]
    system: tuple[str, ...]
    base_url: tuple[str, ...]
    tokens_on: str
    server_only: bool
    no_timeout_check: bool
    import_ships_key: bool
    step_settings: tuple[str, ...]
    step_calls: tuple[str, ...]
    error_callbacks: tuple[str, ...]
    browser_exports: tuple[str, ...]
    default_timeout: str
    default_retries: int


@dataclass(frozen=True)
class Http:
    lang: str
    calls: tuple[str, ...]
    timeout: tuple[str, ...]
    default_timeout: str


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    title: str
    message: str
    fix_python: str
    fix_js: str

    def fix(self, lang: str) -> str:
        return self.fix_python if lang == "python" else self.fix_js


@dataclass(frozen=True)
class Flow:
    request_names: frozenset[str]
    request_attrs: frozenset[str]
    output_hooks: frozenset[str]
    user_turn_calls: frozenset[str]
    code_sinks: frozenset[str]
    shell_sinks: frozenset[str]
    sql_sinks: frozenset[str]
    html_sinks: frozenset[str]


@dataclass(frozen=True)
class CodeRules:
    sdks: tuple[Sdk, ...]
    http: tuple[Http, ...]
    rules: dict[str, Rule]
    flow: Flow
    hosts: tuple[str, ...]  # provider API hosts, from the provider catalog
    max_steps: int

    def sdks_for(self, lang: str) -> tuple[Sdk, ...]:
        return tuple(sdk for sdk in self.sdks if sdk.lang == lang)

    @cached_property
    def http_names(self) -> frozenset[str]:
        return frozenset(call.rsplit(".", 1)[-1] for spec in self.http for call in spec.calls)

    @cached_property
    def keywords(self) -> tuple[bytes, ...]:
        """Bytes one of which a file must contain to hold a call site (a cheap pre-filter)."""
        words = {_keyword(m) for sdk in self.sdks for m in sdk.modules if m != "ai"}
        words |= {"from 'ai'", 'from "ai"', "require('ai')", *self.hosts, *self.flow.output_hooks}
        return tuple(sorted(w.encode() for w in words if w))


def _keyword(module: str) -> str:
    """``@anthropic-ai/sdk`` -> ``anthropic-ai``, ``langchain_openai`` -> ``langchain``, ``google.genai`` -> ``genai``."""
    parts = module.lstrip("@").replace("/", ".").split(".")
    head = parts[-1] if parts[0] == "google" else parts[0]
    return head.split("_")[0]


def _tuple(entry: dict[str, Any], key: str) -> tuple[str, ...]:
    return tuple(str(item) for item in entry.get(key, ()))


def _sdk(entry: dict[str, Any]) -> Sdk:
    names = ("modules", "clients", "calls", "client_methods", "timeout", "retries", "max_tokens", "system",
             "base_url", "step_settings", "step_calls", "error_callbacks", "browser_exports")
    lists = {name: _tuple(entry, name) for name in names}
    return Sdk(
        id=entry["id"], lang=entry["lang"], provider=entry["provider"], tokens_on=entry.get("tokens_on", "call"),
        server_only=bool(entry.get("server_only", False)), no_timeout_check=bool(entry.get("no_timeout_check", False)),
        import_ships_key=bool(entry.get("import_ships_key", True)),
        default_timeout=entry["default_timeout"], default_retries=int(entry["default_retries"]), **lists,
    )


def _hosts() -> tuple[str, ...]:
    """Provider hosts from the provider catalog's base URLs: the one list of them."""
    from aicheck import catalog

    hosts = (urlsplit(p.base_url).hostname for p in catalog.load().providers if p.base_url)
    return tuple(sorted({host for host in hosts if host}))


@lru_cache(maxsize=1)
def load() -> CodeRules:
    text = resources.files("aicheck.catalog").joinpath("code_rules.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    flow = data["flow"]
    return CodeRules(
        sdks=tuple(_sdk(entry) for entry in data["sdk"]),
        http=tuple(Http(e["lang"], _tuple(e, "calls"), _tuple(e, "timeout"), e["default_timeout"]) for e in data["http"]),
        rules={r["id"]: Rule(r["id"], r["severity"], r["title"], r["message"], r["fix_python"], r["fix_js"]) for r in data["rule"]},
        flow=Flow(**{key: frozenset(flow[key]) for key in Flow.__dataclass_fields__}),
        hosts=_hosts(),
        max_steps=int(data["max_steps"]),
    )
