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


def _positive(value: Any) -> float:
    number = _number(value)
    if number <= 0:
        raise ValueError("a number above 0 (0 would never work)")
    return number


MIN_PER_MINUTE = 0.1  # one request every ten minutes: anything slower is a typo, and a run would never end


def _per_minute(value: Any) -> float:
    number = _number(value)
    if number < MIN_PER_MINUTE:
        raise ValueError(f"at least {MIN_PER_MINUTE} requests per minute (leave it out for no limit)")
    return number


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
    size = int(float(match.group(1)) * _UNITS[(match.group(2) or "b").lower()]) if match else 0
    if size <= 0:
        raise ValueError('a size above 0, such as "5MB", "512KB" or a number of bytes')
    return size


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
    if not re.match(r"^https?://[^\s/]+", text, re.IGNORECASE):
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
_rule_entries = _array_of(RULE, ("id", "regex", "keywords"))


def _rules(value: Any) -> list[dict[str, Any]]:
    """Custom rules; a regex must have the group its secret is in (group 1 unless secret_group says)."""
    rules: list[dict[str, Any]] = _rule_entries(value)
    for index, rule in enumerate(rules):
        group = int(rule.get("secret_group", 1))
        if re.compile(rule["regex"]).groups < group:
            raise _Invalid(f"[{index}].regex", f"a regular expression with a capture group {group} around the secret "
                           f"(e.g. '(acme_[0-9a-z]{{32}})'), or secret_group = 0 for the whole match")
    return rules


EXPECT: dict[str, Check] = {
    "contains": _str, "icontains": _str, "regex": _regex, "not_contains": _str, "is_json": _bool,
    "max_latency_ms": _number, "max_cost_usd": _number,
}
SCHEMA: dict[str, Check] = {
    "scan": _table_of({
        "exclude": _str_list, "max_file_size": parse_size, "disable_rules": _str_list,
        "rules": _rules,
    }),
    "env": _table_of({
        "files": _str_list, "example": _str, "required": _str_list, "framework": _str,
        "patterns": _regex_table, "disable": _str_list, "max_file_size": parse_size,
    }),
    "code": _table_of({"disable_rules": _str_list, "exclude": _str_list}),  # aicheck code
    "providers": _tables_of({
        "name": _str, "base_url": _url, "api_style": _str, "key_env": _str, "env_vars": _str_list,
        "models": _str_list,
        "api_version": _str,  # Azure OpenAI: the api-version of the key check
        "prices": _prices,  # model -> {input, output, cached_input} in USD per million tokens
        "requests_per_minute": _per_minute,  # this provider's client-side rate limit (over [resilience])
    }),
    "chain": _array_of(
        {"provider": _str, "model": _str, "key_env": _str, "timeout": _positive, "base_url": _url, "name": _str},
        ("provider", "model"),
    ),
    "resilience": _table_of({
        "max_retries": _count, "backoff_base_seconds": _number, "backoff_cap_seconds": _number,
        "breaker_failure_threshold": _count, "breaker_cooldown_seconds": _number,
        "requests_per_minute": _per_minute, "concurrency": _count, "retry_after_cap_seconds": _number,
        "requests_burst": _positive,  # the rate limit's bucket size (default: a minute's requests)
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
    # Settings that could send a key off the official hosts or read outside ``root`` are used
    # only from a trusted file (aicheck.trust). A Config built in code is the caller's own.
    trusted: bool = True
    root: Path = field(default_factory=Path.cwd)

    @property
    def may_read_outside(self) -> bool:
        """May files outside the repository be read for it (env files behind symlinks)? Only for a
        trusted config file; without one, nothing vouches for them."""
        return self.path is not None and self.trusted

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
        return Config(None, root=root)
    return from_bytes(path, read_bytes(path), root)


def from_bytes(path: Path, data: bytes, root: Path) -> Config:
    """The config in ``data`` (the bytes of ``path``). Trust is decided on these very bytes: an
    edit after ``aicheck trust`` un-trusts the file."""
    from aicheck import trust

    raw = _parse(path, data)
    if path.name == "pyproject.toml":
        raw = raw.get("tool", {}).get("aicheck", {})
    return Config(path, validate(raw, path), trusted=trust.is_trusted(path, trust.digest(data)), root=root)


MAX_CONFIG_SIZE = 1_000_000


def read_bytes(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_CONFIG_SIZE + 1)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    if len(data) > MAX_CONFIG_SIZE:
        raise ConfigError(f"{path}: larger than {MAX_CONFIG_SIZE // 1_000_000} MB; not an aicheck config")
    return data


def _parse(path: Path, data: bytes) -> dict[str, Any]:
    try:
        # A UTF-8 byte order mark (Windows editors write one) is not part of the TOML.
        text = data.decode("utf-8").removeprefix("\ufeff")
        return tomllib.loads(text, parse_float=_finite)
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except _NotFinite as exc:
        raise ConfigError(f"{path}: {exc} is not a usable number; write a finite number") from None


class _NotFinite(ValueError):
    pass


def _finite(text: str) -> float:
    """TOML allows nan and inf; no setting of aicheck can work with either."""
    value = float(text)
    if value != value or value in (float("inf"), float("-inf")):
        raise _NotFinite(text)
    return value


def validate(raw: dict[str, Any], path: Path) -> dict[str, Any]:
    prefix = "tool.aicheck." if path.name == "pyproject.toml" else ""
    try:
        return _check_table(raw, SCHEMA)
    except _Invalid as exc:
        verb = "unknown key" if exc.unknown else "invalid value for"
        raise ConfigError(f"{path}: {verb} '{prefix}{exc.key}': expected {exc.expected}") from None
