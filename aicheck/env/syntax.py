"""Syntax and hygiene of one .env file: what python-dotenv skips, misreads, or other loaders reject."""

from __future__ import annotations

import re
from collections.abc import Iterator

from aicheck.env.finding import EnvFinding, finding
from aicheck.env.parse import Entry, EnvFile, Unparsed

_VALID_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_OPENS_QUOTE = re.compile(r"""^(?:export\s+)?([A-Za-z0-9_.-]+)\s*=\s*(["'])""")
_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=")
_SPACES = re.compile(r"^(?:export[ \t]+)?(?:'[^']+'|[^=#\s]+)([ \t]*)=([ \t]*)(.?)")
_SUBSTITUTION = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}")
_FIRST_WORD = re.compile(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)")


def check(env: EnvFile) -> Iterator[EnvFinding]:
    yield from unparsed(env)
    yield from swallowed(env)
    yield from duplicates(env)
    for entry in env.entries:
        yield from key_name(env, entry)
        yield from spacing(env, entry)
        yield from substitutions(env, entry)
        if entry.raw is None:
            yield finding("env.missing-equals", env.name, entry.line, entry.key,
                          f"{entry.key} has no '=': python-dotenv reads it as unset (None), not as empty")
    yield from trailing_whitespace(env)


def unparsed(env: EnvFile) -> Iterator[EnvFinding]:
    for item in env.unparsed:
        yield _unparsed(env, item)


def _unparsed(env: EnvFile, item: Unparsed) -> EnvFinding:
    quote = _OPENS_QUOTE.match(item.text)
    if quote:
        key, mark = quote.groups()
        return finding("env.unterminated-quote", env.name, item.line, key,
                       f"The {mark} that opens the value of {key} is never closed: python-dotenv skips line "
                       f"{item.line}, so {key} is not set")
    word = _FIRST_WORD.match(item.text)
    start = f" (starting with {word.group(1)})" if word else ""
    return finding("env.syntax-error", env.name, item.line, word.group(1) if word else None,
                   f"Line {item.line}{start} is not KEY=value: python-dotenv cannot parse it and skips it")


def swallowed(env: EnvFile) -> Iterator[EnvFinding]:
    """A quote closed lines later: the lines between, assignments included, become the value."""
    for entry in env.entries:
        if not entry.quote or entry.end_line == entry.line or entry.raw is None:
            continue
        inner = entry.raw.splitlines()[1:]
        keys = [m.group(1) for m in map(_ASSIGNMENT.match, inner) if m]
        if keys:
            names = ", ".join(keys[:3]) + (" …" if len(keys) > 3 else "")
            yield finding("env.unterminated-quote", env.name, entry.line, entry.key,
                          f"The {entry.quote} opened on line {entry.line} for {entry.key} closes only on line "
                          f"{entry.end_line}: the assignments in between ({names}) are part of its value, not variables")


def duplicates(env: EnvFile) -> Iterator[EnvFinding]:
    first: dict[str, int] = {}
    for entry in env.entries:
        if entry.key in first:
            yield finding("env.duplicate-key", env.name, entry.line, entry.key,
                          f"{entry.key} is set again (first on line {first[entry.key]}); python-dotenv keeps "
                          f"this last value")
        else:
            first[entry.key] = entry.line


def key_name(env: EnvFile, entry: Entry) -> Iterator[EnvFinding]:
    if not _VALID_KEY.match(entry.key):
        bad = sorted({c for c in entry.key if not (c.isascii() and (c.isalnum() or c == "_"))})
        why = f"has {', '.join(repr(c) for c in bad)}" if bad else "starts with a digit"
        yield finding("env.invalid-key", env.name, entry.line, entry.key,
                      f"Key {entry.key!r} {why}: only letters, digits and '_' work in shells and Docker")
    if entry.key != entry.key.upper():
        yield finding("env.lowercase-key", env.name, entry.line, entry.key,
                      f"Key {entry.key!r} is not upper case",
                      f"Rename it {re.sub(r'[^A-Za-z0-9_]', '_', entry.key).upper()} (and the code that reads it).")


def spacing(env: EnvFile, entry: Entry) -> Iterator[EnvFinding]:
    match = _SPACES.match(entry.text)
    if not match:
        return
    before, after, rest = match.groups()
    if before or (after and rest not in ("", "#")):
        where = "before and after" if before and after else ("before" if before else "after")
        yield finding("env.space-around-equals", env.name, entry.line, entry.key,
                      f"{entry.key} has spaces {where} '=': shells and Docker --env-file do not accept them")


def substitutions(env: EnvFile, entry: Entry) -> Iterator[EnvFinding]:
    if entry.raw is None or "${" not in entry.raw or entry.encrypted:
        return
    start = 0
    while (index := entry.raw.find("${", start)) >= 0:
        good = _SUBSTITUTION.match(entry.raw, index)
        if good:
            start = good.end()
            continue
        yield finding("env.bad-substitution", env.name, entry.line, entry.key,
                      f"{entry.key}: {_substitution_problem(entry.raw, index)}")
        return


def _substitution_problem(value: str, index: int) -> str:
    close = value.find("}", index)
    if close < 0:
        return "'${' is never closed by '}': python-dotenv keeps it as literal text"
    inner = value[index + 2 : close]
    if not inner:
        return "'${}' names no variable: python-dotenv replaces it with an empty string"
    shell = re.match(r"^[A-Za-z_][A-Za-z0-9_]*(:?[-=?+])", inner)
    if shell and shell.group(1) != ":-":
        return (f"'${{{inner}}}' uses the shell form '{shell.group(1)}', which python-dotenv does not support "
                f"(only ${{NAME}} and ${{NAME:-default}})")
    return f"'${{{inner}}}' is not a valid variable name: python-dotenv does not expand it as intended"


def trailing_whitespace(env: EnvFile) -> Iterator[EnvFinding]:
    inside = {n for e in env.entries if e.quote for n in range(e.line, e.end_line)}
    owner = {n: e.key for e in env.entries for n in range(e.line, e.end_line + 1)}
    for number, line in enumerate(env.lines, start=1):
        if line != line.rstrip(" \t") and number not in inside:
            key = owner.get(number)
            what = f"{key}: line" if key else "Line"
            yield finding("env.trailing-whitespace", env.name, number, key, f"{what} {number} ends with whitespace")
