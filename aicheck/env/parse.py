"""A .env file as python-dotenv reads it: every statement with its line, quote and value.

python-dotenv's own parser (``dotenv.parser.parse_stream``) does the reading, so what the checks
see is what ``load_dotenv`` gives the app; this module adds line numbers for each key, the quote
style, ``${VAR}`` expansion that knows when a reference stayed unresolved, and the
``aicheck:allow`` markers.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv.parser import parse_stream
from dotenv.variables import Variable, parse_variables

from aicheck.env.files import Source

_NEWLINE = re.compile(r"\r\n|\n|\r")
_QUOTE = re.compile(r"""^(?:export[^\S\r\n]+)?(?:'[^']+'|[^=#\s]+)[^\S\r\n]*=[^\S\r\n]*(["'])?""")
_ALLOW = re.compile(r"#.*?\baicheck:allow\b(?!-)((?:[ \t,]+env\.[a-z0-9-]+)*)")


@dataclass
class Entry:
    key: str
    raw: str | None  # python-dotenv's value before expansion; None for a key without '='
    line: int  # the line of the key
    end_line: int
    text: str  # the statement as written
    quote: str  # '', "'" or '"'
    cleartext: str | None = None  # a dotenvx value, decrypted
    value: str | None = None  # what the app sees: decrypted, then expanded
    unresolved: bool = False  # a ${VAR} that nothing here defines

    @property
    def encrypted(self) -> bool:
        return self.raw is not None and self.raw.startswith("encrypted:")

    @property
    def plain(self) -> str | None:
        """The value value-checks may judge; None when it is unknown here (still encrypted, or
        built from a variable only the deployment's environment can supply)."""
        if self.value is None or self.unresolved or (self.encrypted and self.cleartext is None):
            return None
        return self.value


@dataclass
class Unparsed:
    line: int
    end_line: int
    text: str


@dataclass
class EnvFile:
    path: Path
    name: str
    text: str
    entries: list[Entry]
    unparsed: list[Unparsed]
    allow: dict[int, frozenset[str]] = field(default_factory=dict)  # line -> ids; empty: every check

    @property
    def lines(self) -> list[str]:
        return _NEWLINE.split(self.text)

    def last(self) -> dict[str, Entry]:
        """The assignment that wins for each key (python-dotenv: the last one)."""
        return {entry.key: entry for entry in self.entries}

    def public_key(self) -> Entry | None:
        return next((e for e in self.entries if e.key.startswith("DOTENV_PUBLIC_KEY")), None)

    def allowed(self, line: int, check: str) -> bool:
        if not self.allow:
            return False
        span = next(((e.line, e.end_line) for e in self.entries if e.line <= line <= e.end_line), (line, line))
        return any(
            (ids := self.allow.get(number)) is not None and (not ids or check in ids)
            for number in range(span[0], span[1] + 1)
        )


def parse(source: Source) -> EnvFile:
    assert source.text is not None
    entries: list[Entry] = []
    unparsed: list[Unparsed] = []
    for binding in parse_stream(io.StringIO(source.text)):
        statement, line, end_line = _statement(binding.original.string, binding.original.line)
        if binding.error:
            unparsed.append(Unparsed(line, end_line, statement))
        elif binding.key is not None:
            quote = _QUOTE.match(statement)
            entries.append(Entry(binding.key, binding.value, line, end_line, statement, (quote and quote.group(1)) or ""))
    return EnvFile(source.path, source.name, source.text, entries, unparsed, _allow_markers(source.text))


def _statement(original: str, mark_line: int) -> tuple[str, int, int]:
    """The statement without the blank lines python-dotenv reads before it, and its lines."""
    body = original.lstrip()
    line = mark_line + len(_NEWLINE.findall(original[: len(original) - len(body)]))
    body = body.rstrip("\r\n")
    return body, line, line + len(_NEWLINE.findall(body))


def _allow_markers(text: str) -> dict[int, frozenset[str]]:
    if "aicheck:allow" not in text:
        return {}
    markers: dict[int, frozenset[str]] = {}
    for number, line in enumerate(_NEWLINE.split(text), start=1):
        match = _ALLOW.search(line)
        if match:
            markers[number] = frozenset(re.findall(r"env\.[a-z0-9-]+", match.group(1)))
    return markers


def expand(entries: Iterable[Entry], environ: Mapping[str, str]) -> None:
    """Set each entry's value as python-dotenv's interpolation would (the environment first,
    earlier assignments override it), noting references nothing here resolves."""
    known: dict[str, str | None] = dict(environ)
    for entry in entries:
        source = entry.cleartext if entry.cleartext is not None else entry.raw
        if source is None or (entry.encrypted and entry.cleartext is None):
            entry.value = source
        else:
            entry.value, entry.unresolved = _interpolate(source, known)
        known[entry.key] = entry.value


def _interpolate(value: str, known: Mapping[str, str | None]) -> tuple[str, bool]:
    if "${" not in value:
        return value, False
    parts: list[str] = []
    unresolved = False
    for atom in parse_variables(value):
        if isinstance(atom, Variable) and atom.name not in known and atom.default is None:
            unresolved = True
        parts.append(atom.resolve(known))
    return "".join(parts), unresolved
