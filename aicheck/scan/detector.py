"""The matching engine: one keyword pass, then each rule's regex near its keywords.

1. The buffer is lower-cased and every rule keyword is found in one Aho-Corasick pass.
2. A rule whose keywords did not occur costs nothing more. Otherwise its regex runs in a
   window around each keyword hit, or once over the buffer when hits are many.
3. Each candidate goes through the filters (entropy, placeholder, reference) and the
   rule's offline confirmation (checksum, key parse).

Everything works on bytes, so invalid UTF-8 never stops a scan and offsets are exact.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import ahocorasick

from aicheck.assign import ASSIGN, ASSIGN_GENERIC
from aicheck.catalog import Rule
from aicheck.scan import engine, filters
from aicheck.scan.confirm import CONFIRMERS

# Past this many keyword hits in one buffer a single pass beats many windows.
WHOLE_BUFFER_HITS = 48

@dataclass(frozen=True)
class Match:
    rule: Rule
    secret: str
    start: int  # byte offset of the secret in the buffer
    end: int
    severity: str
    note: str = ""
    label: str = ""  # what to show instead of the redacted secret (confirmation's label)


@dataclass(frozen=True)
class _Compiled:
    rule: Rule
    regex: engine.Pattern
    anchored: bool  # context rule: the regex matches from the keyword on


def _compile(rule: Rule) -> _Compiled:
    if rule.context:
        assign = ASSIGN_GENERIC if rule.generic else ASSIGN  # aicheck/assign.py: the one grammar
        return _Compiled(rule, engine.compile(assign + rule.regex.encode()), anchored=True)
    return _Compiled(rule, engine.compile(rule.regex.encode()), anchored=False)


# Past this many bytes a detector switches its keyword pass to Hyperscan where installed: 25x
# faster than the Aho-Corasick pass on real code (0.16 s vs 3.9 s on litellm's 54 MB, mostly the
# per-character cost of pyahocorasick's str automaton), but 30-50 ms to import and compile, which
# a pre-commit run on a few files should not pay.
HYPERSCAN_AFTER_BYTES = 8_000_000


class Detector:
    """Compiled rules; ``find`` is safe to call from many processes (one detector each)."""

    def __init__(self, rules: tuple[Rule, ...] | list[Rule]) -> None:
        self.rules = tuple(rules)
        # Compiled on first keyword hit: a pre-commit run on a few files needs few rules.
        self._compiled: list[_Compiled | None] = [None] * len(self.rules)
        self._automaton = ahocorasick.Automaton()
        by_keyword: dict[str, list[int]] = defaultdict(list)
        for index, rule in enumerate(self.rules):
            for keyword in rule.keywords:
                by_keyword[keyword.lower()].append(index)
        for keyword, indexes in by_keyword.items():
            self._automaton.add_word(keyword, (len(keyword), tuple(indexes)))
        self._automaton.make_automaton()
        self.keywords = tuple(by_keyword)
        self._keyword_rules = [(len(k), tuple(i)) for k, i in by_keyword.items()]
        self._scanned = 0
        self._hyperscan: Any = None  # hyperscan.Database once switched on, False when unavailable

    def _compile(self, index: int) -> _Compiled:
        compiled = self._compiled[index] = _compile(self.rules[index])
        return compiled

    def hits(self, data: bytes) -> dict[int, list[int]]:
        """Keyword start offsets per rule index."""
        found: dict[int, list[int]] = defaultdict(list)
        if not self.keywords:
            return found
        self._scanned += len(data)
        if self._hyperscan is None and self._scanned > HYPERSCAN_AFTER_BYTES:
            self._hyperscan = _hyperscan_database(self.keywords) or False
        if self._hyperscan:
            return self._hyperscan_hits(data, found)
        haystack = data.lower().decode("latin-1")  # one char per byte: offsets stay exact
        for end, (length, indexes) in self._automaton.iter(haystack):
            start = end - length + 1
            for index in indexes:
                found[index].append(start)
        return found

    def _hyperscan_hits(self, data: bytes, found: dict[int, list[int]]) -> dict[int, list[int]]:
        ends: list[tuple[int, int]] = []
        self._hyperscan.scan(data, match_event_handler=lambda kw, _s, end, _f, _c: ends.append((kw, end)))
        rules = self._keyword_rules
        for kw, end in ends:
            length, indexes = rules[kw]
            for index in indexes:
                found[index].append(end - length)
        return found

    def find(self, data: bytes) -> list[Match]:
        matches: list[Match] = []
        for index, starts in self.hits(data).items():
            compiled = self._compiled[index] or self._compile(index)
            for start, end, secret in _candidates(compiled, data, starts):
                match = _judge(compiled.rule, secret, start, end)
                if match is not None:
                    matches.append(match)
        return _drop_shadowed(sorted(matches, key=lambda m: m.start))


def _hyperscan_database(keywords: tuple[str, ...]) -> object | None:
    """A caseless literal database of the keywords, or None without Hyperscan (or for non-ASCII)."""
    try:
        import hyperscan
    except ImportError:
        return None
    if not all(k.isascii() for k in keywords):
        return None
    database = hyperscan.Database()
    database.compile(
        expressions=[re.escape(k).encode() for k in keywords], ids=list(range(len(keywords))),
        elements=len(keywords), flags=[hyperscan.HS_FLAG_CASELESS] * len(keywords),
    )
    return database


def _drop_shadowed(matches: list[Match]) -> list[Match]:
    """A generic match on the span of a specific rule's match says less about the same secret."""
    specific = [(m.start, m.end) for m in matches if not m.rule.generic]
    if not specific:
        return matches
    return [
        m for m in matches
        if not m.rule.generic or not any(s < m.end and m.start < e for s, e in specific)
    ]


def _candidates(compiled: _Compiled, data: bytes, starts: list[int]) -> list[tuple[int, int, str]]:
    rule, regex = compiled.rule, compiled.regex
    group = rule.secret_group
    seen: dict[tuple[int, int], str] = {}
    if compiled.anchored:
        for pos in starts:
            m = regex.match(data, pos, pos + rule.window[1] + 1)  # +1: the boundary after a key
            if m and (not rule.generic or filters.is_secret_name(_name_at(data, pos))):
                seen[m.span(group)] = m.group(group).decode("utf-8", "replace")
        return [(s, e, v) for (s, e), v in seen.items()]
    if len(starts) > WHOLE_BUFFER_HITS:
        found = regex.finditer(data)
    else:
        before, after = rule.window
        found = (
            m
            for pos in _merge_windows(starts, before, after, len(data))
            for m in regex.finditer(data, *pos)
        )
    for m in found:
        seen[m.span(group)] = m.group(group).decode("utf-8", "replace")
    return [(s, e, v) for (s, e), v in seen.items()]


_NAME_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
_NAME_REST = re.compile(rb"[A-Za-z0-9_.-]*")


def _name_at(data: bytes, pos: int) -> str:
    """The whole variable name around a keyword hit: ``NextToken`` around ``token``."""
    start = pos
    while start > 0 and pos - start < 64 and data[start - 1] in _NAME_BYTES:
        start -= 1
    end = _NAME_REST.match(data, pos).end()  # type: ignore[union-attr]
    return data[start:end].decode("latin-1")


def _merge_windows(starts: list[int], before: int, after: int, size: int) -> list[tuple[int, int]]:
    windows: list[tuple[int, int]] = []
    for pos in sorted(starts):
        lo, hi = max(0, pos - before), min(size, pos + after + 1)
        if windows and lo <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(hi, windows[-1][1]))
        else:
            windows.append((lo, hi))
    return windows


def _judge(rule: Rule, secret: str, start: int, end: int) -> Match | None:
    if not plausible(rule, secret):
        return None
    severity, note, label = rule.severity, "", ""
    if rule.confirm:
        verdict = CONFIRMERS[rule.confirm](secret)
        if not verdict.keep:
            return None
        severity, note, label = verdict.severity or severity, verdict.note, verdict.label
    return Match(rule, secret, start, end, severity, note, label)


def plausible(rule: Rule, secret: str) -> bool:
    """The filters a candidate of ``rule`` must pass before it is reported (confirmation apart)."""
    if rule.confirm:
        # A parse or checksum decides; DER runs such as AAAAAA would trip the heuristics.
        return True
    if filters.is_placeholder(secret, strict=rule.generic):
        return False
    if rule.min_entropy and filters.shannon_entropy(secret) < rule.min_entropy:
        return False
    if rule.context and not filters.is_hex_token(secret) and filters.looks_like_identifier(secret, 6):
        # FIREWORKS_CONFIG = OpenAIWhisperAudioTranscriptionConfig. Six characters a part, not
        # four: a random key of the provider's own format must practically never read as words.
        return False
    if rule.generic:
        return not (
            filters.is_reference(secret)
            or filters.is_generic_noise(secret)
            or filters.looks_like_identifier(secret)
            or filters.character_classes(secret) < 2
        )
    return True
