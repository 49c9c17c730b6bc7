from __future__ import annotations

import pytest

# The fake providers (key checks), the fake chat server and the saved report inputs, shared by
# every test module.
pytest_plugins = ("tests.fakes.fixtures", "tests.fakes.chat_fixtures", "tests.report_kit")


@pytest.fixture(autouse=True)
def _own_config_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Trust records live in the user's config folder: each test gets an empty one of its own,
    and no test touches the real home."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("xdg-config")))
    monkeypatch.delenv("APPDATA", raising=False)


@pytest.fixture(autouse=True)
def _stable_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Output assertions must not depend on the terminal running the tests."""
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("COLUMNS", "120")


@pytest.fixture(autouse=True)
def _no_user_cache(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """A model map the user fetched (``aicheck catalog update``) must not change what tests see."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.getbasetemp() / "xdg-cache"))
    monkeypatch.delenv("AICHECK_CACHE_DIR", raising=False)
    monkeypatch.delenv("AICHECK_CATALOG_URL", raising=False)


import secrets
import string
import subprocess
from pathlib import Path

ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"


def rand(length: int, alphabet: str = ALNUM) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def groq_key() -> str:
    return "gsk_" + rand(52)


def openrouter_key() -> str:
    return "sk-or-v1-" + rand(64, HEX)


def git(cwd: Path, *args: str) -> str:
    """Run git in a test repository with a fixed identity and no user config."""
    env = {
        "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com",
        "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(cwd), "PATH": "/usr/bin:/bin:/usr/local/bin",
    }
    out = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return out.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """An empty git repository in a temporary folder."""
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    return path
