"""Where a key check goes: the catalog's providers with the config's additions, and each
provider's base URL after overrides.

A base URL comes from ``AICHECK_<PROVIDER>_BASE_URL``, then ``[providers.<id>] base_url``, then
the provider's own endpoint variable (AZURE_OPENAI_ENDPOINT), then the catalog. Only an override
may say http, and only to a loopback host (a local gateway, a test server); the catalog's URLs
are HTTPS. Whether a config's override may be used at all is ``aicheck.trust``'s call.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from aicheck import catalog
from aicheck.catalog import Provider, Validation
from aicheck.errors import AicheckError

OPENAI_COMPATIBLE = "openai"


@dataclass(frozen=True)
class Target:
    base_url: str
    source: str  # where the URL came from, for messages: "AICHECK_GROQ_BASE_URL", "catalog" ...

    @property
    def origin(self) -> tuple[str, str, int | None]:
        return origin(self.base_url)


def env_name(provider_id: str) -> str:
    return f"AICHECK_{provider_id.upper().replace('-', '_')}_BASE_URL"


def known_providers(
    config_providers: Mapping[str, Mapping[str, Any]], chain: Sequence[Mapping[str, Any]] = ()
) -> dict[str, Provider]:
    """The catalog's providers, with ``[providers.<id>]`` overrides and additions from the config;
    a chain entry's ``key_env`` names a variable of its provider."""
    providers = {provider.id: provider for provider in catalog.load().providers}
    for provider_id, entry in config_providers.items():
        base = providers.get(provider_id) or _custom(provider_id, entry)
        providers[provider_id] = _overridden(base, entry)
    for link in chain:
        provider = providers.get(str(link.get("provider")))
        if provider is not None and link.get("key_env"):
            names = tuple(dict.fromkeys([*provider.env_vars, str(link["key_env"])]))
            providers[provider.id] = dataclasses.replace(provider, env_vars=names)
    return providers


def _custom(provider_id: str, entry: Mapping[str, Any]) -> Provider:
    style = str(entry.get("api_style", OPENAI_COMPATIBLE))
    validation = Validation() if style == OPENAI_COMPATIBLE else Validation(
        supported=False, reason=f"no zero-cost check is known for api_style {style!r}"
    )
    return Provider(provider_id, provider_id, (), (), api_style=style, validation=validation)


def _overridden(provider: Provider, entry: Mapping[str, Any]) -> Provider:
    names = [*provider.env_vars, *entry.get("env_vars", []), *([entry["key_env"]] if "key_env" in entry else [])]
    validation = provider.validation
    if "api_version" in entry:
        validation = dataclasses.replace(validation, query={**validation.query, "api-version": entry["api_version"]})
    return dataclasses.replace(
        provider,
        name=entry.get("name", provider.name),
        env_vars=tuple(dict.fromkeys(names)),
        validation=validation,
    )


def target(provider: Provider, config_providers: Mapping[str, Mapping[str, Any]], env: Mapping[str, str]) -> Target | None:
    """The base URL a key for ``provider`` goes to, or None when there is none (Azure, unset)."""
    variable = env_name(provider.id)
    endpoint_env = provider.validation.endpoint_env
    candidates = [
        (variable, env.get(variable)),
        (f"[providers.{provider.id}] base_url", config_providers.get(provider.id, {}).get("base_url")),
        (endpoint_env or "", env.get(endpoint_env) if endpoint_env else None),
        ("catalog", provider.base_url),
    ]
    for source, value in candidates:
        if value and value.strip():
            return Target(checked(value, source), source)
    return None


def checked(url: str, source: str) -> str:
    """A base URL keys may go to, or an error naming where it came from (exit 2)."""
    from aicheck.transport import Refused, parse_origin

    if any(char in url for char in "\r\n"):
        raise AicheckError(f"{source}: the URL holds a line break (CR or LF); set it to one line, e.g. https://api.example.com/v1")
    url = url.strip()
    try:
        parse_origin(url)
    except Refused as exc:
        raise AicheckError(f"{source}: {exc}") from None
    return url.rstrip("/")


def origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return parts.scheme, (parts.hostname or "").lower(), parts.port or default
