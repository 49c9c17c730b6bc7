"""Context-aware severity: where a finding sits and what its value is decide whether it costs points.

Test fixtures and cassettes are exactly where real keys leak (VCR recordings keep request headers
and bodies), so place alone never lowers a credential in a provider's real format. What becomes
``info`` (still listed, no score points unless ``--verify`` finds the key live):

- ``public key``: a rule the catalog marks ``public = true`` (PostHog project keys, Stripe
  publishable keys, Sentry DSNs ...), made to be shipped to browsers;
- ``obviously fake``: a value such as ``sk-fake-…``, ``test-key-…``, repeated or sequential
  characters, anywhere;
- ``test key material``: a private key whose certificate beside it names localhost or a test CA;
- ``test fixture``: a generic-rule finding (no provider format) or a placeholder in a test
  location (tests/, fixtures/, cassettes/, ``*.test.*``, ``.env.test`` ...).

Scan calls ``adjust_scan`` and env check calls ``adjust_env`` once per run; both only lower
severities, and ``--verify`` raises a live key back to critical afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aicheck.catalog import Rule
    from aicheck.env.finding import EnvFinding
    from aicheck.scan.finding import Finding

INFO = "info"
PUBLIC, FAKE, TEST_KEY, FIXTURE = "public key", "obviously fake", "test key material", "test fixture"

# Folder names that hold tests and their recorded data, in the ecosystems aicheck knows.
TEST_DIRS = frozenset({
    "test", "tests", "__tests__", "__test__", "spec", "specs", "fixtures", "fixture", "__fixtures__",
    "cassettes", "__snapshots__", "snapshots", "testdata", "test-data", "test_data", "mocks", "__mocks__",
    "e2e", "testing",
})
# test_x.py, x_test.go, x.test.ts, x.spec.js, conftest.py, and .env.test / .env.testing
_TEST_FILE = re.compile(r"(?:^test_.+\.py$|_test\.(?:py|go)$|\.(?:test|spec)\.[^/]+$|^conftest\.py$|^\.env\.test(?:ing)?(?:\.local)?$)")
# The random part of a value that says it is not a key: fake-…, test_…, dummy…
# (a word inside a random key is likely enough, about 1e-4, that short ones must stand alone)
_FAKE_WORD = re.compile(r"(?:^|[-_.])(?:fake|test|dummy|mock|example|sample|placeholder|invalid|bogus|foo|bar)(?:[-_.]|$)", re.IGNORECASE)
_FAKE_WORDS = ("dummy", "placeholder", "example", "xxxxx", "notreal", "not-real", "not_a_real")
_RUN = 6  # this many ascending (abcdef, 123456) or equal characters in a row: typed, not random
_CERT_SUFFIXES = (".pem", ".crt", ".cer", ".cert")
_CERT_LIMIT = 256_000
_TEST_NAMES = re.compile(r"\b(?:localhost|127\.0\.0\.1|::1|test|testing|example|snakeoil|dummy|fake)\b|-test-|\.test\b|\.local\b", re.IGNORECASE)


# Folders of demo code and documentation: an SDK's or framework's examples are not the app.
DEMO_DIRS = frozenset({"examples", "example", "docs", "doc", "cookbook", "cookbooks", "samples", "sample", "demo", "demos"})


# --- where a finding sits -------------------------------------------------------------------------


def is_demo_location(path: str) -> bool:
    """True for files under an examples/docs/cookbook folder (``/`` separated, relative)."""
    parts = PurePosixPath(path.replace("\\", "/")).parts
    return any(part.lower() in DEMO_DIRS for part in parts[:-1])


def is_test_location(path: str) -> bool:
    """True for files under a test folder or named as tests (``/`` separated, relative)."""
    parts = PurePosixPath(path.replace("\\", "/")).parts
    if any(part.lower() in TEST_DIRS for part in parts[:-1]):
        return True
    return bool(parts) and _TEST_FILE.search(parts[-1].lower()) is not None


# --- what the value is ----------------------------------------------------------------------------


def is_obviously_fake(value: str, prefix: str = "") -> bool:
    """A value typed by a person to stand in for a key: fake-…, test-…, sk-abcdef123456…, aaaaaa…"""
    body = value[len(prefix):] if prefix and value.startswith(prefix) else value
    lowered = body.lower()
    if not body or _FAKE_WORD.search(body) or any(word in lowered for word in _FAKE_WORDS):
        return True
    if len(set(lowered)) <= 3:  # xxxx, abab, 1111
        return True
    return _longest_run(lowered, 0) >= _RUN or _longest_run(lowered, 1) >= _RUN


def _longest_run(text: str, step: int) -> int:
    """The longest stretch of characters each ``step`` above the one before (0: repeated)."""
    best = run = 1
    for before, after in zip(text, text[1:]):
        run = run + 1 if ord(after) - ord(before) == step and after.isalnum() else 1
        best = max(best, run)
    return best if text else 0


# --- scan findings --------------------------------------------------------------------------------


def adjust_scan(findings: Iterable[Finding], rules: Iterable[Rule], root: Path | None) -> None:
    """Lower the findings that are public by design, obviously fake, or test data (in place)."""
    by_id = {rule.id: rule for rule in rules}
    for item in findings:
        why = scan_context(item, by_id.get(item.rule), root)
        if why is not None:
            _lower(item, why)


def scan_context(item: Finding, rule: Rule | None, root: Path | None) -> str | None:
    """Why this finding is ``info``, or None when it keeps its severity."""
    from aicheck.scan.finding import format_prefix

    if rule is not None and rule.public:
        return f"{PUBLIC}: {rule.public_why}" if rule.public_why else PUBLIC
    if item.rule == "private-key":  # key material: only its certificate can say it is for tests
        named = test_certificate(root / item.file, item.secret) if root is not None and item.commit is None else None
        return f"{TEST_KEY}: its certificate names {named}" if named else None
    if is_obviously_fake(item.secret, format_prefix(item.secret, rule)):
        return FAKE
    if (rule is None or rule.generic) and is_test_location(item.file):
        return FIXTURE
    return None


def _lower(item: Finding, why: str) -> None:
    item.severity = INFO
    item.note = "; ".join(note for note in (why, item.note) if note)


def test_certificate(key_file: Path, pem: str) -> str | None:
    """The test name (localhost, ``…-test-root``) of a certificate beside ``key_file`` that holds
    this private key's public key; None when there is no such certificate."""
    public = _public_bytes(pem)
    if public is None:
        return None
    for cert in _certificates(key_file.parent):
        if _cert_public_bytes(cert) == public:
            return _test_name(cert)
    return None


def _public_bytes(pem: str) -> bytes | None:
    from cryptography.hazmat.primitives import serialization

    data = pem.replace("\\n", "\n").encode("ascii", "replace")
    try:
        key: Any = serialization.load_ssh_private_key(data, password=None) if b"OPENSSH" in data else serialization.load_pem_private_key(data, password=None)
        public: bytes = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        return public
    except (ValueError, TypeError, AttributeError):  # encrypted, unsupported or not a key at all
        return None


def _certificates(folder: Path) -> list[object]:
    from cryptography import x509

    certs: list[object] = []
    try:
        names = sorted(p for p in folder.iterdir() if p.suffix.lower() in _CERT_SUFFIXES and p.is_file())[:32]
    except OSError:
        return certs
    for path in names:
        try:
            if path.stat().st_size <= _CERT_LIMIT:
                certs += x509.load_pem_x509_certificates(path.read_bytes())
        except (OSError, ValueError):
            continue
    return certs


def _cert_public_bytes(cert: object) -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    assert isinstance(cert, x509.Certificate)
    return cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _test_name(cert: object) -> str | None:
    from cryptography import x509

    assert isinstance(cert, x509.Certificate)
    names = [attr.value for attr in [*cert.subject, *cert.issuer] if isinstance(attr.value, str)]
    try:
        alt = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names += [str(name) for name in alt.get_values_for_type(x509.DNSName)]
        names += [str(ip) for ip in alt.get_values_for_type(x509.IPAddress)]
    except x509.ExtensionNotFound:
        pass
    return next((name for name in names if _TEST_NAMES.search(name)), None)


# --- env check findings ---------------------------------------------------------------------------

# Checks about a value (or a file's values) that a test file is meant to hold as stand-ins.
_ENV_FIXTURE_CHECKS = frozenset({"env.placeholder", "env.key-format", "env.weak-secret", "env.missing-key", "env.empty-required"})


def adjust_nested(findings: Iterable[EnvFinding]) -> None:
    """An app below the checked folder that nobody configured here (a monorepo's example apps in a
    checkout) is listed, not counted: env check in its own folder reports it at full severity."""
    for item in findings:
        if item.check == "env.not-configured":
            item.severity = INFO


def adjust_env(findings: Iterable[EnvFinding]) -> None:
    """Placeholders and stand-in values in a test .env (``.env.test``, tests/.env) are ``info``."""
    for item in findings:
        if item.check in _ENV_FIXTURE_CHECKS and is_test_location(item.file):
            item.severity = INFO
            item.message = f"{item.message} ({FIXTURE})"
