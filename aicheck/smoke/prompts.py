"""The smoke prompts of ``[[smoke]]`` and their expectations, checked once.

With no ``[[smoke]]`` entry, one built-in prompt asks for "pong": enough to show each provider
of the chain answers. A prompt without expectations is a config error: a check that cannot fail
proves nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aicheck.chain.result import ChatRequest
from aicheck.config import EXPECT
from aicheck.errors import AicheckError, ConfigError

DEFAULT_MAX_TOKENS = 64
BUILTIN: dict[str, Any] = {"name": "pong", "prompt": "Reply with the single word: pong", "expect": {"icontains": "pong"}}


@dataclass(frozen=True)
class Prompt:
    name: str
    request: ChatRequest
    expect: dict[str, Any] = field(default_factory=dict)


def prompts_from(config_data: Mapping[str, Any], config_path: Path | None, names: Sequence[str] = ()) -> list[Prompt]:
    entries: list[dict[str, Any]] = list(config_data.get("smoke") or [BUILTIN])
    where = str(config_path) if config_path else "aicheck.toml"
    prompts = [_prompt(index, entry, where) for index, entry in enumerate(entries)]
    _unique(prompts, where)
    if not names:
        return prompts
    known = {prompt.name for prompt in prompts}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise AicheckError(f"--prompt {unknown[0]}: no [[smoke]] entry has that name (there are: {', '.join(sorted(known))})")
    return [prompt for prompt in prompts if prompt.name in names]


def _prompt(index: int, entry: Mapping[str, Any], where: str) -> Prompt:
    expect = dict(entry.get("expect") or {})
    if not expect:
        raise ConfigError(
            f"{where}: missing 'smoke[{index}].expect': expected at least one of {', '.join(sorted(EXPECT))} "
            f'(e.g. expect = {{ icontains = "pong" }})'
        )
    if not str(entry["prompt"]).strip():
        raise ConfigError(f"{where}: invalid value for 'smoke[{index}].prompt': expected a prompt that is not empty")
    request = ChatRequest(
        prompt=str(entry["prompt"]),
        system=entry.get("system"),
        max_tokens=int(entry.get("max_tokens") or DEFAULT_MAX_TOKENS),
        temperature=float(entry.get("temperature", 0.0)),
        stream=bool(entry.get("stream", False)),
    )
    return Prompt(str(entry["name"]), request, expect)


def _unique(prompts: list[Prompt], where: str) -> None:
    seen: set[str] = set()
    for index, prompt in enumerate(prompts):
        if prompt.name in seen:
            raise ConfigError(f"{where}: invalid value for 'smoke[{index}].name': {prompt.name!r} is used twice; expected a unique name")
        seen.add(prompt.name)
