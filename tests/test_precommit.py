"""The real pre-commit framework running this repository's hook on a temporary repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import git, groq_key

ROOT = Path(__file__).resolve().parent.parent
PRE_COMMIT = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which("pre-commit")

pytestmark = pytest.mark.skipif(PRE_COMMIT is None, reason="pre-commit is not installed (pip install -e '.[test]')")


def try_repo(repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "GIT_CONFIG_GLOBAL": "/dev/null", "NO_COLOR": "1"}
    return subprocess.run(
        [str(PRE_COMMIT), "try-repo", str(ROOT), "aicheck", "--verbose"],
        cwd=repo, env=env, capture_output=True, text=True, timeout=600,
    )


def test_staged_key_blocks_and_clean_change_passes(repo: Path, tmp_path: Path) -> None:
    home = tmp_path / "pre-commit-home"
    (repo / "app.py").write_text("print('hello')\n")
    git(repo, "add", "app.py")
    clean = try_repo(repo, home)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Passed" in clean.stdout

    key = groq_key()
    (repo / "settings.py").write_text(f'GROQ_API_KEY = "{key}"\n')
    git(repo, "add", "settings.py")
    blocked = try_repo(repo, home)
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert "Failed" in blocked.stdout and "settings.py" in blocked.stdout
    assert key not in blocked.stdout + blocked.stderr
