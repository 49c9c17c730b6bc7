"""The judgements the env checks share: is this value a secret, whose key format is it, is it a
stand-in, does this name reach the browser. The provider catalog and the scanner's detector
decide; nothing here knows a provider by name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from aicheck.catalog import Catalog, Provider, Rule
from aicheck.scan import filters
from aicheck.scan.detector import Detector
from aicheck.scan.finding import redact_secret

# Prefixes front-end frameworks inline into the browser bundle; NEXT_PUBLIC_ before PUBLIC_.
CLIENT_PREFIXES: dict[str, str] = {
    "NEXT_PUBLIC_": "Next.js",
    "NUXT_PUBLIC_": "Nuxt",
    "EXPO_PUBLIC_": "Expo",
    "REACT_APP_": "Create React App",
    "VUE_APP_": "Vue CLI",
    "GATSBY_": "Gatsby",
    "VITE_": "Vite",
    "PUBLIC_": "SvelteKit and Astro",
}

_SECRET_WORDS = frozenset({
    "SECRET", "SECRETS", "PASSWORD", "PASSWD", "PWD", "PASS", "TOKEN", "APIKEY", "KEY", "CREDENTIAL",
    "CREDENTIALS", "PRIVATE",
})
# A name ending in one of these holds something about a secret, not the secret itself.
_NOT_A_VALUE = frozenset({
    "ID", "IDS", "NAME", "URL", "URI", "URLS", "PATH", "FILE", "DIR", "HOST", "PORT", "ENDPOINT", "REGION",
    "TYPE", "EXPIRY", "EXPIRES", "TTL", "LENGTH", "HEADER", "ALGORITHM", "ALG", "PREFIX", "ENABLED", "MODE",
    "VERSION", "COUNT", "LIMIT", "SIZE", "TIMEOUT", "FIELD", "ISSUER", "AUDIENCE", "LOCATION", "ARN", "REF",
})
# Names of values that are public by design (publishable keys, Firebase and Maps browser keys).
_PUBLIC_WORDS = frozenset({
    "PUBLISHABLE", "PUBLIC", "ANON", "SITE", "FIREBASE", "MAPS", "MAPBOX", "POSTHOG", "ANALYTICS",
    "MEASUREMENT", "SEARCH", "PUB", "CLIENTID",
})
# Rules whose keys are meant for browsers when the variable says so (a Firebase web API key).
_BROWSER_RULES = frozenset({"google-api-key"})

# Stand-ins from examples and tutorials, whatever the variable.
_STAND_IN = re.compile(
    r"""^(?:<[^<>]*>|x{3,}|\*{3,}|\.{3,}|…|(?:[a-z0-9]{1,8}[-_]){1,3}x{4,}[x\-_]*|todo|fixme|tbd"""
    r"""|.*(?:your[-_ ]?[a-z_-]*(?:key|token|secret|password|here|id)|changeme|change[-_ ]me|replace[-_ ]?me"""
    r"""|replace[-_ ]with|placeholder|insert[-_ ]?(?:your|key|here)|put[-_ ]?your|enter[-_ ]?your).*)$""",
    re.IGNORECASE,
)
_TRIVIAL = frozenset({"true", "false", "yes", "no", "on", "off", "none", "null", "nil", "undefined"})


def client_prefix(key: str) -> str | None:
    return next((prefix for prefix in CLIENT_PREFIXES if key.startswith(prefix)), None)


def server_name(key: str) -> str:
    """The name without its client prefix: VITE_OPENAI_API_KEY -> OPENAI_API_KEY."""
    prefix = client_prefix(key)
    return key[len(prefix):] if prefix else key


def _words(key: str) -> list[str]:
    return [word for word in re.split(r"[_.\-]+", server_name(key).upper()) if word]


def secret_name(key: str) -> bool:
    """JWT_SECRET, DB_PASSWORD, STRIPE_API_KEY: yes. TOKEN_URL, KEY_ID, PUBLISHABLE_KEY: no."""
    words = _words(key)
    if not words or words[-1] in _NOT_A_VALUE or public_name(key):
        return False
    return any(w in _SECRET_WORDS or w.endswith(("APIKEY", "SECRET", "TOKEN", "PASSWORD")) for w in words)


def public_name(key: str) -> bool:
    """A name for a value that is public by design. A bare PUBLIC_ prefix counts as such a word:
    PUBLIC_KEY names a public key more often than a SvelteKit variable called KEY."""
    return key.upper().startswith("PUBLIC_") or any(word in _PUBLIC_WORDS for word in _words(key))


def stand_in(value: str) -> bool:
    """A stand-in whatever the variable: <your-key>, xxx, sk-xxxx, your-api-key-here, changeme, TODO."""
    return bool(_STAND_IN.match(value.strip()))


def shown(value: str, rule: Rule | None = None) -> str:
    """A value as findings show it: the format prefix and the last 4 characters at most."""
    return redact_secret(value, rule)


@dataclass(frozen=True)
class Secret:
    kind: str  # "Groq API key", or "secret" when only the name says so
    rule: Rule | None

    @property
    def described(self) -> str:
        return _article(self.kind) if self.rule else "a secret"


def _article(noun: str) -> str:
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


class Classifier:
    """The catalog's providers and rules, compiled once per run."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._by_env = {name: p for p in catalog.providers for name in p.env_vars}
        self._compiled: dict[str, re.Pattern[str]] = {}
        self._detected: dict[tuple[str, str], Rule | None] = {}

    @cached_property
    def detector(self) -> Detector:
        return Detector(self.catalog.rules)

    def provider_for(self, key: str) -> Provider | None:
        return self._by_env.get(key) or self._by_env.get(server_name(key))

    def provider(self, provider_id: str | None) -> Provider | None:
        return self.catalog.provider(provider_id) if provider_id else None

    def detect(self, key: str, value: str) -> Rule | None:
        """The credential rule that matches the value, read as ``KEY=value``; specific rules first."""
        if not value or len(value) > 20_000:
            return None
        if (key, value) not in self._detected:
            offset = len(key.encode()) + 1
            rules = [m.rule for m in self.detector.find(f"{key}={value}".encode()) if m.start >= offset]
            self._detected[key, value] = next((r for r in rules if not r.generic), rules[0] if rules else None)
        return self._detected[key, value]

    def covers(self, rule: Rule, value: str) -> bool:
        """The rule's key format is the whole value (context words aside)."""
        pattern = self._compiled.get(rule.id) or self._compiled.setdefault(rule.id, re.compile(rule.regex))
        match = pattern.search(value)
        return bool(match) and match.group(rule.secret_group) == value  # type: ignore[union-attr]

    def fits(self, provider: Provider, value: str) -> bool:
        return any(self.covers(rule, value) for rule in provider.rules)

    def identify(self, value: str) -> Rule | None:
        """The distinctive key format (own prefix, no context needed) the value has, if any."""
        return next((r for r in self.catalog.rules if not r.context and not r.generic and self.covers(r, value)), None)

    def placeholder(self, key: str, value: str) -> bool:
        if stand_in(value):
            return True
        if self.provider_for(key) is not None:
            rule = self.detect(key, value)
            return (rule is None or rule.generic) and filters.is_placeholder(value, strict=True)
        return secret_name(key) and filters.is_placeholder(value)

    def secret(self, key: str, value: str | None) -> Secret | None:
        """Why the value is a secret, or None: a credential format, or a secret's name with a
        real-looking value."""
        if not value or value.startswith("encrypted:") or self.placeholder(key, value) or filters.is_reference(value):
            return None
        rule = self.detect(key, value)
        if rule is not None and rule.public:  # made for browsers (catalog/public.toml)
            return None
        public = public_name(key)
        if rule is not None and not (public and (rule.generic or rule.id in _BROWSER_RULES)):
            return Secret(rule.name, rule)
        if public or not (self.provider_for(key) or secret_name(key)):
            return None
        if len(value) < 8 or value.lower() in _TRIVIAL or value.isdigit():
            return None
        return Secret("secret", None)
