"""``scan --staged`` (the pre-commit case) and baselines, on real repositories."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from aicheck import catalog
from aicheck.errors import AicheckError
from aicheck.scan.run import ScanRequest, run_scan
from aicheck.scan.scanner import ScanSettings
from aicheck.scan.staged import scan_staged
from tests.conftest import git, groq_key, openrouter_key


def staged(repo: Path):  # type: ignore[no-untyped-def]
    return scan_staged(repo, ScanSettings(rules=catalog.load().rules))


def test_only_staged_content_is_reported_with_staged_line_numbers(repo: Path) -> None:
    (repo / "a.py").write_text("x = 1\n")
    git(repo, "add", "a.py")
    git(repo, "commit", "-qm", "init")
    staged_key, unstaged_key = groq_key(), groq_key()
    (repo / "a.py").write_text(f'x = 1\n\nSTAGED = "{staged_key}"\n')
    git(repo, "add", "a.py")
    (repo / "a.py").write_text(f'UNSTAGED = "{unstaged_key}"\nx = 1\n\nSTAGED = "{staged_key}"\n')
    (repo / "untracked.py").write_text(f'K = "{groq_key()}"\n')
    [finding] = staged(repo).findings
    assert (finding.secret, finding.file, finding.line) == (staged_key, "a.py", 3)


def test_a_key_already_committed_does_not_block_an_unrelated_change(repo: Path) -> None:
    (repo / "a.py").write_text(f'OLD = "{groq_key()}"\n')
    git(repo, "add", "a.py")
    git(repo, "commit", "-qm", "old")
    (repo / "a.py").write_text(f'OLD = "{groq_key()}"\nprint("new line")\n'.replace("OLD", "OLD", 1))
    git(repo, "add", "a.py")
    result = staged(repo)
    assert [f.line for f in result.findings] == [1]  # line 1 changed too (a new key)
    (repo / "b.py").write_text("print(1)\n")
    git(repo, "commit", "-qm", "second")
    (repo / "a.py").write_text((repo / "a.py").read_text() + "print(2)\n")
    git(repo, "add", "a.py")
    assert staged(repo).findings == []


def test_new_file_deleted_file_and_nothing_staged(repo: Path) -> None:
    assert staged(repo).findings == []  # a repository with no commits and nothing staged
    (repo / "new.env").write_text(f"OPENROUTER_API_KEY={openrouter_key()}\n")
    git(repo, "add", "new.env")
    assert [f.file for f in staged(repo).findings] == ["new.env"]
    git(repo, "commit", "-qm", "c")
    git(repo, "rm", "-q", "new.env")
    assert staged(repo).findings == []


def test_staged_allow_marker(repo: Path) -> None:
    (repo / "a.py").write_text(f'K = "{groq_key()}"  # aicheck:allow\n')
    git(repo, "add", "a.py")
    result = staged(repo)
    assert result.findings == [] and result.allowed == 1


def test_staged_outside_a_repository(tmp_path: Path) -> None:
    with pytest.raises(AicheckError, match="not a git repository \\(--staged needs one\\)"):
        run_scan(ScanRequest(paths=[tmp_path], staged=True))


def test_staged_and_history_are_exclusive(repo: Path) -> None:
    with pytest.raises(AicheckError, match="cannot be combined"):
        run_scan(ScanRequest(paths=[repo], staged=True, history=True))


def _cli(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "aicheck", "scan", *args], cwd=repo, capture_output=True, text=True)


def test_baseline_hides_exactly_what_it_recorded(repo: Path) -> None:
    first, second = groq_key(), groq_key()
    (repo / "a.py").write_text(f'A = "{first}"\n')
    (repo / "b.py").write_text(f'B = "{second}"\n')
    out = _cli(repo, "--write-baseline", ".aicheck-baseline.json", "--exit-zero")
    assert out.returncode == 0, out.stderr
    text = (repo / ".aicheck-baseline.json").read_text()
    assert first not in text and second not in text
    assert _cli(repo, "--baseline", ".aicheck-baseline.json").returncode == 0
    # Moving code does not break the baseline; a new key is still reported.
    (repo / "a.py").write_text(f'# moved down\n\nA = "{first}"\n')
    third = groq_key()
    (repo / "c.py").write_text(f'C = "{third}"\n')
    doc = json.loads(_cli(repo, "--baseline", ".aicheck-baseline.json", "-f", "json").stdout)
    assert [f["file"] for f in doc["findings"]] == ["c.py"] and doc["summary"]["baselined"] == 2


def test_baseline_file_is_stable_and_sorted(repo: Path) -> None:
    for name in ("z.py", "a.py", "m.py"):
        (repo / name).write_text(f'K = "{groq_key()}"\n')
    _cli(repo, "--write-baseline", "one.json", "--exit-zero")
    one = (repo / "one.json").read_text()
    _cli(repo, "--write-baseline", "one.json", "--exit-zero")  # written again: same salt, same bytes
    assert one == (repo / "one.json").read_text()
    files = [entry["file"] for entry in json.loads(one)["findings"]]
    assert files == sorted(files) and set(json.loads(one)) == {"aicheck_baseline", "salt", "findings"}  # no timestamp


def test_baseline_applies_to_history(repo: Path) -> None:
    key = groq_key()
    (repo / "a.py").write_text(f'K = "{key}"\n')
    git(repo, "add", "a.py")
    git(repo, "commit", "-qm", "add")
    _cli(repo, "--write-baseline", "base.json", "--exit-zero")
    assert _cli(repo, "--history", "--baseline", "base.json").returncode == 0


def test_bad_baseline_file(repo: Path) -> None:
    out = _cli(repo, "--baseline", "missing.json")
    assert out.returncode == 2 and "baseline file not found" in out.stderr
    (repo / "bad.json").write_text("[1, 2]")
    out = _cli(repo, "--baseline", "bad.json")
    assert out.returncode == 2 and "not an aicheck baseline" in out.stderr
