"""The one place a secret is hidden: every renderer, error message and state write goes through
``redact`` (a secret shown) or ``scrub`` (a text that may hold one).

A key can hold anything a user pasted: a newline, a quote, non-ASCII letters. An error message
may show it raw, URL-encoded, JSON-escaped or as Python's repr of bytes (httpx's "Illegal header
value b'Bearer …'"), so each of those forms is scrubbed, and so is every long piece of a key
split at its spaces and control characters.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

MIN_SCRUB = 4  # shorter values are not scrubbed: "sk" would eat every word
MIN_PIECE = 8  # a piece of a key (between control characters) long enough to give it away
_BREAKS = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")


def redact(secret: str, prefix: str = "") -> str:
    """A known prefix and the last 4 characters: ``gsk_…a1B2``.

    Short secrets show no tail at all: four characters of a 12-character password are a third of
    it; nor does a secret whose tail is not plain printable ASCII.
    """
    shown = prefix if prefix and secret.startswith(prefix) and _plain(prefix) else ""
    tail = secret[-4:] if len(secret) - len(shown) >= 16 and _plain(secret[-4:]) else ""
    return f"{shown}…{tail}"


# Without a rule, only a short all-letter head counts as format: "sk-", "gsk_", "xai-".
_SHORT_PREFIX = re.compile(r"^[A-Za-z]{2,4}[-_]")


def short_prefix(secret: str) -> str:
    head = _SHORT_PREFIX.match(secret)
    return head.group(0) if head else ""


def _plain(text: str) -> bool:
    return text.isascii() and text.isprintable()


def forms(secret: str) -> list[str]:
    """Every way a message may spell the secret, longest first."""
    spelled = {
        secret,
        quote(secret, safe=""),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        repr(secret)[1:-1],
        repr(secret.encode("utf-8", "surrogateescape"))[2:-1],
    }
    spelled |= {piece for piece in _BREAKS.split(secret) if len(piece) >= MIN_PIECE}
    return sorted((form for form in spelled if len(form) >= MIN_SCRUB), key=len, reverse=True)


def scrub(text: str, secret: str, shown: str | None = None) -> str:
    """``text`` with every copy of ``secret`` (in any spelling of ``forms``) replaced by ``shown``
    (default: its redacted form)."""
    if not secret or len(secret) < MIN_SCRUB or not text:
        return text
    replacement = shown if shown is not None else redact(secret, short_prefix(secret))
    for form in forms(secret):
        text = text.replace(form, replacement)
    return text


def scrub_all(text: str, secrets: list[str]) -> str:
    for secret in sorted(secrets, key=len, reverse=True):
        text = scrub(text, secret)
    return text


def scrub_value(value: Any, secret: str, shown: str | None = None) -> Any:
    """Every string inside a JSON-like value scrubbed of the secret."""
    if isinstance(value, str):
        return scrub(value, secret, shown)
    if isinstance(value, list):
        return [scrub_value(item, secret, shown) for item in value]
    if isinstance(value, dict):
        return {scrub(str(k), secret, shown): scrub_value(v, secret, shown) for k, v in value.items()}
    return value
