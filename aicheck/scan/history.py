"""``scan --history``: every blob reachable from any ref, each scanned once.

1. One ``git log --raw`` over all refs (oldest first) lists, per commit, the blobs it added or
   changed. A blob that sits in 5,000 commits appears once in the work list.
2. Distinct blobs are read with ``git cat-file --batch`` and scanned in worker processes.
3. Each finding is attributed to the first commit that brought its secret to its path, and
   marked ``in_head`` when the secret is still anywhere in HEAD's tree (``git grep``).

The versions of one file share most of their lines, so a blob is scanned with the lines that
earlier versions of the same path already had blanked out (line numbers stay): a secret is found
in the version that introduced it, which is the one the finding names anyway. All versions of a
path go to the same worker, oldest first.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Generator
from contextlib import closing
from dataclasses import dataclass, replace
from pathlib import Path

from aicheck import git, globs
from aicheck.catalog import Rule
from aicheck.scan import workers
from aicheck.scan.detector import Detector
from aicheck.scan.files import is_binary, is_lockfile
from aicheck.scan.finding import Finding, ScanResult, Skipped, fingerprint
from aicheck.scan.scanner import Progress, ScanSettings, scan_bytes

# Modes that are not file content: submodules (160000, never followed) and symlinks (120000).
_SKIP_MODES = (b"160000", b"120000")
_BLOBS_PER_TASK = 400
_BYTES_PER_TASK = 2_000_000  # a few big files still go to both cores
_NULL_OID = "0" * 40


@dataclass(frozen=True)
class Commit:
    sha: str
    author: str
    date: str


@dataclass(frozen=True)
class Plan:
    commits: list[Commit]
    # blob id -> the first (commit index, path) that brought it in: the log runs oldest first
    introductions: dict[str, tuple[int, str]]


def plan(top: Path, since: str | None, pathspecs: list[str], exclude: tuple[str, ...]) -> Plan:
    commits: list[Commit] = []
    intros: dict[str, tuple[int, str]] = {}
    with closing(_log(top, since, pathspecs)) as log:  # an interrupt kills git log at once
        for commit, changes in log:
            commits.append(commit)
            index = len(commits) - 1
            for oid, path in changes:
                if oid not in intros and not is_lockfile(path) and not globs.matches(path, exclude):
                    intros[oid] = (index, sys.intern(path))
    return Plan(commits, intros)


def _log(top: Path, since: str | None, pathspecs: list[str]) -> Generator[tuple[Commit, list[tuple[str, str]]], None, None]:
    args = [
        "git", *git.LEAN, "log", "--all", "--topo-order", "--reverse", "--root", "--raw", "-z", "--no-abbrev",
        "--no-renames", "--diff-merges=first-parent", "--format=%x01%H%x00%an <%ae>%x00%aI%x00",
    ]
    if since:
        args.append("^" + git.verify_ref(top, since))
    args += ["--", *pathspecs]
    proc = subprocess.Popen(args, cwd=top, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    assert proc.stdout is not None
    pending, finished = b"", False
    try:
        while chunk := proc.stdout.read(1 << 20):
            records = (pending + chunk).split(b"\x01")
            pending = records.pop()
            yield from (_parse(r) for r in records if r)
        finished = True
    finally:
        if not finished:
            proc.kill()  # interrupted: no git left behind
            proc.wait()
    if pending:
        yield _parse(pending)
    if proc.wait() != 0:
        message = proc.stderr.read().decode("utf-8", "replace").strip() if proc.stderr else ""
        raise git.GitError(f"git log failed in {top}: {message}")


def _parse(record: bytes) -> tuple[Commit, list[tuple[str, str]]]:
    tokens = record.split(b"\0")
    commit = Commit(tokens[0].decode(), tokens[1].decode("utf-8", "replace"), tokens[2].decode())
    changes: list[tuple[str, str]] = []
    rest = iter(tokens[3:])
    for token in rest:
        status = token.lstrip(b"\n")
        if not status.startswith(b":"):
            continue
        path = next(rest, b"").decode("utf-8", "surrogateescape")
        _, new_mode, _, new_oid, kind = status[1:].split(b" ")
        if kind[:1] != b"D" and new_mode not in _SKIP_MODES and new_oid.decode() != _NULL_OID:
            changes.append((new_oid.decode(), path))
    return commit, changes


def scan_history(
    top: Path,
    settings: ScanSettings,
    since: str | None = None,
    pathspecs: list[str] | None = None,
    progress: Progress | None = None,
) -> ScanResult:
    started = time.perf_counter()
    work = plan(top, since, pathspecs or [], settings.exclude)
    sizes = git.blob_sizes(top, list(work.introductions)) if work.introductions else {}
    skipped = [
        Skipped(f"{path}@{oid[:12]}", "too large")
        for oid, (_, path) in work.introductions.items()
        if sizes.get(oid, 0) > settings.max_file_size
    ]
    todo = [(oid, path) for oid, (_, path) in work.introductions.items() if sizes.get(oid, 0) <= settings.max_file_size]
    found, binary, missing = _scan_blobs(top, todo, sizes, settings, progress)
    paths = dict(todo)
    for oid in git.stored(top, missing):
        raise git.GitError(f"{paths[oid]} (object {oid}) is corrupt: git cannot read it; run 'git fsck' in {top}")
    skipped += [Skipped(f"{paths[oid]}@{oid[:12]}", "missing from the repository (a partial or damaged clone)") for oid in missing]
    findings = _attribute(top, work, found)
    return ScanResult(
        root=str(top),
        findings=sorted(findings, key=lambda f: (f.file, f.line, f.rule, f.date or "")),
        files_scanned=len(todo) - binary - len(missing),
        bytes_scanned=sum(sizes.get(oid, 0) for oid, _ in todo),
        skipped=skipped,
        duration_s=time.perf_counter() - started,
        commits_scanned=len(work.commits),
        warnings=_warnings(top, len(missing)),
    )


def _warnings(top: Path, missing: int) -> list[str]:
    """Why this history scan is partial, if it is: a shallow clone, objects git does not have."""
    warnings = []
    if git.run(["rev-parse", "--is-shallow-repository"], top, check=False).strip() == b"true":
        warnings.append(
            "this is a shallow clone: history before its first commit was not scanned "
            "(git fetch --unshallow, or fetch-depth: 0 in actions/checkout, then scan again)"
        )
    if missing:
        warnings.append(f"{missing} file version(s) are missing from the repository and were not scanned "
                        "(a partial or damaged clone; --verbose lists them)")
    return warnings


_BlobFindings = dict[str, list[Finding]]


def _scan_blobs(
    top: Path, todo: list[tuple[str, str]], sizes: dict[str, int], settings: ScanSettings, progress: Progress | None
) -> tuple[_BlobFindings, int, list[str]]:
    """Findings per blob, how many blobs were binary, and the ids git does not have."""
    tasks = _tasks(todo, sizes)
    found: _BlobFindings = {}
    binary = done = read = 0
    missing: list[str] = []

    def collect(task: list[tuple[str, str]], part: _BlobFindings, skipped_binary: int, absent: list[str]) -> None:
        nonlocal binary, done, read
        found.update(part)
        binary += skipped_binary
        missing.extend(absent)
        done += len(task)
        read += sum(sizes.get(oid, 0) for oid, _ in task)
        if progress:
            progress(done, len(todo), read)

    if settings.workers <= 1 or len(tasks) <= 1:
        detector = Detector(settings.rules)
        for task in tasks:
            collect(task, *_scan_task(top, task, detector))
        return found, binary, missing
    with workers.pool(settings.workers, _init_worker, (settings.rules,)) as pool:
        for task, part, skipped_binary, absent in pool.imap_unordered(_worker_task, [(top, task) for task in tasks]):
            collect(task, part, skipped_binary, absent)
    return found, binary, missing


def _tasks(todo: list[tuple[str, str]], sizes: dict[str, int]) -> list[list[tuple[str, str]]]:
    """Blobs grouped so that every version of a path is in one task, oldest first."""
    by_path: dict[str, list[tuple[str, str]]] = {}
    for oid, path in todo:
        by_path.setdefault(path, []).append((oid, path))
    tasks: list[list[tuple[str, str]]] = [[]]
    weight = 0
    for versions in by_path.values():
        if len(tasks[-1]) >= _BLOBS_PER_TASK or weight >= _BYTES_PER_TASK:
            tasks.append([])
            weight = 0
        tasks[-1].extend(versions)
        weight += sum(sizes.get(oid, 0) for oid, _ in versions)
    return [task for task in tasks if task]


_WORKER: Detector | None = None


def _init_worker(rules: tuple[Rule, ...]) -> None:
    global _WORKER
    _WORKER = Detector(rules)


def _worker_task(work: tuple[Path, list[tuple[str, str]]]) -> tuple[list[tuple[str, str]], _BlobFindings, int, list[str]]:
    assert _WORKER is not None
    top, task = work
    return (task, *_scan_task(top, task, _WORKER))


def _scan_task(top: Path, task: list[tuple[str, str]], detector: Detector) -> tuple[_BlobFindings, int, list[str]]:
    found: _BlobFindings = {}
    binary = 0
    previous: tuple[str, bytes] = ("", b"")  # the last version read, and its path
    with git.BlobReader(top) as reader:
        for (oid, path), (_, data) in zip(task, reader.read_many([oid for oid, _ in task])):
            if data is None or is_binary(data):
                binary += data is not None
                continue
            before = previous[1] if previous[0] == path else None
            previous = (path, data)
            if path.endswith(".ipynb") or before is None:  # a notebook is JSON: cells need the whole file
                findings, _ = scan_bytes(data, path, detector)
            else:
                findings = _scan_changed(before, data, path, detector)
            if findings:
                found[oid] = findings
    return found, binary, reader.missing


def _scan_changed(before: bytes, data: bytes, path: str, detector: Detector) -> list[Finding]:
    """Scan only the lines of ``data`` that differ from the previous version of the file.

    The changed region is what lies between the longest common prefix and suffix of the two
    versions (compared with C-level slice equality, no line is hashed in Python): most versions
    change a few lines of thousands. One line before it is included so an allow-next-line marker
    still applies. Line numbers are those of ``data``.
    """
    start, end = _changed_region(before, data)
    if start >= end:
        return []
    offset = data.count(b"\n", 0, start)
    findings, _ = scan_bytes(data[start:end], path, detector)
    for finding in findings:
        finding.line += offset
    return findings


def _changed_region(before: bytes, data: bytes) -> tuple[int, int]:
    """Byte range of ``data``, on line boundaries, that holds every byte changed from ``before``."""
    prefix = _common_length(before, data, from_end=False)
    limit = min(len(before), len(data)) - prefix
    suffix = min(_common_length(before, data, from_end=True), limit)
    if prefix == len(data) or (prefix + suffix == len(data) and len(before) >= len(data)):
        return 0, 0  # nothing added (lines removed only)
    start = data.rfind(b"\n", 0, prefix) + 1
    start = data.rfind(b"\n", 0, max(start - 1, 0)) + 1  # one line of context before
    end = data.find(b"\n", len(data) - suffix)
    return start, len(data) if end == -1 else end + 1


_STEP = 1 << 16


def _common_length(a: bytes, b: bytes, from_end: bool) -> int:
    """Length of the common prefix (or suffix) of ``a`` and ``b``: 64 KB slices, then bisection."""
    size = min(len(a), len(b))

    def same(lo: int, hi: int) -> bool:
        if from_end:
            return a[len(a) - hi : len(a) - lo] == b[len(b) - hi : len(b) - lo]
        return a[lo:hi] == b[lo:hi]

    done = 0
    while done < size:
        upto = min(done + _STEP, size)
        if same(done, upto):
            done = upto
            continue
        while upto - done > 1:
            middle = (done + upto) // 2
            if same(done, middle):
                done = middle
            else:
                upto = middle
        return done
    return size


def _in_head(top: Path, found: _BlobFindings) -> set[str]:
    """The secrets still somewhere in HEAD's tree: one ``git grep -F`` over all of them.

    Each secret is looked for by its longest line (a PEM key spans many); a secret found in a
    decoded view (URL, escapes, base64) also by the raw line that held it, since HEAD holds the
    encoded form. Matching lines are printed whole and probes checked in them, not ``-o``: with
    overlapping patterns ``-o`` prints only the longest match and a key inside a longer value
    went unseen. Probes go through stdin, never on a command line.
    """
    probes = _probes(top, found)
    if not probes or not git.has_commits(top):
        return set()
    proc = subprocess.run(
        ["git", *git.LEAN, "grep", "-F", "-I", "-h", "--no-color", "-f", "-", "HEAD"],
        cwd=top, input="\n".join(probes).encode("utf-8", "surrogateescape") + b"\n", capture_output=True, check=False,
    )
    if proc.returncode not in (0, 1):
        raise git.GitError(f"git grep failed in {top}: {proc.stderr.decode('utf-8', 'replace').strip()}")
    text = proc.stdout.decode("utf-8", "surrogateescape")
    return {secret for probe, secrets in probes.items() if probe in text for secret in secrets}


def _probes(top: Path, found: _BlobFindings) -> dict[str, set[str]]:
    probes: dict[str, set[str]] = {}
    decoded: list[tuple[str, Finding]] = []
    for oid, findings in found.items():
        for finding in findings:
            longest = max(finding.secret.replace("\\n", "\n").split("\n"), key=len).strip()
            if longest:
                probes.setdefault(longest, set()).add(finding.secret)
            if finding.note and "found in" in finding.note:
                decoded.append((oid, finding))
    if decoded:
        with git.BlobReader(top) as reader:
            blobs = dict(reader.read_many(sorted({oid for oid, _ in decoded})))
        for oid, finding in decoded:
            raw = _line(blobs.get(oid) or b"", finding.line).decode("utf-8", "surrogateescape").strip()
            if 8 <= len(raw) <= 4000:
                probes.setdefault(raw, set()).add(finding.secret)
    return probes


def _line(data: bytes, number: int) -> bytes:
    start = 0
    for _ in range(number - 1):
        start = data.find(b"\n", start) + 1
        if start == 0:
            return b""
    end = data.find(b"\n", start)
    return data[start : len(data) if end == -1 else end]


def _attribute(top: Path, work: Plan, found: _BlobFindings) -> list[Finding]:
    """One finding per (rule, secret, path), from the first commit that brought it there.

    A blob counts once, at its first path: a pure rename moves no secret, so it adds no finding.
    """
    in_head = _in_head(top, found)
    first: dict[tuple[str, str, str], tuple[int, Finding]] = {}
    for oid, findings in found.items():
        index, path = work.introductions[oid]
        for finding in findings:
            key = (finding.rule, finding.secret, path)
            if key not in first or index < first[key][0]:
                first[key] = (index, _at(finding, path))
    return [
        replace(finding, commit=c.sha, author=c.author, date=c.date, in_head=finding.secret in in_head)
        for index, finding in first.values()
        for c in (work.commits[index],)
    ]


def _at(finding: Finding, path: str) -> Finding:
    if finding.file == path:
        return finding
    return replace(finding, file=path, fingerprint=fingerprint(finding.rule, finding.secret, path))
