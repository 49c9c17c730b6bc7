"""Baselines: findings a team has accepted, recorded so they stop failing the build.

An entry is the finding's fingerprint (rule + secret hash + path), so moving code never
invalidates it. The file is sorted and has no timestamps: writing it twice gives the same
bytes, and two branches only conflict when they really accept different findings.
"""

from __future__ import annotations

import json
from pathlib import Path

from aicheck.errors import AicheckError
from aicheck.scan.finding import Finding, ScanResult

FORMAT = 1


def write(path: Path, findings: list[Finding]) -> int:
    entries = {
        f.fingerprint: {"file": f.file, "fingerprint": f.fingerprint, "rule": f.rule, "secret": f.secret_redacted}
        for f in findings
    }
    ordered = sorted(entries.values(), key=lambda e: (e["file"], e["rule"], e["fingerprint"]))
    lines = ",\n".join("    " + json.dumps(entry, sort_keys=True) for entry in ordered)
    body = f'{{\n  "aicheck_baseline": {FORMAT},\n  "findings": [\n{lines}\n  ]\n}}\n' if ordered else (
        f'{{\n  "aicheck_baseline": {FORMAT},\n  "findings": []\n}}\n'
    )
    try:
        path.write_text(body, encoding="utf-8")
    except OSError as exc:
        raise AicheckError(f"{path}: cannot write baseline: {exc.strerror}") from None
    return len(ordered)


def load(path: Path) -> set[str]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AicheckError(f"{path}: baseline file not found (create it with --write-baseline)") from None
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise AicheckError(f"{path}: not a valid aicheck baseline: {exc}") from None
    if not isinstance(doc, dict) or doc.get("aicheck_baseline") != FORMAT or not isinstance(doc.get("findings"), list):
        raise AicheckError(f"{path}: not an aicheck baseline (expected {{\"aicheck_baseline\": 1, \"findings\": [...]}})")
    return {str(entry.get("fingerprint")) for entry in doc["findings"] if isinstance(entry, dict)}


def apply(result: ScanResult, fingerprints: set[str]) -> None:
    kept = [f for f in result.findings if f.fingerprint not in fingerprints]
    result.baselined += len(result.findings) - len(kept)
    result.findings = kept
