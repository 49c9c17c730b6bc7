"""``aicheck smoke`` as a user runs it: a real process, a real config, fake providers on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree

import pytest

from aicheck.state import State
from tests.fakes.chat import FakeChat, Reply, unauthorized, unavailable
from tests.fakes.chat_fixtures import KEYS, env_for

CONFIG = """
[[chain]]
provider = "groq"
model = "llama-3.3-70b-versatile"

[[chain]]
provider = "openrouter"
model = "openai/gpt-4o-mini"

[resilience]
max_retries = 1
backoff_base_seconds = 0.01
backoff_cap_seconds = 0.02

[[smoke]]
name = "pong"
prompt = "Reply with the single word: pong"
expect = { icontains = "pong", max_latency_ms = 5000 }

[[smoke]]
name = "streamed"
prompt = "Say pong, streamed"
stream = true
expect = { contains = "pong", not_contains = "ping" }
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "aicheck.toml").write_text(CONFIG)
    return tmp_path


def smoke(project: Path, fake: FakeChat, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    keep = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy") and not k.startswith("AICHECK_")}
    environ = {**keep, **env_for(fake, "groq", "openrouter"), "NO_COLOR": "1", "COLUMNS": "200", **env}
    return subprocess.run([sys.executable, "-m", "aicheck", "smoke", *args], cwd=project, env=environ,
                          capture_output=True, text=True, timeout=60)


def as_json(out: subprocess.CompletedProcess[str]) -> dict:  # type: ignore[type-arg]
    assert out.stdout, out.stderr
    document: dict = json.loads(out.stdout)  # type: ignore[type-arg]
    return document


def test_a_healthy_chain_passes_and_the_run_is_remembered(project: Path, chat: FakeChat) -> None:
    out = smoke(project, chat, "--no-cache")
    assert out.returncode == 0, out.stderr
    assert "pong" in out.stdout and "streamed" in out.stdout and "2 prompts: 2 passed" in out.stdout
    assert "groq" in out.stdout and "llama-3.3-70b-versatile" in out.stdout and "14370/14400" in out.stdout  # headroom
    assert (project / ".aicheck" / ".gitignore").read_text().strip().endswith("*")
    with State.open(project, env={}) as state:
        (run,) = state.runs("smoke")
    assert run["summary"]["availability"] == 1.0 and [r["name"] for r in run["results"]] == ["pong", "streamed"]
    assert run["summary"]["providers"][0]["provider"] == "groq"


def test_json_results_per_prompt_and_per_provider(project: Path, chat: FakeChat) -> None:
    chat.script("groq", unavailable())
    document = as_json(smoke(project, chat, "--no-cache", "--prompt", "pong", "-f", "json"))
    assert (document["tool"], document["command"], document["schema"]) == ("aicheck", "smoke", 1)
    (result,) = document["results"]
    assert result["status"] == "passed" and result["provider"] == "groq" and result["attempts"] == 2
    assert result["tokens"] == {"input": 12, "output": 3, "cached": 0} and result["cost_usd"] > 0
    assert [a["name"] for a in result["assertions"]] == ["icontains", "max_latency_ms"]
    groq, openrouter = document["summary"]["providers"]
    assert groq["success_rate"] == 1.0 and groq["requests"] == 2 and groq["breaker"]["state"] == "closed"
    assert groq["rate_limit"]["requests"]["remaining"] == 14370 and openrouter["calls"] == 0


def test_the_second_run_is_served_from_the_cache_and_kept_out_of_latency(project: Path, chat: FakeChat) -> None:
    assert smoke(project, chat).returncode == 0
    sent = len(chat.requests())
    document = as_json(smoke(project, chat, "-f", "json"))
    assert len(chat.requests()) == sent  # nothing sent
    assert all(r["cached"] and r["latency_ms"] is None for r in document["results"])
    assert document["summary"]["cache_hits"] == 2 and document["summary"]["p95_ms"] is None
    assert [a["passed"] for a in document["results"][0]["assertions"]] == [True, None]  # latency not judged on a cache hit
    smoke(project, chat, "--no-cache")
    assert len(chat.requests()) == sent + 2


def test_a_drill_shows_the_next_provider_taking_over(project: Path, chat: FakeChat) -> None:
    out = smoke(project, chat, "--drill", "groq", "--no-cache", "-f", "github")
    assert out.returncode == 0 and not chat.requests("groq") and len(chat.requests("openrouter")) == 2
    assert "::warning title=aicheck smoke%3A pong%3A answered by a fallback::groq/llama-3.3-70b-versatile ✗ (drill) → openrouter/openai/gpt-4o-mini ✓" in out.stdout
    assert "drill: groq" in out.stdout


def test_a_failed_expectation_exits_one(project: Path, chat: FakeChat) -> None:
    chat.text["groq"] = "ping"
    out = smoke(project, chat, "--no-cache", "-f", "junit")
    assert out.returncode == 1
    suite = ElementTree.fromstring(out.stdout).find("testsuite")
    assert suite is not None and suite.get("tests") == "2" and suite.get("failures") == "2"
    cases = {case.get("name"): case for case in suite.findall("testcase")}
    assert set(cases) == {"pong", "streamed"}
    failure = cases["pong"].find("failure")
    assert failure is not None and "answer: 'ping'" in (failure.get("message") or "")
    assert smoke(project, chat, "--no-cache", "--exit-zero").returncode == 0


def test_every_provider_down_ends_in_a_structured_error(project: Path, chat: FakeChat) -> None:
    chat.always("groq", unauthorized())
    chat.always("openrouter", unavailable(503))
    out = smoke(project, chat, "--no-cache", "-f", "json")
    assert out.returncode == 1
    document = as_json(out)
    error = document["results"][0]["error"]
    assert document["results"][0]["status"] == "error" and error["type"] == "chain_exhausted"
    assert [c["kind"] for c in error["causes"]] == ["invalid_key", "server"]
    assert document["summary"]["availability"] == 0.0 and document["summary"]["providers"][0]["errors"] == {"invalid_key": 2}
    assert len(chat.requests("groq")) == 2  # one per prompt: a wrong key is not retried


def test_markdown_for_the_step_summary(project: Path, chat: FakeChat) -> None:
    out = smoke(project, chat, "--no-cache", "-f", "markdown")
    assert out.returncode == 0
    assert out.stdout.startswith("## aicheck smoke") and "| `pong` | ✅ passed | groq/llama-3.3-70b-versatile ✓ |" in out.stdout
    assert "| 1 | groq | `llama-3.3-70b-versatile` |" in out.stdout


def test_the_budget_stops_a_run_before_it_overspends(project: Path, chat: FakeChat) -> None:
    """Each prompt could cost up to $0.000065 on groq (prompt and 64 tokens out at its prices); with
    $0.0001 per run, four answers of $0.0000095 leave no room for a fifth."""
    prompts = "".join(f'[[smoke]]\nname = "p{i}"\nprompt = "Reply with pong, number {i}"\nexpect = {{ icontains = "pong" }}\n' for i in range(6))
    (project / "aicheck.toml").write_text(
        '[[chain]]\nprovider = "groq"\nmodel = "llama-3.3-70b-versatile"\n'
        "[resilience]\nconcurrency = 1\n[budget]\nper_run_usd = 0.0001\n" + prompts
    )
    document = as_json(smoke(project, chat, "--no-cache", "-f", "json"))
    statuses = [r["status"] for r in document["results"]]
    assert statuses == ["passed"] * 4 + ["error"] * 2
    assert len(chat.requests()) == 4  # the fifth and sixth were never sent
    assert document["summary"]["budget"]["spent_run_usd"] <= 0.0001
    (cause,) = document["results"][4]["error"]["causes"]
    assert cause["kind"] == "budget" and cause["attempts"] == 0 and "not sent" in cause["detail"] and "per_run_usd" in cause["detail"]


def test_spend_from_earlier_runs_counts_against_the_day(project: Path, chat: FakeChat) -> None:
    (project / "aicheck.toml").write_text(CONFIG + "\n[budget]\nper_day_usd = 0.5\n")
    with State.open(project, env={}) as state:
        state.record_spend("groq", "llama-3.3-70b-versatile", 0.49999, at=time.time())
    out = smoke(project, chat, "--no-cache", "-f", "json")
    assert out.returncode == 1 and not chat.requests()
    for result in as_json(out)["results"]:
        assert result["status"] == "error" and [c["kind"] for c in result["error"]["causes"]] == ["budget", "budget"]


def test_keys_are_never_printed_nor_stored(project: Path, chat: FakeChat) -> None:
    chat.always("groq", lambda r: Reply(401, {"error": {"message": f"Incorrect API key provided: {r.key}", "code": "invalid_api_key"}}))
    chat.always("openrouter", lambda r: Reply(401, {"error": {"code": 401, "message": f"No auth credentials found for {r.key}"}}))
    for fmt in ("text", "json", "junit", "github", "markdown"):
        out = smoke(project, chat, "--no-cache", "-f", fmt, "-v")
        assert out.returncode == 1
        assert KEYS["GROQ_API_KEY"] not in out.stdout + out.stderr and KEYS["OPENROUTER_API_KEY"] not in out.stdout + out.stderr
    data = b"".join(path.read_bytes() for path in (project / ".aicheck").iterdir())
    assert KEYS["GROQ_API_KEY"].encode() not in data and KEYS["OPENROUTER_API_KEY"].encode() not in data


@pytest.mark.parametrize(("config", "message"), [
    ('[[chain]]\nprovider = "gorq"\nmodel = "x"\n', "invalid value for 'chain[0].provider': unknown provider 'gorq'"),
    ('[providers.mygw]\nbase_url = "https://gw.example/v1"\n[[chain]]\nprovider = "mygw"\nmodel = "m"\n', "missing 'chain[0].key_env'"),
    ('[[chain]]\nprovider = "groq"\nmodel = "m"\n[budget]\nper_run_usd = -0.5\n', "invalid value for 'budget.per_run_usd': expected a non-negative number"),
    ('[[chain]]\nprovider = "groq"\nmodel = "m"\n[[smoke]]\nname = "a"\nprompt = "hi"\n', "missing 'smoke[0].expect': expected at least one of"),
    ('[[smoke]]\nname = "a"\nprompt = "hi"\nexpect = { contains = "x" }\n', "no [[chain]] entries"),
])
def test_a_wrong_config_is_an_error_naming_the_file_and_the_key(project: Path, chat: FakeChat, config: str, message: str) -> None:
    (project / "aicheck.toml").write_text(config)
    out = smoke(project, chat)
    assert out.returncode == 2 and out.stdout == ""
    assert str(project / "aicheck.toml") in out.stderr and message in out.stderr
    assert not chat.requests()


@pytest.mark.parametrize(("args", "message"), [
    (["--drill", "openai"], "--drill openai: no chain entry has this name, provider/model or provider (the chain is: groq/llama-3.3-70b-versatile, openrouter/openai/gpt-4o-mini)"),
    (["--prompt", "nope"], "--prompt nope: no [[smoke]] entry has that name"),
    (["--format", "sarif"], "'sarif' is not one of 'text', 'json', 'junit', 'github', 'markdown'"),
])
def test_wrong_options_exit_two_before_any_request(project: Path, chat: FakeChat, args: list[str], message: str) -> None:
    out = smoke(project, chat, *args)
    assert out.returncode == 2 and message in out.stderr and not chat.requests()


def test_without_a_config_file_the_error_says_what_to_write(tmp_path: Path, chat: FakeChat) -> None:
    out = smoke(tmp_path, chat)
    assert out.returncode == 2 and "no config file (aicheck.toml" in out.stderr and "[[chain]]" in out.stderr


def test_the_state_folder_can_be_moved(project: Path, chat: FakeChat, tmp_path_factory: pytest.TempPathFactory) -> None:
    elsewhere = tmp_path_factory.mktemp("state")
    assert smoke(project, chat, AICHECK_STATE_DIR=str(elsewhere)).returncode == 0
    assert (elsewhere / "state.db").is_file() and not (project / ".aicheck").exists()
