"""dotenvx-encrypted values: recognised, and decrypted in memory when the private key is at hand.

dotenvx (``dotenvx encrypt``) writes ``DOTENV_PUBLIC_KEY[_ENV]="<compressed secp256k1 point>"``
into the file and replaces each value by ``encrypted:<base64>``; the private keys go to
``.env.keys`` or the deployment's environment as ``DOTENV_PRIVATE_KEY[_ENV]``.

The cipher is ECIES as the ``eciesjs`` library does it with its defaults (read from its source and
proved on files the real CLI wrote, ``tests/fixtures/dotenvx``):

    payload = ephemeral public key (65 bytes, uncompressed) || nonce (16) || tag (16) || ciphertext
    shared  = uncompressed point (ephemeral public key x private key)
    key     = HKDF-SHA256(ikm = ephemeral public key || shared, no salt, no info, 32 bytes)
    text    = AES-256-GCM(key, nonce).decrypt(ciphertext || tag)

``cryptography``'s ECDH returns only the x coordinate of the shared point; of the two points with
that x, the one whose key authenticates the ciphertext is the shared point (a wrong one fails the
GCM tag, with probability 2**-128 of not failing).
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from aicheck.env.files import KEYS_FILE
from aicheck.env.finding import EnvFinding, finding
from aicheck.env.parse import Entry, EnvFile

PREFIX = "encrypted:"
PRIVATE = "DOTENV_PRIVATE_KEY"
PUBLIC = "DOTENV_PUBLIC_KEY"

_P = 2**256 - 2**32 - 977  # the secp256k1 field prime
_EPHEMERAL, _NONCE, _TAG = 65, 16, 16
_HEX_KEY = re.compile(r"^[0-9a-fA-F]{64}$")
# After decryption a value gets the escapes of the quotes it sits in, as python-dotenv would.
_ESCAPES = {'"': re.compile(r"\\[\\'\"abfnrtv]"), "'": re.compile(r"\\[\\']")}


class DecryptError(Exception):
    """The value is not dotenvx ECIES data, or not for this key."""


def is_encrypted(value: str | None) -> bool:
    return value is not None and value.startswith(PREFIX)


def public_key(private_hex: str) -> str:
    """The compressed public key (hex) of a private key, as DOTENV_PUBLIC_KEY holds it."""
    secret = _private_key(private_hex)
    point = secret.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint)
    return point.hex()


def _private_key(private_hex: str) -> ec.EllipticCurvePrivateKey:
    if not _HEX_KEY.match(private_hex):
        raise ValueError("not 64 hex characters")
    return ec.derive_private_key(int(private_hex, 16), ec.SECP256K1())  # ValueError when 0 or >= n


def decrypt(private_hex: str, value: str) -> str:
    data = _payload(value)
    ephemeral, nonce = data[:_EPHEMERAL], data[_EPHEMERAL : _EPHEMERAL + _NONCE]
    tag, ciphertext = data[_EPHEMERAL + _NONCE : _EPHEMERAL + _NONCE + _TAG], data[_EPHEMERAL + _NONCE + _TAG :]
    try:
        peer = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256K1(), ephemeral)
    except ValueError:
        raise DecryptError("the ephemeral public key is not a point on secp256k1") from None
    x = int.from_bytes(_private_key(private_hex).exchange(ec.ECDH(), peer), "big")
    for y in _ys(x):
        shared = b"\x04" + x.to_bytes(32, "big") + y.to_bytes(32, "big")
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"").derive(ephemeral + shared)
        try:
            plain = AESGCM(key).decrypt(nonce, ciphertext + tag, None)
        except InvalidTag:
            continue
        try:
            return plain.decode("utf-8")
        except UnicodeDecodeError:
            raise DecryptError("the decrypted value is not UTF-8") from None
    raise DecryptError("authentication failed: not encrypted for this key, or altered")


def _payload(value: str) -> bytes:
    text = value[len(PREFIX) :] if value.startswith(PREFIX) else value
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise DecryptError("not valid base64") from None
    if len(data) < _EPHEMERAL + _NONCE + _TAG:
        raise DecryptError(f"{len(data)} bytes is too short for dotenvx ECIES data")
    if data[0] != 4:
        raise DecryptError("it does not start with an uncompressed public key")
    return data


def _ys(x: int) -> tuple[int, int]:
    y = pow((pow(x, 3, _P) + 7) % _P, (_P + 1) // 4, _P)
    return y, _P - y


def unquote(cleartext: str, quote: str) -> str:
    """The escapes python-dotenv decodes in a value written between these quotes."""
    pattern = _ESCAPES.get(quote)
    if pattern is None:
        return cleartext
    return pattern.sub(lambda m: codecs.decode(m.group(0), "unicode-escape"), cleartext)


def key_name(env: EnvFile) -> str:
    """DOTENV_PRIVATE_KEY for .env, DOTENV_PRIVATE_KEY_PRODUCTION for .env.production (dotenvx's
    convention); the file's own DOTENV_PUBLIC_KEY_* name wins."""
    header = env.public_key()
    if header is not None:
        return header.key.replace(PUBLIC, PRIVATE, 1)
    name = env.path.name.lower().removesuffix(".txt")
    parts = name.split(".")[2:]
    if name == ".env" or not parts:
        return PRIVATE
    return f"{PRIVATE}_{'_'.join(parts[:2]).upper()}"


@dataclass
class Keyring:
    """Private keys by the public key they belong to, from the environment and .env.keys files."""

    keys: dict[str, str] = field(default_factory=dict)  # compressed public key hex -> private key hex
    names: dict[str, str] = field(default_factory=dict)  # DOTENV_PRIVATE_KEY_X -> where it was found
    invalid: dict[str, str] = field(default_factory=dict)  # DOTENV_PRIVATE_KEY_X -> what is wrong

    def add(self, name: str, value: str, origin: str) -> None:
        self.names.setdefault(name, origin)
        for part in filter(None, (p.strip() for p in value.split(","))):
            try:
                self.keys.setdefault(public_key(part), part)
            except ValueError:
                self.invalid.setdefault(name, f"{name} ({origin}) is not a secp256k1 private key (64 hex characters)")


def keyring(environ: Mapping[str, str], keys_files: list[EnvFile]) -> Keyring:
    ring = Keyring()
    for name, value in environ.items():
        if name.startswith(PRIVATE) and value:
            ring.add(name, value, "environment")
    for keys in keys_files:
        for entry in keys.entries:
            if entry.key.startswith(PRIVATE) and entry.raw:
                ring.add(entry.key, entry.raw, keys.name)
    return ring


def keys_files(root: Path, envs: list[EnvFile]) -> list[Path]:
    folders = dict.fromkeys([root, *(env.path.parent for env in envs)])
    return [folder / KEYS_FILE for folder in folders if (folder / KEYS_FILE).is_file()]


@dataclass
class Outcome:
    encrypted: int = 0
    decrypted: int = 0
    findings: list[EnvFinding] = field(default_factory=list)


def decrypt_file(env: EnvFile, ring: Keyring) -> Outcome:
    """Decrypt every encrypted: value of the file in place (``Entry.cleartext``)."""
    sealed = [entry for entry in env.entries if entry.encrypted]
    outcome = Outcome(encrypted=len(sealed))
    if not sealed:
        return outcome
    header = env.public_key()
    candidates = _candidates(header, ring)
    if not candidates:
        outcome.findings.extend(_no_key(env, header, ring, len(sealed)))
        return outcome
    for entry in sealed:
        problem = _decrypt_entry(entry, candidates)
        if problem:
            outcome.findings.append(_malformed(env, entry, problem, header is not None))
    outcome.decrypted = sum(1 for entry in sealed if entry.cleartext is not None)
    return outcome


def _candidates(header: Entry | None, ring: Keyring) -> list[str]:
    if header is not None and header.raw:
        found = ring.keys.get(header.raw.strip().lower())
        return [found] if found else []
    return list(ring.keys.values())  # no header: whichever key authenticates


def _decrypt_entry(entry: Entry, candidates: list[str]) -> str:
    assert entry.raw is not None
    problem = ""
    for private in candidates:
        try:
            entry.cleartext = unquote(decrypt(private, entry.raw), entry.quote)
            return ""
        except DecryptError as exc:
            problem = str(exc)
    return problem


def _no_key(env: EnvFile, header: Entry | None, ring: Keyring, count: int) -> Iterator[EnvFinding]:
    name = key_name(env)
    values = f"its {count} encrypted value{'s' if count != 1 else ''} cannot be checked (or loaded by the app)"
    line = header.line if header is not None else 0
    if name in ring.invalid:
        yield finding("env.dotenvx-wrong-key", env.name, line, name, f"{ring.invalid[name]}: {values}")
    elif name in ring.names:
        public = f"{header.key} {_short(header.raw)}" if header is not None else "the key its values were encrypted with"
        yield finding("env.dotenvx-wrong-key", env.name, line, name,
                      f"{name} ({ring.names[name]}) is not the private key of {public}: {values}")


def _malformed(env: EnvFile, entry: Entry, problem: str, matched: bool) -> EnvFinding:
    if matched:
        return finding("env.dotenvx-malformed", env.name, entry.line, entry.key,
                       f"{entry.key} does not decrypt with the file's own private key: {problem}")
    return finding("env.dotenvx-wrong-key", env.name, entry.line, entry.key,
                   f"No DOTENV_PRIVATE_KEY available decrypts {entry.key}: {problem}")


def _short(public: str | None) -> str:
    return f"({public[:8]}…)" if public else ""
