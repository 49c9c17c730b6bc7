"""Where keys come from: arguments, stdin (one a line), ``--env-file`` files and the environment.

Input is what people paste, so it is forgiven: blank lines, comments, whitespace, quotes (typographic
ones too), a trailing comma, ``export NAME=...`` and ``NAME=...`` lines, ``Bearer`` in front. A key
that is still not plain printable ASCII is reported as such by the engine and never sent.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from aicheck.errors import AicheckError
from aicheck.validate.result import KeyInput

STDIN = "-"
STDIN_LIMIT = 1_000_000  # bytes: ten thousand keys and more
_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=(.*)$")
_QUOTES = {'"': '"', "'": "'", "`": "`", "\u201c": "\u201d", "\u2018": "\u2019", "\u201d": "\u201d", "\u2019": "\u2019"}
_BEARER = re.compile(r"^(?:authorization:\s*)?bearer\s+", re.IGNORECASE)

# name, value -> is this a key to check? (a known variable name, or a value in a key format)
Wanted = Callable[[str, str], bool]


@dataclass
class Collected:
    keys: list[KeyInput]
    variables: dict[str, str] = field(default_factory=dict)  # NAME=value settings read from env files


def clean(value: str) -> str:
    """A pasted value as a key: surrounding space, quotes, a trailing comma and ``Bearer`` removed."""
    text = value.strip().lstrip("\ufeff").rstrip(",;").strip()
    if len(text) >= 2 and _QUOTES.get(text[0]) == text[-1]:
        text = text[1:-1].strip()
    return _BEARER.sub("", text)


def read_stdin(stream: BinaryIO, limit: int = STDIN_LIMIT) -> bytes:
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise AicheckError(
            f"stdin holds more than {limit // 1_000_000} MB: 'keys validate -' reads keys, one a line; "
            "for a file of settings use --env-file FILE"
        )
    return data


def from_text(text: str, label: str = "stdin") -> list[KeyInput]:
    keys: list[KeyInput] = []
    for number, line in enumerate(text.splitlines(), start=1):
        parsed = parse_line(line)
        if parsed is not None:
            name, key = parsed
            keys.append(KeyInput(key, name=name, source=f"{label} line {number}"))
    return keys


def parse_line(line: str) -> tuple[str | None, str] | None:
    """``(name, key)`` from one pasted line; None for a blank line or a comment."""
    stripped = line.strip().lstrip("\ufeff")
    if not stripped or stripped.startswith("#"):
        return None
    match = _ASSIGNMENT.match(stripped)
    if match and match.group(2).strip().strip("="):
        value = _dotenv_value(stripped, match.group(1))
        return match.group(1), clean(value if value is not None else match.group(2))
    return None, clean(stripped)


def _dotenv_value(line: str, name: str) -> str | None:
    from dotenv import dotenv_values

    return dotenv_values(stream=io.StringIO(line), interpolate=False).get(name)


def from_arguments(args: list[str]) -> list[KeyInput]:
    keys = [KeyInput(clean(arg), source=f"argument {n}") for n, arg in enumerate(args, start=1) if arg != STDIN]
    return [item for item in keys if item.key]


def from_env_file(path: Path, wanted: Wanted) -> Collected:
    """Keys from a .env file as the app would read it: dotenvx values decrypted when the
    private key is at hand (``aicheck.env.load_values``)."""
    from aicheck.env import load_values

    if not path.is_file():
        raise AicheckError(f"{path}: env file not found")
    values = load_values(path)
    variables = {name: value for name, value in values.items() if value is not None}
    return Collected(_wanted(variables, wanted, str(path)), variables)


def from_environment(environ: Mapping[str, str], wanted: Wanted) -> list[KeyInput]:
    return _wanted(environ, wanted, "environment")


def _wanted(values: Mapping[str, str], wanted: Wanted, label: str) -> list[KeyInput]:
    keys = []
    for name, raw in values.items():
        value = clean(raw)
        if value and wanted(name, value):
            keys.append(KeyInput(value, name=name, source=f"{label}: {name}"))
    return keys


def collect(
    args: list[str],
    *,
    stdin: BinaryIO | None,
    env_files: list[Path],
    from_env: bool,
    environ: Mapping[str, str],
    wanted: Wanted,
) -> Collected:
    """Every key from every source, first source first, each key once."""
    found = Collected(from_arguments(args))
    if STDIN in args and stdin is not None:
        text = read_stdin(stdin).decode("utf-8", errors="replace")
        found.keys += from_text(text)
    for path in env_files:
        from_file = from_env_file(path, wanted)
        found.keys += from_file.keys
        found.variables.update(from_file.variables)
    if from_env:
        found.keys += from_environment(environ, wanted)
    found.keys = unique(found.keys)
    if not found.keys:
        raise AicheckError(_nothing_found(args, env_files, from_env))
    return found


def unique(keys: list[KeyInput]) -> list[KeyInput]:
    seen: dict[str, KeyInput] = {}
    for item in keys:
        seen.setdefault(item.key, item)
    return list(seen.values())


def _nothing_found(args: list[str], env_files: list[Path], from_env: bool) -> str:
    if args and all(not clean(arg) for arg in args):
        return "the key given is empty (an unset variable?): pass a key, '-' to read keys from stdin, or --from-env"
    if not args and not env_files and not from_env:
        return "no keys given: pass keys as arguments, '-' to read them from stdin, --env-file FILE or --from-env"
    places = [*(["stdin"] if STDIN in args else []), *map(str, env_files), *(["the environment"] if from_env else [])]
    where = ", ".join(places) or "the arguments"
    return f"no keys found in {where} (blank lines and comments are skipped; env files and the environment are read for provider variables such as OPENAI_API_KEY and values in a known key format)"
