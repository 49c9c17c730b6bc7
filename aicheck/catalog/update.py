"""``aicheck catalog update``: LiteLLM's published model map, fetched, checked and kept in the user cache.

LiteLLM publishes ``model_prices_and_context_window.json`` (BerriAI/litellm, read 2026-12-06):
one object per model with ``litellm_provider``, ``input_cost_per_token``,
``output_cost_per_token``, ``cache_read_input_token_cost``, ``max_input_tokens`` and, when the
provider has announced it, ``deprecation_date`` (YYYY-MM-DD). aicheck keeps only what it uses,
for its own providers, in ``$XDG_CACHE_HOME/aicheck/models.json`` (``~/.cache/aicheck`` when
the variable is unset, ``AICHECK_CACHE_DIR`` when set). Every command reads that copy when it is
there (``aicheck.catalog.models``) and the shipped prices.toml otherwise.

The download is a public file and carries no credential. It is read over https (plain http only
to loopback, for tests and mirrors), never following a redirect, at most ``MAX_BYTES``; a map that
does not parse or looks wrong is refused and the copy already kept stays as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aicheck.errors import AicheckError

DEFAULT_URL = "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json"
URL_ENV = "AICHECK_CATALOG_URL"
MAX_BYTES = 32_000_000  # the map is ~1.5 MB today (litellm 1.110.2)
MIN_MODELS = 50  # fewer models of our providers than this: not the map we know
CACHE_FILE = "models.json"
SCHEMA = 1

# LiteLLM's provider names -> aicheck's provider ids.
PROVIDERS = {
    "openai": "openai", "anthropic": "anthropic", "groq": "groq", "openrouter": "openrouter", "gemini": "gemini",
    "mistral": "mistral", "cohere_chat": "cohere", "together_ai": "together", "fireworks_ai": "fireworks",
    "deepseek": "deepseek", "xai": "xai", "perplexity": "perplexity", "cerebras": "cerebras", "azure": "azure-openai",
}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


class UpdateError(AicheckError):
    """The map could not be fetched or is not the map aicheck knows: a failed check (exit 1)."""

    exit_code = 1


@dataclass(frozen=True)
class Updated:
    path: Path
    source: str
    fetched: str  # ISO date-time, UTC
    models: int
    providers: dict[str, int]


def cache_dir(env: dict[str, str] | None = None) -> Path:
    env = dict(os.environ) if env is None else env
    if env.get("AICHECK_CACHE_DIR"):
        return Path(env["AICHECK_CACHE_DIR"])
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "aicheck"


def source_url(option: str | None = None, env: dict[str, str] | None = None) -> str:
    env = dict(os.environ) if env is None else env
    url = option or env.get(URL_ENV) or DEFAULT_URL
    from aicheck import transport

    try:  # the one scheme rule of aicheck.transport: https, or plain http to loopback only
        transport.parse_origin(url)
    except transport.Refused as exc:
        raise AicheckError(f"catalog URL {url!r}: only https (or http to loopback) is allowed ({exc})") from None
    return url


def update(url: str, timeout: float = 30.0, directory: Path | None = None) -> Updated:
    raw = fetch(url, timeout)
    table = parse(raw)
    fetched = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    path = (directory or cache_dir()) / CACHE_FILE
    document = {"schema": SCHEMA, "source": url, "fetched": fetched, "providers": table}
    _write_atomic(path, json.dumps(document, sort_keys=True).encode())
    counts = {provider: len(models) for provider, models in sorted(table.items())}
    return Updated(path, url, fetched, sum(counts.values()), counts)


def fetch(url: str, timeout: float) -> bytes:
    import httpx

    from aicheck import transport

    try:
        with transport.sync_client(timeout=timeout) as client, client.stream("GET", url) as response:
            if response.status_code != 200:
                raise UpdateError(f"{url}: HTTP {response.status_code}; the kept copy is unchanged")
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_BYTES:
                    raise UpdateError(f"{url}: more than {MAX_BYTES // 1_000_000} MB; not the model map")
                chunks.append(chunk)
    except httpx.HTTPError as exc:
        raise UpdateError(f"{url}: {type(exc).__name__}: {exc or 'no answer'}; the kept copy is unchanged") from None
    return b"".join(chunks)


def parse(raw: bytes) -> dict[str, dict[str, dict[str, Any]]]:
    """The map, reduced to aicheck's providers: provider -> model -> {input, output, ...} (USD per
    million tokens). Raises UpdateError when it is not the map aicheck knows."""
    try:
        document = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise UpdateError(f"the model map is not JSON ({exc}); the kept copy is unchanged") from None
    if not isinstance(document, dict):
        raise UpdateError("the model map is not a JSON object; the kept copy is unchanged")
    table: dict[str, dict[str, dict[str, Any]]] = {}
    for name, entry in document.items():
        row = _row(name, entry)
        if row is not None:
            provider, model, facts = row
            table.setdefault(provider, {})[model] = facts
    total = sum(len(models) for models in table.values())
    if total < MIN_MODELS:
        raise UpdateError(f"the model map lists {total} chat models of known providers (expected {MIN_MODELS}+); the kept copy is unchanged")
    return table


def _row(name: str, entry: Any) -> tuple[str, str, dict[str, Any]] | None:
    if not isinstance(entry, dict) or entry.get("mode") not in ("chat", None):
        return None
    provider = PROVIDERS.get(str(entry.get("litellm_provider")))
    if provider is None or name == "sample_spec":
        return None
    model = name.split("/", 1)[1] if name.startswith(f"{entry['litellm_provider']}/") or name.startswith(f"{provider}/") else name
    facts: dict[str, Any] = {}
    for field, key in (("input", "input_cost_per_token"), ("output", "output_cost_per_token"), ("cached_input", "cache_read_input_token_cost")):
        value = entry.get(key)
        if value is None:
            continue
        if not _price(value):
            raise UpdateError(f"the model map has a wrong {key} for {name!r}; the kept copy is unchanged")
        facts[field] = round(float(value) * 1_000_000, 6)
    date = entry.get("deprecation_date")
    if date is not None:
        if not isinstance(date, str) or not _DATE.match(date):
            raise UpdateError(f"the model map has a wrong deprecation_date for {name!r}; the kept copy is unchanged")
        facts["deprecation_date"] = date
    if isinstance(entry.get("max_input_tokens"), int):
        facts["context_window"] = entry["max_input_tokens"]
    return provider, model, facts


def _price(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and 0 <= value < 1


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".models-", suffix=".json")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
