"""Filters that tell a real secret from a placeholder, a reference or an identifier.

Precision is the point of aicheck: docs and examples are full of ``YOUR_API_KEY`` and
``${OPENAI_API_KEY}``; none of those may be reported.
"""

from __future__ import annotations

import math
import re
from collections import Counter

# Words that mark a value as a stand-in, not a credential (compared lower-cased). Long enough
# that a random key contains one with probability below 1e-6, so they apply to every rule.
STRONG_WORDS = (
    "example", "placeholder", "changeme", "change_me", "change-me", "replace", "dummy",
    "sample", "redacted", "notreal", "not_real", "not-a-real", "lorem", "insert",
)
# Short words: fine on free-form values (generic rules), too likely inside a random key
# (about 1e-4 each) to drop a match of a provider's own format on them.
WEAK_WORDS = (
    "your", "fake", "xxxx", "****", "....", "todo", "fixme", "here", "put_", "enter_",
    "mytoken", "mysecret", "mykey", "mypass", "foobar", "test", "<", ">", "…", "secret",
    "password", "token", "s3cr3t", "53cr3", "p4ss", "passw0rd",  # leetspeak stand-ins
)
# Runs that random keys practically never contain (probability below 1e-6 per key).
SEQUENCES = ("0123456", "1234567", "abcdefg", "qwerty", "uvwxyz", "abc123", "def456")
_REPEATED = re.compile(r"(.)\1{5,}")

# A value that names another value instead of being one.
_REFERENCE = re.compile(
    r"""^\$|\$\{|\{\{|\$\(|%\(|%s|process\.env|import\.meta|os\.environ|getenv|\bENV\[|secrets\.|vars\.|env\(""",
    re.IGNORECASE,
)
_WORD_PARTS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def shannon_entropy(value: str) -> float:
    if not value:
        return 0.0
    counts = Counter(value)
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def is_placeholder(value: str, strict: bool = False) -> bool:
    """True for values that stand in for a secret: YOUR_KEY, sk-xxxx, <token>, 0123456...

    ``strict`` adds the short words, for generic rules where the value is free-form.
    """
    lowered = value.lower()
    if is_published_example(value) or any(word in lowered for word in STRONG_WORDS):
        return True
    if strict and any(word in lowered for word in WEAK_WORDS):
        return True
    if any(seq in lowered for seq in SEQUENCES):
        return True
    return _REPEATED.search(value) is not None


def is_published_example(value: str) -> bool:
    """A key printed in documentation or an SDK sample (aicheck/catalog/examples.toml)."""
    from aicheck.catalog import examples

    return value in examples()


def is_reference(value: str) -> bool:
    """True for ``${VAR}``, ``process.env.X``, ``os.environ["X"]`` and the like."""
    return _REFERENCE.search(value) is not None


def looks_like_identifier(value: str, chars_per_part: int = 4) -> bool:
    """Code, not a secret: ``settings.DATABASE_PASSWORD``, ``PKCS7PrivateKeyTypes``, ``auth-token``.

    Random strings split into many short pieces (``aB3dE5``: six); identifiers into a few
    dictionary-like words (``PKCS7PrivateKeyTypes``: five pieces in 20 characters).
    """
    parts = _WORD_PARTS.findall(value)
    if parts and len(parts) * chars_per_part <= len(value):  # also "fallback-46588", "prod_v2_config"
        return True
    if value.isupper() or value.islower():
        return value.replace("_", "").isalpha()
    return False


def character_classes(value: str) -> int:
    return sum(
        (
            any(c.islower() for c in value),
            any(c.isupper() for c in value),
            any(c.isdigit() for c in value),
            any(not c.isalnum() for c in value),
        )
    )


_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_HEX = re.compile(r"^[0-9a-fA-F]+$")
_NOT_A_START = tuple("/:#.-$@~%&_")
_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+$")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
# Names that contain a secret-ish word but hold no credential: pagination cursors, token
# counts and limits, tokenizer settings, CSRF form fields.
NON_SECRET_NAMES = (
    "nexttoken", "next_token", "pagetoken", "page_token", "continuation", "pagination",
    "paginationtoken", "tokenizer", "max_tokens", "maxtokens", "token_count", "tokencount",
    "num_tokens", "token_type", "tokentype", "token_url", "tokenurl", "token_endpoint",
    "csrf", "xsrf", "secret_name", "secretname", "secret_arn", "secretarn", "secretid",
    "secret_id", "password_field", "passwordfield", "key_name", "keyname", "token_uri",
    "password_hash", "passwordhash", "secret_ref", "_env", "envvar", "env_var", "header",
    "clienttoken", "client_token", "verificationtoken", "verification_token", "idempotency",
    "cache_key", "cachekey", "_hash", "hashed", "digest", "checksum",
    "jsonwebtoken",  # the io.jsonwebtoken Maven group: io.jsonwebtoken:jjwt-api:0.11.5
)
# Whole words of a name that mark test data or derived values: TEST_SECRET, mock_token, cached_token_key.
NON_SECRET_NAME_PARTS = frozenset({
    "test", "tests", "mock", "fake", "dummy", "example", "sample", "cached", "masked",
    "public",  # publicToken, public_key: public by design
})
# A name ending in one of these holds where or what a secret is, not the secret:
# dev.credentials.url, SECRET_HOST, token_path.
_LOCATION_SUFFIXES = (".url", "_url", "-url", "url", ".uri", "_uri", ".host", "_host", ".path", "_path", "_file", ".file", "endpoint")
# An identifier of a credential is not the credential: credential_id, keyId, KEY_ID.
_ID_SUFFIXES = ("_id", "-id", "Id", "ID", "_ids", "Ids", "_IDS")
_SNAKE = re.compile(r"^(?:[a-z][a-z0-9]*(?:[_-][a-z0-9]+)+|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)$")
_PASSWORD_HASH = re.compile(r"^(?:pbkdf2_|bcrypt|argon2|scrypt|sha1\$|md5\$|\$2[abxy]\$|\$argon2|\$[156]\$)")
_PERCENT_ENCODED = re.compile(r"%[0-9A-Fa-f]{2}")
_NOT_INSIDE = ("*", "://", "arn:", " ", "\\", "&")
_PATH = re.compile(r"^[^/]+(?:/[^/]+){2,}$")
# host:port, a host name, or a package coordinate ending in a version (jjwt-jackson-0.11.2).
_HOST = re.compile(r"^[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}(?::[0-9]{1,5})?$")
_VERSIONED = re.compile(r"[-:@]v?[0-9]+(?:\.[0-9]+){1,3}$")


def is_generic_noise(value: str) -> bool:
    """Values the generic rule sees all day in SDK data and docs that are not credentials.

    Trade-off, chosen for precision: a secret that is a bare UUID, a short hex id, a
    letters-only word, a glob or a path is not reported by the generic rule. Provider
    formats, which have their own rules, are unaffected.
    """
    # encrypted: is a dotenvx ciphertext, safe to commit by design.
    if _UUID.match(value) or value.startswith(("eyJ", "arn:", "encrypted:")):
        return True
    if _SNAKE.match(value) or _PASSWORD_HASH.match(value) or _PERCENT_ENCODED.search(value):
        return True  # a name, a password hash, or an encoded value judged in its decoded form
    if _encodes_text(value):
        return True
    if _DOTTED.match(value) or _TIMESTAMP.match(value) or _PATH.match(value) or "..." in value:
        return True
    if _HOST.match(value) or _VERSIONED.search(value):
        return True
    if _HEX.match(value) and len(value) < 32:
        return True
    if value.startswith(_NOT_A_START) or any(part in value for part in _NOT_INSIDE):
        return True
    return not (any(c.isdigit() for c in value) and any(c.isalpha() for c in value))


def is_secret_name(name: str) -> bool:
    """False for names like ``NextToken``, ``max_tokens`` or ``credential_id`` that carry no credential."""
    lowered = name.lower()
    bare = name.rstrip("\"'`]")
    if bare.endswith(_ID_SUFFIXES) or bare.lower().endswith(_LOCATION_SUFFIXES):
        return False
    if any(part.lower() in NON_SECRET_NAME_PARTS for part in _WORD_PARTS.findall(name)):
        return False
    return not any(word in lowered for word in NON_SECRET_NAMES)


def _encodes_text(value: str) -> bool:
    """Base64 of an English sentence (``TGludXggdmVyc2lvbi...``) is data, not a key."""
    import base64
    import binascii

    if len(value) < 16 or len(value) % 4 or not re.fullmatch(r"[A-Za-z0-9+/]+={0,2}", value):
        return False
    try:
        decoded = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    words = decoded.split(b" ")
    return len(words) >= 3 and all(32 <= b < 127 for b in decoded)


_HEX_TOKEN = re.compile(r"^(?:[A-Za-z]{1,4}[-_])?[0-9a-fA-F]{16,}$")


def is_uuid(value: str) -> bool:
    return _UUID.match(value) is not None


def is_hex_token(value: str) -> bool:
    """``sk-`` + 32 hex and the like: never an identifier, whatever its digit runs look like."""
    return _HEX_TOKEN.match(value) is not None
