"""State that must not make answers wrong: a breaker opened by one run says when and by which
run, the report shows it, ``--reset`` clears it; keys come from the environment, then the .env
files env check finds, and smoke says where each came from."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.chat import FakeChat
from tests.fakes.chat_fixtures import KEYS, env_for

CONFIG = """
[[chain]]
provider = "groq"
model = "llama-3.3-70b-versatile"

[[chain]]
provider = "openrouter"
model = "openai/gpt-4o-mini"

[resilience]
max_retries = 0
breaker_failure_threshold = 1
breaker_cooldown_seconds = 600

[[smoke]]
name = "pong"
prompt = "Reply with the single word: pong"
expect = { icontains = "pong" }
"""


def dead_url() -> str:
    with socket.socket() as sock:  # a port nothing listens on once this socket is closed
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/v1"


def run(project: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    keep = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy") and not k.startswith("AICHECK_") and k not in KEYS}
    return subprocess.run([sys.executable, "-m", "aicheck", *args], cwd=project, env={**keep, "NO_COLOR": "1", "COLUMNS": "200", **env},
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "aicheck.toml").write_text(CONFIG)
    return tmp_path


def test_a_breaker_opened_by_a_dead_url_says_by_which_run_and_reset_clears_it(project: Path, chat: FakeChat) -> None:
    healthy = env_for(chat, "groq", "openrouter")
    first = run(project, "smoke", "--no-cache", "-f", "json", **{**healthy, "AICHECK_GROQ_BASE_URL": dead_url()})
    groq = json.loads(first.stdout)["summary"]["providers"][0]
    run_id = json.loads(first.stdout)["summary"]["run_id"]
    assert groq["breaker"]["state"] == "open" and groq["breaker"]["opened_by_run"] == run_id
    # the next run against a healthy groq skips it without a request, and says why
    second = run(project, "smoke", "--no-cache", **healthy)
    flat = " ".join(second.stdout.split())  # the provider table wraps its Breaker column
    assert not chat.requests("groq") and f"by run {run_id}" in flat and "breaker_open" in second.stdout
    report = run(project, "report", "--skip", "keys", "--no-cache", **healthy)
    assert f"Circuit breaker groq/llama-3.3-70b-versatile is open since" in report.stdout and "smoke --reset" in report.stdout
    third = run(project, "smoke", "--reset", "-f", "json", **healthy)
    assert len(chat.requests("groq")) == 1 and json.loads(third.stdout)["summary"]["providers"][0]["breaker"]["state"] == "closed"


def test_keys_come_from_the_environment_then_the_env_files_and_say_where(project: Path, chat: FakeChat) -> None:
    urls = {k: v for k, v in env_for(chat, "groq", "openrouter").items() if k.startswith("AICHECK_")}
    (project / ".env").write_text(f"GROQ_API_KEY=gsk_{'x' * 52}\nOPENROUTER_API_KEY={KEYS['OPENROUTER_API_KEY']}\n")
    (project / ".env.local").write_text(f"GROQ_API_KEY={KEYS['GROQ_API_KEY']}\n")  # .env.local wins over .env
    out = run(project, "smoke", "--no-cache", "--drill", "groq", **urls)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Keys: GROQ_API_KEY from .env.local; OPENROUTER_API_KEY from .env." in out.stdout
    out = run(project, "smoke", "--no-cache", "-f", "json", **urls, OPENROUTER_API_KEY=KEYS["OPENROUTER_API_KEY"])
    assert json.loads(out.stdout)["summary"]["key_sources"] == {"GROQ_API_KEY": ".env.local", "OPENROUTER_API_KEY": "environment"}
    assert chat.requests("groq")[-1].key == KEYS["GROQ_API_KEY"]
