"""A scan that read nothing is not clean (issue 11, item 7), and odd inputs never hang or crash.

Each case runs the real command: it must exit 2 with one line saying what is wrong, never
"No exposed credentials found" with exit 0, and never hang (a timeout fails the test).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import git, groq_key


def aicheck(*args: str, cwd: Path, shell: str | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "aicheck", *args]
    if shell is not None:
        cmd = ["bash", "-c", shell.replace("AICHECK", f"{sys.executable} -m aicheck")]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def refused(result: subprocess.CompletedProcess[str], words: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "No exposed credentials" not in result.stdout
    assert words in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    refused(aicheck("scan", "pipe", cwd=tmp_path), "pipe or FIFO")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_dev_zero_is_refused(tmp_path: Path) -> None:
    refused(aicheck("scan", "/dev/zero", cwd=tmp_path), "character device")


@pytest.mark.skipif(shutil.which("bash") is None or not Path("/dev/fd").exists(), reason="needs bash and /dev/fd")
def test_a_process_substitution_path_is_refused_with_the_stdin_hint(tmp_path: Path) -> None:
    result = aicheck(cwd=tmp_path, shell=f"AICHECK scan <(echo 'K={groq_key()}')")
    refused(result, "aicheck scan -")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_an_unreadable_file_or_folder_named_on_the_command_line_is_refused(tmp_path: Path) -> None:
    (tmp_path / "locked.env").write_text(f"K={groq_key()}\n")
    (tmp_path / "locked.env").chmod(0)
    (tmp_path / "closed").mkdir()
    (tmp_path / "closed").chmod(0)
    try:
        refused(aicheck("scan", "locked.env", cwd=tmp_path), "cannot read")
        refused(aicheck("scan", "closed", cwd=tmp_path), "cannot read")
    finally:
        (tmp_path / "closed").chmod(0o755)


def test_a_corrupt_object_in_history_is_an_error(repo: Path) -> None:
    (repo / "app.py").write_text("print('hello')\n" * 50)
    git(repo, "add", "app.py")
    git(repo, "commit", "-qm", "add")
    oid = git(repo, "rev-parse", "HEAD:app.py").strip()
    loose = repo / ".git" / "objects" / oid[:2] / oid[2:]
    loose.chmod(0o644)
    loose.write_bytes(b"this is not a zlib stream" * 4)
    result = aicheck("scan", "--history", ".", cwd=repo)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "No exposed credentials" not in result.stdout and "Traceback" not in result.stderr
    assert "git" in result.stderr


def test_a_missing_object_in_history_is_skipped_with_a_warning(repo: Path) -> None:
    key = groq_key()
    (repo / "gone.bin.txt").write_text("large file that a partial clone left out\n")
    (repo / "app.py").write_text(f'K = "{key}"\n')
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "add")
    oid = git(repo, "rev-parse", "HEAD:gone.bin.txt").strip()
    (repo / ".git" / "objects" / oid[:2] / oid[2:]).unlink()
    result = aicheck("scan", "--history", ".", "-f", "json", cwd=repo)
    assert result.returncode == 1 and '"app.py"' in result.stdout
    assert "1 file version(s) are missing" in result.stderr


def test_a_shallow_clone_warns_that_history_is_partial(repo: Path, tmp_path: Path) -> None:
    for index in range(3):
        (repo / "n.py").write_text(f"N = {index}\n")
        git(repo, "add", "n.py")
        git(repo, "commit", "-qm", f"c{index}")
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    result = aicheck("scan", "--history", ".", cwd=clone)
    assert result.returncode == 0
    assert "shallow clone" in result.stderr and "--unshallow" in result.stderr
    assert "shallow" not in aicheck("scan", "--history", ".", cwd=repo).stderr


def test_a_deeply_nested_tree_is_scanned_without_recursion_error(tmp_path: Path) -> None:
    folders = [tmp_path / "tree"]
    for _ in range(1200):  # deeper than Python's default recursion limit (1000)
        folders.append(folders[-1] / "d")
    for folder in folders:
        folder.mkdir()
    (folders[-1] / "secret.env").write_text(f"GROQ_API_KEY={groq_key()}\n")
    try:
        result = aicheck("scan", "tree", "-f", "json", cwd=tmp_path)
    finally:  # pytest's own clean-up (shutil.rmtree) recurses and would fail on this tree
        (folders[-1] / "secret.env").unlink()
        for folder in reversed(folders):
            folder.rmdir()
    assert result.returncode == 1, result.stderr
    assert "secret.env" in result.stdout and "RecursionError" not in result.stderr


def test_lockfiles_are_skipped_like_the_peers_do(repo: Path) -> None:
    """pnpm-lock.yaml and friends are generated (versions, checksums); gitleaks and betterleaks skip them."""
    (repo / "pnpm-lock.yaml").write_text(f"  token: {groq_key()}\n")
    (repo / "app.py").write_text(f'K = "{groq_key()}"\n')
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "add")
    for args in (["scan", "."], ["scan", "--history", "."]):
        result = aicheck(*args, "-f", "json", cwd=repo)
        assert [f["file"] for f in json.loads(result.stdout)["findings"]] == ["app.py"]
