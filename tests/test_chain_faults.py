"""The chain against scripted faults on a real HTTP server: what is retried, what falls back, how long it waits."""

from __future__ import annotations

from pathlib import Path

import pytest

from aicheck.chain import ChatRequest
from aicheck.state import State
from tests.fakes.chat import (
    FakeChat, Reply, content_filter, error_in_200, hang, insufficient_quota, malformed, overloaded, payment_required,
    rate_limited, sse_cut, success, unauthorized, unavailable,
)
from tests.fakes.chat_fixtures import FAST, KEYS, ask, ask_one, config, env_for

PONG = ChatRequest("Reply with the single word: pong")


def kinds(result: object) -> list[tuple[str, str | None]]:
    return [(step.provider, step.kind) for step in result.path]  # type: ignore[attr-defined]


def test_429_with_retry_after_waits_as_told_then_succeeds(chat: FakeChat) -> None:
    chat.script("groq", rate_limited(retry_after="1"))
    result = ask_one(chat, config("groq", "openrouter"))
    first, second = chat.requests("groq")
    assert result.ok and result.answer.provider == "groq" and result.attempts == 2  # type: ignore[union-attr]
    assert 1.0 <= second.at - first.at < 1.5  # the server's log: the retry waited the second it was told
    assert not chat.requests("openrouter")


def test_retry_after_ms_wins_over_retry_after(chat: FakeChat) -> None:
    chat.script("groq", rate_limited(retry_after="30", retry_after_ms="200"))
    result = ask_one(chat, config("groq"))
    first, second = chat.requests("groq")
    assert result.ok and 0.2 <= second.at - first.at < 0.6


def test_a_retry_after_beyond_the_cap_falls_back_at_once(chat: FakeChat) -> None:
    chat.script("groq", rate_limited(retry_after="120"))
    result = ask_one(chat, config("groq", "openrouter", resilience={**FAST, "retry_after_cap_seconds": 5}))
    assert result.answer is not None and result.answer.provider == "openrouter"
    assert len(chat.requests("groq")) == 1 and kinds(result)[0] == ("groq", "rate_limit")


def test_503_twice_then_success_stays_on_the_first_provider(chat: FakeChat) -> None:
    chat.script("groq", unavailable(), unavailable())
    result = ask_one(chat, config("groq", "openrouter"))
    assert result.answer is not None and result.answer.provider == "groq"
    assert len(chat.requests("groq")) == 3 and result.path[0].failures[0].startswith("HTTP 503")
    assert not chat.requests("openrouter")


def test_529_overloaded_is_retried(chat: FakeChat) -> None:
    chat.script("anthropic", overloaded())
    result = ask_one(chat, config("anthropic"))
    assert result.ok and result.attempts == 2 and "overloaded" in result.path[0].failures[0]


def test_a_hang_past_the_timeout_is_cut_short_and_falls_back(chat: FakeChat) -> None:
    chat.always("groq", hang(3))
    cfg = config("groq", "openrouter", resilience={**FAST, "max_retries": 1})
    cfg.data["chain"][0]["timeout"] = 0.3
    result = ask_one(chat, cfg)
    assert result.answer is not None and result.answer.provider == "openrouter"
    assert kinds(result)[0] == ("groq", "timeout") and len(chat.requests("groq")) == 2
    assert result.latency_ms is not None and result.latency_ms < 1500  # 2 x 0.3 s, not 2 x 3 s


@pytest.mark.parametrize(("fault", "kind"), [
    (unauthorized(), "invalid_key"),
    (insufficient_quota(), "no_credit"),
    (payment_required(), "no_credit"),
    (content_filter(), "content_policy"),
    (malformed(), "malformed"),
])
def test_failures_no_retry_can_fix_go_to_the_next_provider_at_once(chat: FakeChat, fault: object, kind: str) -> None:
    chat.script("groq", fault)  # type: ignore[arg-type]
    result = ask_one(chat, config("groq", "openrouter"))
    assert result.answer is not None and result.answer.provider == "openrouter"
    assert kinds(result) == [("groq", kind), ("openrouter", None)]
    assert len(chat.requests("groq")) == 1  # no retry


def test_anthropic_billing_error_is_no_credit(chat: FakeChat) -> None:
    chat.script("anthropic", payment_required())
    result = ask_one(chat, config("anthropic", "gemini"))
    assert kinds(result)[0] == ("anthropic", "no_credit") and len(chat.requests("anthropic")) == 1


def test_an_openrouter_error_inside_a_200_body_is_an_upstream_failure(chat: FakeChat) -> None:
    chat.script("openrouter", error_in_200(502))
    result = ask_one(chat, config("openrouter"))
    assert result.ok and result.attempts == 2
    assert result.path[0].failures == ["HTTP 502: Provider returned error"]


def test_an_sse_stream_cut_midway_is_retried(chat: FakeChat) -> None:
    chat.script("groq", sse_cut(after=3))
    result = ask_one(chat, config("groq"), ChatRequest("pong please", stream=True))
    assert result.ok and result.answer.text == "pong" and result.attempts == 2  # type: ignore[union-attr]
    assert "stream" in result.path[0].failures[0]


def test_an_sse_stream_cut_on_every_attempt_falls_back(chat: FakeChat) -> None:
    chat.always("anthropic", sse_cut(after=3))
    result = ask_one(chat, config("anthropic", "gemini"), ChatRequest("pong please", stream=True))
    assert kinds(result) == [("anthropic", "stream_cut"), ("gemini", None)]
    assert result.answer is not None and result.answer.ttft_ms is not None


def test_a_refused_connection_is_retried_then_falls_back(chat: FakeChat) -> None:
    from tests.fakes.providers import closed_port

    env = {**env_for(chat), "AICHECK_GROQ_BASE_URL": f"http://127.0.0.1:{closed_port()}/groq"}
    result = ask_one(chat, config("groq", "openrouter"), env=env)
    assert kinds(result) == [("groq", "connection"), ("openrouter", None)] and result.path[0].attempts == 3


def test_when_every_provider_fails_the_chain_ends_in_a_structured_error(chat: FakeChat) -> None:
    chat.always("groq", unauthorized())
    chat.always("openrouter", unavailable(502))
    result = ask_one(chat, config("groq", "openrouter"))
    assert not result.ok and result.answer is None
    error = result.error
    assert error is not None and error["type"] == "chain_exhausted" and error["retryable"] is True
    assert [cause["kind"] for cause in error["causes"]] == ["invalid_key", "server"]
    assert [cause["attempts"] for cause in error["causes"]] == [1, 3]


def test_a_drill_fails_the_provider_without_a_request(chat: FakeChat) -> None:
    result = ask_one(chat, config("groq", "openrouter"), drills=(0,))  # the first entry
    assert result.answer is not None and result.answer.provider == "openrouter"
    assert kinds(result) == [("groq", "drill"), ("openrouter", None)]
    assert not chat.requests("groq")


def test_a_missing_key_moves_on_without_a_request(chat: FakeChat) -> None:
    env = {k: v for k, v in env_for(chat).items() if k != "GROQ_API_KEY"}
    result = ask_one(chat, config("groq", "openrouter"), env=env)
    assert kinds(result)[0] == ("groq", "no_key") and "GROQ_API_KEY" in result.path[0].detail
    assert not chat.requests("groq")


def test_the_breaker_opens_after_n_failures_skips_without_a_request_then_half_opens(chat: FakeChat, tmp_path: Path) -> None:
    chat.always("groq", unavailable())
    cfg = config("groq", "openrouter", resilience={**FAST, "max_retries": 0, "breaker_failure_threshold": 2, "breaker_cooldown_seconds": 0.6})
    results = ask(chat, cfg, PONG, PONG, PONG, PONG)
    assert len(chat.requests("groq")) == 2  # the third and fourth prompts cost no request
    assert [kinds(r)[0] for r in results] == [("groq", "server")] * 2 + [("groq", "breaker_open")] * 2
    assert all(r.answer is not None and r.answer.provider == "openrouter" for r in results)

    import time

    time.sleep(0.7)
    chat.reset()  # groq is back
    result = ask_one(chat, cfg)
    assert result.answer is not None and result.answer.provider == "groq"  # a fresh chain: breaker state is per run without a state file


def test_breaker_state_persists_across_runs_in_the_state_file(chat: FakeChat, tmp_path: Path) -> None:
    chat.always("groq", unavailable())
    cfg = config("groq", "openrouter", resilience={**FAST, "max_retries": 0, "breaker_failure_threshold": 2, "breaker_cooldown_seconds": 0.6})
    with State(tmp_path / "state.db") as state:
        ask(chat, cfg, PONG, PONG, state=state)
    assert len(chat.requests("groq")) == 2
    chat.reset()  # groq is back, but the next run does not know it yet
    with State(tmp_path / "state.db") as state:
        first = ask_one(chat, cfg, state=state)
        assert kinds(first)[0] == ("groq", "breaker_open") and not chat.requests("groq")
        import time

        time.sleep(0.7)
        trial = ask_one(chat, cfg, state=state)  # half-open: one trial, which succeeds
        assert trial.answer is not None and trial.answer.provider == "groq"
        assert state.breakers()["groq/llama-3.3-70b-versatile"]["state"] == "closed"


def test_a_breaker_opened_by_others_stops_a_call_from_retrying(chat: FakeChat) -> None:
    """While one prompt backs off, others open the breaker: the retry is not sent."""
    import asyncio

    from aicheck import chain as chain_mod

    chat.always("groq", unavailable())
    cfg = config("groq", resilience={"max_retries": 3, "backoff_base_seconds": 0.4, "backoff_cap_seconds": 0.4, "breaker_failure_threshold": 1})
    env = env_for(chat)

    async def run() -> None:
        async with chain_mod.build(cfg, chain_mod.resolve(cfg.data, cfg.path, env), env) as chain:
            await asyncio.gather(chain.complete(PONG), chain.complete(PONG))

    asyncio.run(run())
    assert len(chat.requests("groq")) == 2  # each prompt's first attempt only


def test_the_rate_limit_spaces_requests_to_a_provider(chat: FakeChat) -> None:
    cfg = config("groq", resilience={**FAST, "requests_per_minute": 600, "requests_burst": 1})
    results = ask(chat, cfg, PONG, ChatRequest("two"), ChatRequest("three"))
    times = [r.at for r in chat.requests("groq")]
    assert all(r.ok for r in results)
    assert times[1] - times[0] >= 0.08 and times[2] - times[1] >= 0.08  # one every 0.1 s
    assert results[2].path[0].waited_s > 0


def test_the_key_goes_only_in_its_header_and_never_into_a_result(chat: FakeChat) -> None:
    key = KEYS["GROQ_API_KEY"]
    chat.script("groq", lambda r: Reply(401, {"error": {"message": f"Incorrect API key provided: {r.key}", "code": "invalid_api_key"}}))
    result = ask_one(chat, config("groq", "openrouter"))
    (sent,) = chat.requests("groq")
    assert sent.headers["authorization"] == f"Bearer {key}" and key not in sent.path
    assert key not in str(result.error) and key not in str([s.to_dict() for s in result.path])
    assert "Incorrect API key provided: gsk_…" in result.path[0].detail


def test_one_model_failing_does_not_shut_out_another_model_of_the_same_provider(chat: FakeChat) -> None:
    cfg = config(resilience={**FAST, "max_retries": 0, "breaker_failure_threshold": 1})
    cfg.data["chain"] = [{"provider": "openrouter", "model": "vendor/flaky"}, {"provider": "openrouter", "model": "openai/gpt-4o-mini"}]
    chat.always("openrouter", lambda r: unavailable()(r) if r.model == "vendor/flaky" else success(r))
    results = ask(chat, cfg, PONG, PONG, PONG)
    assert [[s.kind for s in r.path] for r in results] == [["server", None], ["breaker_open", None], ["breaker_open", None]]
    assert [r.model for r in chat.requests("openrouter")] == ["vendor/flaky", "openai/gpt-4o-mini", "openai/gpt-4o-mini", "openai/gpt-4o-mini"]
