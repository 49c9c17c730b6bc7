"""What a scan reports: findings and the summary of a run (data only, no rendering)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aicheck.redaction import redact as redact  # the one redaction function
from aicheck.redaction import short_prefix

if TYPE_CHECKING:
    from aicheck.catalog import Rule

SEVERITY_ORDER = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}  # info: aicheck.severity


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def fingerprint(rule: str, secret: str, path: str) -> str:
    """Stable across line moves: rule + secret hash + path (DESIGN.md, baselines)."""
    raw = f"{rule}\0{secret_hash(secret)}\0{path}"
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:32]


_REGEX_HEAD = re.compile(r"^(?:\\b)?\(")


def format_prefix(secret: str, rule: Rule | None = None) -> str:
    """The part of a secret that is format, not secret: ``sk-proj-``, ``gsk_``, ``AKIA``.

    Taken from the literal head of the rule's regex (``sk-(?:proj|admin)-`` before its first
    character class), so no random character is ever shown as "prefix".
    """
    if rule is None:
        return short_prefix(secret)
    if rule.generic:
        return ""  # a free-form value has no format prefix; every character is secret
    body = _REGEX_HEAD.sub("", rule.regex)
    literal = body[: body.find("[")] if "[" in body else ""
    try:
        head = re.match(literal, secret) if literal else None
    except re.error:
        head = None
    return head.group(0) if head else ""


def redact_secret(secret: str, rule: Rule | None = None) -> str:
    return redact(secret, format_prefix(secret, rule))


@dataclass
class Finding:
    rule: str
    rule_name: str
    provider: str | None
    severity: str
    file: str  # relative to the scanned root, '/' separated; '-' for stdin
    line: int
    column: int
    secret: str = field(repr=False)
    secret_redacted: str
    fingerprint: str
    description: str = ""
    note: str = ""  # e.g. "encrypted private key", "found in base64 value"
    commit: str | None = None
    author: str | None = None  # history only: "Name <email>" of the introducing commit
    date: str | None = None  # history only: author date, ISO 8601
    in_head: bool | None = None  # history only: is the secret still in HEAD?
    end_column: int | None = None
    verification: dict[str, Any] | None = None

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line, self.column, self.rule)

    def to_dict(self, show_secret: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rule": self.rule,
            "rule_name": self.rule_name,
            "provider": self.provider,
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "end_column": self.end_column,
            "commit": self.commit,
            "secret_redacted": self.secret_redacted,
            "fingerprint": self.fingerprint,
            "description": self.description,
            "note": self.note or None,
        }
        if self.commit is not None:
            data.update(author=self.author, date=self.date, in_head=self.in_head)
        if show_secret:
            data["secret"] = self.secret
        if self.verification is not None:
            data["verification"] = self.verification
        return data


@dataclass
class Skipped:
    file: str
    reason: str  # "binary", "too large (12.0 MB > 5.0 MB)", "unreadable: Permission denied"


@dataclass
class ScanResult:
    root: str
    findings: list[Finding]
    files_scanned: int = 0
    bytes_scanned: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    allowed: int = 0  # matches silenced by an inline allow marker
    duration_s: float = 0.0
    commits_scanned: int | None = None  # history scans only
    baselined: int = 0  # findings hidden by --baseline
    warnings: list[str] = field(default_factory=list)  # the scan is partial: say why (shallow clone)

    @property
    def by_severity(self) -> dict[str, int]:
        counts = {name: 0 for name in SEVERITY_ORDER}
        for finding in self.findings:
            counts[finding.severity] += 1
        return counts

    def summary(self) -> dict[str, Any]:
        return {
            "findings": len(self.findings),
            "by_severity": self.by_severity,
            "files_scanned": self.files_scanned,
            "bytes_scanned": self.bytes_scanned,
            "files_skipped": len(self.skipped),
            "allowed": self.allowed,
            "baselined": self.baselined,
            "duration_s": round(self.duration_s, 3),
        } | ({"commits_scanned": self.commits_scanned} if self.commits_scanned is not None else {}) | (
            {"warnings": self.warnings} if self.warnings else {}
        )
