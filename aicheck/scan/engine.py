"""The one regex engine every scan rule runs on: RE2, so no pattern can take more than linear time.

Python's ``re`` backtracks: one rule with overlapping nested quantifiers and an unterminated
input made the old scanner spin for minutes (issue 12). RE2 runs in time linear in the input
whatever the pattern, as gitleaks and betterleaks do with Go's regexp. The price is a smaller
language: no backreferences and no lookaround. Two lookaround forms are common in key rules and
are rewritten here into equivalent consuming groups (the secret is a capture group, so its span
is unchanged):

- a trailing ``(?![...])`` (the key ends here) becomes ``(?:[^...]|$)``;
- a trailing ``(?=X)`` becomes ``(?:X)``;
- a leading ``(?<![...])`` becomes ``(?:^|[^...])``.

Anything else RE2 cannot run is refused with the reason (``UnsupportedPattern``), for built-in
and custom rules alike; ``check`` is what the config loader calls.

Buffers are matched as Latin-1 (one character per byte), like Python's bytes patterns: invalid
UTF-8 never hides a key and offsets are byte offsets.
"""

from __future__ import annotations

from typing import Any

# A compiled pattern (google-re2's ``re2._Regexp``; the package ships no type hints).
Pattern = Any


class UnsupportedPattern(ValueError):
    """A pattern the linear-time engine cannot run (backreference, general lookaround ...)."""


def translate(pattern: str) -> str:
    """``pattern`` with its trailing/leading boundary lookarounds made RE2-compatible."""
    pattern = _leading_lookbehind(pattern)
    return _trailing_lookahead(pattern)


def compile(pattern: str | bytes) -> Pattern:  # noqa: A001 - mirrors re.compile
    import re2

    text = pattern.decode("latin-1") if isinstance(pattern, bytes) else pattern
    options = re2.Options()
    options.encoding = re2.Options.Encoding.LATIN1
    options.log_errors = False
    try:
        return re2.compile(translate(text).encode("latin-1", "replace"), options)
    except re2.error as exc:
        raise UnsupportedPattern(_reason(text, exc)) from None


def check(pattern: str) -> None:
    """Raise ``UnsupportedPattern`` when the engine cannot run ``pattern`` in linear time."""
    compile(pattern)


def _reason(pattern: str, exc: Exception) -> str:
    detail = str(exc.args[0] if exc.args else exc)
    if isinstance(exc.args[0] if exc.args else None, bytes):
        detail = exc.args[0].decode("utf-8", "replace")
    hint = ""
    if "(?" in pattern and ("perl operator" in detail or "lookaround" in detail):
        hint = " (lookahead/lookbehind is only accepted as a trailing (?![...]) or (?=...) or a leading (?<![...]))"
    elif "escape" in detail and any(f"\\{d}" in pattern for d in "123456789"):
        hint = " (backreferences such as \\1 cannot run in linear time)"
    return f"not supported by the linear-time regex engine: {detail}{hint}"


def _class_end(pattern: str, start: int) -> int:
    """Index just past the bracket class opening at ``pattern[start] == '['``."""
    index = start + 1
    if pattern.startswith("^", index):
        index += 1
    if pattern.startswith("]", index):
        index += 1
    while index < len(pattern) and pattern[index] != "]":
        index += 2 if pattern[index] == "\\" else 1
    return index + 1


def _group_end(pattern: str, start: int) -> int:
    """Index just past the group opening at ``pattern[start] == '('``, or -1."""
    depth, index = 0, start
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if char == "[":
            index = _class_end(pattern, index)
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return -1


def _negated_class(body: str) -> str | None:
    """``[abc]`` -> ``[^abc]`` and back; None when ``body`` is not one bracket class."""
    if not body.startswith("[") or _class_end(body, 0) != len(body):
        return None
    return "[" + body[2:] if body.startswith("[^") else "[^" + body[1:]


def _trailing_lookahead(pattern: str) -> str:
    for opener in ("(?!", "(?="):
        start = pattern.rfind(opener)
        while start != -1:
            if _group_end(pattern, start) == len(pattern):
                return pattern[:start] + _rewrite_lookahead(opener, pattern[start + 3 : -1])
            start = pattern.rfind(opener, 0, start)
    return pattern


def _rewrite_lookahead(opener: str, body: str) -> str:
    if opener == "(?=":
        return f"(?:{body})"
    negated = _negated_class(body)
    if negated is None:
        return f"(?!{body})"  # left as is: RE2 refuses it with the reason
    return f"(?:{negated}|$)"


def _leading_lookbehind(pattern: str) -> str:
    if not pattern.startswith("(?<!"):
        return pattern
    end = _group_end(pattern, 0)
    negated = _negated_class(pattern[4 : end - 1]) if end != -1 else None
    if negated is None:
        return pattern
    return f"(?:^|{negated})" + pattern[end:]
