"""``aicheck sweep`` on 100 generated repositories with 1, 2 and 4 Dask workers, against
``aicheck scan --history`` and ``gitleaks git`` run on each repository in a loop, in one run.

    python bench/sweep_bench.py                 # 100 repositories (generated once into bench/corpus/sweep-100)
    python bench/sweep_bench.py --real          # plus the fetched real mirrors in /work/.mirror (if any)
    python bench/sweep_bench.py --count 0 --real openai --range-size 2000   # one real history, split
    python bench/sweep_bench.py --workers 1 2   # fewer sweep rows

Each sweep starts cold: an empty state folder and mirror cache, so its time includes the
blob-filtered clone of every repository (the loops read the repositories in place). A second,
warm sweep of the same sources then shows the incremental case: fetch, nothing new to scan.
The machine's load average is printed with the figures: other work on the same cores slows
every row, so compare rows of one run, not runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from scan_bench import REPO, default_aicheck, default_gitleaks  # noqa: E402

CORPUS = REPO / "bench" / "corpus" / "sweep-100"
REAL = [Path("/work/.mirror/openai+openai-python/repo"), Path("/work/.mirror/crewAIInc+crewAI/repo")]


def generate(count: int) -> list[Path]:
    """``count`` histories of 120 to 420 commits (bench/make_history_repo.py, seeded by index)."""
    repos = []
    for n in range(count):
        target = CORPUS / f"repo-{n:03d}"
        if not (target / ".git").exists() and not (target / "HEAD").exists():
            commits = 120 + (n * 53) % 300  # make_history_repo plants keys after commit 50
            subprocess.run([sys.executable, str(REPO / "bench" / "make_history_repo.py"), str(target),
                            "--commits", str(commits), "--seed", str(n)], check=True, capture_output=True)
        repos.append(target)
    return repos


def timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    return time.perf_counter() - started, proc


def work_trees(repos: list[Path], work: Path) -> list[Path]:
    """``scan --history`` needs a repository with a work tree: a bare mirror gets a shared,
    unchecked-out clone (its objects borrowed, nothing copied); the sweep reads the mirror itself."""
    trees = []
    for repo in repos:
        if (repo / ".git").exists():
            trees.append(repo)
            continue
        tree = work / f"tree-{len(trees)}"
        subprocess.run(["git", "clone", "-q", "--shared", "--no-checkout", str(repo), str(tree)], check=True)
        trees.append(tree)
    return trees


def loop_aicheck(aicheck: str, repos: list[Path], work: Path) -> dict[str, object]:
    (work / "empty.toml").write_text("")
    total, findings = 0.0, 0
    for repo in repos:
        report = work / "a.json"
        wall, proc = timed([aicheck, "scan", str(repo), "--history", "-f", "json", "-o", str(report), "--exit-zero",
                            "--config", str(work / "empty.toml")])
        if proc.returncode != 0:
            return {"error": proc.stderr[-300:]}
        total += wall
        findings += len(json.loads(report.read_text())["findings"])
    return {"wall_s": total, "findings": findings}


def loop_gitleaks(gitleaks: str, repos: list[Path], work: Path) -> dict[str, object]:
    total, findings = 0.0, 0
    for repo in repos:
        report = work / "g.json"
        wall, proc = timed([gitleaks, "git", str(repo), "--no-banner", "--report-format", "json", "--report-path", str(report),
                            "--exit-code", "0", "--max-target-megabytes", "5"])
        if proc.returncode != 0:
            return {"error": proc.stderr[-300:]}
        total += wall
        findings += len(json.loads(report.read_text() or "[]"))
        report.unlink()  # gitleaks' report holds the secrets in full
    return {"wall_s": total, "findings": findings}


def sweep(aicheck: str, listing: Path, workers: int, work: Path, range_size: int) -> dict[str, object]:
    state = work / f"state-{workers}"
    shutil.rmtree(state, ignore_errors=True)
    env = {**os.environ, "AICHECK_STATE_DIR": str(state)}
    env.pop("DASK_SCHEDULER_ADDRESS", None)
    cmd = [aicheck, "sweep", str(listing), "--workers", str(workers), "--range-size", str(range_size), "-f", "json", "-o", str(work / "s.json"), "--exit-zero",
           "--config", str(work / "empty.toml")]
    cold, proc = timed(cmd, env)
    if proc.returncode != 0:
        return {"error": proc.stderr[-300:]}
    summary = json.loads((work / "s.json").read_text())["summary"]
    warm, proc = timed(cmd, env)
    warm_commits = json.loads((work / "s.json").read_text())["summary"]["commits_scanned"]
    return {"wall_s": cold, "warm_s": warm, "findings": summary["findings"], "commits": summary["commits_scanned"],
            "failed": summary["failed"], "warm_commits": warm_commits}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--real", nargs="*", metavar="NAME", help="add the real mirrors under /work/.mirror (all, or those whose folder contains NAME)")
    parser.add_argument("--range-size", type=int, default=5000, help="the sweep's commits per task")
    parser.add_argument("--skip-loops", action="store_true")
    args = parser.parse_args()
    aicheck, gitleaks = default_aicheck(), default_gitleaks()
    if not aicheck:
        raise SystemExit("aicheck not found next to this python")
    started = time.perf_counter()
    real = [p for p in REAL if p.exists() and (not args.real or any(n in str(p) for n in args.real))] if args.real is not None else []
    repos = generate(args.count) + real
    print(f"{len(repos)} repositories ready in {time.perf_counter() - started:.1f} s; cores {os.cpu_count()}, "
          f"load average {os.getloadavg()[0]:.2f}", flush=True)
    rows: list[tuple[str, dict[str, object]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "empty.toml").write_text("")
        listing = work / "repos.txt"
        listing.write_text("".join(f"{p}\n" for p in repos))
        if not args.skip_loops:
            trees = work_trees(repos, work)
            rows.append(("aicheck scan --history, loop", loop_aicheck(aicheck, trees, work)))
            print(rows[-1], flush=True)
            if gitleaks:
                rows.append(("gitleaks git, loop", loop_gitleaks(gitleaks, trees, work)))
                print(rows[-1], flush=True)
        for workers in args.workers:
            rows.append((f"aicheck sweep, {workers} worker{'s' if workers > 1 else ''}", sweep(aicheck, listing, workers, work, args.range_size)))
            print(rows[-1], flush=True)
    print(f"\nload average after: {os.getloadavg()[0]:.2f} (2 shared cores: other jobs slow every row alike)")
    print(f"{'run':<34} {'wall s':>8} {'warm s':>8} {'findings':>9} {'commits':>8}")
    for label, row in rows:
        if "error" in row:
            print(f"{label:<34} error: {row['error']}")
            continue
        warm = f"{row['warm_s']:.1f}" if "warm_s" in row else "-"
        print(f"{label:<34} {row['wall_s']:>8.1f} {warm:>8} {row['findings']:>9} {row.get('commits', '-'):>8}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
