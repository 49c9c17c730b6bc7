"""Scan a working tree (or bytes) and turn matches into findings.

Small jobs (a pre-commit hook, a few files) run in this process; large trees are split
across one worker process per core, each with its own compiled detector.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from aicheck.catalog import Rule
from aicheck.scan import decoders, files, workers
from aicheck.scan.detector import Detector, Match
from aicheck.scan.finding import Finding, ScanResult, Skipped, fingerprint, redact_secret

ALLOW_MARKERS = (b"aicheck:allow", b"gitleaks:allow", b"pragma: allowlist secret")
NEXT_LINE_MARKERS = (b"aicheck:allow-next-line", b"pragma: allowlist nextline secret")
# Below this much work, starting worker processes costs more than it saves.
# In documentation a `token: "..."` is nearly always an example; provider formats still apply there.
DOC_SUFFIXES = {".md", ".rst", ".adoc", ".markdown", ".mdx", ".html", ".htm"}
DOC_DIRS = {"docs", "doc", "documentation"}
PARALLEL_MIN_BYTES = 4_000_000
# progress(items done, items in all, bytes read so far): files of a tree, blobs of a history.
Progress = Callable[[int, int, int], None]
CHUNK_BYTES = 2_000_000


@dataclass(frozen=True)
class ScanSettings:
    rules: tuple[Rule, ...]
    exclude: tuple[str, ...] = ()
    max_file_size: int = 5_000_000
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)


@dataclass
class _Batch:
    findings: list[Finding] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    files: int = 0
    bytes: int = 0
    allowed: int = 0

    def add(self, other: _Batch) -> None:
        self.findings += other.findings
        self.skipped += other.skipped
        self.files += other.files
        self.bytes += other.bytes
        self.allowed += other.allowed


def scan_paths(paths: list[Path], settings: ScanSettings, progress: Progress | None = None) -> ScanResult:
    started = time.perf_counter()
    root, top = files.resolve_root(paths)
    targets = list(files.list_targets(paths, root, top, list(settings.exclude)))
    batch = _run(targets, settings, progress)
    return _result(str(root), batch, started)


def scan_stdin(data: bytes, settings: ScanSettings, name: str = "-") -> ScanResult:
    started = time.perf_counter()
    batch = _Batch(files=1, bytes=len(data))
    findings, allowed = scan_bytes(data, name, Detector(settings.rules))
    batch.findings, batch.allowed = findings, allowed
    return _result(name, batch, started)


def _result(root: str, batch: _Batch, started: float) -> ScanResult:
    return ScanResult(
        root=root,
        findings=sorted(batch.findings, key=lambda f: f.sort_key),
        files_scanned=batch.files,
        bytes_scanned=batch.bytes,
        skipped=sorted(batch.skipped, key=lambda s: s.file),
        allowed=batch.allowed,
        duration_s=time.perf_counter() - started,
    )


def _run(targets: list[files.Target], settings: ScanSettings, progress: Progress | None = None) -> _Batch:
    sized = [(t, _size(t)) for t in targets]
    total = sum(size for _, size in sized)
    if settings.workers <= 1 or total < PARALLEL_MIN_BYTES:
        batch = _scan_targets(targets, settings.max_file_size, Detector(settings.rules))
        if progress:
            progress(batch.files + len(batch.skipped), len(targets), batch.bytes)
        return batch
    batch = _Batch()
    chunks = [(chunk, settings.max_file_size) for chunk in _chunks(sized)]
    with workers.pool(settings.workers, _init_worker, (settings.rules,)) as pool:
        for part in pool.imap_unordered(_worker_scan, chunks):
            batch.add(part)
            if progress:
                progress(batch.files + len(batch.skipped), len(targets), batch.bytes)
    return batch


def _size(target: files.Target) -> int:
    try:
        return target.path.stat().st_size
    except OSError:
        return 0


def _chunks(sized: list[tuple[files.Target, int]]) -> Iterable[list[files.Target]]:
    chunk: list[files.Target] = []
    weight = 0
    for target, size in sized:
        chunk.append(target)
        weight += size
        if weight >= CHUNK_BYTES:
            yield chunk
            chunk, weight = [], 0
    if chunk:
        yield chunk


_WORKER_DETECTOR: Detector | None = None


def _init_worker(rules: tuple[Rule, ...]) -> None:
    global _WORKER_DETECTOR
    _WORKER_DETECTOR = Detector(rules)


def _worker_scan(work: tuple[list[files.Target], int]) -> _Batch:
    assert _WORKER_DETECTOR is not None
    return _scan_targets(work[0], work[1], _WORKER_DETECTOR)


def _scan_targets(targets: list[files.Target], max_file_size: int, detector: Detector) -> _Batch:
    batch = _Batch()
    for target in targets:
        reason = files.skip_reason(target, max_file_size)
        data = b""
        if reason is None:
            data, reason = _read(target)
        if reason is not None:
            batch.skipped.append(Skipped(target.rel, reason))
            continue
        found, allowed = scan_bytes(data, target.rel, detector)
        batch.findings += found
        batch.allowed += allowed
        batch.files += 1
        batch.bytes += len(data)
    return batch


def _read(target: files.Target) -> tuple[bytes, str | None]:
    try:
        data = target.path.read_bytes()
    except OSError as exc:
        return b"", f"unreadable: {exc.strerror or exc}"
    if files.is_binary(data):
        return b"", "binary"
    return data, None


def scan_bytes(data: bytes, rel: str, detector: Detector) -> tuple[list[Finding], int]:
    """Findings in one file's content (raw and decoded views), and how many were allowed."""
    suffix = _suffix(rel)
    collector = _Collector(data, generic=not _is_documentation(rel, suffix))
    lines = _Lines(data)
    for match in detector.find(data):
        line, column, line_start = _position(lines, match.start)
        collector.add(_finding(match, rel, line, column), line_start, match.rule.generic)
    for segment in decoders.decode_all(data, suffix):
        for match in detector.find(segment.data):
            line, column, line_start = _locate(lines, segment, match)
            collector.add(_finding(match, rel, line, column, segment.note), line_start, match.rule.generic)
    return collector.findings(), len(collector.allowed)


class _Collector:
    """One finding per (rule, secret, line), whichever view saw it first."""

    def __init__(self, data: bytes, generic: bool) -> None:
        self.data = data
        self.generic = generic  # False in documentation: generic rules stay quiet there
        self.found: dict[tuple[str, str, int], Finding] = {}
        self.allowed: set[tuple[str, str, int]] = set()
        self.generic_keys: set[tuple[str, str, int]] = set()

    def add(self, finding: Finding, line_start: int, generic: bool) -> None:
        key = (finding.rule, finding.secret, finding.line)
        if key in self.found or key in self.allowed or (generic and not self.generic):
            return
        if generic:
            self.generic_keys.add(key)
        if _allowed(self.data, line_start):
            self.allowed.add(key)
        else:
            self.found[key] = finding

    def findings(self) -> list[Finding]:
        """Drop a generic match whose value is the encoded form of a specific finding."""
        specific = [f for key, f in self.found.items() if key not in self.generic_keys]
        return [
            f for key, f in self.found.items()
            if key not in self.generic_keys
            or not any(s.line == f.line and decoders.carries(f.secret, s.secret) for s in specific)
        ]


def _allowed(data: bytes, line_start: int) -> bool:
    line_end = data.find(b"\n", line_start)
    line = data[line_start : line_end if line_end != -1 else len(data)]
    if any(marker in line for marker in ALLOW_MARKERS):
        return True
    if line_start == 0:
        return False
    previous = data[data.rfind(b"\n", 0, line_start - 1) + 1 : line_start]
    return any(marker in previous for marker in NEXT_LINE_MARKERS)


class _Lines:
    """Line numbers of offsets asked in increasing order, counted from the last one asked.

    Counting from the start of the buffer for every match was quadratic: 2 s of a 10 s scan of
    litellm went to ``bytes.count`` on large files with many matches.
    """

    def __init__(self, data: bytes) -> None:
        self.data, self.at, self.line = data, 0, 1

    def number(self, offset: int) -> int:
        if offset < self.at:
            self.at, self.line = 0, 1
        self.line += self.data.count(b"\n", self.at, offset)
        self.at = offset
        return self.line


def _position(lines: _Lines, offset: int) -> tuple[int, int, int]:
    data = lines.data
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", "replace")) + 1
    return lines.number(offset), column, line_start


def _locate(lines: _Lines, segment: decoders.Segment, match: Match) -> tuple[int, int, int]:
    """Where a match in decoded text sits in the original file."""
    data = lines.data
    raw = data.find(match.secret.encode("utf-8", "replace"))
    if raw != -1:
        return _position(lines, raw)
    line = segment.line
    if segment.per_line:
        line += segment.data.count(b"\n", 0, match.start)
    line_start = _line_offset(data, line)
    return line, 1, line_start


def _line_offset(data: bytes, line: int) -> int:
    offset = 0
    for _ in range(line - 1):
        offset = data.find(b"\n", offset) + 1
        if offset == 0:
            return len(data)
    return offset


def _finding(match: Match, rel: str, line: int, column: int, note: str = "") -> Finding:
    rule = match.rule
    return Finding(
        rule=rule.id,
        rule_name=rule.name,
        provider=rule.provider,
        severity=match.severity,
        file=rel,
        line=line,
        column=column,
        end_column=column + len(match.secret),
        secret=match.secret,
        secret_redacted=match.label or redact_secret(match.secret, rule),
        fingerprint=fingerprint(rule.id, match.secret, rel),
        description=rule.description,
        note="; ".join(n for n in (match.note, note) if n),
    )


def _is_documentation(rel: str, suffix: str) -> bool:
    return suffix in DOC_SUFFIXES or any(part in DOC_DIRS for part in rel.lower().split("/")[:-1])


def _suffix(rel: str) -> str:
    name = PurePosixPath(rel).name.lower()
    if name.startswith(".env"):
        return ".env"
    return PurePosixPath(name).suffix
