"""Each API style end to end against the fake: the request the provider documents, the answer read,
streaming with time to first token, usage into tokens and cost."""

from __future__ import annotations

import pytest

from aicheck.chain import ChatRequest
from tests.fakes.chat import FakeChat, Reply, gemini_answer, openai_answer, success
from tests.fakes.chat_fixtures import KEYS, ask_one, config

REQUEST = ChatRequest("Reply with the single word: pong", system="Be terse.", max_tokens=16, temperature=0.0)


def test_openai_style_request_and_answer(chat: FakeChat) -> None:
    result = ask_one(chat, config("openai"), REQUEST)
    (sent,) = chat.requests("openai")
    assert sent.style == "openai" and sent.headers["authorization"] == f"Bearer {KEYS['OPENAI_API_KEY']}"
    assert sent.body["messages"] == [{"role": "system", "content": "Be terse."}, {"role": "user", "content": REQUEST.prompt}]
    assert sent.body["max_completion_tokens"] == 16 and "max_tokens" not in sent.body  # the catalog says so for OpenAI
    answer = result.answer
    assert answer is not None and answer.text == "pong" and (answer.tokens.input, answer.tokens.output) == (12, 3)
    assert answer.cost_usd == pytest.approx((12 * 0.15 + 3 * 0.60) / 1e6) and answer.cost_source == "prices"
    assert answer.rate_limit["requests"] == {"limit": 14400, "remaining": 14370, "reset": "2m59.56s"}


def test_anthropic_messages_request_and_answer(chat: FakeChat) -> None:
    result = ask_one(chat, config("anthropic"), REQUEST)
    (sent,) = chat.requests("anthropic")
    assert sent.path == "/v1/messages" and sent.headers["x-api-key"] == KEYS["ANTHROPIC_API_KEY"]
    assert sent.headers["anthropic-version"] == "2023-06-01" and "authorization" not in sent.headers
    assert sent.body["system"] == "Be terse." and sent.body["max_tokens"] == 16
    assert sent.body["messages"] == [{"role": "user", "content": REQUEST.prompt}]
    answer = result.answer
    assert answer is not None and answer.text == "pong" and answer.finish_reason == "end_turn"
    assert answer.cost_usd == pytest.approx((12 * 1.00 + 3 * 5.00) / 1e6)
    assert answer.rate_limit["requests"]["remaining"] == 49


def test_gemini_generate_content_request_and_answer(chat: FakeChat) -> None:
    result = ask_one(chat, config("gemini"), REQUEST)
    (sent,) = chat.requests("gemini")
    assert sent.path == "/v1beta/models/gemini-2.5-flash:generateContent" and not sent.query  # the key is not in the URL
    assert sent.headers["x-goog-api-key"] == KEYS["GEMINI_API_KEY"]
    assert sent.body["contents"] == [{"role": "user", "parts": [{"text": REQUEST.prompt}]}]
    assert sent.body["systemInstruction"] == {"parts": [{"text": "Be terse."}]}
    assert sent.body["generationConfig"] == {"maxOutputTokens": 16, "temperature": 0.0}
    answer = result.answer
    assert answer is not None and answer.text == "pong" and answer.cost_usd == pytest.approx((12 * 0.30 + 3 * 2.50) / 1e6)


@pytest.mark.parametrize("provider", ["groq", "anthropic", "gemini"])
def test_streaming_measures_time_to_first_token(chat: FakeChat, provider: str) -> None:
    chat.script(provider, lambda r: success(r, "pong pong pong", event_delay=0.05))
    result = ask_one(chat, config(provider), ChatRequest("three pongs", stream=True))
    (sent,) = chat.requests(provider)
    assert sent.stream
    answer = result.answer
    assert answer is not None and answer.text == "pong pong pong" and (answer.tokens.input, answer.tokens.output) == (12, 3)
    assert answer.ttft_ms is not None and answer.latency_ms is not None
    assert answer.ttft_ms + 80 < answer.latency_ms  # the first piece came well before the last


def test_openai_streams_ask_for_usage_where_the_catalog_says_so(chat: FakeChat) -> None:
    ask_one(chat, config("groq"), ChatRequest("x", stream=True))
    assert chat.requests("groq")[0].body["stream_options"] == {"include_usage": True}


def test_gemini_streams_use_stream_generate_content_with_alt_sse(chat: FakeChat) -> None:
    ask_one(chat, config("gemini"), ChatRequest("x", stream=True))
    (sent,) = chat.requests("gemini")
    assert sent.path.endswith(":streamGenerateContent") and sent.query == {"alt": ["sse"]}


def test_openrouter_reported_cost_wins_over_the_price_table(chat: FakeChat) -> None:
    chat.cost["openrouter"] = 0.000123
    result = ask_one(chat, config("openrouter"))
    assert result.answer is not None and result.answer.cost_usd == 0.000123 and result.answer.cost_source == "reported"


def test_a_config_price_overrides_the_shipped_one(chat: FakeChat) -> None:
    cfg = config("groq", providers={"groq": {"prices": {"llama-3.3-70b-versatile": {"input": 1000, "output": 1000}}}})
    result = ask_one(chat, cfg)
    assert result.answer is not None and result.answer.cost_usd == pytest.approx(15 * 1000 / 1e6)


def test_a_model_without_a_price_has_no_cost_rather_than_a_wrong_one(chat: FakeChat) -> None:
    cfg = config("groq")
    cfg.data["chain"][0]["model"] = "some-new-model"
    result = ask_one(chat, cfg)
    assert result.answer is not None and result.answer.cost_usd is None and result.answer.cost_source is None


def test_cached_prompt_tokens_are_read_per_style(chat: FakeChat) -> None:
    body = openai_answer("pong", "gpt-4o-mini")
    body["usage"].update(prompt_tokens=1000, prompt_tokens_details={"cached_tokens": 800})
    chat.script("openai", Reply(json=body))
    answer = ask_one(chat, config("openai")).answer
    assert answer is not None and answer.tokens.cached == 800
    assert answer.cost_usd == pytest.approx((200 * 0.15 + 800 * 0.075 + 3 * 0.60) / 1e6)


def test_a_gemini_safety_block_is_a_content_policy_failure(chat: FakeChat) -> None:
    chat.script("gemini", Reply(json=gemini_answer("", "gemini-2.5-flash", finish="SAFETY")))
    result = ask_one(chat, config("gemini", "groq"))
    assert [step.kind for step in result.path] == ["content_policy", None]


def test_a_custom_openai_compatible_gateway_needs_only_base_url_and_key_env(chat: FakeChat) -> None:
    cfg = config(providers={"mygateway": {"base_url": chat.base_url("mygateway") + "/v1", "api_style": "openai", "key_env": "MYGATEWAY_API_KEY"}})
    cfg.data["chain"] = [{"provider": "mygateway", "model": "house-model"}]
    result = ask_one(chat, cfg, env={"MYGATEWAY_API_KEY": "house-key-123"})
    (sent,) = chat.requests("mygateway")
    assert result.ok and sent.path == "/v1/chat/completions" and sent.key == "house-key-123"


def test_an_azure_deployment_goes_in_the_path_with_its_api_version(chat: FakeChat) -> None:
    cfg = config()
    cfg.data["chain"] = [{"provider": "azure-openai", "model": "my-gpt4o-mini"}]
    env = {"AZURE_OPENAI_API_KEY": "0123456789abcdef0123456789abcdef", "AICHECK_AZURE_OPENAI_BASE_URL": chat.base_url("azure")}
    result = ask_one(chat, cfg, env=env)
    (sent,) = chat.requests("azure")
    assert result.ok and sent.path == "/openai/deployments/my-gpt4o-mini/chat/completions"
    assert sent.query == {"api-version": ["2024-10-21"]} and sent.headers["api-key"] == env["AZURE_OPENAI_API_KEY"]

