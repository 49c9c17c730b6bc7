"""The work a Dask worker does: sync a mirror and plan its commit ranges; scan one range.

Only redacted findings and fingerprints leave a worker. Full secrets stay in the scanning
task; with ``--verify`` that same task validates them (each distinct key once across the whole
sweep: the first task to hold a key's lock validates it, the others read the status it left on
the scheduler under an HMAC of the key, never the key).

The history scanner is used as a library: a range ``heads`` minus ``exclude`` becomes a view
repository whose refs are ``heads`` and a ``--since`` commit that hides ``exclude``
(``mirror.view``), so ``scan_history`` runs unchanged.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aicheck import severity
from aicheck.sweep import mirror
from aicheck.sweep.sources import Repo

from aicheck.config import Config
from aicheck.scan.finding import Finding
from aicheck.scan.scanner import ScanSettings


@dataclass(frozen=True)
class Range:
    """Commits reachable from ``heads`` and not from ``exclude``; ``index`` orders ranges by age."""

    index: int
    heads: tuple[str, ...]
    exclude: tuple[str, ...]
    commits: int

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "heads": list(self.heads), "exclude": list(self.exclude), "commits": self.commits}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Range:
        return cls(int(data["index"]), tuple(data["heads"]), tuple(data["exclude"]), int(data["commits"]))


@dataclass(frozen=True)
class Plan:
    tips: dict[str, str]  # ref -> commit, after the fetch
    head: str | None
    ranges: tuple[Range, ...]

    @property
    def commits(self) -> int:
        return sum(r.commits for r in self.ranges)

    def to_dict(self) -> dict[str, Any]:
        return {"tips": self.tips, "head": self.head, "ranges": [r.to_dict() for r in self.ranges]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        return cls(dict(data["tips"]), data["head"], tuple(Range.from_dict(r) for r in data["ranges"]))


@dataclass(frozen=True)
class VerifyContext:
    salt: str
    config: Config
    scope: str  # this sweep's own names for the locks and statuses on the scheduler
    known: dict[str, dict[str, Any]] = field(default_factory=dict)  # key id -> verification, from earlier sweeps


@dataclass
class RangeResult:
    findings: list[dict[str, Any]]  # redacted: Finding.to_dict() plus key_id, never the secret
    commits: int
    files: int
    bytes: int
    duration_s: float
    blobs_fetched: int


def key_id(salt: str, secret: str) -> str:
    """The same key gets the same id across repositories of one state database, and nothing
    about the key can be read from it."""
    return hmac.new(salt.encode(), secret.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[:24]


def sync_and_plan(repo: Repo, cache: str, old_tips: list[str], range_size: int) -> Plan:
    """Clone or fetch the mirror, then cut the commits not yet scanned into ranges."""
    dest = mirror.mirror_path(Path(cache), repo.key)
    mirror.sync(repo.url, dest)
    tips = mirror.tips(dest)
    old = mirror.present(dest, sorted(set(old_tips)))
    commits = mirror.new_commits(dest, sorted(set(tips.values())), old)
    return Plan(tips, mirror.head(dest), tuple(split(commits, old, range_size)))


def split(commits: list[tuple[str, list[str]]], old: list[str], size: int) -> list[Range]:
    """Ranges of about ``size`` commits: each is a prefix of a parents-first order minus the one
    before, so each is named by the prefix's newest commits (those no later commit of it has as
    a parent) and the previous prefix's."""
    ranges: list[Range] = []
    newest: set[str] = set()
    before: list[str] = []
    count = 0
    for number, (sha, parents) in enumerate(commits, 1):
        newest.difference_update(parents)
        newest.add(sha)
        count += 1
        if count == size or number == len(commits):
            heads = sorted(newest)
            ranges.append(Range(len(ranges), tuple(heads), tuple(old + before), count))
            before, count = heads, 0
    return ranges


def scan_range(repo: Repo, cache: str, head: str | None, rng: Range, settings: ScanSettings, verify: VerifyContext | None) -> RangeResult:
    from aicheck.scan.history import scan_history

    started = time.perf_counter()
    dest = mirror.mirror_path(Path(cache), repo.key)
    if len(mirror.present(dest, list(rng.heads))) < len(rng.heads):  # another worker's cache, or a new one
        mirror.sync(repo.url, dest)
    fetched = mirror.prefetch(dest, list(rng.heads), list(rng.exclude))
    with mirror.view(dest, list(rng.heads), list(rng.exclude)) as (top, since):
        result = scan_history(top, dataclasses.replace(settings, workers=1), since)
        still = mirror.grep_head(dest, top, head, {f.secret for f in result.findings})
    for finding in result.findings:
        finding.in_head = finding.secret in still
    # The same context as `scan --history`: public-by-design keys, obviously fake values and
    # test-location generic findings are info (a live one turns critical again under --verify).
    severity.adjust_scan(result.findings, settings.rules, None)
    salt = verify.salt if verify else ""
    if verify is not None:
        _verify_once(result.findings, verify)
    return RangeResult(
        findings=[_redacted(f, salt) for f in result.findings],
        commits=result.commits_scanned or 0, files=result.files_scanned, bytes=result.bytes_scanned,
        duration_s=time.perf_counter() - started, blobs_fetched=fetched,
    )


def _redacted(finding: Finding, salt: str) -> dict[str, Any]:
    data = finding.to_dict(show_secret=False)
    if salt:
        data["key_id"] = key_id(salt, finding.secret)
    return data


def _verify_once(findings: list[Finding], ctx: VerifyContext) -> None:
    """Each distinct key validated once across the sweep: a lock per key id on the scheduler."""
    from distributed import Lock, get_client

    client = get_client()
    first: dict[str, Finding] = {}
    for finding in findings:
        first.setdefault(key_id(ctx.salt, finding.secret), finding)
    statuses: dict[str, dict[str, Any]] = {}
    for kid, finding in first.items():
        if kid in ctx.known:
            statuses[kid] = ctx.known[kid]
            continue
        with Lock(f"aicheck-verify-{ctx.scope}-{kid}"):
            status = client.get_metadata(["aicheck-verify", ctx.scope, kid], default=None)
            if status is None:
                status = _validate(finding, ctx.config)
                client.set_metadata(["aicheck-verify", ctx.scope, kid], status)
        statuses[kid] = status
    for finding in findings:
        _apply(finding, statuses[key_id(ctx.salt, finding.secret)])


def _validate(finding: Finding, config: Config) -> dict[str, Any]:
    from aicheck.validate import validate_keys
    from aicheck.validate.result import KeyInput

    answer = validate_keys([KeyInput(finding.secret, provider=finding.provider, rule=finding.rule, source="sweep")], config)[0]
    check = answer.check
    return {"status": check.status, "detail": check.detail, "http_status": check.http_status}


def _apply(finding: Finding, status: dict[str, Any]) -> None:
    """As ``scan --verify`` does: a key that works is critical whatever its rule says."""
    finding.verification = dict(status)
    if status.get("status") == "valid":
        finding.severity = "critical"
        finding.note = "; ".join(n for n in ("LIVE: the key works, rotate it now", finding.note) if n)
