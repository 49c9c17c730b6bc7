"""Baselines: findings a team has accepted, recorded so they stop failing the build.

An entry is the finding's keyed fingerprint: HMAC-SHA256 of rule, secret and path under a random
salt stored in the baseline, so moving code never invalidates it, and a committed baseline does
not let anyone test guesses of a weak secret offline (a plain hash would: hash "hunter2", compare).
The file is sorted and has no timestamps; writing it again keeps its salt, so two writes give the
same bytes and two branches only conflict when they really accept different findings.
Baselines of format 1 (plain fingerprints) are still read.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from aicheck.errors import AicheckError
from aicheck.scan.finding import Finding, ScanResult

FORMAT = 2
MAX_SIZE = 50_000_000


@dataclass(frozen=True)
class Baseline:
    salt: bytes | None  # None: a format 1 baseline, plain fingerprints
    fingerprints: frozenset[str] = field(default_factory=frozenset)

    def key(self, finding: Finding) -> str:
        return keyed(self.salt, finding) if self.salt is not None else finding.fingerprint

    def hides(self, finding: Finding) -> bool:
        return self.key(finding) in self.fingerprints


def keyed(salt: bytes, finding: Finding) -> str:
    message = f"{finding.rule}\0{finding.secret}\0{finding.file}".encode("utf-8", "surrogatepass")
    return hmac.new(salt, message, hashlib.sha256).hexdigest()[:32]


def write(path: Path, findings: list[Finding]) -> int:
    salt = _existing_salt(path) or secrets.token_bytes(16)
    entries = {
        keyed(salt, f): {"file": f.file, "fingerprint": keyed(salt, f), "rule": f.rule, "secret": f.secret_redacted}
        for f in findings
    }
    ordered = sorted(entries.values(), key=lambda e: (e["file"], e["rule"], e["fingerprint"]))
    lines = ",\n".join("    " + json.dumps(entry, sort_keys=True) for entry in ordered)
    head = f'{{\n  "aicheck_baseline": {FORMAT},\n  "salt": "{salt.hex()}",\n  "findings": ['
    body = f"{head}\n{lines}\n  ]\n}}\n" if ordered else f"{head}]\n}}\n"
    try:
        path.write_text(body, encoding="utf-8")
    except OSError as exc:
        raise AicheckError(f"{path}: cannot write baseline: {exc.strerror}") from None
    return len(ordered)


def _existing_salt(path: Path) -> bytes | None:
    try:
        return load(path).salt
    except AicheckError:
        return None


def load(path: Path) -> Baseline:
    doc = _read(path)
    if not isinstance(doc, dict) or doc.get("aicheck_baseline") not in (1, FORMAT) or not isinstance(doc.get("findings"), list):
        raise AicheckError(f'{path}: not an aicheck baseline (expected {{"aicheck_baseline": {FORMAT}, "salt": ..., "findings": [...]}})')
    fingerprints = frozenset(str(entry.get("fingerprint")) for entry in doc["findings"] if isinstance(entry, dict))
    if doc["aicheck_baseline"] == 1:
        return Baseline(None, fingerprints)
    try:
        salt = bytes.fromhex(str(doc.get("salt", "")))
    except ValueError:
        salt = b""
    if len(salt) < 8:
        raise AicheckError(f'{path}: the baseline has no valid "salt"; write it again with --write-baseline')
    return Baseline(salt, fingerprints)


def _read(path: Path) -> object:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_SIZE + 1)
    except FileNotFoundError:
        raise AicheckError(f"{path}: baseline file not found (create it with --write-baseline)") from None
    except OSError as exc:
        raise AicheckError(f"{path}: cannot read the baseline: {exc.strerror}") from None
    if len(data) > MAX_SIZE:
        raise AicheckError(f"{path}: larger than {MAX_SIZE // 1_000_000} MB; not an aicheck baseline")
    try:
        return json.loads(data.decode("utf-8"))
    except RecursionError:
        raise AicheckError(f"{path}: not a valid aicheck baseline: nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise AicheckError(f"{path}: not a valid aicheck baseline: {exc}") from None


def apply(result: ScanResult, baseline: Baseline | None) -> None:
    if baseline is None:
        return
    kept = [f for f in result.findings if not baseline.hides(f)]
    result.baselined += len(result.findings) - len(kept)
    result.findings = kept
