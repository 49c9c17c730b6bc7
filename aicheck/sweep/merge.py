"""One result for the whole sweep: per repository its findings (earlier sweeps' and this one's,
each secret at each path once, from the oldest commit that brought it), a risk score, and the
ranking (live keys first)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aicheck.scan.finding import SEVERITY_ORDER

# Risk points: a live key outweighs everything; a secret still in HEAD is easier to find.
_POINTS = {"critical": 25, "high": 12, "medium": 5, "low": 1}
_LIVE_POINTS = 50
_IN_HEAD_POINTS = 5


def merge_findings(previous: list[dict[str, Any]], ranges: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Each fingerprint once: earlier sweeps first, then ranges oldest first."""
    merged: dict[str, dict[str, Any]] = {}
    for part in [previous, *ranges]:
        for finding in part:
            merged.setdefault(finding["fingerprint"], finding)
    return sorted(merged.values(), key=lambda f: (SEVERITY_ORDER.get(f["severity"], 9), f["file"], f["line"], f["rule"]))


def is_live(finding: dict[str, Any]) -> bool:
    return (finding.get("verification") or {}).get("status") == "valid"


@dataclass
class RepoOutcome:
    name: str
    url: str
    status: str  # "done" or "failed"
    error: str | None = None
    commits_scanned: int = 0  # by this sweep (only new commits on an incremental sweep)
    findings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def live_keys(self) -> int:
        return sum(1 for f in self.findings if is_live(f))

    @property
    def by_severity(self) -> dict[str, int]:
        counts = {name: 0 for name in SEVERITY_ORDER}
        for finding in self.findings:
            counts[finding["severity"]] = counts.get(finding["severity"], 0) + 1
        return counts

    @property
    def score(self) -> int:
        """Risk from 0 (nothing found) to 100."""
        counted = [f for f in self.findings if f["severity"] in _POINTS]  # info (public, fake, fixture) adds no risk
        points = sum(_POINTS[f["severity"]] + (_IN_HEAD_POINTS if f.get("in_head") else 0) for f in counted)
        return min(100, points + _LIVE_POINTS * self.live_keys)

    def summary(self) -> dict[str, Any]:
        return {
            "findings": len(self.findings), "by_severity": self.by_severity, "live_keys": self.live_keys,
            "in_head": sum(1 for f in self.findings if f.get("in_head")), "score": self.score,
            "commits_scanned": self.commits_scanned,
        }

    def to_dict(self) -> dict[str, Any]:
        return {"repository": self.name, "url": self.url, "status": self.status, "error": self.error,
                "summary": self.summary(), "findings": self.findings}


@dataclass
class SweepResult:
    repositories: list[RepoOutcome]
    duration_s: float = 0.0
    run_id: int = 0
    resumed: bool = False
    verified: bool = False

    def ranked(self) -> list[RepoOutcome]:
        return sorted(self.repositories, key=lambda r: (-r.live_keys, -r.score, -len(r.findings), r.status != "failed", r.name))

    @property
    def failed(self) -> bool:
        """Exit code 1: a finding somewhere, or a repository that could not be swept."""
        return any(r.findings or r.status == "failed" for r in self.repositories)

    def summary(self) -> dict[str, Any]:
        repos = self.repositories
        return {
            "repositories": len(repos),
            "failed": sum(1 for r in repos if r.status == "failed"),
            "with_findings": sum(1 for r in repos if r.findings),
            "findings": sum(len(r.findings) for r in repos),
            "live_keys": sum(r.live_keys for r in repos),
            "commits_scanned": sum(r.commits_scanned for r in repos),
            "duration_s": round(self.duration_s, 3),
            "resumed": self.resumed,
        }
