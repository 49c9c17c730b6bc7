#!/usr/bin/env python3
"""Benchmark ``aicheck code`` against Semgrep on the same trees, in one run.

    python bench/code_bench.py                                  # the three default trees
    python bench/code_bench.py --semgrep /work/venvs/semgrep/bin/semgrep --rounds 2 TREE ...

Each tree is checked by ``aicheck code TREE --format json`` and by ``semgrep --config
bench/code_rules.semgrep.yml --json TREE`` (a local rule file written for these checks; metrics
and the version check off, so nothing leaves the machine), each as its own process, alternating,
``--rounds`` times; the figure is the fastest round (wall time, start-up included). Semgrep uses
every core (its default --jobs); aicheck runs in one process. Both honour .gitignore and leave
out the same test, fixture and build paths (aicheck's defaults, passed to semgrep as --exclude).

Default trees: vercel/ai examples/, crewAI, openai-python examples/ (read-only working trees).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
RULES = HERE / "code_rules.semgrep.yml"
TREES = ["/work/repos/ai/examples", "/work/repos/crewAI", "/work/repos/openai-python/examples"]


def timed(cmd: list[str], cwd: Path) -> tuple[float, dict[str, object]]:
    started = time.perf_counter()
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=1800)
    elapsed = time.perf_counter() - started
    if out.returncode not in (0, 1):
        raise SystemExit(f"{cmd[0]} failed ({out.returncode}): {out.stderr[-500:]}")
    return elapsed, json.loads(out.stdout)


def aicheck_cmd(tree: Path) -> list[str]:
    return [sys.executable, "-m", "aicheck", "code", str(tree), "--format", "json", "--exit-zero"]


# What aicheck code leaves out by default (aicheck/code/run.py DEFAULT_EXCLUDE), so both read the same files.
EXCLUDES = ["node_modules", "dist", "build", ".next", "*.min.js", "tests", "test", "__tests__", "__testfixtures__",
            "__mocks__", "*.test.*", "*.spec.*", "test_*.py", "*_test.py", "conftest.py"]


def semgrep_cmd(semgrep: str, tree: Path) -> list[str]:
    excludes = [f"--exclude={pattern}" for pattern in EXCLUDES]
    return [semgrep, "--config", str(RULES), "--metrics=off", "--disable-version-check", "--json", "--quiet", *excludes, str(tree)]


def count_files(tree: Path) -> int:
    out = subprocess.run(["git", "-C", str(tree), "ls-files", "--", "*.py", "*.js", "*.jsx", "*.ts", "*.tsx", "*.mjs", "*.cjs"],
                         capture_output=True, text=True)
    return len(out.stdout.split())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("trees", nargs="*", default=TREES)
    parser.add_argument("--semgrep", default=shutil.which("semgrep") or "/work/venvs/semgrep/bin/semgrep")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    env_note = f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start"
    print(f"aicheck code vs semgrep ({env_note}); fastest of {args.rounds} round(s), wall seconds\n")
    print(f"{'tree':40} {'files':>6} {'aicheck s':>10} {'findings':>9} {'semgrep s':>10} {'findings':>9} {'ratio':>6}")
    by_rule: dict[str, Counter[str]] = {}
    for name in args.trees:
        tree = Path(name)
        best_a = best_s = float("inf")
        for _ in range(args.rounds):
            seconds, a_doc = timed(aicheck_cmd(tree), tree)
            best_a = min(best_a, seconds)
            seconds, s_doc = timed(semgrep_cmd(args.semgrep, tree), tree)
            best_s = min(best_s, seconds)
        a_findings = a_doc["findings"]
        s_findings = s_doc["results"]
        assert isinstance(a_findings, list) and isinstance(s_findings, list)
        by_rule[name] = Counter(item["rule"] for item in a_findings)
        print(f"{name:40} {count_files(tree):>6} {best_a:>10.2f} {len(a_findings):>9} {best_s:>10.2f} {len(s_findings):>9} {best_s / best_a:>5.1f}x")
    print("\naicheck findings per rule:")
    for name, counts in by_rule.items():
        print(f"  {name}: " + (", ".join(f"{rule} {n}" for rule, n in sorted(counts.items())) or "none"))


if __name__ == "__main__":
    main()
