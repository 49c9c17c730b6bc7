"""``scan --staged``: what ``git commit`` is about to record, and nothing else.

The staged version of each changed file is scanned whole (a private key needs its
surroundings), and a finding is kept only when it touches a line the commit adds or
changes. Line numbers are those of the staged version.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

from aicheck import git, globs
from aicheck.scan.detector import Detector
from aicheck.scan.files import is_binary
from aicheck.scan.finding import Finding, ScanResult, Skipped
from aicheck.scan.scanner import ScanSettings, scan_bytes

_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.M)


def staged_files(top: Path) -> list[str]:
    out = git.run(["diff", "--cached", "--name-only", "-z", "--no-renames", "--diff-filter=ACMT"], top)
    return [p for p in out.decode("utf-8", "surrogateescape").split("\0") if p]


def added_lines(top: Path, paths: list[str]) -> list[set[int]]:
    """Per staged file (same order as ``paths``), the line numbers the commit adds or changes."""
    out = git.run(
        ["diff", "--cached", "-U0", "--no-color", "--no-ext-diff", "--no-renames", "--diff-filter=ACMT", "--", *paths],
        top,
    )
    per_file: list[set[int]] = []
    for section in out.split(b"\ndiff --git ")[: len(paths)]:
        lines: set[int] = set()
        for match in _HUNK.finditer(section):
            start, count = int(match.group(1)), int(match.group(2) or 1)
            lines.update(range(start, start + count))
        per_file.append(lines)
    return per_file


def _index_blobs(top: Path, paths: list[str]) -> dict[str, str]:
    out = git.run(["ls-files", "-s", "-z", "--", *paths], top)
    blobs: dict[str, str] = {}
    for entry in out.split(b"\0"):
        if entry:
            meta, _, path = entry.partition(b"\t")
            mode, oid, _ = meta.split(b" ")
            if mode not in (b"160000", b"120000"):
                blobs[path.decode("utf-8", "surrogateescape")] = oid.decode()
    return blobs


def scan_staged(top: Path, settings: ScanSettings) -> ScanResult:
    started = time.perf_counter()
    paths = [p for p in staged_files(top) if not globs.matches(p, settings.exclude)]
    result = ScanResult(root=str(top), findings=[])
    if paths:
        _scan(top, paths, settings, result)
    result.duration_s = time.perf_counter() - started
    return result


def _scan(top: Path, paths: list[str], settings: ScanSettings, result: ScanResult) -> None:
    changed = dict(zip(paths, added_lines(top, paths)))
    by_blob: dict[str, list[str]] = {}
    for path, oid in _index_blobs(top, paths).items():
        by_blob.setdefault(oid, []).append(path)
    detector = Detector(settings.rules)
    with git.BlobReader(top) as reader:
        for oid, data in reader.read_many(list(by_blob)):
            for path in by_blob[oid]:
                _scan_one(path, data, changed.get(path, set()), settings, detector, result)
    result.findings.sort(key=lambda f: f.sort_key)


def _scan_one(
    path: str, data: bytes | None, lines: set[int], settings: ScanSettings, detector: Detector, result: ScanResult
) -> None:
    if data is None or is_binary(data) or len(data) > settings.max_file_size:
        result.skipped.append(Skipped(path, "binary" if data and is_binary(data) else "too large"))
        return
    findings, allowed = scan_bytes(data, path, detector)
    result.findings += [f for f in findings if _touches(f, lines)]
    result.allowed += allowed
    result.files_scanned += 1
    result.bytes_scanned += len(data)


def _touches(finding: Finding, lines: set[int]) -> bool:
    last = finding.line + finding.secret.count("\n") + finding.secret.count("\\n")
    return any(line in lines for line in range(finding.line, last + 1))
