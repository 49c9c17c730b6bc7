"""pytest fixtures and helpers around the fake chat server (import the fixtures into a test module)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from aicheck import chain as chain_mod
from aicheck.chain import ChainResult, ChatRequest
from aicheck.config import Config, validate
from aicheck.state import State
from tests.fakes.chat import FakeChat
from tests.keygen import KEYGEN

# Small backoff keeps fault tests fast; retries still happen and still wait.
FAST = {"max_retries": 2, "backoff_base_seconds": 0.01, "backoff_cap_seconds": 0.05}
KEYS = {
    "GROQ_API_KEY": KEYGEN["groq-api-key"](),
    "OPENROUTER_API_KEY": KEYGEN["openrouter-api-key"](),
    "ANTHROPIC_API_KEY": KEYGEN["anthropic-api-key"](),
    "GEMINI_API_KEY": KEYGEN["google-api-key"](),
    "OPENAI_API_KEY": KEYGEN["openai-api-key"](),
}
MODELS = {"groq": "llama-3.3-70b-versatile", "openrouter": "openai/gpt-4o-mini", "anthropic": "claude-haiku-4-5",
          "gemini": "gemini-2.5-flash", "openai": "gpt-4o-mini"}


@pytest.fixture(scope="session")
def chat_server() -> Iterator[FakeChat]:
    with FakeChat() as server:
        yield server


@pytest.fixture
def chat(chat_server: FakeChat, monkeypatch: pytest.MonkeyPatch) -> FakeChat:
    """The shared fake, with no scripts and an empty log; no proxy between us and it."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    chat_server.reset()
    return chat_server


def env_for(fake: FakeChat, *providers: str, **extra: str) -> dict[str, str]:
    """Keys for the providers, and each provider's base URL pointed at the fake."""
    names = providers or tuple(MODELS)
    urls = {f"AICHECK_{p.upper().replace('-', '_')}_BASE_URL": fake.base_url(p) for p in names}
    return {**KEYS, **urls, **extra}


def config(*providers: str, path: Path | None = None, **sections: Any) -> Config:
    """A checked config: a chain of ``providers`` (their usual models), and the other sections given."""
    data: dict[str, Any] = {"chain": [{"provider": p, "model": MODELS[p]} for p in providers], **sections}
    data.setdefault("resilience", dict(FAST))
    where = path or Path("aicheck.toml")
    return Config(where, validate(data, where))


def ask(
    fake: FakeChat,
    cfg: Config,
    *requests: ChatRequest,
    state: State | None = None,
    drills: tuple[str, ...] = (),
    env: Mapping[str, str] | None = None,
    use_cache: bool = False,
) -> list[ChainResult]:
    """Send the requests one after the other through a chain built from ``cfg``."""
    environ = dict(env) if env is not None else env_for(fake)
    links = chain_mod.resolve(cfg.data, cfg.path, environ)

    async def run() -> list[ChainResult]:
        async with chain_mod.build(cfg, links, environ, state=state, drills=drills, use_cache=use_cache) as chain:
            return [await chain.complete(request) for request in requests]

    return asyncio.run(run())


def ask_one(fake: FakeChat, cfg: Config, request: ChatRequest | None = None, **kwargs: Any) -> ChainResult:
    (result,) = ask(fake, cfg, request or ChatRequest("Reply with the single word: pong"), **kwargs)
    return result
