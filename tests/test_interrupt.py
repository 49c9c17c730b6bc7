"""Ctrl-C and SIGTERM end a scan as a whole: exit 130, one line, no traceback, nothing left running.

A real ``aicheck`` process in a session of its own, a real signal: SIGINT to the whole process
group (what a terminal's Ctrl-C does) or SIGTERM to aicheck alone (what CI runners and
``timeout`` do). Afterwards no process of that session (worker, ``git``) may be alive.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import git

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from /proc")

# Keyword-dense lines keep the scanner busy for seconds on a few megabytes.
LINE = b'    secret_token = os.environ.get("SERVICE_TOKEN", "")  # token for sk-ant- and ghp_ AKIA\n'
FILES, FILE_BYTES = 24, 500_000


def busy_tree(root: Path) -> Path:
    root.mkdir(exist_ok=True)
    for index in range(FILES):
        header = f"# module {index}\n".encode()  # distinct files: distinct blobs in git
        (root / f"module_{index}.py").write_bytes(header + LINE * (FILE_BYTES // len(LINE)))
    return root


def session(sid: int) -> list[str]:
    """Live processes of session ``sid``: 'pid command' each (zombies excluded)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name, rest = text[text.index("(") + 1 : text.rindex(")")], text[text.rindex(")") + 2 :].split()
        if int(rest[3]) == sid and rest[0] != "Z":
            found.append(f"{stat.parent.name} {name}")
    return found


def interrupt(args: list[str], cwd: Path, sig: int, whole_group: bool) -> tuple[subprocess.CompletedProcess[str], float]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "aicheck", *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True,
    )
    deadline = time.monotonic() + 20
    while len(session(proc.pid)) < 2 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)  # until workers or git run beside aicheck
    time.sleep(0.3)
    assert proc.poll() is None, "the scan ended before it could be interrupted: make the workload bigger"
    sent = time.monotonic()
    if whole_group:
        os.killpg(proc.pid, sig)
    else:
        proc.send_signal(sig)
    out, err = proc.communicate(timeout=30)
    elapsed = time.monotonic() - sent
    deadline = time.monotonic() + 2
    while session(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert session(proc.pid) == [], "processes left behind"
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err), elapsed


def check(result: subprocess.CompletedProcess[str], elapsed: float) -> None:
    assert result.returncode == 130, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == "aicheck: interrupted"
    assert "No exposed credentials" not in result.stdout
    assert elapsed < 5, f"took {elapsed:.1f} s to stop"  # generous: the target is under a second


def test_ctrl_c_stops_a_tree_scan_and_its_workers(tmp_path: Path) -> None:
    tree = busy_tree(tmp_path / "tree")
    check(*interrupt(["scan", str(tree)], tmp_path, signal.SIGINT, whole_group=True))


def test_sigterm_stops_a_tree_scan_and_its_workers(tmp_path: Path) -> None:
    tree = busy_tree(tmp_path / "tree")
    check(*interrupt(["scan", str(tree)], tmp_path, signal.SIGTERM, whole_group=False))


def test_sigterm_stops_a_history_scan_its_workers_and_git(repo: Path) -> None:
    busy_tree(repo / "src")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "busy")
    check(*interrupt(["scan", "--history", "."], repo, signal.SIGTERM, whole_group=False))


def test_ctrl_c_stops_a_staged_scan(repo: Path) -> None:
    busy_tree(repo / "src")
    git(repo, "add", ".")
    check(*interrupt(["scan", "--staged"], repo, signal.SIGINT, whole_group=True))
