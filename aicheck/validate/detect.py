"""Which provider a key belongs to: its format, the variable it was read from, or --provider.

A key is only ever sent to the providers it can belong to. A format with a prefix of its own
(``gsk_``, ``sk-ant-api03-``) names one provider and wins over the variable name: an Anthropic key
pasted into OPENAI_API_KEY goes to Anthropic, never to OpenAI. Formats without a prefix (32
letters and digits fit Mistral, Fireworks and Azure) are narrowed by the variable name; when
nothing narrows them, every provider the format fits is tried, and the result says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from aicheck.catalog import Provider, Rule


@dataclass(frozen=True)
class Detection:
    providers: tuple[str, ...]  # where the key may be sent, in catalog order
    by: str  # "provider", "format", "variable", "ambiguous format", "prefix" or "none"
    rule: Rule | None = None  # the format it matched, for redaction
    note: str = ""  # for people: why these providers


class Detector:
    def __init__(self, providers: Iterable[Provider]) -> None:
        self.providers = tuple(providers)
        self._rules = [(rule, re.compile(rule.regex)) for p in self.providers for rule in p.rules]
        self._names: dict[str, list[str]] = {}
        for provider in self.providers:
            for name in provider.env_vars:
                self._names.setdefault(name.upper(), []).append(provider.id)
        self._with_formats = {provider.id for provider in self.providers if provider.rules}

    def formats(self, key: str) -> list[Rule]:
        """Every rule whose whole secret is exactly this key."""
        return [rule for rule, regex in self._rules if _fits(regex, rule.secret_group, key)]

    def has_own_format(self, key: str) -> bool:
        return any(not rule.context for rule in self.formats(key))

    def known_name(self, name: str) -> bool:
        return name.upper() in self._names

    def detect(self, key: str, name: str | None = None, provider: str | None = None) -> Detection:
        rules = self.formats(key)
        if provider is not None:
            return Detection((provider,), "provider", _rule_of(rules, provider))
        prefixed = [rule for rule in rules if not rule.context]
        if prefixed:
            return self._by_format(prefixed, name)
        named = self._names.get(name.upper(), []) if name else []
        if named:
            return _by_variable(named, rules, name or "", self._with_formats)
        return self._by_shape(key, rules, name)

    def _by_format(self, rules: list[Rule], name: str | None) -> Detection:
        providers = _unique(rule.provider for rule in rules)
        named = self._names.get(name.upper(), []) if name else []
        note = ""
        if named and not set(named) & set(providers):
            note = f"read from {name}, but the key is in {_join(providers)}'s format"
        return Detection(providers, "format" if len(providers) == 1 else "ambiguous format", rules[0], note)

    def _by_prefix(self, key: str) -> Detection:
        """A key that starts like a provider's (``sk-ant-api03-``) but is not in its format: still
        that provider's to judge (a truncated or mistyped key), and only that provider's."""
        lowered = key.lower()
        rules = [r for r, _ in self._rules if any(lowered.startswith(word) for word in _prefixes(r))]
        providers = _unique(rule.provider for rule in rules)
        if not providers:
            return Detection((), "none", note="the key is in no known provider's format: name it with --provider")
        note = f"has the prefix of {_join(providers)} keys, but not their documented format"
        return Detection(providers, "prefix", rules[0], note)

    def _by_shape(self, key: str, rules: list[Rule], name: str | None) -> Detection:
        if name:
            lowered = name.lower()
            by_context = [rule for rule in rules if any(word in lowered for word in rule.context)]
            if by_context:
                return Detection(_unique(r.provider for r in by_context), "variable", by_context[0])
        providers = _unique(rule.provider for rule in rules)
        if not providers:
            return self._by_prefix(key)
        if len(providers) == 1:
            return Detection(providers, "format", rules[0])
        return Detection(providers, "ambiguous format", rules[0], f"the format fits {_join(providers)}")


def _by_variable(named: list[str], rules: list[Rule], name: str, formats: set[str]) -> Detection:
    fitting = [rule for rule in rules if rule.provider in named]
    if fitting:
        return Detection(_unique(rule.provider for rule in fitting), "variable", fitting[0])
    note = f"read from {name}, though the key is not in the provider's documented format" if set(named) & formats else ""
    return Detection(tuple(named), "variable", None, note)


def _fits(regex: re.Pattern[str], group: int, key: str) -> bool:
    match = regex.search(key)
    return match is not None and match.group(group) == key


def _prefixes(rule: Rule) -> list[str]:
    """The rule's keywords its regex starts with (``gsk_``, ``aiza``), not markers inside a key."""
    if rule.context:
        return []
    start = re.sub(r"^(?:\\b)?\(", "", rule.regex).lower()
    return [word for word in rule.keywords if len(word) >= 3 and start.startswith(word)]


def _rule_of(rules: list[Rule], provider: str) -> Rule | None:
    return next((rule for rule in rules if rule.provider == provider), None)


def _unique(values: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(value for value in values if value))


def _join(names: tuple[str, ...] | list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
