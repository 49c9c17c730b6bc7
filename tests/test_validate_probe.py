"""``keys validate --probe``: the opt-in, billed check; the cost is stated before anything is sent."""

from __future__ import annotations

import json
from pathlib import Path

from tests.fakes.providers import ANSWERS, FakeProviders, Reply, anthropic_error, openai_error
from tests.keygen import KEYGEN
from tests.test_validate_cli import aicheck, environment

OPENAI_CHAT = "/v1/chat/completions"
ANTHROPIC_CHAT = "/v1/messages"
COMPLETION = {"id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-5.4-nano",
              "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "length"}],
              "usage": {"prompt_tokens": 14, "completion_tokens": 1, "total_tokens": 15}}


def posts(fake: FakeProviders) -> list[str]:
    return [r.path for r in fake.received() if r.method == "POST"]


def test_probe_states_the_cost_and_needs_yes(fake: FakeProviders, tmp_path: Path) -> None:
    key = KEYGEN["openai-api-key"]()
    fake.answer("openai", ANSWERS["openai"]["valid"], key=key)
    out = aicheck(key, "--probe", cwd=tmp_path, env=environment(fake))
    assert out.returncode == 2 and "add --yes" in out.stderr
    assert "1 completion(s) of at most 1 output token (openai/gpt-5.4-nano): at most $0.00000" in out.stderr
    assert posts(fake) == []  # nothing billed


def test_probe_finds_an_empty_openai_balance(fake: FakeProviders, tmp_path: Path) -> None:
    key = KEYGEN["openai-api-key"]()
    fake.answer("openai", ANSWERS["openai"]["valid"], key=key)  # out-of-credit keys still list models
    fake.answer("openai", ANSWERS["openai"]["no_credit"], key=key, method="POST", path=OPENAI_CHAT)
    out = aicheck(key, "--probe", "--yes", "-f", "json", cwd=tmp_path, env=environment(fake))
    (result,) = json.loads(out.stdout)["results"]
    assert out.returncode == 1 and result["status"] == "no_credit"
    assert "probe on gpt-5.4-nano" in result["detail"] and result["metadata"]["probe"]["status"] == "no_credit"
    (chat,) = [r for r in fake.received() if r.method == "POST"]
    body = chat.json()
    assert body["model"] == "gpt-5.4-nano" and body["max_completion_tokens"] == 1 and "stream" not in body
    assert key not in out.stdout + out.stderr


def test_probe_that_works_keeps_valid_and_says_so(fake: FakeProviders, tmp_path: Path) -> None:
    key = KEYGEN["openai-api-key"]()
    fake.answer("openai", ANSWERS["openai"]["valid"], key=key)
    fake.answer("openai", Reply(200, COMPLETION), key=key, method="POST", path=OPENAI_CHAT)
    out = aicheck(key, "--probe", "--yes", "-f", "json", cwd=tmp_path, env=environment(fake))
    (result,) = json.loads(out.stdout)["results"]
    assert out.returncode == 0 and result["status"] == "valid" and result["metadata"]["probe"] == {"model": "gpt-5.4-nano", "status": "valid"}


def test_probe_finds_a_low_anthropic_balance_and_skips_invalid_keys(fake: FakeProviders, tmp_path: Path) -> None:
    good, bad = KEYGEN["anthropic-api-key"](), KEYGEN["anthropic-api-key"]()
    fake.answer("anthropic", ANSWERS["anthropic"]["valid"], key=good)
    fake.answer("anthropic", anthropic_error(400, "invalid_request_error", "Your credit balance is too low to access the Anthropic API."),
                key=good, method="POST", path=ANTHROPIC_CHAT)
    out = aicheck(good, bad, "--probe", "--yes", "-f", "json", cwd=tmp_path, env=environment(fake))
    statuses = sorted(r["status"] for r in json.loads(out.stdout)["results"])
    assert statuses == ["invalid", "no_credit"]
    (chat,) = [r for r in fake.received() if r.method == "POST"]
    assert chat.key == good and chat.json()["max_tokens"] == 1 and chat.json()["model"] == "claude-haiku-4-5"


def test_probe_of_a_model_the_key_may_not_use_is_restricted(fake: FakeProviders, tmp_path: Path) -> None:
    key = KEYGEN["openai-api-key"]()
    fake.answer("openai", ANSWERS["openai"]["valid"], key=key)
    fake.answer("openai", openai_error(404, "The model `gpt-5.4-nano` does not exist or you do not have access to it.", "invalid_request_error", "model_not_found"),
                key=key, method="POST", path=OPENAI_CHAT)
    out = aicheck(key, "--probe", "--yes", "-f", "json", cwd=tmp_path, env=environment(fake))
    (result,) = json.loads(out.stdout)["results"]
    assert result["status"] == "restricted" and "does not exist or you do not have access" in result["detail"]
