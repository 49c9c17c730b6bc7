"""Checks on the values of one .env file: placeholders, key formats, configured patterns, secrets a
front-end framework would publish, plaintext left in a dotenvx-encrypted file."""

from __future__ import annotations

import re
from collections.abc import Iterator

from aicheck.env.classify import CLIENT_PREFIXES, Secret, client_prefix, secret_name, shown, stand_in
from aicheck.env.context import Context
from aicheck.env.finding import EnvFinding, finding
from aicheck.env.parse import Entry, EnvFile
from aicheck.scan import filters

_METADATA = ("DOTENV_PUBLIC_KEY", "DOTENV_PRIVATE_KEY")


def check(env: EnvFile, ctx: Context) -> Iterator[EnvFinding]:
    for entry in env.entries:
        if entry.key.startswith(_METADATA):
            continue
        yield from placeholder(env, entry, ctx)
        yield from provider_format(env, entry, ctx)
        yield from pattern(env, entry, ctx)
        yield from client_exposed(env, entry, ctx)
    yield from dotenvx_plaintext(env, ctx)


def placeholder(env: EnvFile, entry: Entry, ctx: Context) -> Iterator[EnvFinding]:
    value = entry.plain
    if not value or not ctx.classifier.placeholder(entry.key, value):
        return
    provider = ctx.classifier.provider_for(entry.key)
    what = f", not a real {provider.name} key" if provider else ""
    show = _quoted(value) if stand_in(value) else shown(value)
    yield finding("env.placeholder", env.name, entry.line, entry.key,
                  f"{entry.key} still holds a placeholder ({show}){what}")


def provider_format(env: EnvFile, entry: Entry, ctx: Context) -> Iterator[EnvFinding]:
    provider = ctx.classifier.provider_for(entry.key)
    value = entry.plain
    if provider is None or not provider.rules or not value or ctx.pattern_for(entry.key) is not None:
        return
    if filters.is_reference(value) or ctx.classifier.placeholder(entry.key, value) or ctx.classifier.fits(provider, value):
        return
    if _gateway(env, entry, ctx):
        return
    other = ctx.classifier.identify(value)
    if other is not None and other.provider != provider.id:
        owner = ctx.classifier.provider(other.provider)
        home = f" to {owner.env_vars[0]}" if owner and owner.env_vars else " to the variable of its service"
        yield finding("env.provider-mismatch", env.name, entry.line, entry.key,
                      f"{entry.key} holds {_a(other.name)} ({shown(value, other)}), not {_a(provider.name)} key: "
                      f"{provider.name} will reject it",
                      f"Move it{home} and put {_a(provider.name)} key in {entry.key}.")
        return
    expected = " or ".join(_expected(rule.description or rule.name) for rule in provider.rules)
    yield finding("env.key-format", env.name, entry.line, entry.key,
                  f"{entry.key} does not look like {_a(provider.name)} key ({_length(value)}); "
                  f"expected {expected}")


def _gateway(env: EnvFile, entry: Entry, ctx: Context) -> bool:
    """OPENAI_API_KEY next to OPENAI_BASE_URL: a gateway (OpenRouter, a proxy) issues the key."""
    stem = re.split(r"_(?:API_KEY|API_TOKEN|KEY|TOKEN)$", entry.key)[0]
    siblings = [e.key for e in env.entries if e.value] + [k for k, v in ctx.environ.items() if v]
    return any(name.startswith(stem + "_") and ("BASE" in name or "ENDPOINT" in name) for name in siblings)


def pattern(env: EnvFile, entry: Entry, ctx: Context) -> Iterator[EnvFinding]:
    regex = ctx.pattern_for(entry.key)
    value = entry.plain
    if regex is None or not value or re.search(regex, value):
        return
    yield finding("env.pattern-mismatch", env.name, entry.line, entry.key,
                  f"{entry.key} does not match its pattern in {ctx.config_name()} [env] patterns: {regex}")


def client_exposed(env: EnvFile, entry: Entry, ctx: Context) -> Iterator[EnvFinding]:
    prefix = client_prefix(entry.key)
    if prefix is None:
        return
    secret = _exposed_secret(entry, ctx)
    if secret is None:
        return
    value = entry.plain
    show = " (encrypted)" if not value else "" if shown(value, secret.rule) == "…" else f" ({shown(value, secret.rule)})"
    yield finding("env.client-exposed-secret", env.name, entry.line, entry.key,
                  f"{entry.key} holds {secret.described}{show} under the {prefix} prefix: "
                  f"{CLIENT_PREFIXES[prefix]} inlines {prefix}* variables into the browser bundle, where anyone can read it")


def _exposed_secret(entry: Entry, ctx: Context) -> Secret | None:
    if entry.encrypted and entry.cleartext is None:
        # Decrypted at build time, inlined all the same: the name has to tell.
        named = ctx.classifier.provider_for(entry.key) is not None or secret_name(entry.key)
        return Secret("secret", None) if named else None
    return ctx.classifier.secret(entry.key, entry.plain)


def dotenvx_plaintext(env: EnvFile, ctx: Context) -> Iterator[EnvFinding]:
    if env.public_key() is None:
        return
    for entry in env.entries:
        if entry.encrypted or entry.key.startswith(_METADATA) or entry.key.endswith("_PLAIN"):
            continue
        secret = ctx.classifier.secret(entry.key, entry.plain)
        if secret is not None:
            yield finding("env.dotenvx-plaintext", env.name, entry.line, entry.key,
                          f"{entry.key} holds {secret.described} in plaintext in a dotenvx-encrypted file",
                          f"Run `dotenvx encrypt -f {env.name}` (or name the key {entry.key}_PLAIN if it is not a secret).")


def _a(noun: str) -> str:
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _expected(description: str) -> str:
    """``Mistral API key (32 letters and digits)`` from the catalog's longer description."""
    return description.split(": ")[0].split(" assigned to ")[0].rstrip(".")


def _length(value: str) -> str:
    tail = shown(value)
    return f"{len(value)} characters" + (f", {tail}" if tail != "…" else "")


def _quoted(value: str) -> str:
    value = "".join(c if c.isprintable() else "?" for c in value)
    return value if len(value) <= 40 else value[:39] + "…"
