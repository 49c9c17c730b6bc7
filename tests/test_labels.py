"""What a finding shows: a private key as its type and public-key fingerprint, Google OAuth
secrets under their own rules, in every output format."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from keygen import KEYGEN

FORMATS = ["text", "json", "sarif", "junit", "github", "markdown"]


def scan(path: Path, fmt: str) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "aicheck", "scan", str(path), "-f", fmt, "--no-color"],
        capture_output=True, text=True, cwd=path.parent,
    )
    assert out.returncode == 1, out.stderr
    return out.stdout


def ssh_fingerprint(key: object) -> str:
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)  # type: ignore[attr-defined]
    digest = hashlib.sha256(base64.b64decode(public.split()[1])).digest()
    return "SHA256:" + base64.b64encode(digest).decode().rstrip("=")


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048), "RSA 2048"),
        (lambda: ec.generate_private_key(ec.SECP256R1()), "ECDSA secp256r1"),
        (ed25519.Ed25519PrivateKey.generate, "Ed25519"),
    ],
    ids=["rsa", "ec", "ed25519"],
)
def test_private_key_shows_type_and_public_key_fingerprint_in_every_format(tmp_path: Path, make, kind) -> None:  # type: ignore[no-untyped-def]
    key = make()
    encoding = serialization.PrivateFormat.OpenSSH if kind == "Ed25519" else serialization.PrivateFormat.PKCS8
    pem = key.private_bytes(serialization.Encoding.PEM, encoding, serialization.NoEncryption()).decode()
    target = tmp_path / "deploy_key.pem"
    target.write_text(pem)
    label = f"{kind} private key {ssh_fingerprint(key)}"
    body = pem.splitlines()[1]
    for fmt in FORMATS:
        out = scan(target, fmt)
        assert label in out, fmt
        assert body not in out and "…----" not in out, fmt
    [finding] = json.loads(scan(target, "json"))["findings"]
    assert finding["secret_redacted"] == label


def test_encrypted_private_key_says_so(tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(b"pass phrase")
    ).decode()
    (tmp_path / "k.pem").write_text(pem)
    [finding] = json.loads(scan(tmp_path / "k.pem", "json"))["findings"]
    assert finding["secret_redacted"] == "encrypted private key" and finding["severity"] == "low"


@pytest.mark.parametrize("rule", ["google-oauth-client-secret", "google-oauth-refresh-token"])
def test_google_oauth_secrets_have_their_own_rule_plain_and_url_encoded(tmp_path: Path, rule: str) -> None:
    secret = KEYGEN[rule]()
    (tmp_path / "plain.py").write_text(f'TOKEN = "{secret}"\n')
    encoded = secret.replace("/", "%2F").replace("-", "%2D")
    (tmp_path / "url.py").write_text(f'CALLBACK = "https://example.test/cb?refresh_token={encoded}&x=1"\n')
    found = {(f["file"], f["rule"]) for f in json.loads(scan(tmp_path, "json"))["findings"]}
    assert found == {("plain.py", rule), ("url.py", rule)}
