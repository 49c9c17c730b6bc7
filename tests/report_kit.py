"""A project to report on, and the JSON its checks save, made by the real commands against the fake
providers (key checks) and the fake chat server (smoke), all on 127.0.0.1.

``saved_results`` runs ``aicheck scan --verify``, ``env check``, ``keys validate`` and ``smoke`` as a
user would with ``--format json --output FILE``, so a report built ``--from`` them reads exactly what
those commands write.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import git
from tests.fakes.chat import FakeChat, slow, unavailable
from tests.fakes.providers import ANSWERS, GROQ_HEADERS, FakeProviders, Reply
from tests.keygen import KEYGEN

CHAIN_TOML = """
[env]
files = [".env"]
example = ".env.example"

[[chain]]
provider = "groq"
model = "llama-3.3-70b-versatile"
key_env = "GROQ_API_KEY"

[[chain]]
provider = "openrouter"
model = "openai/gpt-4o-mini"
key_env = "OPENROUTER_API_KEY"

[resilience]
max_retries = 1
backoff_base_seconds = 0.01
backoff_cap_seconds = 0.02
concurrency = 8

[slo]
p95_latency_ms = 250
"""
PROMPTS = ["greeting", "summary", "translate", "classify", "extract", "rewrite", "answer", "title"]
GROQ_DELAYS = [0.04, 0.07, 0.1, 0.14, 0.18, 0.22, 0.3]  # seconds, one per answered groq prompt


@dataclass
class Project:
    root: Path
    keys: dict[str, str]


def environment(**extra: str) -> dict[str, str]:
    """A clean environment for a child run: no provider key, proxy or aicheck setting of the caller's."""
    keep = {name: value for name, value in os.environ.items() if not _private(name)}
    return {**keep, "NO_COLOR": "1", "COLUMNS": "120", **extra}


def _private(name: str) -> bool:
    upper = name.upper()
    return upper.startswith("AICHECK_") or upper.endswith(("_API_KEY", "_TOKEN", "_KEY", "_PROXY")) or upper.startswith("DOTENV_")


def make_project(root: Path, *, smoke_prompts: bool = True, expose: bool = False) -> Project:
    """A git repository with a chain config, a .env the app loads (ignored by git) with a key the
    example does not list and, with ``expose``, the OpenAI key of the .env hard-coded in a source
    file too."""
    keys = {
        "GROQ_API_KEY": KEYGEN["groq-api-key"](),
        "OPENROUTER_API_KEY": KEYGEN["openrouter-api-key"](),
        "OPENAI_API_KEY": KEYGEN["openai-api-key"](),
    }
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    toml = CHAIN_TOML + ("".join(_prompt(name) for name in PROMPTS) if smoke_prompts else "")
    (root / "aicheck.toml").write_text(toml)
    (root / ".gitignore").write_text("node_modules/\n.env\n")
    (root / ".env").write_text("".join(f"{name}={value}\n" for name, value in keys.items()))
    (root / ".env.example").write_text("GROQ_API_KEY=\nOPENROUTER_API_KEY=\n")
    (root / "src").mkdir()
    source = f'export const client = new OpenAI({{ apiKey: "{keys["OPENAI_API_KEY"]}" }});\n' if expose else "export {};\n"
    (root / "src" / "config.ts").write_text(source)
    git(root, "add", "aicheck.toml", ".gitignore", ".env.example", "src")
    git(root, "commit", "-qm", "app")
    return Project(root, keys)


def _prompt(name: str) -> str:
    expect = '{ icontains = "banana" }' if name == "title" else '{ icontains = "pong" }'
    return f'\n[[smoke]]\nname = "{name}"\nprompt = "Reply with the single word: pong ({name})"\nexpect = {expect}\n'


def script_keys(fake: FakeProviders, project: Project) -> None:
    """GROQ and OPENROUTER keys work (groq's headroom nearly used up), OPENAI's has no credit."""
    low = {**GROQ_HEADERS, "x-ratelimit-remaining-requests": "310"}
    fake.answer("groq", Reply(200, ANSWERS["groq"]["valid"].json, headers=low), key=project.keys["GROQ_API_KEY"])
    fake.answer("openrouter", ANSWERS["openrouter"]["valid"], key=project.keys["OPENROUTER_API_KEY"])
    fake.answer("openai", ANSWERS["openai"]["no_credit"], key=project.keys["OPENAI_API_KEY"])


def script_chat(fake: FakeChat) -> None:
    """Groq answers at spread-out speeds, fails once (503, then the fallback answers)."""
    fake.cost["openrouter"] = 0.00004
    fake.script("groq", *(slow(delay) for delay in GROQ_DELAYS), unavailable(), unavailable())


def chat_env(fake: FakeChat, project: Project, state: Path) -> dict[str, str]:
    return {
        **project.keys, "AICHECK_STATE_DIR": str(state),
        "AICHECK_GROQ_BASE_URL": fake.base_url("groq"), "AICHECK_OPENROUTER_BASE_URL": fake.base_url("openrouter"),
    }


def keys_env(fake: FakeProviders, state: Path) -> dict[str, str]:
    return {**fake.env(), "AICHECK_STATE_DIR": str(state)}


def saved_results(project: Project, providers: FakeProviders, chat: FakeChat, out: Path, state: Path) -> dict[str, Path]:
    """Each check's JSON, saved by the command itself: scan --verify, env check, keys validate, smoke."""
    out.mkdir(parents=True, exist_ok=True)
    script_keys(providers, project)
    script_chat(chat)
    files = {name: out / f"{name}.json" for name in ("scan", "env", "keys", "smoke", "code")}
    runs = {
        "scan": (["scan", "--verify"], keys_env(providers, state)),
        "env": (["env", "check"], {"AICHECK_STATE_DIR": str(state)}),
        "keys": (["keys", "validate", "--env-file", ".env"], keys_env(providers, state)),
        "smoke": (["smoke"], chat_env(chat, project, state)),
        "code": (["code"], {"AICHECK_STATE_DIR": str(state)}),
    }
    for name, (args, env) in runs.items():
        outcome = invoke(*args, "--format", "json", "--output", str(files[name]), cwd=project.root, env=env)
        assert outcome.returncode in (0, 1), (name, outcome.stdout, outcome.stderr)
    return files


def invoke(*args: str, cwd: Path, env: Mapping[str, str | None]) -> Outcome:
    """The CLI in this process, with the caller's provider keys and aicheck settings removed."""
    from typer.testing import CliRunner

    from aicheck.cli import _build_app

    cleared: dict[str, str | None] = {name: None for name in os.environ if _private(name)}
    with chdir(cwd):
        result = CliRunner().invoke(_build_app(), list(args), env={**cleared, "NO_COLOR": "1", **env})
    return Outcome(result.exit_code, result.stdout, result.stderr)


@dataclass
class Outcome:
    returncode: int
    stdout: str
    stderr: str


@contextmanager
def chdir(path: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


@dataclass
class Saved:
    project: Project
    files: dict[str, Path]  # part name -> the JSON its command saved


@pytest.fixture(scope="session")
def saved(provider_server: FakeProviders, chat_server: FakeChat, tmp_path_factory: pytest.TempPathFactory) -> Saved:
    """The four checks' JSON of one project, made once for the session (read-only for tests)."""
    base = tmp_path_factory.mktemp("report-saved")
    provider_server.reset()
    chat_server.reset()
    project = make_project(base / "app")
    files = saved_results(project, provider_server, chat_server, base / "out", base / "state")
    provider_server.reset()
    chat_server.reset()
    return Saved(project, files)


def run(*args: str, cwd: Path, state: Path, **env: str) -> Outcome:
    """``aicheck report ARGS`` in this process, its history in ``state``."""
    return invoke("report", *args, cwd=cwd, env={"AICHECK_STATE_DIR": str(state), **env})
