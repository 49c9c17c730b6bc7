"""Path patterns with gitignore semantics, for ``[scan] exclude`` and friends."""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=256)
def _compile(pattern: str) -> re.Pattern[str]:
    directory_only = pattern.endswith("/")
    pattern = pattern.strip("/") if directory_only else pattern
    anchored = "/" in pattern.lstrip("/") or pattern.startswith("/")
    pattern = pattern.lstrip("/")
    parts: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            parts.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("/**", i) and i + 3 == len(pattern):
            parts.append("/.*")
            i += 3
        elif pattern.startswith("**", i):
            parts.append(".*")
            i += 2
        elif pattern[i] == "*":
            parts.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            parts.append("[^/]")
            i += 1
        elif pattern[i] == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                parts.append(re.escape(pattern[i]))
                i += 1
            else:
                body = pattern[i + 1 : end].replace("\\", "\\\\")
                parts.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
                i = end + 1
        else:
            parts.append(re.escape(pattern[i]))
            i += 1
    prefix = "" if anchored else "(?:.*/)?"
    # A pattern that names a directory also excludes everything under it.
    return re.compile(f"^{prefix}{''.join(parts)}(?:/.*)?$" if not directory_only else f"^{prefix}{''.join(parts)}/.*$")


def matches(path: str, patterns: tuple[str, ...] | list[str]) -> bool:
    """True when the '/'-separated relative ``path`` is excluded by ``patterns``.

    Later ``!pattern`` entries re-include, as in .gitignore.
    """
    excluded = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        body = pattern[1:] if negate else pattern
        if body and _compile(body).match(path):
            excluded = not negate
    return excluded
