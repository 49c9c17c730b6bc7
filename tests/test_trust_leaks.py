"""The leaks of issue 11 items 4-6, each played once: a key that shows in an error, a budget that
does not hold, a stream or a cache without a bound. Real processes, the fake chat on 127.0.0.1."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.chat import FakeChat, Reply
from tests.fakes.chat_fixtures import KEYS, env_for
from tests.fakes.fixtures import check_one, key_for
from tests.fakes.providers import FakeProviders
from tests.fakes.providers import Reply as ProviderReply

CHAIN = '[[chain]]\nprovider = "groq"\nmodel = "{model}"\n'
PROMPT = '[[smoke]]\nname = "p{n}"\nprompt = "Say pong {n}"\nexpect = {{ icontains = "pong" }}\n'


def smoke(project: Path, chat: FakeChat, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    keep = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy") and not k.startswith("AICHECK_")}
    environ = {**keep, **env_for(chat, "groq", "openrouter"), "NO_COLOR": "1", "COLUMNS": "200", **env}
    return subprocess.run([sys.executable, "-m", "aicheck", "smoke", *args], cwd=project, env=environ,
                          capture_output=True, text=True, timeout=60)


def state_bytes(project: Path) -> bytes:
    return b"".join(path.read_bytes() for path in (project / ".aicheck").glob("state.db*"))


def project_with(tmp_path: Path, config: str) -> Path:
    (tmp_path / "aicheck.toml").write_text(config)
    return tmp_path


# --- item 4: no key in any error text, output or state ---------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_key_with_a_newline_is_refused_without_showing_it(tmp_path: Path, chat: FakeChat, fmt: str) -> None:
    head, tail = KEYS["GROQ_API_KEY"][:30], KEYS["GROQ_API_KEY"][30:]
    project = project_with(tmp_path, CHAIN.format(model="llama-3.3-70b-versatile") + PROMPT.format(n=1))
    out = smoke(project, chat, "--format", fmt, GROQ_API_KEY=f"{head}\n{tail}")
    assert out.returncode == 1, out.stderr
    assert ("contains spaces or control characters" if fmt == "json" else "no_key") in out.stdout
    everything = (out.stdout + out.stderr).encode() + state_bytes(project)
    assert head[4:].encode() not in everything and tail.encode() not in everything
    assert chat.requests() == []


def test_a_non_ascii_key_is_refused_not_an_internal_error(tmp_path: Path, chat: FakeChat) -> None:
    key = KEYS["GROQ_API_KEY"][:-1] + "é"
    project = project_with(tmp_path, CHAIN.format(model="llama-3.3-70b-versatile") + PROMPT.format(n=1))
    out = smoke(project, chat, "--format", "json", GROQ_API_KEY=key)
    assert out.returncode == 1 and "non-ASCII" in out.stdout, out.stderr
    assert key[4:-1] not in out.stdout + out.stderr


def test_a_provider_message_is_scrubbed_before_it_is_cut(fake: FakeProviders) -> None:
    """The key sits across the 300-character cut: not one piece of it may show."""
    item = key_for("openai")
    message = "x" * 285 + f" Incorrect API key provided: {item.key}."
    fake.answer("openai", ProviderReply(401, {"error": {"message": message, "code": "invalid_api_key"}}), key=item.key)
    result = check_one(fake, item)
    assert result.status == "invalid"
    assert item.key[8:20] not in json.dumps(result.to_dict())


def test_an_error_that_spells_the_key_escaped_is_scrubbed() -> None:
    from aicheck.redaction import scrub

    key = "gsk_" + "A1b2C3d4" * 6 + "\n" + "Z9y8X7w6" * 2
    for text in (f"Illegal header value b'Bearer {key!r}'", json.dumps({"k": key}), f"{key}".replace("\n", "%0A")):
        cleaned = scrub(text, key)
        assert "A1b2C3d4A1b2" not in cleaned and "Z9y8X7w6Z9y8" not in cleaned, cleaned


# --- item 5: a budget that holds --------------------------------------------------------------------


def test_an_unpriced_model_is_budgeted_at_the_highest_price(tmp_path: Path, chat: FakeChat) -> None:
    config = CHAIN.format(model="my-unpriced-finetune") + "[budget]\nper_run_usd = 0.001\n" + "".join(PROMPT.format(n=n) for n in range(4))
    out = smoke(project_with(tmp_path, config), chat, "--format", "json")
    assert chat.requests() == [], "a model with no price must not count as free"
    steps = [step for result in json.loads(out.stdout)["results"] for step in result["path"]]
    assert steps and all(step["kind"] == "budget" for step in steps)


def test_an_unpriced_answer_counts_against_the_day(tmp_path: Path, chat: FakeChat) -> None:
    config = CHAIN.format(model="my-unpriced-finetune") + PROMPT.format(n=1)
    project = project_with(tmp_path, config)
    assert smoke(project, chat).returncode == 0
    with sqlite3.connect(project / ".aicheck" / "state.db") as db:
        (spent,) = db.execute("SELECT sum(cost_usd) FROM spend").fetchone()
    assert spent and spent > 0


def test_concurrent_runs_share_the_day_budget(tmp_path: Path, chat: FakeChat) -> None:
    """Three runs at once against $0.03 a day: each call reserves ~$0.012 and costs $0.01."""
    chat.cost["openrouter"] = 0.01
    prompts = "".join(PROMPT.format(n=n) for n in range(3)).replace('expect =', 'max_tokens = 20000\nexpect =')
    config = '[[chain]]\nprovider = "openrouter"\nmodel = "openai/gpt-4o-mini"\n[budget]\nper_day_usd = 0.03\n' + prompts
    project = project_with(tmp_path, config)
    keep = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy") and not k.startswith("AICHECK_")}
    environ = {**keep, **env_for(chat, "openrouter"), "AICHECK_STATE_DIR": str(tmp_path / "state")}
    runs = [subprocess.Popen([sys.executable, "-m", "aicheck", "smoke", "--no-cache"], cwd=project, env=environ,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)]
    for run in runs:
        run.communicate(timeout=60)
    with sqlite3.connect(tmp_path / "state" / "state.db") as db:
        (spent,) = db.execute("SELECT coalesce(sum(cost_usd), 0) FROM spend").fetchone()
    assert spent <= 0.03 + 1e-9
    assert len(chat.requests()) <= 3


# --- item 6: bounded streams and caches -------------------------------------------------------------


def test_an_endless_stream_line_ends_the_attempt(tmp_path: Path, chat: FakeChat) -> None:
    endless = "data: " + "x" * 3_000_000  # one line, never ended
    chat.always("groq", Reply(events=[endless], headers={"content-type": "text/event-stream"}))
    config = CHAIN.format(model="llama-3.3-70b-versatile") + PROMPT.format(n=1).replace("expect =", "stream = true\nexpect =")
    out = smoke(project_with(tmp_path, config + "[resilience]\nmax_retries = 0\n"), chat, "--format", "json")
    (result,) = json.loads(out.stdout)["results"]
    assert result["status"] != "passed" and "cut off" in json.dumps(result)


def test_the_cache_honours_the_configured_ttl(tmp_path: Path, chat: FakeChat) -> None:
    """An answer cached under a long TTL is not served once the config says a shorter one."""
    chain = CHAIN.format(model="llama-3.3-70b-versatile") + PROMPT.format(n=1)
    project = project_with(tmp_path, chain + "[cache]\nttl_seconds = 3600\n")
    assert smoke(project, chat).returncode == 0 and len(chat.requests()) == 1
    assert smoke(project, chat).returncode == 0 and len(chat.requests()) == 1  # served from the cache
    (project / "aicheck.toml").write_text(chain + "[cache]\nttl_seconds = 0.001\n")
    assert smoke(project, chat).returncode == 0
    assert len(chat.requests()) == 2, "the configured TTL, not the stored expiry, decides"


def test_each_retry_reserves_its_own_worst_case(chat: FakeChat) -> None:
    """A stream cut off mid-answer may be billed, so it counts at its worst case; a retry is
    another request that may be billed: one that no longer fits the budget is not sent."""
    import dataclasses

    from aicheck.catalog import prices
    from aicheck.chain import ChatRequest
    from aicheck.resilience.cost import estimate_usd
    from tests.fakes.chat import success
    from tests.fakes.chat_fixtures import ask_one, config

    prompt = "Reply with the single word: pong"
    chat.script("groq", lambda request: dataclasses.replace(success(request), cut_after=1))
    estimate = estimate_usd(prices()["groq"]["llama-3.3-70b-versatile"], len(prompt), 64)
    result = ask_one(chat, config("groq", budget={"per_run_usd": estimate * 1.5}), ChatRequest(prompt, stream=True))
    assert len(chat.requests("groq")) == 1
    (step,) = result.path
    assert step.kind == "budget" and "per_run_usd" in step.detail


def test_an_answer_nested_too_deeply_is_malformed_not_a_crash(chat: FakeChat, fake: FakeProviders) -> None:
    from tests.fakes.chat_fixtures import ask_one, config

    deep = "[" * 200_000 + "]" * 200_000
    chat.always("groq", Reply(body=deep, headers={"content-type": "application/json"}))
    result = ask_one(chat, config("groq"))
    assert result.answer is None and result.path[0].kind == "malformed"
    item = key_for("openai")
    fake.answer("openai", ProviderReply(200, body=deep.encode(), content_type="application/json"), key=item.key)
    assert check_one(fake, item).status == "unknown"
