"""Tracking checks against real git repositories: tracked .env files with secrets, files no
.gitignore rule covers, a committed .env.keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import git
from tests.envkit import check, found, write
from tests.keygen import KEYGEN


@pytest.fixture(autouse=True)
def _no_user_git_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """A global excludesFile that ignores .env would change what these repositories ignore."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def _secret_env() -> str:
    return f"PORT=3000\nGROQ_API_KEY={KEYGEN['groq-api-key']()}\n"


def test_tracked_env_with_secrets_is_critical(repo: Path) -> None:
    write(repo, {".env": _secret_env()})
    git(repo, "add", ".env")
    git(repo, "commit", "-qm", "oops")
    (item,) = found(check(repo), "env.tracked-secret")
    assert (item.file, item.line, item.severity) == (".env", 2, "critical") and "GROQ_API_KEY" in item.message


def test_staged_counts_as_tracked(repo: Path) -> None:
    write(repo, {".env": _secret_env()})
    git(repo, "add", ".env")
    assert len(found(check(repo), "env.tracked-secret")) == 1


def test_untracked_and_not_ignored_is_high(repo: Path) -> None:
    write(repo, {".env.production": _secret_env()})
    result = check(repo)
    (item,) = found(result, "env.not-ignored")
    assert item.file == ".env.production" and item.severity == "high" and found(result, "env.tracked-secret") == []


def test_ignored_env_is_fine(repo: Path) -> None:
    write(repo, {".gitignore": ".env*\n!.env.example\n", ".env": _secret_env(), ".env.local": _secret_env()})
    result = check(repo)
    assert found(result, "env.not-ignored") == [] and found(result, "env.tracked-secret") == []


def test_tracked_env_without_secrets_is_fine(repo: Path) -> None:
    write(repo, {".env": "VITE_API_URL=https://api.example.com\nPORT=3000\n"})
    git(repo, "add", ".env")
    assert check(repo).findings == []


def test_committed_keys_file_is_critical(repo: Path) -> None:
    write(repo, {".env.keys": "DOTENV_PRIVATE_KEY=" + "1f" * 32 + "\n", ".env": "A=1\n"})
    git(repo, "add", ".env.keys")
    git(repo, "commit", "-qm", "keys")
    (item,) = found(check(repo), "env.keys-file-committed")
    assert item.file == ".env.keys" and item.severity == "critical"


def test_keys_file_must_be_ignored(repo: Path) -> None:
    write(repo, {".env.keys": "DOTENV_PRIVATE_KEY=" + "1f" * 32 + "\n", ".env": "A=1\n"})
    assert [f.file for f in found(check(repo), "env.not-ignored")] == [".env.keys"]
    write(repo, {".gitignore": ".env.keys\n"})
    assert found(check(repo), "env.not-ignored") == [] and found(check(repo), "env.keys-file-committed") == []


def test_outside_a_repository_tracking_is_skipped_with_a_note(tmp_path: Path) -> None:
    result = check(write(tmp_path, {".env": _secret_env()}))
    assert found(result, "env.not-ignored") == [] and "env.tracked-secret" not in result.checks
    assert any("git" in note for note in result.notes)


def test_a_subfolder_of_a_repository(repo: Path) -> None:
    app = write(repo / "apps" / "web", {".env": _secret_env()})
    (item,) = found(check(app), "env.not-ignored")
    assert item.file == ".env"
