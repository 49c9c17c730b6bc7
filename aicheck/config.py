"""Configuration: found, parsed and checked in one place.

Looked up in order: ``--config FILE``, ``aicheck.toml`` in the project root, then
``[tool.aicheck]`` in ``pyproject.toml``. Every error names the file, the key and what was
expected. The schema below is the contract of DESIGN.md; sections later features read are
declared here too, so a typo anywhere is caught on the first run of any command.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aicheck.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

Check = Callable[[Any], Any]  # returns the normalised value or raises ValueError(expected)


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("a string")
    return value


def _str_list(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("a list of strings")
    return value


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ValueError("a non-negative number")
    return float(value)


def _count(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError("a non-negative integer")
    return value


def _fraction(value: Any) -> float:
    number = _number(value)
    if number > 1:
        raise ValueError("a fraction between 0 and 1 (0.999 for 99.9 %)")
    return number


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("true or false")
    return value


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|KiB|MiB|GiB)?\s*$", re.IGNORECASE)
_UNITS = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "kib": 2**10, "mib": 2**20, "gib": 2**30}


def parse_size(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    match = _SIZE.match(value) if isinstance(value, str) else None
    if not match:
        raise ValueError('a size such as "5MB", "512KB" or a number of bytes')
    return int(float(match.group(1)) * _UNITS[(match.group(2) or "b").lower()])


def _regex(value: Any) -> str:
    text = _str(value)
    try:
        re.compile(text)
    except re.error as exc:
        raise ValueError(f"a valid regular expression ({exc})") from None
    return text


def _rule_regex(value: Any) -> str:
    from aicheck.scan import engine  # scan rules run on RE2: refuse what it cannot run, here

    text = _regex(value)
    try:
        engine.check(text)
    except engine.UnsupportedPattern as exc:
        raise ValueError(f"a regular expression the scanner can run, {exc}") from None
    return text


def _severity(value: Any) -> str:
    if value not in ("critical", "high", "medium", "low"):
        raise ValueError('one of "critical", "high", "medium", "low"')
    return str(value)


def _url(value: Any) -> str:
    text = _str(value)
    if not re.match(r"^https?://[^\s/]+", text):
        raise ValueError("an http(s) URL")
    return text.rstrip("/")


def _table_of(schema: dict[str, Check]) -> Check:
    def check(value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise ValueError("a table")
        return _check_table(value, schema)

    return check


def _regex_table(value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise ValueError("a table of NAME = regex")
    return _check_table(value, {key: _regex for key in value})


def _check_table(value: dict[str, Any], schema: dict[str, Check]) -> dict[str, Any]:
    """Check each key; an error's key path is built on the way out (``chain[1].timeout``)."""
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key not in schema:
            raise _Invalid(key, f"one of: {', '.join(sorted(schema))}", unknown=True)
        try:
            out[key] = schema[key](item)
        except _Invalid as inner:
            joiner = "" if inner.key.startswith("[") else "."
            raise _Invalid(f"{key}{joiner}{inner.key}", inner.expected, inner.unknown) from None
        except ValueError as exc:
            raise _Invalid(key, str(exc)) from None
    return out


class _Invalid(Exception):
    def __init__(self, key: str, expected: str, unknown: bool = False) -> None:
        super().__init__(key)
        self.key, self.expected, self.unknown = key, expected, unknown


def _array_of(schema: dict[str, Check], required: tuple[str, ...]) -> Check:
    def check(value: Any) -> list[dict[str, Any]]:
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise ValueError("an array of tables ([[...]] entries)")
        entries = []
        for index, item in enumerate(value):
            try:
                entries.append(_entry(item, schema, required))
            except _Invalid as inner:
                raise _Invalid(f"[{index}].{inner.key}", inner.expected, inner.unknown) from None
        return entries

    return check


def _entry(item: dict[str, Any], schema: dict[str, Check], required: tuple[str, ...]) -> dict[str, Any]:
    missing = [key for key in required if key not in item]
    if missing:
        raise _Invalid(missing[0], "a value (required in every entry)")
    return _check_table(item, schema)


def _tables_of(schema: dict[str, Check]) -> Check:
    def check(value: Any) -> dict[str, dict[str, Any]]:
        if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
            raise ValueError("tables such as [providers.<id>]")
        checked = {}
        for name, entry in value.items():
            try:
                checked[name] = _check_table(entry, schema)
            except _Invalid as inner:
                raise _Invalid(f"{name}.{inner.key}", inner.expected, inner.unknown) from None
        return checked

    return check


PRICE: dict[str, Check] = {"input": _number, "output": _number, "cached_input": _number}


def _prices(value: Any) -> dict[str, dict[str, float]]:
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise ValueError('a table of "<model>" = { input = ..., output = ... } (USD per million tokens)')
    prices = {model: _check_table(entry, PRICE) for model, entry in value.items()}
    for model, entry in prices.items():
        missing = [name for name in ("input", "output") if name not in entry]
        if missing:
            raise _Invalid(f"{model}.{missing[0]}", "a value (USD per million tokens)")
    return prices


RULE: dict[str, Check] = {
    "id": _str, "name": _str, "regex": _rule_regex, "keywords": _str_list, "severity": _severity,
    "description": _str, "secret_group": _count, "min_entropy": _number, "context": _str_list,
    "generic": _bool,
}
EXPECT: dict[str, Check] = {
    "contains": _str, "icontains": _str, "regex": _regex, "not_contains": _str, "is_json": _bool,
    "max_latency_ms": _number, "max_cost_usd": _number,
}
SCHEMA: dict[str, Check] = {
    "scan": _table_of({
        "exclude": _str_list, "max_file_size": parse_size, "disable_rules": _str_list,
        "rules": _array_of(RULE, ("id", "regex", "keywords")),
    }),
    "env": _table_of({
        "files": _str_list, "example": _str, "required": _str_list, "framework": _str,
        "patterns": _regex_table, "disable": _str_list, "max_file_size": parse_size,
    }),
    "providers": _tables_of({
        "name": _str, "base_url": _url, "api_style": _str, "key_env": _str, "env_vars": _str_list,
        "models": _str_list,
        "api_version": _str,  # Azure OpenAI: the api-version of the key check
        "prices": _prices,  # model -> {input, output, cached_input} in USD per million tokens
        "requests_per_minute": _number,  # this provider's client-side rate limit (over [resilience])
    }),
    "chain": _array_of(
        {"provider": _str, "model": _str, "key_env": _str, "timeout": _number, "base_url": _url},
        ("provider", "model"),
    ),
    "resilience": _table_of({
        "max_retries": _count, "backoff_base_seconds": _number, "backoff_cap_seconds": _number,
        "breaker_failure_threshold": _count, "breaker_cooldown_seconds": _number,
        "requests_per_minute": _number, "concurrency": _count, "retry_after_cap_seconds": _number,
        "requests_burst": _number,  # the rate limit's bucket size (default: a minute's requests)
    }),
    "budget": _table_of({"per_run_usd": _number, "per_day_usd": _number}),
    "cache": _table_of({"ttl_seconds": _number, "max_items": _count}),
    "smoke": _array_of(
        {
            "name": _str, "prompt": _str, "expect": _table_of(EXPECT), "max_tokens": _count, "system": _str, "stream": _bool,
            "temperature": _number,
        },
        ("name", "prompt"),
    ),
    "slo": _table_of({
        "availability": _fraction, "p95_latency_ms": _number, "error_rate": _fraction,
        "cost_per_request_usd": _number,
    }),
}


@dataclass(frozen=True)
class Config:
    path: Path | None  # None: no config file, defaults apply
    data: dict[str, Any] = field(default_factory=dict)

    def section(self, name: str) -> dict[str, Any]:
        value = self.data.get(name, {})
        return value if isinstance(value, dict) else {}


def find(root: Path, explicit: Path | None = None) -> Path | None:
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: config file not found")
        return explicit
    for name in ("aicheck.toml", ".aicheck.toml"):
        if (root / name).is_file():
            return root / name
    pyproject = root / "pyproject.toml"
    if pyproject.is_file() and b"[tool.aicheck" in pyproject.read_bytes():
        return pyproject
    return None


def load(root: Path, explicit: Path | None = None) -> Config:
    path = find(root, explicit)
    if path is None:
        return Config(None)
    raw = _parse(path)
    if path.name == "pyproject.toml":
        raw = raw.get("tool", {}).get("aicheck", {})
    return Config(path, validate(raw, path))


def _parse(path: Path) -> dict[str, Any]:
    try:
        text = path.read_bytes().decode("utf-8")
        return tomllib.loads(text)
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def validate(raw: dict[str, Any], path: Path) -> dict[str, Any]:
    prefix = "tool.aicheck." if path.name == "pyproject.toml" else ""
    try:
        return _check_table(raw, SCHEMA)
    except _Invalid as exc:
        verb = "unknown key" if exc.unknown else "invalid value for"
        raise ConfigError(f"{path}: {verb} '{prefix}{exc.key}': expected {exc.expected}") from None
