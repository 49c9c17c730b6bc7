"""The three chat API styles: the request each expects and how to read its answer (pure: no I/O).

- ``openai``: ``POST …/chat/completions`` (OpenAI and every OpenAI-compatible provider or gateway);
- ``anthropic``: ``POST /v1/messages``;
- ``gemini``: ``POST /v1beta/models/{model}:generateContent`` (``:streamGenerateContent?alt=sse``).

Where the tokens are is data (``Chat.usage``); what differs in shape is here, once per style.
A refusal for content policy (``finish_reason: content_filter``, ``stop_reason: refusal``, a
Gemini ``SAFETY`` block) is a failure, not an answer: the app would move on to the next provider.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import aicheck
from aicheck.catalog import Chat
from aicheck.chain.result import ChatRequest
from aicheck.resilience.cost import Tokens
from aicheck.resilience.retry import CallFailed, Failure
from aicheck.validate.classify import pluck

REFUSALS = {"content_filter", "refusal", "SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "IMAGE_SAFETY"}
USER_AGENT = f"aicheck/{aicheck.__version__}"


@dataclass
class Parsed:
    text: str
    tokens: Tokens = field(default_factory=Tokens)
    reported_cost: float | None = None
    finish_reason: str | None = None
    served_model: str | None = None


def build(chat: Chat, base_url: str, model: str, request: ChatRequest) -> tuple[str, dict[str, str], dict[str, Any]]:
    """URL, headers and JSON body for one attempt, without the key: ``aicheck.transport`` adds it,
    in the header ``chat.auth`` names (never in the URL)."""
    streaming = request.stream and chat.stream
    path = (chat.stream_path if streaming and chat.stream_path else chat.path).replace("{model}", quote(_model_id(chat, model), safe=""))
    query = {**chat.query, **(chat.stream_query if streaming else {})}
    url = base_url.rstrip("/") + path + (("&" if "?" in path else "?") + urlencode(query) if query else "")
    headers = {**chat.headers, "content-type": "application/json",
               "user-agent": USER_AGENT, "accept": "text/event-stream" if streaming else "application/json"}
    return url, headers, _BODIES[chat.style](chat, model, request, streaming)


def _model_id(chat: Chat, model: str) -> str:
    return model.removeprefix("models/") if chat.style == "gemini" else model


def _openai_body(chat: Chat, model: str, request: ChatRequest, streaming: bool) -> dict[str, Any]:
    messages = ([{"role": "system", "content": request.system}] if request.system else []) + [{"role": "user", "content": request.prompt}]
    body: dict[str, Any] = {"model": model, "messages": messages, chat.max_tokens_field: request.max_tokens}
    if request.temperature is not None:
        body["temperature"] = request.temperature
    if streaming:
        body["stream"] = True
        if chat.stream_usage:
            body["stream_options"] = {"include_usage": True}
    return body


def _anthropic_body(chat: Chat, model: str, request: ChatRequest, streaming: bool) -> dict[str, Any]:
    body: dict[str, Any] = {"model": model, "max_tokens": request.max_tokens, "messages": [{"role": "user", "content": request.prompt}]}
    if request.system:
        body["system"] = request.system
    if request.temperature is not None:
        body["temperature"] = request.temperature
    if streaming:
        body["stream"] = True
    return body


def _gemini_body(chat: Chat, model: str, request: ChatRequest, streaming: bool) -> dict[str, Any]:
    config: dict[str, Any] = {"maxOutputTokens": request.max_tokens}
    if request.temperature is not None:
        config["temperature"] = request.temperature
    body: dict[str, Any] = {"contents": [{"role": "user", "parts": [{"text": request.prompt}]}], "generationConfig": config}
    if request.system:
        body["systemInstruction"] = {"parts": [{"text": request.system}]}
    return body


_BODIES = {"openai": _openai_body, "anthropic": _anthropic_body, "gemini": _gemini_body}


# --- answers ---------------------------------------------------------------------------------


def parse(chat: Chat, document: Any) -> Parsed:
    """A whole (non-streamed) answer; CallFailed when it is not one, or is a refusal."""
    if not isinstance(document, dict):
        raise CallFailed(Failure("malformed", "the answer is not a JSON object", status=200))
    text, finish = _TEXT[chat.style](document)
    if text is None:
        raise CallFailed(Failure("malformed", f"no answer text where the {chat.style} API puts it", status=200))
    parsed = Parsed(text, tokens(chat, document), reported_cost(chat, document), finish, _served_model(document))
    refused(parsed, document)
    return parsed


def refused(parsed: Parsed, document: Any) -> None:
    block = pluck(document, "promptFeedback.blockReason")
    if parsed.finish_reason in REFUSALS or block:
        reason = block or parsed.finish_reason
        raise CallFailed(Failure("content_policy", f"the provider refused to answer ({reason})", status=200, code=str(reason)))


def _openai_text(document: dict[str, Any]) -> tuple[str | None, str | None]:
    choices = document.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return None, None
    content = pluck(choices[0], "message.content")
    if isinstance(content, list):  # content parts
        content = "".join(str(part.get("text", "")) for part in content if isinstance(part, dict))
    return (content if isinstance(content, str) else "" if content is None else None), choices[0].get("finish_reason")


def _anthropic_text(document: dict[str, Any]) -> tuple[str | None, str | None]:
    blocks = document.get("content")
    if not isinstance(blocks, list):
        return None, None
    text = "".join(str(b.get("text", "")) for b in blocks if isinstance(b, dict) and b.get("type") == "text")
    return text, document.get("stop_reason")


def _gemini_text(document: dict[str, Any]) -> tuple[str | None, str | None]:
    candidates = document.get("candidates")
    if not isinstance(candidates, list) or not candidates:
        return ("", None) if pluck(document, "promptFeedback.blockReason") else (None, None)
    first = candidates[0] if isinstance(candidates[0], dict) else {}
    parts = pluck(first, "content.parts")
    text = "".join(str(p.get("text", "")) for p in parts if isinstance(p, dict)) if isinstance(parts, list) else ""
    return text, first.get("finishReason")


_TEXT = {"openai": _openai_text, "anthropic": _anthropic_text, "gemini": _gemini_text}


def tokens(chat: Chat, document: Any) -> Tokens:
    usage = chat.usage
    count = {name: _int(pluck(document, getattr(usage, name))) for name in ("input", "output", "cached")}
    prompt = count["input"] + (0 if usage.cached_in_input else count["cached"])
    thinking = _int(pluck(document, usage.reasoning)) if usage.reasoning else 0
    return Tokens(prompt, count["output"] + thinking, count["cached"])


def reported_cost(chat: Chat, document: Any) -> float | None:
    value = pluck(document, chat.usage.cost) if chat.usage.cost else None
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0 else None


def _served_model(document: dict[str, Any]) -> str | None:
    value = document.get("model") or document.get("modelVersion")
    return value if isinstance(value, str) else None


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def load_json(body: bytes) -> Any:
    """The body as JSON, or CallFailed(malformed)."""
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise CallFailed(Failure("malformed", f"the answer is not JSON ({len(body)} bytes)", status=200)) from None
