"""Every provider's documented answers, from a real HTTP server, read into the right status."""

from __future__ import annotations

import json

import pytest

from aicheck.catalog import load
from tests.fakes.fixtures import check_one, key_for
from tests.fakes.providers import ANSWERS, AUTH, KEY_ROUTES, FakeProviders, Reply, Request

CASES = [(provider, answer) for provider, answers in ANSWERS.items() for answer in answers]


def test_every_checkable_provider_has_documented_answers() -> None:
    for provider in load().providers:
        if not provider.validation.supported:
            continue
        assert provider.id in ANSWERS, provider.id
        statuses = {name.split(":")[0] for name in ANSWERS[provider.id]}
        assert {"valid", "invalid", "rate_limited", "unreachable"} <= statuses, provider.id


@pytest.mark.parametrize(("provider", "answer"), CASES, ids=[f"{p}-{a}" for p, a in CASES])
def test_documented_answer_gives_status(fake: FakeProviders, provider: str, answer: str) -> None:
    item = key_for(provider)
    fake.answer(provider, ANSWERS[provider][answer], key=item.key)
    result = check_one(fake, item)
    expected = answer.split(":")[0]
    assert (result.provider, result.status) == (provider, expected), result.check.detail
    assert result.check.attempts == (2 if expected == "unreachable" else 1)
    if result.check.http_status != 200:
        assert result.check.detail.startswith(f"HTTP {result.check.http_status}")
    assert item.key not in json.dumps(result.to_dict())
    assert {request.key for request in fake.received()} == {item.key}


@pytest.mark.parametrize("provider", sorted(KEY_ROUTES))
def test_request_is_the_documented_zero_cost_call(fake: FakeProviders, provider: str) -> None:
    item = key_for(provider)
    fake.answer(provider, ANSWERS[provider]["valid"], key=item.key)
    assert check_one(fake, item).status == "valid"
    (request,) = fake.received()
    assert (request.method, request.path) == KEY_ROUTES[provider]
    assert item.key not in request.path + request.query  # never in a URL, where logs keep it
    header = AUTH.get(provider, "authorization")
    expected = item.key if header != "authorization" else f"Bearer {item.key}"
    assert request.headers[header] == expected
    others = {"authorization", "x-api-key", "x-goog-api-key", "api-key"} - {header}
    assert not others & set(request.headers)
    assert request.headers["user-agent"].startswith("aicheck/")


def test_anthropic_version_header_is_sent(fake: FakeProviders) -> None:
    item = key_for("anthropic")
    fake.answer("anthropic", ANSWERS["anthropic"]["valid"], key=item.key)
    check_one(fake, item)
    assert fake.received()[0].headers["anthropic-version"] == "2023-06-01"


def test_unknown_key_gets_the_providers_invalid_answer(fake: FakeProviders) -> None:
    result = check_one(fake, key_for("groq"))
    assert result.status == "invalid" and result.check.detail == "HTTP 401: Invalid API Key"


def test_perplexity_is_unsupported_and_never_sent(fake: FakeProviders) -> None:
    result = check_one(fake, key_for("perplexity"))
    assert result.status == "unsupported" and "zero-cost" in result.check.detail
    assert fake.received() == []


# --- what the answers tell -----------------------------------------------------------------------


def valid(fake: FakeProviders, provider: str, answer: str = "valid", **kwargs: object) -> dict[str, object]:
    item = key_for(provider)
    fake.answer(provider, ANSWERS[provider][answer], key=item.key)
    result = check_one(fake, item, **kwargs)  # type: ignore[arg-type]
    assert result.status in ("valid", answer.split(":")[0]), result.check.detail
    return result.check.metadata


def test_openai_organisation_and_rate_limit_headroom(fake: FakeProviders) -> None:
    meta = valid(fake, "openai")
    assert meta["organization"] == "acme-prod-x1y2z3" and meta["project"] == "proj_5mJVb0pY"
    assert meta["rate_limit"] == {
        "requests": {"limit": 10000, "remaining": 9999, "reset": "6ms"},
        "tokens": {"limit": 30000000, "remaining": 29999990, "reset": "0s"},
    }
    assert meta["models_available"] == 3


def test_anthropic_organisation_and_rate_limit_headroom(fake: FakeProviders) -> None:
    meta = valid(fake, "anthropic")
    assert meta["organization_id"] == "1f2e3d4c-5b6a-4789-90ab-cdef01234567"
    assert meta["rate_limit"]["requests"] == {"limit": 50, "remaining": 49, "reset": "2025-06-01T12:00:01Z"}  # type: ignore[index]


def test_rate_limited_answer_keeps_retry_after(fake: FakeProviders) -> None:
    meta = valid(fake, "openai", "rate_limited")
    assert meta["retry_after"] == "20" and meta["rate_limit"] == {"requests": {"remaining": 0}}


def test_groq_and_cerebras_headroom(fake: FakeProviders) -> None:
    assert valid(fake, "groq")["rate_limit"]["requests"]["remaining"] == 14370  # type: ignore[index]
    assert valid(fake, "cerebras")["rate_limit"]["requests-day"] == {"limit": 14400, "remaining": 14399, "reset": "33011.38"}  # type: ignore[index]


def test_openrouter_credit(fake: FakeProviders) -> None:
    meta = valid(fake, "openrouter")
    assert {k: meta[k] for k in ("limit", "limit_remaining", "usage", "is_free_tier")} == {
        "limit": 10, "limit_remaining": 7.5, "usage": 2.5, "is_free_tier": False,
    }
    assert meta["label"] == "sk-or-v1-0e6...1c3" and "models_available" not in meta


def test_openrouter_without_limit_is_valid(fake: FakeProviders) -> None:
    meta = valid(fake, "openrouter", "valid:unlimited")
    assert "limit_remaining" not in meta and meta["is_free_tier"] is True


def test_openrouter_used_up_limit_is_no_credit(fake: FakeProviders) -> None:
    item = key_for("openrouter")
    fake.answer("openrouter", ANSWERS["openrouter"]["no_credit"], key=item.key)
    result = check_one(fake, item)
    assert result.status == "no_credit" and "credit limit is used up" in result.check.detail
    assert result.check.metadata["limit_remaining"] == 0


def test_deepseek_balance(fake: FakeProviders) -> None:
    meta = valid(fake, "deepseek")
    assert meta["balance"] == ["110.00"] and meta["currency"] == ["CNY"] and meta["is_available"] is True


def test_xai_key_facts_and_blocked_flags(fake: FakeProviders) -> None:
    meta = valid(fake, "xai")
    assert meta["name"] == "ci-key" and meta["team_id"] == "5ea6f6bd-7815-4b8a-9135-28b2d7ba6722"
    item = key_for("xai")
    fake.answer("xai", ANSWERS["xai"]["restricted:disabled"], key=item.key)
    result = check_one(fake, item)
    assert result.status == "restricted" and "api_key_disabled" in result.check.detail


def test_huggingface_replicate_cohere_accounts(fake: FakeProviders) -> None:
    hf = valid(fake, "huggingface")
    assert hf["name"] == "octocat" and hf["orgs"] == ["acme-ml"] and hf["role"] == "read"
    assert valid(fake, "replicate")["username"] == "acme"
    assert valid(fake, "cohere")["organization_id"] == "8b7c6d5e-acme"


CHAIN = {"chain": [
    {"provider": "groq", "model": "llama-3.3-70b-versatile", "key_env": "GROQ_API_KEY"},
    {"provider": "groq", "model": "mixtral-8x7b-32768", "key_env": "GROQ_API_KEY"},
    {"provider": "gemini", "model": "gemini-2.0-flash", "key_env": "GEMINI_API_KEY"},
    {"provider": "openrouter", "model": "openai/gpt-4o-mini", "key_env": "OPENROUTER_API_KEY"},
]}


def test_chain_models_are_looked_up_in_the_key_model_list(fake: FakeProviders) -> None:
    groq = valid(fake, "groq", config=CHAIN)
    assert groq["chain_models"] == {"llama-3.3-70b-versatile": True, "mixtral-8x7b-32768": False}
    assert valid(fake, "gemini", config=CHAIN)["chain_models"] == {"gemini-2.0-flash": True}  # models/ prefix
    assert "chain_models" not in valid(fake, "openrouter", config=CHAIN)  # /key lists no models
    assert "chain_models" not in valid(fake, "openai", config=CHAIN)  # no chain entry for openai


def test_key_echoed_by_the_provider_is_scrubbed(fake: FakeProviders) -> None:
    """Some Gemini 400 bodies echo the key: nothing of it survives into the result."""
    item = key_for("gemini")

    def echo(request: Request) -> Reply:
        error = ANSWERS["gemini"]["invalid"].json["error"]
        return Reply(400, {"error": {**error, "message": f"API key not valid: {request.key}"}})

    fake.answer("gemini", echo, key=item.key)
    result = check_one(fake, item)
    assert result.status == "invalid"
    assert item.key not in json.dumps(result.to_dict()) and result.key_redacted in result.check.detail
