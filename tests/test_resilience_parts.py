"""Breaker, token bucket, budget, cache, cost and the state file, each on its own."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from aicheck import catalog
from aicheck.catalog import Price
from aicheck.resilience import Breaker, Breakers, Budget, Refusal, Reservation, ResponseCache, TokenBucket, Tokens, cache_key
from aicheck.resilience.breaker import CLOSED, HALF_OPEN, OPEN
from aicheck.resilience.cost import cost_usd, estimate_usd, find_price
from aicheck.state import State, state_dir


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


# --- breaker -----------------------------------------------------------------------------------


def test_breaker_opens_after_n_consecutive_failures_and_half_opens_after_the_cooldown() -> None:
    clock = Clock()
    breaker = Breaker("groq", threshold=3, cooldown=30, clock=clock)
    breaker.failure(); breaker.failure()
    breaker.success()  # a success in between resets the count
    breaker.failure(); breaker.failure()
    assert breaker.state == CLOSED and breaker.allow()
    breaker.failure()
    assert breaker.state == OPEN and not breaker.allow()
    clock.now += 29.9
    assert not breaker.allow()
    clock.now += 0.2
    assert breaker.state == HALF_OPEN
    assert breaker.allow()  # the one trial call
    assert not breaker.allow()  # everyone else waits for its verdict
    breaker.failure()  # the trial failed: another cooldown
    assert breaker.state == OPEN and breaker.retry_in() == pytest.approx(30)
    clock.now += 31
    assert breaker.allow()
    breaker.success()
    assert breaker.state == CLOSED and breaker.failures == 0 and breaker.allow()


def test_a_threshold_of_zero_turns_the_breaker_off() -> None:
    breaker = Breaker("groq", threshold=0)
    for _ in range(50):
        breaker.failure()
    assert breaker.allow()


def test_breaker_state_survives_in_the_state_file(tmp_path: Path) -> None:
    clock = Clock()
    with State(tmp_path / "state.db") as state:
        first = Breakers(2, 60, store=state, clock=clock)
        first.get("groq").failure()
        first.get("groq").failure()
        first.get("openrouter").failure()
    with State(tmp_path / "state.db") as state:
        second = Breakers(2, 60, store=state, clock=clock)
        assert second.get("groq").state == OPEN and not second.get("groq").allow()
        assert second.get("openrouter").failures == 1 and second.get("openrouter").allow()
        clock.now += 61
        assert second.get("groq").allow()  # half-open in the next run too


# --- token bucket ------------------------------------------------------------------------------


def test_token_bucket_allows_a_burst_then_spaces_calls_at_the_rate() -> None:
    clock = Clock()
    bucket = TokenBucket(requests_per_minute=60, burst=2, clock=clock)
    assert bucket.take() == 0 and bucket.take() == 0
    assert bucket.take() == pytest.approx(1.0)  # one a second
    assert bucket.take() == pytest.approx(2.0)
    clock.now += 10
    assert bucket.try_take() and bucket.headroom == 1


def test_token_bucket_acquire_waits_for_a_token() -> None:
    bucket = TokenBucket(requests_per_minute=600, burst=1)  # one every 0.1 s
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async def run() -> None:
        for _ in range(3):
            await bucket.acquire(sleep)

    asyncio.run(run())
    assert waits[0] == pytest.approx(0.1, abs=0.02) and waits[1] == pytest.approx(0.2, abs=0.02)


def test_token_bucket_needs_a_positive_rate() -> None:
    with pytest.raises(ValueError):
        TokenBucket(0)


# --- budget ----------------------------------------------------------------------------------


def test_budget_refuses_a_call_that_could_pass_the_run_limit() -> None:
    budget = Budget(per_run_usd=0.01, per_day_usd=1.0)
    first = budget.reserve(0.006)
    assert isinstance(first, Reservation)
    refused = budget.reserve(0.006)  # 0.006 reserved + 0.006 > 0.01: two calls cannot share the last cent
    assert isinstance(refused, Refusal) and refused.limit == "per_run_usd"
    budget.settle(first, 0.001)  # it cost less than feared
    assert isinstance(budget.reserve(0.006), Reservation)
    assert "per_run_usd" in refused.describe() and "not sent" in refused.describe()


def test_budget_counts_what_was_spent_earlier_today() -> None:
    budget = Budget(per_run_usd=None, per_day_usd=1.0, spent_today_usd=0.999)
    refusal = budget.reserve(0.002)
    assert isinstance(refusal, Refusal) and refusal.limit == "per_day_usd"
    assert isinstance(Budget(per_day_usd=None).reserve(1e9), Reservation)


# --- cost ---------------------------------------------------------------------------------------


def test_cost_prices_cached_tokens_at_the_cached_price() -> None:
    price = Price(input=2.0, output=8.0, cached_input=0.5)
    assert cost_usd(Tokens(input=1000, output=100, cached=400), price) == pytest.approx((600 * 2 + 400 * 0.5 + 100 * 8) / 1e6)
    assert cost_usd(Tokens(input=1000, output=0, cached=1000), Price(1.0, 1.0)) == pytest.approx(1000 / 1e6)


def test_the_estimate_is_an_upper_bound_of_a_plausible_answer() -> None:
    price = Price(input=1.0, output=1.0)
    prompt = "Reply with the single word: pong"
    assert estimate_usd(price, len(prompt), 64) >= cost_usd(Tokens(len(prompt) // 4 + 10, 64), price)


def test_find_price_matches_exact_then_the_longest_prefix() -> None:
    table = catalog.prices()["openai"]
    assert find_price(table, "gpt-4o-mini") == table["gpt-4o-mini"]
    assert find_price(table, "gpt-4o-mini-2024-07-18") == table["gpt-4o-mini"]
    assert find_price(table, "gpt-4o-2024-08-06") == table["gpt-4o"]
    assert find_price(table, "gpt-4o-minimal") is None  # not a dated variant
    assert find_price(table, "my-deployment", "gpt-4o-mini-2024-07-18") == table["gpt-4o-mini"]  # Azure: the served model


def test_every_provider_with_a_chat_ships_prices_for_a_common_model() -> None:
    prices = catalog.prices()
    chat_providers = [p.id for p in catalog.load().providers if catalog.chat(p).supported and p.id != "huggingface"]
    assert set(chat_providers) <= set(prices)
    for models in prices.values():
        for price in models.values():
            assert 0 < price.input < 100 and 0 < price.output < 200
            assert price.cached_input is None or price.cached_input <= price.input


# --- cache -----------------------------------------------------------------------------------


def test_cache_key_depends_on_what_was_asked_and_nothing_secret() -> None:
    base = cache_key("groq", "llama", prompt="hi", max_tokens=8)
    assert base == cache_key("groq", "llama", max_tokens=8, prompt="hi")
    assert base != cache_key("groq", "llama", prompt="hi", max_tokens=9)
    assert base != cache_key("openrouter", "llama", prompt="hi", max_tokens=8)


def test_cache_expires_and_keeps_at_most_max_items(tmp_path: Path) -> None:
    clock = Clock()
    with State(tmp_path / "state.db") as state:
        cache = ResponseCache(ttl=10, max_items=2, store=state, clock=clock)
        for name in ("a", "b", "c"):
            cache.put(name, "groq", "llama", {"text": name})
            clock.now += 1
        assert cache.get("a") is None and cache.get("c") == {"text": "c"}  # the oldest went first
        assert state.cache_size() == 2
        clock.now += 10
        assert cache.get("c") is None
    assert ResponseCache(ttl=0).get("x") is None


# --- the state file --------------------------------------------------------------------------


def test_state_lives_in_dot_aicheck_with_its_own_gitignore(tmp_path: Path) -> None:
    with State.open(tmp_path, env={}) as state:
        assert state.path == tmp_path / ".aicheck" / "state.db"
    assert (tmp_path / ".aicheck" / ".gitignore").read_text().splitlines()[-1] == "*"
    assert state_dir(tmp_path, {"AICHECK_STATE_DIR": str(tmp_path / "elsewhere")}) == tmp_path / "elsewhere"


def test_run_history_keeps_command_start_summary_and_results(tmp_path: Path) -> None:
    with State(tmp_path / "s.db") as state:
        run = state.start_run("smoke", 1_700_000_000.0)
        state.finish_run(run, finished_at=1_700_000_002.0, duration_s=2.0, failed=True,
                         summary={"availability": 0.5}, results=[{"name": "pong"}])
        state.start_run("smoke", 1_700_000_010.0)  # never finished: not history
        (entry,) = state.runs("smoke")
    assert entry["started_at"] == "2023-11-14T22:13:20Z" and entry["failed"] is True
    assert entry["summary"] == {"availability": 0.5} and entry["results"] == [{"name": "pong"}]


def test_spend_is_summed_per_utc_day(tmp_path: Path) -> None:
    with State(tmp_path / "s.db") as state:
        state.record_spend("groq", "llama", 0.25, at=1_700_000_000.0)
        state.record_spend("groq", "llama", 0.5, at=1_700_000_100.0)
        state.record_spend("groq", "llama", 9.0, at=1_600_000_000.0)
        assert state.spent_on("2023-11-14") == pytest.approx(0.75)


def test_a_state_folder_that_cannot_be_made_is_a_clear_error(tmp_path: Path) -> None:
    from aicheck.errors import AicheckError

    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(AicheckError, match="AICHECK_STATE_DIR"):
        State(blocker / "sub" / "state.db")
