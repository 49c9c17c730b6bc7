"""What ``aicheck code`` reports: a finding and the result of a run (data only)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

SEVERITIES = ("critical", "high", "medium", "low", "info")


@dataclass
class CodeFinding:
    rule: str
    severity: str
    title: str
    file: str  # relative to the root, '/' separated
    line: int
    column: int
    sdk: str | None
    message: str
    fix: str
    snippet: str = ""  # the source line, trimmed (code, never a secret value: keys are not read)

    @property
    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line, self.column, self.rule)

    @property
    def fingerprint(self) -> str:
        """Stable across line moves: the rule, the file and the code on the line."""
        raw = f"{self.rule}\0{self.file}\0{self.snippet}"
        return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:32]

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule, "title": self.title, "severity": self.severity, "file": self.file,
            "line": self.line, "column": self.column, "sdk": self.sdk, "message": self.message,
            "fix": self.fix, "fingerprint": self.fingerprint,
        }


@dataclass
class CodeResult:
    root: str
    findings: list[CodeFinding]
    rules: list[str] = field(default_factory=list)  # ids of the rules that ran
    files: int = 0  # source files listed
    parsed: int = 0  # files that mention an SDK or a provider host, parsed
    sites: int = 0  # LLM call sites found (clients, calls, raw HTTP)
    sdks: list[str] = field(default_factory=list)
    allowed: int = 0
    notes: list[str] = field(default_factory=list)
    duration_s: float = 0.0

    @property
    def by_severity(self) -> dict[str, int]:
        counts = {name: 0 for name in SEVERITIES}
        for item in self.findings:
            counts[item.severity] += 1
        return counts

    @property
    def by_rule(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for item in self.findings:
            counts[item.rule] = counts.get(item.rule, 0) + 1
        return dict(sorted(counts.items()))

    def summary(self) -> dict[str, Any]:
        return {
            "findings": len(self.findings), "by_severity": self.by_severity, "by_rule": self.by_rule,
            "files": self.files, "parsed": self.parsed, "call_sites": self.sites, "sdks": self.sdks,
            "allowed": self.allowed, "notes": self.notes, "duration_s": round(self.duration_s, 3),
        }
