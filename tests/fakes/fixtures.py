"""pytest fixtures and helpers around the fake providers (import the fixtures into a test module)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from aicheck.catalog import load
from aicheck.config import Config
from aicheck.validate import KeyInput, KeyResult, validate_keys
from aicheck.validate.engine import Settings
from tests.fakes.providers import FakeProviders
from tests.keygen import KEYGEN

# Short timeouts and backoff keep fault tests fast; one retry still shows the retry happens.
FAST = Settings(concurrency=8, timeout=2.0, retries=1, backoff=0.01)


@pytest.fixture(scope="session")
def provider_server() -> Iterator[FakeProviders]:
    with FakeProviders() as server:
        yield server


@pytest.fixture
def fake(provider_server: FakeProviders, monkeypatch: pytest.MonkeyPatch) -> FakeProviders:
    """The shared fake, with no scripts and an empty log; no proxy between us and it."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    provider_server.reset()
    return provider_server


def key_for(provider: str) -> KeyInput:
    """A fresh key in the provider's first format, read from its first variable name (formats
    without a prefix need the name to be told apart)."""
    entry = load().provider(provider)
    assert entry is not None and entry.rules, provider
    return KeyInput(KEYGEN[entry.rules[0].id](), name=entry.env_vars[0], source="test")


def check(
    fake: FakeProviders,
    *items: KeyInput,
    config: Mapping[str, Any] | None = None,
    settings: Settings = FAST,
    env: Mapping[str, str] | None = None,
) -> list[KeyResult]:
    cfg = Config(None, dict(config)) if config is not None else None
    return validate_keys(list(items), cfg, env={**fake.env(), **(env or {})}, settings=settings)


def check_one(fake: FakeProviders, item: KeyInput, **kwargs: Any) -> KeyResult:
    (result,) = check(fake, item, **kwargs)
    return result
