"""What should be set and is not: drift against the example file, ``[env] required`` and the keys
the ``[[chain]]`` providers need.

The files an app loads together (``files.layered``) count as one: a key in .env.local covers
the same key missing from .env. A key the environment sets counts as set: in CI and on
deployment platforms secrets come from there, not from a file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from aicheck.env.context import Context
from aicheck.env.files import copy_target, display
from aicheck.env.finding import EnvFinding, finding
from aicheck.env.parse import Entry, EnvFile

_OPTIONAL = re.compile(r"#.*\boptional\b", re.IGNORECASE)
_METADATA = ("DOTENV_PUBLIC_KEY", "DOTENV_PRIVATE_KEY")


@dataclass(frozen=True)
class Wanted:
    key: str
    file: str  # where the requirement is written
    line: int
    source: str  # ".env.example", "[env] required in aicheck.toml"
    from_example: bool


def check(active: list[EnvFile], example: EnvFile | None, ctx: Context) -> Iterator[EnvFinding]:
    merged = {key: (env, entry) for env in active for key, entry in env.last().items()}
    wanted = _wanted(example, ctx)
    reported: set[str] = set()
    listed = [item for item in wanted if item.from_example]
    unconfigured = example is not None and not active and listed and not any(ctx.environ.get(item.key) for item in listed)
    if unconfigured:
        assert example is not None
        reported.update(item.key for item in listed)
        yield _not_configured(example, [item.key for item in listed], ctx)
    for item in wanted:
        if item.key in reported:
            continue
        if item.key not in merged and not ctx.environ.get(item.key):
            reported.add(item.key)
            yield finding("env.missing-key", item.file, item.line, item.key,
                          f"{item.key} is listed in {item.source} but set in none of {_names(active)} nor in the environment")
    for item in wanted:
        if item.key in merged and item.key not in reported and not ctx.environ.get(item.key):
            env, entry = merged[item.key]
            if _empty(entry):
                yield finding("env.empty-required", env.name, entry.line, item.key,
                              f"{item.key} is empty, but {item.source} lists it as required")
    if example is not None:
        yield from _extra(active, example)
    yield from _chain(active, merged, ctx)


def _not_configured(example: EnvFile, keys: list[str], ctx: Context) -> EnvFinding:
    """One finding for an app nobody configured here: no .env file, and the environment sets none
    of the example's keys (a fresh checkout, or a deploy that forgot all of them)."""
    target = copy_target(example.name)
    shown = ", ".join(keys[:6]) + (f" and {len(keys) - 6} more" if len(keys) > 6 else "")
    loader = f"{ctx.loader} loads {target}" if ctx.loader else f"the app loads {target}"
    return finding("env.not-configured", example.name, 0, None,
                   f"None of the {len(keys)} keys {example.name} lists is set ({shown}): there is no .env file and the "
                   f"environment sets none of them",
                   f"{loader}: copy {example.name} to {target} and fill in the values (or set them in the deployment's environment).")


def _wanted(example: EnvFile | None, ctx: Context) -> list[Wanted]:
    items: dict[str, Wanted] = {}
    if example is not None:
        for entry in example.entries:
            if not entry.key.startswith(_METADATA) and not _optional(entry):
                items.setdefault(entry.key, Wanted(entry.key, example.name, entry.line, example.name, True))
    config = _config_name(ctx)
    for key in ctx.settings.required:
        items.setdefault(key, Wanted(key, config, _config_line(ctx, key), f"[env] required in {config}", False))
    return list(items.values())


def _optional(entry: Entry) -> bool:
    """``KEY=  # optional`` in the example: the comment after the value says so."""
    last = entry.text.splitlines()[-1] if entry.text else ""
    if entry.quote:
        tail = last[last.rfind(entry.quote) + 1 :]
    else:
        tail = last.split("=", 1)[1] if "=" in last else ""
        match = re.search(r"(?:^|\s)#.*$", tail)
        tail = match.group(0) if match else ""
    return bool(_OPTIONAL.search(tail))


def _empty(entry: Entry) -> bool:
    if entry.encrypted and entry.cleartext is None:
        return False  # unknown until decrypted
    return entry.raw is None or entry.value == ""


def _extra(active: list[EnvFile], example: EnvFile) -> Iterator[EnvFinding]:
    documented = {entry.key for entry in example.entries}
    for env in active:
        for key, entry in env.last().items():
            if key not in documented and not key.startswith(_METADATA):
                yield finding("env.extra-key", env.name, entry.line, key,
                              f"{key} is set here but not listed in {example.name}",
                              f"Add {key}= (with a placeholder value) to {example.name}.")


def _chain(active: list[EnvFile], merged: dict[str, tuple[EnvFile, Entry]], ctx: Context) -> Iterator[EnvFinding]:
    for key, (who, provider) in _chain_needs(ctx).items():
        if ctx.environ.get(key):
            continue
        if key not in merged:
            line = _config_line(ctx, key) or _config_line(ctx, provider)
            yield finding("env.chain-key-missing", _config_name(ctx), line, key,
                          f"{key}, which {who} needs, is set in none of {_names(active)} nor in the environment")
        elif _empty(merged[key][1]):
            env, entry = merged[key]
            yield finding("env.chain-key-missing", env.name, entry.line, key, f"{key} is empty, and {who} needs it")


def _chain_needs(ctx: Context) -> dict[str, tuple[str, str]]:
    """key_env -> ("chain entries 1 (groq, llama-3.3-70b-versatile), …", the first provider needing it)."""
    links: dict[str, list[str]] = {}
    providers: dict[str, str] = {}
    for number, link in enumerate(ctx.settings.chain, start=1):
        key = _key_env(link, ctx)
        if key:
            links.setdefault(key, []).append(f"{number} ({link.get('provider')}, {link.get('model')})")
            providers.setdefault(key, str(link.get("provider", "")))
    return {
        key: (f"chain entr{'y' if len(items) == 1 else 'ies'} {', '.join(items)}", providers[key])
        for key, items in links.items()
    }


def _key_env(link: dict[str, Any], ctx: Context) -> str | None:
    if link.get("key_env"):
        return str(link["key_env"])
    provider_id = str(link.get("provider", ""))
    custom = ctx.settings.providers.get(provider_id, {})
    if custom.get("key_env"):
        return str(custom["key_env"])
    provider = ctx.classifier.provider(provider_id)
    return provider.env_vars[0] if provider and provider.env_vars else None


def _names(files: list[EnvFile]) -> str:
    return ", ".join(env.name for env in files) if files else "the .env files (there are none)"


def _config_name(ctx: Context) -> str:
    return display(ctx.config_path, ctx.root) if ctx.config_path else "aicheck.toml"


def _config_line(ctx: Context, key: str) -> int:
    """The line of the config file that names the key, for a finding to point at."""
    if ctx.config_path is None:
        return 0
    try:
        lines = ctx.config_path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return 0
    pattern = re.compile(rf"""["']{re.escape(key)}["']""")
    return next((number for number, line in enumerate(lines, start=1) if pattern.search(line)), 0)
