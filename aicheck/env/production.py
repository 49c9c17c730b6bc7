"""``--production``: the configuration a production deploy loads must not be a developer's.

These checks read what the app sees, the files it loads together with later ones winning
(``files.layered``): ``DEBUG=true`` in .env overridden by ``DEBUG=false`` in .env.production is fine.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator

from aicheck.env.context import Context
from aicheck.env.finding import EnvFinding, finding
from aicheck.env.parse import Entry, EnvFile
from aicheck.scan import filters

_FALSY = frozenset({"", "0", "false", "no", "off", "n", "f", "disabled", "none", "null"})
_DEBUG_KEY = re.compile(r"^(?:[A-Z0-9]+_)*DEBUG(?:_(?:MODE|ENABLED|TOOLBAR))?$", re.IGNORECASE)
_ENV_KEYS = frozenset({
    "NODE_ENV", "APP_ENV", "ENVIRONMENT", "ENV", "APP_ENVIRONMENT", "FLASK_ENV", "RAILS_ENV", "RACK_ENV",
    "DJANGO_ENV", "PYTHON_ENV", "MIX_ENV", "GO_ENV", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT",
})
_PRODUCTION = frozenset({"production", "prod", "live"})
_LOCAL_URL = re.compile(
    r"\b[a-z][a-z0-9+.-]*://(?:[^@/\s]*@)?"
    r"(localhost|127(?:\.\d{1,3}){3}|0\.0\.0\.0|\[::1?\]|[a-z0-9.-]+\.localhost|host\.docker\.internal)"
    r"(?=[:/?#\s,;]|$)",
    re.IGNORECASE,
)
_SIGNING_WORDS = frozenset({"JWT", "SESSION", "COOKIE", "APP", "ENCRYPTION", "SIGNING", "HMAC", "SECRET", "MASTER", "CRYPTO", "NEXTAUTH", "AUTH"})
MIN_SECRET = 32  # HS256 wants a key of at least the hash size: 256 bits (RFC 7518, 3.2)


def check(active: list[EnvFile], ctx: Context) -> Iterator[EnvFinding]:
    merged = {key: (env, entry) for env in active for key, entry in env.last().items()}
    for env, entry in merged.values():
        value = entry.plain
        if value is None:
            continue
        yield from debug(env, entry, value)
        yield from environment_name(env, entry, value)
        yield from localhost(env, entry, value)
        yield from weak_secret(env, entry, value, ctx)


def debug(env: EnvFile, entry: Entry, value: str) -> Iterator[EnvFinding]:
    if _DEBUG_KEY.match(entry.key) and value.strip().lower() not in _FALSY:
        yield finding("env.debug-enabled", env.name, entry.line, entry.key,
                      f"{entry.key}={_short(value)} turns debugging on in the production configuration")
    elif entry.key == "NODE_OPTIONS" and re.search(r"--inspect(?:-brk)?\b", value):
        yield finding("env.debug-enabled", env.name, entry.line, entry.key,
                      "NODE_OPTIONS opens the Node.js inspector (--inspect): anyone who reaches its port runs code",
                      "Remove --inspect from NODE_OPTIONS in the production configuration.")


def environment_name(env: EnvFile, entry: Entry, value: str) -> Iterator[EnvFinding]:
    if entry.key.upper() in _ENV_KEYS and value and value.strip().lower() not in _PRODUCTION:
        yield finding("env.not-production", env.name, entry.line, entry.key,
                      f"{entry.key} is {_short(value)!r} in the production configuration",
                      f"Set {entry.key}=production.")


def localhost(env: EnvFile, entry: Entry, value: str) -> Iterator[EnvFinding]:
    match = _LOCAL_URL.search(value)
    if match:
        yield finding("env.localhost-url", env.name, entry.line, entry.key,
                      f"{entry.key} points at {match.group(1)}: in production that is the app's own host, not the service")


def weak_secret(env: EnvFile, entry: Entry, value: str, ctx: Context) -> Iterator[EnvFinding]:
    if not _signing_secret(entry.key) or not value or ctx.classifier.provider_for(entry.key) is not None:
        return
    rule = ctx.classifier.detect(entry.key, value)
    if rule is not None and not rule.generic:
        return  # a credential someone issued (Stripe, GitHub ...), not a secret the team chose
    problem = _weakness(value)
    if problem:
        yield finding("env.weak-secret", env.name, entry.line, entry.key, f"{entry.key} {problem}")


def _signing_secret(key: str) -> bool:
    words = key.upper().split("_")
    if words[-1] in ("SECRET", "SALT") or key.upper() in ("SECRET_KEY_BASE", "APP_KEY"):
        return True
    return len(words) >= 2 and words[-1] == "KEY" and words[-2] in _SIGNING_WORDS


def _weakness(value: str) -> str:
    material = _base64_prefixed(value)
    if material is not None and len(material) < MIN_SECRET:
        return f"decodes to {len(material)} bytes: a signing secret needs {MIN_SECRET} random bytes or more"
    if material is None and len(value) < MIN_SECRET:
        return (f"is {len(value)} characters long: a signing secret needs {MIN_SECRET} random characters or more, "
                f"or tokens signed with it can be forged after an offline guess")
    if filters.is_placeholder(value, strict=True) or filters.shannon_entropy(value) < 3.0:
        return "looks chosen by a person (words, repeats or a sequence), not random"
    return ""


def _base64_prefixed(value: str) -> bytes | None:
    """Laravel's APP_KEY=base64:... holds the key material base64-encoded."""
    if not value.startswith("base64:"):
        return None
    try:
        return base64.b64decode(value[len("base64:"):], validate=True)
    except (binascii.Error, ValueError):
        return b""


def _short(value: str) -> str:
    value = "".join(c if c.isprintable() else "?" for c in value)
    return value if len(value) <= 24 else value[:23] + "…"
