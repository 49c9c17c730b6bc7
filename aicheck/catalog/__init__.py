"""The provider catalog: every command reads providers and credential rules from here.

The data lives in ``providers.toml`` (AI providers, each with its key formats) and
``rules.toml`` (non-AI credentials: cloud, VCS, payments, chat, private keys ...) and
``public.toml`` (keys that are public by design, listed as ``info``).
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

# What a live check of a key can conclude (DESIGN.md, "keys validate").
KEY_STATUSES = ("valid", "invalid", "no_credit", "rate_limited", "restricted", "unreachable", "unknown", "unsupported")
AUTH_STYLES = ("bearer", "x-api-key", "x-goog-api-key", "api-key")
# How most providers say it; a provider's ``[provider.validate] status`` table overrides it.
DEFAULT_KEY_STATUS = {401: "invalid", 402: "no_credit", 403: "restricted", 429: "rate_limited"}


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
    # Public by design (made to ship in browser code): reported as ``info``, no score points
    # unless verified live; ``public_why`` says why, with its source (public.toml).
    public: bool = False
    public_why: str = ""


@dataclass(frozen=True)
class BodyCheck:
    """A 2xx answer that still says no: a field equal to a value, or a number at most a bound."""

    field: str
    status: str
    detail: str
    equals: Any = None
    at_most: float | None = None


@dataclass(frozen=True)
class Variant:
    """Keys with this prefix are checked by another request (admin keys cannot list models)."""

    prefix: str
    validation: Validation
    kind: str = ""  # shown as metadata ``key_kind`` ("admin")


@dataclass(frozen=True)
class FollowUp:
    """A second zero-cost request, made when the first answer alone would mislead.

    It runs when the first answer's status is ``when`` (and its error code fits ``code``, and
    the key starts with ``key_prefix``, when given). ``base_urls`` are tried in order (one the
    first answer's message names goes first) on official hosts of the provider only; ``path`` and
    the rest are read as a ``[provider.validate]`` table. ``statuses`` maps the second answer's
    status to the result (absent: kept as is); ``detail`` says what the second answer means.
    """

    name: str
    when: str
    validation: Validation
    base_urls: dict[str, str]  # name -> URL; AICHECK_<PROVIDER>_<NAME>_BASE_URL overrides one
    code: str = ""
    key_prefix: str = ""
    statuses: dict[str, str] = field(default_factory=dict)
    details: dict[str, str] = field(default_factory=dict)  # second status -> what it means ({host})
    stop_on: tuple[str, ...] = ()  # a second answer with this code: try the next base URL


@dataclass(frozen=True)
class Validation:
    """A provider's zero-cost key check (``[provider.validate]``) and how to read its answer.

    The defaults are an OpenAI-compatible ``GET {base_url}/models`` with a bearer key, so a
    gateway added in the config needs no table of its own.
    """

    supported: bool = True
    reason: str = ""  # why there is no live check, when ``supported`` is false
    method: str = "GET"
    path: str = "/models"  # appended to the provider's base URL
    query: dict[str, str] = field(default_factory=dict)
    auth: str = "bearer"
    headers: dict[str, str] = field(default_factory=dict)
    # HTTP status -> key status, over DEFAULT_KEY_STATUS; codes and messages are read from the body.
    status: dict[int, str] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)  # error code/type/reason (glob) -> status
    messages: dict[str, str] = field(default_factory=dict)  # message substring -> status
    checks: tuple[BodyCheck, ...] = ()
    metadata: dict[str, str] = field(default_factory=dict)  # name -> body path or "header:NAME"
    models: str | None = "data[].id"  # where the model ids are, when the answer lists them
    model_prefix: str = ""  # stripped from listed ids ("models/" on Gemini)
    ratelimit_prefix: str | None = None  # response headers with rate-limit headroom
    endpoint_env: str | None = None  # variable naming the endpoint when there is no base URL

    variants: tuple[Variant, ...] = ()  # key prefix -> another request (admin keys)
    then: tuple[FollowUp, ...] = ()  # second requests when the first answer would mislead

    code_fields: tuple[str, ...] = ("error.code", "error.type", "error.status", "error.details[].reason")
    message_fields: tuple[str, ...] = ("error.message", "error", "message", "detail", "title")

    def status_for(self, http_status: int) -> str | None:
        return self.status.get(http_status) or DEFAULT_KEY_STATUS.get(http_status)

    def for_key(self, key: str) -> tuple[Validation, str]:
        """The check this key gets, and its kind: an admin key is checked on an admin endpoint."""
        variant = next((v for v in self.variants if key.startswith(v.prefix)), None)
        return (variant.validation, variant.kind) if variant else (self, "")


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
    default_model: str | None = None  # what `aicheck init` puts in a new chain entry
    # Official hosts besides base_url's (data-residency hosts, a second Google API): keys may go there.
    hosts: tuple[str, ...] = ()
    source: str = ""  # where the entry's facts come from (URLs or repository paths)
    checked: str = ""  # when they were last checked (YYYY-MM-DD)
    extra: dict[str, Any] = field(default_factory=dict)
    validation: Validation = field(default_factory=Validation)


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
    optional: dict[str, Any] = {k: entry.pop(k) for k in ("api_style", "base_url", "docs", "default_model", "source", "checked") if k in entry}
    optional["hosts"] = tuple(entry.pop("hosts", ()))
    env_vars = tuple(entry.pop("env_vars", ()))
    validation = validation_from(entry.get("validate", {}), base["id"])
    return Provider(rules=rules, env_vars=env_vars, extra=entry, validation=validation, **base, **optional)


def validation_from(table: dict[str, Any], provider: str) -> Validation:
    """``[provider.validate]`` as a ``Validation``; a wrong entry is a ValueError naming it."""
    known = set(Validation.__dataclass_fields__)
    unknown = set(table) - known
    if unknown:
        raise ValueError(f"provider {provider!r}: unknown validate fields {sorted(unknown)}")
    values = dict(table)
    values["status"] = {int(code): name for code, name in values.get("status", {}).items()}
    try:
        values["checks"] = tuple(BodyCheck(**check) for check in values.get("checks", ()))
    except TypeError as exc:
        raise ValueError(f"provider {provider!r}: validate checks: {exc}") from None
    values["models"] = values.get("models", "data[].id") or None  # "" : the answer lists no models
    for name in ("code_fields", "message_fields"):
        if name in values:
            values[name] = tuple(values[name])
    values["variants"] = tuple(_variant(v, provider) for v in values.get("variants", ()))
    values["then"] = tuple(_follow_up(t, provider) for t in values.get("then", ()))
    validation = Validation(**values)
    _check_validation(validation, provider)
    return validation


def _variant(table: dict[str, Any], provider: str) -> Variant:
    table = dict(table)
    prefix, kind = str(table.pop("prefix", "")), str(table.pop("kind", ""))
    if not prefix:
        raise ValueError(f"provider {provider!r}: a validate variant needs a key prefix")
    return Variant(prefix, validation_from(table, provider), kind)


def _follow_up(table: dict[str, Any], provider: str) -> FollowUp:
    table = dict(table)
    own = {name: table.pop(name) for name in ("name", "when", "code", "key_prefix", "statuses", "details") if name in table}
    base_urls = dict(table.pop("base_urls", {}))
    stop_on = tuple(table.pop("stop_on", ()))
    if not own.get("name") or not own.get("when") or not base_urls:
        raise ValueError(f"provider {provider!r}: a validate follow-up needs name, when and base_urls")
    if any(not url.startswith("https://") for url in base_urls.values()):
        raise ValueError(f"provider {provider!r}: follow-up {own['name']!r}: base_urls must be https")
    follow = FollowUp(validation=validation_from(table, provider), base_urls=base_urls, stop_on=stop_on, **own)
    wrong = sorted({s for s in [follow.when, *follow.statuses, *follow.statuses.values()] if s not in KEY_STATUSES})
    if wrong:
        raise ValueError(f"provider {provider!r}: follow-up {follow.name!r} names unknown statuses {wrong}")
    return follow


def _check_validation(validation: Validation, provider: str) -> None:
    named = [*validation.status.values(), *validation.codes.values(), *validation.messages.values()]
    named += [check.status for check in validation.checks]
    wrong = sorted({name for name in named if name not in KEY_STATUSES})
    if wrong:
        raise ValueError(f"provider {provider!r}: validate names unknown statuses {wrong}; expected {KEY_STATUSES}")
    if validation.auth not in AUTH_STYLES:
        raise ValueError(f"provider {provider!r}: validate auth must be one of {AUTH_STYLES}")


def _read(name: str) -> dict[str, Any]:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return tomllib.loads(text)


@lru_cache(maxsize=1)
def load() -> Catalog:
    """The built-in catalog (user additions are merged by ``aicheck.config``)."""
    providers = tuple(_provider(p) for p in _read("providers.toml")["provider"])
    other = tuple(_rule(r, None) for r in _read("rules.toml")["rule"])
    other += tuple(_rule(r, None) for r in _read("public.toml")["rule"])
    rules = tuple(r for p in providers for r in p.rules) + other
    return Catalog(providers=providers, rules=rules)


@dataclass(frozen=True)
class Examples:
    """Published example keys (``examples.toml``): plain values and SHA-256 digests."""

    values: frozenset[str]
    digests: frozenset[str]

    def __contains__(self, secret: object) -> bool:
        import hashlib

        if not isinstance(secret, str):
            return False
        return secret in self.values or hashlib.sha256(secret.encode()).hexdigest() in self.digests


@lru_cache(maxsize=1)
def examples() -> Examples:
    """Keys printed in documentation and SDK samples, each with its source in the TOML."""
    entries = _read("examples.toml")["example"]
    for entry in entries:
        if not entry.get("source") or ("value" in entry) == ("sha256" in entry):
            raise ValueError(f"examples.toml: each example needs a source and one of value/sha256: {entry}")
    values = frozenset(e["value"] for e in entries if "value" in e)
    return Examples(values, frozenset(e["sha256"].lower() for e in entries if "sha256" in e))


# --- chat endpoints and prices (the fallback chain, ``aicheck smoke``) ----------------------------

CHAT_STYLES = ("openai", "anthropic", "gemini")


@dataclass(frozen=True)
class Usage:
    """Where an answer reports its tokens (dotted paths into the JSON body)."""

    input: str = "usage.prompt_tokens"
    output: str = "usage.completion_tokens"
    cached: str = "usage.prompt_tokens_details.cached_tokens"
    cost: str = "usage.cost"  # a cost the provider computed itself, in USD (OpenRouter)
    # Output tokens reported apart from ``output`` but billed as output (Gemini's thinking tokens).
    reasoning: str = ""
    cached_in_input: bool = True  # the input count includes the cached tokens (not on Anthropic)


@dataclass(frozen=True)
class Chat:
    """A provider's chat endpoint (``[provider.chat]``): how to send one prompt and read the answer.

    ``style`` picks the request and answer shapes; the other fields default to that style's
    (``STYLE_DEFAULTS``), so an OpenAI-compatible gateway needs no table at all. ``{model}`` in a
    path is replaced by the model id.
    """

    supported: bool = True
    reason: str = ""  # why there is no chat, when ``supported`` is false
    style: str = "openai"
    path: str = "/chat/completions"
    stream_path: str | None = None  # when streaming has a path of its own (Gemini)
    query: dict[str, str] = field(default_factory=dict)
    stream_query: dict[str, str] = field(default_factory=dict)
    auth: str = "bearer"
    headers: dict[str, str] = field(default_factory=dict)
    base_url: str | None = None  # when chat lives on another host than the provider's base_url
    stream: bool = True  # the endpoint can stream (SSE)
    stream_usage: bool = True  # OpenAI style: ask for usage in the last chunk (stream_options)
    max_tokens_field: str = "max_tokens"
    usage: Usage = field(default_factory=Usage)
    ratelimit_prefix: str | None = None  # response headers with rate-limit headroom


STYLE_DEFAULTS: dict[str, dict[str, Any]] = {
    "openai": {"ratelimit_prefix": "x-ratelimit-"},
    "anthropic": {
        "path": "/v1/messages", "auth": "x-api-key", "headers": {"anthropic-version": "2023-06-01"},
        "stream_usage": False, "ratelimit_prefix": "anthropic-ratelimit-",
        "usage": {
            "input": "usage.input_tokens", "output": "usage.output_tokens", "cached": "usage.cache_read_input_tokens",
            "cost": "", "cached_in_input": False,
        },
    },
    "gemini": {
        "path": "/v1beta/models/{model}:generateContent", "stream_path": "/v1beta/models/{model}:streamGenerateContent",
        "stream_query": {"alt": "sse"}, "auth": "x-goog-api-key", "stream_usage": False,
        "usage": {
            "input": "usageMetadata.promptTokenCount", "output": "usageMetadata.candidatesTokenCount",
            "cached": "usageMetadata.cachedContentTokenCount", "cost": "",
            # Thinking tokens are billed as output but not in candidatesTokenCount.
            # Source: ai.google.dev/gemini-api/docs/thinking ("pricing"; usage_metadata.thoughts_token_count), 2026-12-06.
            "reasoning": "usageMetadata.thoughtsTokenCount",
        },
    },
}


def chat(provider: Provider) -> Chat:
    """The provider's chat endpoint: its ``[provider.chat]`` table over its API style's defaults.

    A provider added in the config (``[providers.<id>] api_style``) has no table: its style says it all.
    """
    return chat_from(provider.extra.get("chat", {}), provider.id, provider.api_style)


def chat_from(table: dict[str, Any], provider: str, api_style: str = "openai") -> Chat:
    """``[provider.chat]`` as a ``Chat``; a wrong entry is a ValueError naming it."""
    unknown = set(table) - set(Chat.__dataclass_fields__)
    if unknown:
        raise ValueError(f"provider {provider!r}: unknown chat fields {sorted(unknown)}")
    style = table.get("style", api_style if api_style in CHAT_STYLES else "openai")
    if style not in CHAT_STYLES:
        raise ValueError(f"provider {provider!r}: chat style must be one of {CHAT_STYLES}")
    values = {**STYLE_DEFAULTS.get(style, {}), **table, "style": style}
    if api_style not in CHAT_STYLES and "style" not in table and "supported" not in table:
        values.update(supported=False, reason=f"no chat API is known for api_style {api_style!r}")
    usage = {**STYLE_DEFAULTS.get(style, {}).get("usage", {}), **table.get("usage", {})}
    try:
        values["usage"] = Usage(**usage)
    except TypeError as exc:
        raise ValueError(f"provider {provider!r}: chat usage: {exc}") from None
    chat = Chat(**values)
    if chat.auth not in AUTH_STYLES:
        raise ValueError(f"provider {provider!r}: chat auth must be one of {AUTH_STYLES}")
    return chat


@dataclass(frozen=True)
class Price:
    """USD per million tokens."""

    input: float
    output: float
    cached_input: float | None = None  # None: cached tokens cost as much as the others
    source: str = ""  # where the figure comes from (a letter explained in prices.toml, or a URL)
    checked: str = ""  # when it was read (YYYY-MM-DD)
    deprecation_date: str | None = None  # when the provider shuts the model down (YYYY-MM-DD)
    replacement: str | None = None  # the model to move to
    listed: bool = True  # False: the current price map no longer lists it (retired)


@lru_cache(maxsize=1)
def prices() -> dict[str, dict[str, Price]]:
    """The shipped prices (``prices.toml``): provider id -> model id -> price."""
    table = _read("prices.toml")
    return {provider: {model: Price(**entry) for model, entry in models.items()} for provider, models in table.items()}
