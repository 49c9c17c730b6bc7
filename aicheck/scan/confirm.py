"""Offline confirmation of a match: a checksum, a parse, a decoded claim.

Each confirmer returns a ``Verdict``: reject the match, keep it, or keep it at
another severity (an encrypted private key is less urgent than a plain one).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote

from aicheck.scan import filters

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class Verdict:
    keep: bool
    severity: str | None = None  # None keeps the rule's severity
    note: str = ""
    label: str = ""  # shown instead of the redacted secret (a private key's type and fingerprint)


REJECT = Verdict(False)
KEEP = Verdict(True)


def base62(number: int, width: int) -> str:
    digits = ""
    while number:
        number, rest = divmod(number, 62)
        digits = BASE62[rest] + digits
    return digits.rjust(width, "0")


def github_checksum(body: str) -> str:
    """The 6-character base62 CRC32 that ends every ghp_/gho_/ghu_/ghs_/ghr_ token."""
    return base62(zlib.crc32(body.encode()), 6)


def confirm_github_crc32(secret: str) -> Verdict:
    _, _, rest = secret.partition("_")
    body, check = rest[:-6], rest[-6:]
    return KEEP if github_checksum(body) == check else REJECT


_PEM_BODY = re.compile(r"-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----(.*?)-----END \1PRIVATE KEY-----", re.S)


# String syntax around a PEM line in code ("MIIE..." +, 'MIIE...',): only next to a quote, since
# "+" is also a base64 character that may end or start a line.
_OPENING = re.compile(r"""^(?:[+,]\s*)?["']""")
_CLOSING = re.compile(r"""["']\s*[+,]?$""")


def _unquote_line(line: str) -> str:
    line = _CLOSING.sub("", _OPENING.sub("", line.strip()))
    return "" if not line.strip("\"',+ \t") else line


def _normalise_pem(secret: str) -> bytes:
    text = secret.replace("\\r", "").replace("\\n", "\n").replace("\r", "")
    lines = [_unquote_line(line) for line in text.split("\n")]
    return ("\n".join(line for line in lines if line) + "\n").encode()


def confirm_pem(secret: str) -> Verdict:
    """Parse the key with ``cryptography``: placeholders and truncated keys do not parse."""
    from cryptography.hazmat.primitives import serialization

    pem = _normalise_pem(secret)
    loader: Callable[..., object]
    if b"OPENSSH PRIVATE KEY" in pem:
        loader = serialization.load_ssh_private_key
    else:
        loader = serialization.load_pem_private_key
    try:
        key = loader(pem, password=None, **_skip_rsa_check(loader))
    except TypeError:
        return _encrypted(pem)
    except (ValueError, Exception):  # noqa: BLE001 - any parse failure means not a real key
        if b"ENCRYPTED" in pem or b"Proc-Type: 4,ENCRYPTED" in pem:
            return _encrypted(pem)
        return REJECT
    return Verdict(True, label=key_label(key))


def _encrypted(pem: bytes) -> Verdict:
    kind = _PEM_KIND.search(pem)
    name = kind.group(1).decode().strip() if kind else ""
    name = "" if name == "ENCRYPTED" else name
    label = f"encrypted {name} private key".replace("  ", " ")
    return Verdict(True, severity="low", note="encrypted private key (passphrase protected)", label=label)


_PEM_KIND = re.compile(rb"-----BEGIN ([A-Z0-9 ]{0,40})PRIVATE KEY-----")


def key_label(key: object) -> str:
    """``RSA 2048 SHA256:…``: the key's type and the SHA-256 of its public key, as ``ssh-keygen -l``
    prints it (base64 of the OpenSSH public key blob); nothing of the private key is shown."""
    import hashlib

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

    public = key.public_key()  # type: ignore[attr-defined]
    if isinstance(key, rsa.RSAPrivateKey):
        kind = f"RSA {key.key_size}"
    elif isinstance(key, ec.EllipticCurvePrivateKey):
        kind = f"ECDSA {key.curve.name}"
    elif "DSA" in type(key).__name__:  # not via the dsa module: importing it warns (deprecated)
        kind = f"DSA {getattr(key, 'key_size', '')}".strip()
    elif isinstance(key, ed25519.Ed25519PrivateKey):
        kind = "Ed25519"
    elif isinstance(key, ed448.Ed448PrivateKey):
        kind = "Ed448"
    else:
        kind = type(key).__name__.removesuffix("PrivateKey").lstrip("_")
    try:
        blob = base64.b64decode(public.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).split()[1])
    except (ValueError, TypeError, IndexError):  # no OpenSSH form: hash the DER SubjectPublicKeyInfo
        blob = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    digest = base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    return f"{kind} private key SHA256:{digest}"


def _skip_rsa_check(loader: Callable[..., object]) -> dict[str, bool]:
    # RSA consistency checks cost milliseconds per key and prove nothing about a leak.
    from cryptography.hazmat.primitives import serialization

    if loader is serialization.load_pem_private_key:
        return {"unsafe_skip_rsa_key_validation": True}
    return {}


def _jwt_claims(token: str) -> dict[str, object] | None:
    try:
        payload = token.split(".")[1]
        padded = payload + "=" * (-len(payload) % 4)
        claims = json.loads(base64.urlsafe_b64decode(padded))
    except (IndexError, ValueError, binascii.Error):
        return None
    return claims if isinstance(claims, dict) else None


def confirm_jwt_service_role(secret: str) -> Verdict:
    """A Supabase JWT is a secret only with role service_role; anon keys ship to browsers by design."""
    claims = _jwt_claims(secret)
    if claims is None or claims.get("role") != "service_role":
        return REJECT
    if claims.get("iss") == "supabase-demo":  # the local-development key printed in Supabase's docs
        return REJECT
    return KEEP


def confirm_jwt(secret: str) -> Verdict:
    return KEEP if _jwt_claims(secret) is not None else REJECT


def _stand_in(secret: str) -> bool:
    return filters.is_placeholder(secret) or filters.shannon_entropy(secret) < 3.0


def confirm_published(secret: str) -> Verdict:
    """Reject documentation and local-development keys (catalog/examples.toml), and placeholders."""
    return REJECT if _stand_in(secret) else KEEP


def confirm_azure_key(secret: str) -> Verdict:
    """Azure account and shared access keys are 64 or 32 random bytes in base64."""
    if _stand_in(secret):
        return REJECT
    try:
        raw = base64.b64decode(secret, validate=True)
    except (ValueError, binascii.Error):
        return REJECT
    return KEEP if len(raw) in (32, 64) else REJECT


def confirm_cloudflare_crc32(secret: str) -> Verdict:
    """cfk_/cfut_/cfat_ tokens end in the CRC32 (8 lowercase hex) of their 40 random characters."""
    _, _, rest = secret.partition("_")
    body, check = rest[:-8], rest[-8:]
    return KEEP if format(zlib.crc32(body.encode()), "08x") == check else REJECT


def confirm_url_password(secret: str) -> Verdict:
    """A password in a connection URL: free-form, so the strict filters of generic rules apply.

    ``postgres``, ``password``, ``${DB_PASSWORD}``, ``<password>``, ``pass`` are stand-ins.
    """
    value = unquote(secret)
    if (
        len(value) < 4
        or filters.is_placeholder(value, strict=True)
        or filters.is_reference(value)
        or filters.looks_like_identifier(value)
    ):
        return REJECT
    return KEEP


def crc24(data: bytes) -> int:
    """The OpenPGP armor checksum (RFC 4880 section 6.1)."""
    crc = 0xB704CE
    for byte in data:
        crc ^= byte << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1864CFB
    return crc & 0xFFFFFF


def _pgp_body(secret: str) -> tuple[str, str | None]:
    """The base64 body of an armored block and its checksum line (without ``=``), if any."""
    lines = [line.strip() for line in secret.replace("\r", "").split("\n")[1:-1]]
    if "" in lines:  # armor headers (Version: ...) end at the first blank line
        lines = lines[lines.index("") + 1 :]
    lines = [line for line in lines if line]
    checksum = lines.pop()[1:] if lines and lines[-1].startswith("=") and len(lines[-1]) == 5 else None
    return "".join(lines), checksum


def confirm_pgp_armor(secret: str) -> Verdict:
    """A real secret key block decodes to OpenPGP packets whose CRC-24 matches the armor's."""
    body, checksum = _pgp_body(secret)
    try:
        raw = base64.b64decode(body, validate=True)
    except (ValueError, binascii.Error):
        return REJECT
    if len(raw) < 64 or not raw[0] & 0x80:  # every OpenPGP packet header has its top bit set
        return REJECT
    if checksum is None:
        return KEEP
    return KEEP if base64.b64encode(crc24(raw).to_bytes(3, "big")).decode() == checksum else REJECT


_CAPITALS = re.compile(r"[A-Z_-]+")


def confirm_header_value(secret: str) -> Verdict:
    """A recorded header value: any shape (a UUID too), but not a placeholder, reference or word.

    vcrpy's filters leave stand-ins such as ``X-GOOG-API-KEY-XXX`` or ``DUMMY``: capitals only.
    """
    if (
        _CAPITALS.fullmatch(secret)
        or filters.is_placeholder(secret, strict=True)
        or filters.is_reference(secret)
        or filters.shannon_entropy(secret) < 3.0
        or (not filters.is_uuid(secret) and filters.looks_like_identifier(secret))  # digit runs split UUIDs
        or filters.character_classes(secret) < 2
    ):
        return REJECT
    return KEEP


CONFIRMERS: dict[str, Callable[[str], Verdict]] = {
    "github-crc32": confirm_github_crc32,
    "pem": confirm_pem,
    "jwt-service-role": confirm_jwt_service_role,
    "jwt": confirm_jwt,
    "published": confirm_published,
    "azure-key": confirm_azure_key,
    "cloudflare-crc32": confirm_cloudflare_crc32,
    "url-password": confirm_url_password,
    "header-value": confirm_header_value,
    "pgp-armor": confirm_pgp_armor,
}
